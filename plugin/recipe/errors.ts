/** Reporting recipe problems: one line per issue, compiler style, so editors can jump to it. */
import type { RecipeIssue } from './types.js';

function location(issue: RecipeIssue, file: string): string {
  const where = issue.file ?? file;
  if (issue.line !== null) return `${where}:${issue.line}:${issue.column ?? 1}`;
  if (issue.origin === 'set') return `${where} (--set)`;
  if (issue.origin === 'default') return `${where} (default)`;
  return where;
}

/** One issue as `file:line:col: path: message (hint)`. */
export function formatIssue(issue: RecipeIssue, file: string): string {
  const path = issue.path === '' ? '' : `${issue.path}: `;
  const hint = issue.hint === undefined ? '' : ` (${issue.hint})`;
  return `${location(issue, file)}: ${path}${issue.message}${hint}`;
}

/**
 * Every issue on its own line, e.g.
 * `recipes/x.yaml:12:11: constraints.params: must be a positive integer, got "1X" (human numbers …)`;
 * values from `--set` or from defaults say `(--set)` / `(default)` instead of a position.
 */
export function formatIssues(issues: readonly RecipeIssue[], file: string): string {
  return issues.map((issue) => formatIssue(issue, file)).join('\n');
}

/** Thrown by `loadRecipe` when the recipe cannot be used; carries every problem found. */
export class RecipeError extends Error {
  readonly issues: RecipeIssue[];
  readonly file: string;

  constructor(issues: RecipeIssue[], file: string) {
    super(formatIssues(issues, file));
    this.name = 'RecipeError';
    this.issues = issues;
    this.file = file;
  }
}
