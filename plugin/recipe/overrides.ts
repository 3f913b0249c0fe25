/**
 * `--set path=value` overrides: the path is checked against the schema (with did-you-mean), the
 * value is read as a YAML scalar or flow collection (`50`, `1.5M`, `[conv, sep_conv]`, `null`).
 */
import { parseDocument } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { allPaths, type Layer } from './layers.js';
import { formatPath } from './path.js';
import { isSection, propertyNames, schemaAt } from './schema.js';
import type { SourcePosition } from './source.js';
import type { RecipeIssue } from './types.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function setIssue(path: string, message: string, hint?: string): RecipeIssue {
  return { path, line: null, column: null, message, origin: 'set', ...(hint === undefined ? {} : { hint }) };
}

/** The path's segments, or an issue saying which segment is wrong and what was meant. */
function checkPath(raw: string): string[] | RecipeIssue {
  const segments = raw.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const here = segments.slice(0, i + 1).join('.');
    if (!KEY.test(segment)) {
      const hint = /\[\d+\]/.test(segment) ? `set the whole list instead, e.g. ${segments.slice(0, i + 1).join('.').replace(/\[\d+\].*$/, '')}=[a, b]` : undefined;
      return setIssue(here, `'${segment}' is not a key name in --set path '${raw}'`, hint);
    }
    const parent = segments.slice(0, i);
    const parentSchema = schemaAt(parent);
    if (parentSchema === null || !isSection(parentSchema)) {
      return setIssue(here, `'${parent.join('.')}' is a value, not a section, so it has no key '${segment}'`, `set it directly: ${parent.join('.')}=<value>`);
    }
    const keys = propertyNames(parent);
    if (!keys.includes(segment)) {
      const where = parent.length === 0 ? 'at the top level' : `in '${parent.join('.')}'`;
      return setIssue(here, `unknown key '${segment}' ${where}`, didYouMean(segment, keys) ?? `known keys: ${keys.join(', ')}`);
    }
  }
  return segments;
}

export interface ParsedOverrides {
  layer: Layer;
  issues: RecipeIssue[];
}

export function parseOverrides(overrides: readonly string[]): ParsedOverrides {
  const issues: RecipeIssue[] = [];
  let value: Record<string, unknown> = {};
  const positions = new Map<string, SourcePosition | null>();
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0) {
      issues.push(setIssue(override.trim(), `--set expects path=value, got '${override}'`, 'e.g. --set search.budget.evaluations=50'));
      continue;
    }
    const rawPath = override.slice(0, eq).trim();
    const segments = checkPath(rawPath);
    if (!Array.isArray(segments)) {
      issues.push(segments);
      continue;
    }
    const doc = parseDocument(override.slice(eq + 1));
    if (doc.errors.length > 0) {
      issues.push(setIssue(rawPath, `cannot read the value '${override.slice(eq + 1)}': ${doc.errors[0].message.split('\n')[0]}`));
      continue;
    }
    const parsed = doc.toJS() as unknown;
    value = mergeOverride(value, segments, parsed ?? null);
    for (const [path] of allPaths(parsed ?? null, [])) positions.set(joinUnder(segments, path), null);
  }
  return { layer: { kind: 'set', value, positions }, issues };
}

/** Later overrides of the same path win; overrides of different fields of a section combine. */
function mergeOverride(into: Record<string, unknown>, segments: readonly string[], value: unknown): Record<string, unknown> {
  const out = structuredClone(into);
  let node: Record<string, unknown> = out;
  for (const key of segments.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[segments[segments.length - 1]] = value;
  return out;
}

function joinUnder(segments: readonly string[], relative: string): string {
  const base = formatPath(segments);
  if (relative === '') return base;
  return relative.startsWith('[') ? `${base}${relative}` : `${base}.${relative}`;
}
