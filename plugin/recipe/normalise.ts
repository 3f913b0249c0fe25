/**
 * Human counts → integers, before schema validation, so that ajv (and every later consumer)
 * sees numbers. A string that is not a human number is reported here, once, with its position.
 */
import { parseHumanNumber } from './human-number.js';
import type { IssueLocator } from './layers.js';
import { formatPath, isPlainObject, type PathSegment } from './path.js';
import { describeExpected, fieldHint, isHumanCount, recipeSchema, type SchemaNode } from './schema.js';
import type { RecipeIssue } from './types.js';

export interface NormaliseResult {
  value: unknown;
  issues: RecipeIssue[];
}

export function normaliseHumanNumbers(value: unknown, locator: IssueLocator, root: SchemaNode = recipeSchema()): NormaliseResult {
  const issues: RecipeIssue[] = [];
  const visit = (node: unknown, schema: SchemaNode, segments: PathSegment[]): unknown => {
    if (isHumanCount(schema)) {
      if (typeof node !== 'string') return node;
      const parsed = parseHumanNumber(node);
      if (parsed === null) {
        issues.push(locator.issue(formatPath(segments), `must be ${describeExpected(schema, root)}, got ${JSON.stringify(node)}`, fieldHint(schema)));
        return node;
      }
      return parsed;
    }
    if (schema.properties === undefined || !isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const childSchema = schema.properties[key];
      out[key] = childSchema === undefined ? child : visit(child, childSchema, [...segments, key]);
    }
    return out;
  };
  return { value: visit(value, root, []), issues };
}
