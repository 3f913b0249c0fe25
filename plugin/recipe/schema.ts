/**
 * The recipe JSON Schema as data: loading it, walking it by recipe path, reading its defaults,
 * and describing what a field expects in words for error messages.
 */
import { readFileSync } from 'node:fs';
import { recipeSchemaPath } from './assets.js';
import { HUMAN_NUMBER_EXAMPLES } from './human-number.js';
import type { PathSegment } from './path.js';

/** The subset of JSON Schema keywords the recipe schema uses. */
export interface SchemaNode {
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}

const HUMAN_COUNT_REF = '#/$defs/humanCount';
/** The pattern shared by `name` and `evaluation.metric`. */
const NAME_PATTERN = '^[a-z0-9][a-z0-9._-]*$';

let cachedSchema: SchemaNode | null = null;

export function recipeSchema(): SchemaNode {
  if (cachedSchema === null) cachedSchema = JSON.parse(readFileSync(recipeSchemaPath(), 'utf8')) as SchemaNode;
  return cachedSchema;
}

function resolveRef(node: SchemaNode, root: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace(/^#\/\$defs\//, '');
  const target = root.$defs?.[name];
  if (target === undefined) throw new Error(`recipe schema: unresolved $ref ${node.$ref}`);
  return target;
}

/** Whether a field accepts human counts (`100k`, `1.5M`): it refers to `$defs/humanCount`. */
export function isHumanCount(node: SchemaNode): boolean {
  return node.$ref === HUMAN_COUNT_REF || (node.anyOf ?? []).some((branch) => branch.$ref === HUMAN_COUNT_REF);
}

/** The branch of a node that can hold children (an object or array schema), if any. */
function container(node: SchemaNode, root: SchemaNode): SchemaNode {
  const resolved = resolveRef(node, root);
  if (resolved.properties !== undefined || resolved.items !== undefined) return resolved;
  for (const branch of resolved.anyOf ?? []) {
    const inner = resolveRef(branch, root);
    if (inner.properties !== undefined || inner.items !== undefined) return inner;
  }
  return resolved;
}

/** The schema of the value at `segments`, or null when the schema does not allow such a path. */
export function schemaAt(segments: readonly PathSegment[], root: SchemaNode = recipeSchema()): SchemaNode | null {
  let node: SchemaNode = root;
  for (const segment of segments) {
    const holder = container(node, root);
    const next = typeof segment === 'number' ? holder.items : holder.properties?.[segment];
    if (next === undefined) return null;
    node = next;
  }
  return node;
}

/** Keys a mapping at `segments` may hold ([] when it is not a mapping). */
export function propertyNames(segments: readonly PathSegment[], root: SchemaNode = recipeSchema()): string[] {
  const node = schemaAt(segments, root);
  return node === null ? [] : Object.keys(container(node, root).properties ?? {});
}

export function isSection(node: SchemaNode, root: SchemaNode = recipeSchema()): boolean {
  return container(node, root).properties !== undefined;
}

/**
 * The default value tree: leaf `default`s, with sections built from their fields rather than
 * from their own `default: {}` (which means "all of its fields' defaults").
 */
export function schemaDefaults(node: SchemaNode = recipeSchema()): unknown {
  if (node.properties !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node.properties)) {
      if (child.properties !== undefined) out[key] = schemaDefaults(child);
      else if ('default' in child) out[key] = structuredClone(child.default);
    }
    return out;
  }
  return structuredClone(node.default);
}

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

function interval(node: SchemaNode): { low: string; high: string } | null {
  const lowInclusive = node.minimum !== undefined;
  const low = node.minimum ?? node.exclusiveMinimum;
  const highInclusive = node.maximum !== undefined;
  const high = node.maximum ?? node.exclusiveMaximum;
  if (low === undefined && high === undefined) return null;
  return {
    low: low === undefined ? '' : `${lowInclusive ? '[' : '('}${low}`,
    high: high === undefined ? '' : `${high}${highInclusive ? ']' : ')'}`,
  };
}

function describeNumber(node: SchemaNode, noun: 'integer' | 'number'): string {
  const article = noun === 'integer' ? 'an' : 'a';
  if (node.multipleOf !== undefined) {
    const range = node.minimum !== undefined && node.maximum !== undefined ? ` in [${node.minimum}, ${node.maximum}]` : '';
    return `a multiple of ${node.multipleOf}${range}`;
  }
  const bounds = interval(node);
  if (bounds === null) return `${article} ${noun}`;
  if (node.maximum === undefined && node.exclusiveMaximum === undefined) {
    if ((noun === 'integer' && node.minimum === 1) || node.exclusiveMinimum === 0) return `a positive ${noun}`;
    if (node.minimum === 0) return `a non-negative ${noun}`;
    return `${article} ${noun} ≥ ${node.minimum ?? `> ${node.exclusiveMinimum}`}`.replace('≥ >', '>');
  }
  if (bounds.low === '') return `${article} ${noun} ≤ ${node.maximum ?? `< ${node.exclusiveMaximum}`}`.replace('≤ <', '<');
  return `${article} ${noun} in ${bounds.low}, ${bounds.high}`;
}

/** What a field expects, in words: "a positive integer", "one of sgd, adamw", "a multiple of 8 in [8, 1024]". */
export function describeExpected(node: SchemaNode, root: SchemaNode = recipeSchema()): string {
  if (isHumanCount(node)) return 'a positive integer';
  const resolved = resolveRef(node, root);
  if (resolved.anyOf !== undefined) {
    const nullable = resolved.anyOf.some((b) => b.type === 'null');
    const rest = resolved.anyOf.filter((b) => b.type !== 'null').map((b) => describeExpected(b, root));
    return `${rest.join(' or ')}${nullable ? ' or null' : ''}`;
  }
  if (resolved.const !== undefined) return `exactly ${JSON.stringify(resolved.const)}`;
  if (resolved.enum !== undefined) return `one of ${list(resolved.enum)}`;
  const types = Array.isArray(resolved.type) ? resolved.type : resolved.type === undefined ? [] : [resolved.type];
  const nullable = types.includes('null');
  const main = types.find((t) => t !== 'null');
  let words: string;
  switch (main) {
    case 'integer':
    case 'number':
      words = describeNumber(resolved, main);
      break;
    case 'boolean':
      words = 'true or false';
      break;
    case 'string':
      words =
        resolved.pattern === NAME_PATTERN
          ? "a name of lower-case letters, digits, '.', '_' and '-' starting with a letter or digit"
          : resolved.minLength !== undefined && resolved.minLength > 0
            ? 'a non-empty string'
            : 'a string';
      break;
    case 'array': {
      const items = resolved.items === undefined ? null : resolveRef(resolved.items, root);
      const what = items?.enum !== undefined ? `values from: ${list(items.enum)}` : 'values';
      const min = resolved.minItems ?? 0;
      const max = resolved.maxItems;
      const size = max !== undefined && max === min ? `list of exactly ${min} ` : max !== undefined ? `list of ${min} to ${max} ` : min > 1 ? `list of at least ${min} ` : min === 1 ? 'non-empty list of ' : 'list of ';
      words = `a ${size}${resolved.uniqueItems === true ? 'distinct ' : ''}${what}`;
      break;
    }
    case 'object':
      words = `a mapping with keys: ${Object.keys(resolved.properties ?? {}).join(', ')}`;
      break;
    default:
      words = 'a value';
  }
  return nullable ? `${words} or null` : words;
}

/** The fix to suggest for a field, beyond its expectation (null-ability of counts, human numbers). */
export function fieldHint(node: SchemaNode): string | undefined {
  if (!isHumanCount(node)) return undefined;
  const nullable = (node.anyOf ?? []).some((b) => b.type === 'null');
  return `human numbers are accepted: ${HUMAN_NUMBER_EXAMPLES}${nullable ? '; null means no limit' : ''}`;
}

export function isNumericSchema(node: SchemaNode): boolean {
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return types.includes('integer') || types.includes('number') || isHumanCount(node);
}

