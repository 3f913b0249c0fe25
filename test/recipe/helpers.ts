/** Temporary projects for recipe tests: a directory with a package.json (the search stops there). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { loadRecipe, RecipeError, type LoadRecipeOptions } from '../../plugin/recipe/load.js';
import type { RecipeIssue } from '../../plugin/recipe/types.js';

export function tempProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hgnas-recipe-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "some-project" }\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Lines joined with newlines, so tests can count line numbers by array index + 1. */
export function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

/** Loads `text` as `recipe.yaml` in a fresh project and returns the issues it is rejected with. */
export async function issuesOf(text: string, options: LoadRecipeOptions = {}, files: Record<string, string> = {}): Promise<RecipeIssue[]> {
  const dir = tempProject({ 'recipe.yaml': text, ...files });
  return rejectionOf(join(dir, 'recipe.yaml'), options);
}

export async function rejectionOf(path: string, options: LoadRecipeOptions = {}): Promise<RecipeIssue[]> {
  try {
    await loadRecipe(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(RecipeError);
    return (error as RecipeError).issues;
  }
  throw new Error(`expected ${path} to be rejected`);
}

/** The single issue at `path` (fails when there is none or several). */
export function issueAt(issues: RecipeIssue[], path: string): RecipeIssue {
  const found = issues.filter((i) => i.path === path);
  expect(found, `issues at ${path} among ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  return found[0];
}
