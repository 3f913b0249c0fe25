/**
 * The `hgnas/arch@1` JSON document (schemas/arch.schema.json): export, and import with schema
 * validation (ajv, draft 2020-12) followed by the semantic rules of method.md §2.6 and §10.2.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import schema from '../../schemas/arch.schema.json' with { type: 'json' };
import { emptyAdjacency, predecessors } from './cell.js';
import { DEFAULT_MACRO_BOUNDS, validateArch, type MacroBounds } from './macro.js';
import { INPUT_NODE, INTERMEDIATE_NODES, OUTPUT_NODE, type Arch, type Cell, type KernelSize, type OpName, type Stage } from './types.js';

export const ARCH_FORMAT = 'hgnas/arch@1';

export type NodeRef = 'in' | 'n1' | 'n2' | 'n3' | 'n4' | 'n5' | 'n6';

export interface CellNodeJson {
  op: OpName;
  kernel: KernelSize;
  inputs: NodeRef[];
}

export interface CellJson {
  nodes: CellNodeJson[];
  output: NodeRef[];
}

export interface StageJson {
  channels: number;
  stride: 1 | 2;
  repeats: number;
  cell: CellJson;
}

export interface ArchJson {
  format: typeof ARCH_FORMAT;
  input: { height: number; width: number; channels: number };
  numClasses: number;
  stemStride: 1 | 2;
  se: boolean;
  headWidth: number;
  /** Output head; absent = pooled (see Arch.head). */
  head?: 'pooled' | 'dense';
  stages: StageJson[];
  meta?: Record<string, unknown>;
}

export interface ArchFormatProblem {
  /** JSON pointer into the document, e.g. `/stages/1/cell/nodes/2/inputs/0` ('' = the root). */
  readonly path: string;
  readonly message: string;
}

/** Thrown by archFromJson; the message lists every problem with its JSON path. */
export class ArchFormatError extends Error {
  readonly problems: readonly ArchFormatProblem[];

  constructor(problems: readonly ArchFormatProblem[]) {
    super(`invalid ${ARCH_FORMAT} document:\n${problems.map((p) => `  ${p.path || '/'}: ${p.message}`).join('\n')}`);
    this.name = 'ArchFormatError';
    this.problems = problems;
  }
}

// ajv ships CommonJS: under NodeNext the default import is `module.exports`, whose `.default` is the class.
const Ajv2020 = Ajv2020Module.default;
let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (validator === undefined) validator = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  return validator;
}

function refName(v: number): NodeRef {
  return (v === INPUT_NODE ? 'in' : `n${v}`) as NodeRef;
}

function refIndex(ref: NodeRef): number {
  return ref === 'in' ? INPUT_NODE : Number(ref.slice(1));
}

export function cellToJson(cell: Cell): CellJson {
  return {
    nodes: INTERMEDIATE_NODES.map((v) => ({
      op: cell.ops[v - 1]!,
      kernel: cell.kernels[v - 1]!,
      inputs: predecessors(cell, v).map(refName),
    })),
    output: predecessors(cell, OUTPUT_NODE).map(refName),
  };
}

/** The JSON document of an architecture; `meta` is copied as given. */
export function archToJson(arch: Arch, meta?: Record<string, unknown>): ArchJson {
  const doc: ArchJson = {
    format: ARCH_FORMAT,
    input: { height: arch.input.height, width: arch.input.width, channels: arch.input.channels },
    numClasses: arch.numClasses,
    stemStride: arch.stemStride,
    se: arch.se,
    headWidth: arch.headWidth,
    ...(arch.head === 'dense' ? { head: 'dense' as const } : {}),
    stages: arch.stages.map((s) => ({ channels: s.channels, stride: s.stride, repeats: s.repeats, cell: cellToJson(s.cell) })),
  };
  if (meta !== undefined) doc.meta = meta;
  return doc;
}

function ajvProblem(e: ErrorObject): ArchFormatProblem {
  let message = e.message ?? e.keyword;
  if (e.keyword === 'enum') message += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
  if (e.keyword === 'additionalProperties') message += `: ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
  if (e.keyword === 'const') message += `: ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  return { path: e.instancePath, message };
}

/** Converts a `stages[2].cell: G5: ...` message of validateArch into a JSON-pointer problem. */
function archProblem(message: string): ArchFormatProblem {
  const cut = message.indexOf(': ');
  if (cut < 0) return { path: '', message };
  const dotted = message.slice(0, cut);
  const path = '/' + dotted.replace(/\[(\d+)\]/g, '.$1').split('.').join('/');
  return { path, message: message.slice(cut + 2) };
}

function cellFromJson(json: CellJson, at: string, problems: ArchFormatProblem[]): Cell {
  const adj = emptyAdjacency();
  const link = (ref: NodeRef, target: number, where: string): void => {
    const source = refIndex(ref);
    if (source >= target) problems.push({ path: where, message: `G1: ${ref} does not precede ${refName(target)}; edges go from lower to higher nodes` });
    else adj[source]![target] = 1;
  };
  json.nodes.forEach((node, i) => node.inputs.forEach((ref, k) => link(ref, i + 1, `${at}/nodes/${i}/inputs/${k}`)));
  json.output.forEach((ref, k) => link(ref, OUTPUT_NODE, `${at}/output/${k}`));
  return { adj, ops: json.nodes.map((n) => n.op), kernels: json.nodes.map((n) => n.kernel) };
}

/**
 * Parses and validates an `hgnas/arch@1` document: JSON Schema first, then edge direction, cell
 * validity (G1–G7) and the macro domains within `bounds`. Throws ArchFormatError listing every
 * problem with its JSON path. `meta` is ignored (it does not define the network).
 */
export function archFromJson(doc: unknown, bounds: MacroBounds = DEFAULT_MACRO_BOUNDS): Arch {
  const validate = schemaValidator();
  if (!validate(doc)) throw new ArchFormatError((validate.errors ?? []).map(ajvProblem));
  const json = doc as ArchJson;
  const problems: ArchFormatProblem[] = [];
  const stages: Stage[] = json.stages.map((s, i) => ({
    channels: s.channels,
    stride: s.stride,
    repeats: s.repeats,
    cell: cellFromJson(s.cell, `/stages/${i}/cell`, problems),
  }));
  if (problems.length > 0) throw new ArchFormatError(problems);
  const arch: Arch = {
    input: { height: json.input.height, width: json.input.width, channels: json.input.channels },
    numClasses: json.numClasses,
    stemStride: json.stemStride,
    se: json.se,
    stages,
    headWidth: json.headWidth,
    ...(json.head === 'dense' ? { head: 'dense' as const } : {}),
  };
  const semantic = validateArch(arch, bounds).map(archProblem);
  if (semantic.length > 0) throw new ArchFormatError(semantic);
  return arch;
}

