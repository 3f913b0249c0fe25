/**
 * Files shipped next to the code (schemas/, recipes/). Found by walking up from this module so
 * the same lookup works from plugin/ (tests) and from dist/plugin/ (the built package).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

export function packageRoot(): string {
  if (cachedRoot !== null) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas', 'recipe.schema.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the hgnas package root (schemas/recipe.schema.json) above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function recipeSchemaPath(): string {
  return join(packageRoot(), 'schemas', 'recipe.schema.json');
}

/** The embedded default recipe that `npm start` runs. */
export function defaultRecipePath(): string {
  return join(packageRoot(), 'recipes', 'mnist.yaml');
}
