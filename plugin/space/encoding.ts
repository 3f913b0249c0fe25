/**
 * Exact import/export of the reference cell encoding (method.md §2.4: 9×9 adjacency with a
 * virtual global node in front, 9×15 features) and reading of the reference fixture file (§17.1).
 */
import { readFileSync } from 'node:fs';
import { canonicalCell } from './cell.js';
import {
  CELL_NODES,
  KERNEL_SIZES,
  OP_NAMES,
  type Arch,
  type Cell,
  type KernelSize,
  type OpName,
  type Stage,
} from './types.js';

export const ENCODED_NODES = CELL_NODES + 1;
export const FEATURE_COLUMNS = 15;
/** Feature columns (§2.4). */
export const COL_INPUT = 9;
export const COL_OUTPUT = 10;
export const COL_GLOBAL = 11;
export const COL_KERNEL_FIRST = 12;
const OP_COLUMNS = OP_NAMES.length;

const GLOBAL_ROW = 0;
const INPUT_ROW = 1;
const OUTPUT_ROW = ENCODED_NODES - 1;
const ROLE_MARKERS: ReadonlyMap<number, { col: number; name: string }> = new Map([
  [GLOBAL_ROW, { col: COL_GLOBAL, name: 'GLOBAL' }],
  [INPUT_ROW, { col: COL_INPUT, name: 'INPUT' }],
  [OUTPUT_ROW, { col: COL_OUTPUT, name: 'OUTPUT' }],
]);

function checkMatrix(m: unknown, rows: number, cols: number, what: string): asserts m is number[][] {
  if (!Array.isArray(m) || m.length !== rows) {
    throw new Error(`${what}: expected ${rows} rows, got ${Array.isArray(m) ? m.length : typeof m}`);
  }
  m.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${what}: row ${i} must have ${cols} columns, got ${Array.isArray(row) ? row.length : typeof row}`);
    }
    row.forEach((x: unknown, j) => {
      if (x !== 0 && x !== 1) throw new Error(`${what}: entry [${i}][${j}] must be 0 or 1, got ${JSON.stringify(x)}`);
    });
  });
}

function onesIn(row: readonly number[], from: number, to: number): number[] {
  const cols: number[] = [];
  for (let j = from; j < to; j++) if (row[j] === 1) cols.push(j);
  return cols;
}

/**
 * Decodes a 9×9 adjacency and 9×15 feature matrix into a canonical base-indexed Cell.
 * Role rows may carry one kernel bit (the reference decoder wrote them; §2.4) — they are dropped.
 * Throws an Error naming the offending row/column for anything else that is not canonical.
 */
export function cellFromReference(adj: number[][], features: number[][]): Cell {
  checkMatrix(adj, ENCODED_NODES, ENCODED_NODES, 'adjacency');
  checkMatrix(features, ENCODED_NODES, FEATURE_COLUMNS, 'features');
  for (let i = 0; i < ENCODED_NODES; i++) {
    if (adj[i]![i] !== 1) throw new Error(`adjacency: diagonal entry [${i}][${i}] must be 1`);
    if (adj[GLOBAL_ROW]![i] !== 1) throw new Error(`adjacency: row 0 (global) must be all ones, column ${i} is 0`);
    for (let j = 0; j < i; j++) {
      if (adj[i]![j] !== 0) throw new Error(`adjacency: entry [${i}][${j}] below the diagonal must be 0`);
    }
  }

  for (const [row, marker] of ROLE_MARKERS) {
    const r = features[row]!;
    const ops = onesIn(r, 0, OP_COLUMNS);
    if (ops.length > 0) throw new Error(`features: row ${row} (${marker.name}) carries op bit(s) in column(s) ${ops.join(', ')}`);
    const roles = onesIn(r, COL_INPUT, COL_KERNEL_FIRST);
    if (roles.length !== 1 || roles[0] !== marker.col) {
      throw new Error(`features: row ${row} must carry exactly the ${marker.name} marker (column ${marker.col}), got column(s) [${roles.join(', ')}]`);
    }
    const kernels = onesIn(r, COL_KERNEL_FIRST, FEATURE_COLUMNS);
    if (kernels.length > 1) throw new Error(`features: row ${row} (${marker.name}) carries ${kernels.length} kernel bits`);
  }

  const ops: OpName[] = [];
  const kernels: KernelSize[] = [];
  for (let row = INPUT_ROW + 1; row < OUTPUT_ROW; row++) {
    const r = features[row]!;
    const opCols = onesIn(r, 0, OP_COLUMNS);
    if (opCols.length === 0) throw new Error(`features: row ${row} (node n${row - 1}) has no op bit in columns 0-8 (skip/zero labels are not supported)`);
    if (opCols.length > 1) throw new Error(`features: row ${row} (node n${row - 1}) has ${opCols.length} op bits (columns ${opCols.join(', ')})`);
    const roles = onesIn(r, COL_INPUT, COL_KERNEL_FIRST);
    if (roles.length > 0) throw new Error(`features: row ${row} (node n${row - 1}) carries a role marker in column(s) ${roles.join(', ')}`);
    const kCols = onesIn(r, COL_KERNEL_FIRST, FEATURE_COLUMNS);
    if (kCols.length !== 1) throw new Error(`features: row ${row} (node n${row - 1}) must have exactly one kernel bit in columns 12-14, got ${kCols.length}`);
    ops.push(OP_NAMES[opCols[0]!]!);
    kernels.push(KERNEL_SIZES[kCols[0]! - COL_KERNEL_FIRST]!);
  }

  const base = Array.from({ length: CELL_NODES }, (_, i) =>
    Array.from({ length: CELL_NODES }, (_, j) => (j > i && adj[i + 1]![j + 1] === 1 ? 1 : 0) as 0 | 1),
  );
  return canonicalCell({ adj: base, ops, kernels });
}

/** Encodes a cell in the canonical reference form: role rows carry only their marker (§2.5). */
export function cellToReference(cell: Cell): { adj: number[][]; features: number[][] } {
  const c = canonicalCell(cell);
  const adj = Array.from({ length: ENCODED_NODES }, (_, i) =>
    Array.from({ length: ENCODED_NODES }, (_, j) => {
      if (i === GLOBAL_ROW || i === j) return 1;
      if (i === 0 || j === 0) return 0;
      return j > i ? c.adj[i - 1]![j - 1]! : 0;
    }),
  );
  const features = Array.from({ length: ENCODED_NODES }, () => new Array<number>(FEATURE_COLUMNS).fill(0));
  for (const [row, marker] of ROLE_MARKERS) features[row]![marker.col] = 1;
  for (let v = 1; v <= 6; v++) {
    features[v + 1]![OP_NAMES.indexOf(c.ops[v - 1]!)] = 1;
    features[v + 1]![COL_KERNEL_FIRST + KERNEL_SIZES.indexOf(c.kernels[v - 1]!)] = 1;
  }
  return { adj, features };
}

export interface ReferenceArchitecture {
  history_index: number;
  adj_matrix: number[][][];
  ops_features: number[][][];
  layer_channels: number[];
  layer_stride: number[];
  layer_repeats: number[];
  final_concat_layer: number;
  params: number;
  flops_ptflops: number;
  tcet: number;
}

export interface ReferenceSet {
  name: string;
  num_classes: number;
  input_size: number;
  stem_stride: number;
  se: boolean;
  budget: string;
  architectures: ReferenceArchitecture[];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function requireField(obj: Record<string, unknown>, key: string, kind: 'number' | 'string' | 'boolean' | 'array', where: string): void {
  const v = obj[key];
  const ok = kind === 'array' ? Array.isArray(v) : typeof v === kind && (kind !== 'number' || Number.isFinite(v));
  if (!ok) throw new Error(`${where}.${key}: expected ${kind}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
}

function validateReferenceArchitecture(a: unknown, where: string): asserts a is ReferenceArchitecture {
  if (!isObject(a)) throw new Error(`${where}: expected an object`);
  for (const key of ['history_index', 'final_concat_layer', 'params', 'flops_ptflops', 'tcet']) requireField(a, key, 'number', where);
  for (const key of ['adj_matrix', 'ops_features', 'layer_channels', 'layer_stride', 'layer_repeats']) requireField(a, key, 'array', where);
  const stages = (a.layer_channels as unknown[]).length;
  for (const key of ['adj_matrix', 'ops_features', 'layer_stride', 'layer_repeats']) {
    const n = (a[key] as unknown[]).length;
    if (n !== stages) throw new Error(`${where}.${key}: ${n} entries, but layer_channels has ${stages}`);
  }
  for (const key of ['layer_channels', 'layer_stride', 'layer_repeats']) {
    (a[key] as unknown[]).forEach((x, i) => {
      if (!Number.isInteger(x)) throw new Error(`${where}.${key}[${i}]: expected an integer, got ${JSON.stringify(x)}`);
    });
  }
  (a.adj_matrix as unknown[]).forEach((m, i) => checkMatrix(m, ENCODED_NODES, ENCODED_NODES, `${where}.adj_matrix[${i}]`));
  (a.ops_features as unknown[]).forEach((m, i) => checkMatrix(m, ENCODED_NODES, FEATURE_COLUMNS, `${where}.ops_features[${i}]`));
}

/** Reads and structurally validates the reference fixture file (§17.1). */
export function readReferenceFile(path: string | URL): { sets: ReferenceSet[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read reference file ${String(path)}: ${(err as Error).message}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.sets)) throw new Error(`${String(path)}: expected an object with a "sets" array`);
  doc.sets.forEach((s: unknown, i: number) => {
    const where = `sets[${i}]`;
    if (!isObject(s)) throw new Error(`${where}: expected an object`);
    for (const key of ['name', 'budget']) requireField(s, key, 'string', where);
    for (const key of ['num_classes', 'input_size', 'stem_stride']) requireField(s, key, 'number', where);
    requireField(s, 'se', 'boolean', where);
    requireField(s, 'architectures', 'array', where);
    if (s.stem_stride !== 1 && s.stem_stride !== 2) throw new Error(`${where}.stem_stride: expected 1 or 2, got ${JSON.stringify(s.stem_stride)}`);
    (s.architectures as unknown[]).forEach((a, j) => validateReferenceArchitecture(a, `${where}.architectures[${j}]`));
  });
  return { sets: doc.sets as ReferenceSet[] };
}

/**
 * Builds the Arch of one fixture row: input 3×size×size, stem stride and class count from the set
 * (override numClasses / se to count the network as it will be trained, §14 P12, P13).
 */
export function archFromReference(set: ReferenceSet, row: number, options: { numClasses?: number; se?: boolean } = {}): Arch {
  const a = set.architectures[row];
  if (a === undefined) throw new Error(`${set.name}: no architecture at row ${row} (it has ${set.architectures.length})`);
  const stages: Stage[] = a.layer_channels.map((channels, i) => {
    const stride = a.layer_stride[i];
    if (stride !== 1 && stride !== 2) throw new Error(`${set.name}[${row}].layer_stride[${i}]: expected 1 or 2, got ${stride}`);
    let cell: Cell;
    try {
      cell = cellFromReference(a.adj_matrix[i]!, a.ops_features[i]!);
    } catch (err) {
      throw new Error(`${set.name}[${row}] stage ${i}: ${(err as Error).message}`);
    }
    return { cell, channels, stride, repeats: a.layer_repeats[i]! };
  });
  return {
    input: { height: set.input_size, width: set.input_size, channels: 3 },
    numClasses: options.numClasses ?? set.num_classes,
    stemStride: set.stem_stride === 2 ? 2 : 1,
    se: options.se ?? set.se,
    stages,
    headWidth: a.final_concat_layer,
  };
}
