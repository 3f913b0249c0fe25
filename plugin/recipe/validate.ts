/**
 * Schema validation with ajv (all errors), turned into one issue per problem: ajv's several
 * errors for one value (anyOf branches, type + minimum) become a single "must be …, got …".
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { didYouMean } from './did-you-mean.js';
import type { IssueLocator } from './layers.js';
import { formatPath, isWithin, valueAt, type PathSegment } from './path.js';
import { describeExpected, fieldHint, isNumericSchema, propertyNames, recipeSchema, schemaAt, type SchemaNode } from './schema.js';
import type { RecipeIssue } from './types.js';

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled === null) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile(recipeSchema());
  }
  return compiled;
}

/** `/space/ops/2` → ['space', 'ops', 2], numbers where the data holds a list. */
function segmentsOf(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    segments.push(Array.isArray(valueAt(data, segments)) ? Number(key) : key);
  }
  return segments;
}

/** A value as users wrote it: strings quoted, lists and mappings named. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list (${JSON.stringify(value)})`;
  if (typeof value === 'object' && value !== null) return 'a mapping';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

const YAML11_BOOLEANS = new Set(['yes', 'no', 'on', 'off', 'y', 'n']);

function valueHint(schema: SchemaNode, value: unknown): string | undefined {
  const fixed = fieldHint(schema);
  if (fixed !== undefined) return fixed;
  if (typeof value !== 'string') return undefined;
  if (schema.enum !== undefined) return didYouMean(value, schema.enum.map(String));
  if (schema.type === 'boolean' && YAML11_BOOLEANS.has(value.toLowerCase())) return `YAML 1.2 reads '${value}' as text; write true or false`;
  if (isNumericSchema(schema) && value.trim() !== '' && Number.isFinite(Number(value))) return 'write the number without quotes';
  return undefined;
}

function keywordIssues(errors: ErrorObject[], segments: PathSegment[], data: unknown, locator: IssueLocator): RecipeIssue[] {
  const path = formatPath(segments);
  const issues: RecipeIssue[] = [];
  let valueProblem = false;
  for (const error of errors) {
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String((error.params as { additionalProperty: string }).additionalProperty);
        const keys = propertyNames(segments);
        const where = segments.length === 0 ? 'at the top level' : `in '${path}'`;
        issues.push(locator.issue(formatPath([...segments, key]), `unknown key '${key}' ${where}`, didYouMean(key, keys) ?? `known keys: ${keys.join(', ')}`, true));
        break;
      }
      case 'required': {
        const key = String((error.params as { missingProperty: string }).missingProperty);
        const child = schemaAt([...segments, key]);
        const expected = child === null ? '' : `: ${describeExpected(child)}`;
        issues.push(locator.issue(formatPath([...segments, key]), `required key '${key}' is missing${expected}`));
        break;
      }
      case 'uniqueItems': {
        const { i, j } = error.params as { i: number; j: number };
        const list = valueAt(data, segments) as unknown[];
        const later = Math.max(i, j);
        const earlier = Math.min(i, j);
        issues.push(locator.issue(formatPath([...segments, later]), `${showValue(list[later])} is listed twice, also as ${formatPath([...segments, earlier])}`, 'list each value once'));
        break;
      }
      case 'minItems': {
        const schema = schemaAt(segments);
        const { limit } = error.params as { limit: number };
        const list = valueAt(data, segments);
        const got = Array.isArray(list) ? `, got ${list.length}` : '';
        const what = limit <= 1 ? 'must not be empty' : `must have at least ${limit} items${got}`;
        issues.push(locator.issue(path, `${what}: expected ${schema === null ? 'values' : describeExpected(schema)}`));
        break;
      }
      default:
        valueProblem = true;
    }
  }
  if (valueProblem) {
    const schema = schemaAt(segments);
    const value = valueAt(data, segments);
    if (schema !== null) issues.push(locator.issue(path, `must be ${describeExpected(schema)}, got ${showValue(value)}`, valueHint(schema, value)));
  }
  return issues;
}

/**
 * Schema issues of a (normalised) recipe value. Paths in `alreadyReported` (and below them)
 * are skipped: the normaliser has said what is wrong there.
 */
export function validateAgainstSchema(data: unknown, locator: IssueLocator, alreadyReported: readonly string[] = []): RecipeIssue[] {
  const validate = validator();
  if (validate(data)) return [];
  const byPath = new Map<string, { segments: PathSegment[]; errors: ErrorObject[] }>();
  for (const error of validate.errors ?? []) {
    const segments = segmentsOf(error.instancePath, data);
    const key = formatPath(segments);
    if (alreadyReported.some((reported) => isWithin(key, reported))) continue;
    const group = byPath.get(key) ?? { segments, errors: [] };
    group.errors.push(error);
    byPath.set(key, group);
  }
  const issues: RecipeIssue[] = [];
  for (const { segments, errors } of byPath.values()) issues.push(...keywordIssues(errors, segments, data, locator));
  return issues;
}
