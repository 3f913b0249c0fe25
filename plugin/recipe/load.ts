/**
 * `loadRecipe`: file → parsed layers (schema defaults, project defaults, recipe, `--set`) →
 * merged → human numbers normalised → schema-validated → paths resolved → semantic checks.
 * Every problem found along the way is collected; the first stage that finds any throws a
 * `RecipeError` carrying all of them.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { RecipeError } from './errors.js';
import { allPaths, IssueLocator, mergeLayers, type Layer } from './layers.js';
import { normaliseHumanNumbers } from './normalise.js';
import { parseOverrides } from './overrides.js';
import { isPlainObject } from './path.js';
import { findProjectDefaults } from './project-defaults.js';
import { schemaDefaults } from './schema.js';
import { semanticChecks, type CheckContext, type SemanticCheck } from './semantic.js';
import { parseYamlSource, type ParsedSource } from './source.js';
import type { LoadedRecipe, Recipe, RecipeIssue } from './types.js';
import { validateAgainstSchema } from './validate.js';

// The CLI and pipeline import the whole loading API from here.
export { RecipeError, formatIssue, formatIssues } from './errors.js';
export type { LoadedRecipe, Recipe, RecipeIssue } from './types.js';
export { semanticChecks, type CheckContext, type SemanticCheck } from './semantic.js';

export interface LoadRecipeOptions {
  /** `--set` overrides, applied last: `"search.budget.evaluations=50"`. */
  overrides?: string[];
  /** Directory the recipe path, `--set` paths and `output.dir` are resolved against. */
  cwd?: string;
  /** Checks run after the built-in `semanticChecks` (e.g. budget feasibility). */
  checks?: SemanticCheck[];
  /** Look for cosmiconfig project defaults (default true). */
  projectDefaults?: boolean;
}

/** The run name a recipe gets when it does not set one: its file name, made a valid name. */
export function nameFromFile(file: string): string {
  const stem = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 100)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return stem === '' ? 'recipe' : stem;
}

function readProblem(error: NodeJS.ErrnoException, path: string): string {
  switch (error.code) {
    case 'ENOENT':
      return `recipe file not found: ${path}`;
    case 'EISDIR':
      return `recipe path is a directory, not a file: ${path}`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read recipe file (permission denied): ${path}`;
    default:
      return `cannot read recipe file ${path}: ${error.message}`;
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `${typeof value === 'string' ? 'text' : typeof value} (${JSON.stringify(value)})`;
}

/** Issues that make a parsed file unusable as a layer: nothing in it, or not a mapping. */
function shapeIssues(parsed: ParsedSource, what: string, file?: string): RecipeIssue[] {
  if (!parsed.readable || parsed.value === null || isPlainObject(parsed.value)) return [];
  const root = parsed.positions.get('');
  return [
    {
      path: '',
      line: root?.line ?? null,
      column: root?.column ?? null,
      message: `the top level of ${what} must be a mapping of sections (task, space, constraints, search, …), got ${kindOf(parsed.value)}`,
      ...(file === undefined ? {} : { file }),
    },
  ];
}

function fileLayer(parsed: ParsedSource, file: string): Layer | null {
  if (!isPlainObject(parsed.value)) return null;
  return { kind: 'file', file, value: parsed.value, positions: parsed.positions };
}

const SOURCE_RANK = { file: 0, project: 1, set: 2, default: 3 } as const;

function sortIssues(issues: RecipeIssue[]): RecipeIssue[] {
  const rank = (i: RecipeIssue): number => (i.origin !== undefined ? SOURCE_RANK[i.origin] : i.file !== undefined ? SOURCE_RANK.project : SOURCE_RANK.file);
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.order - b.order)
    .map(({ issue }) => issue);
}

export async function loadRecipe(path: string, options: LoadRecipeOptions = {}): Promise<LoadedRecipe> {
  const cwd = options.cwd ?? process.cwd();
  const absolute = resolve(cwd, path);
  const fail = (issues: RecipeIssue[]): never => {
    throw new RecipeError(sortIssues(issues), path);
  };

  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    return fail([{ path: '', line: null, column: null, message: readProblem(error as NodeJS.ErrnoException, absolute) }]);
  }

  const issues: RecipeIssue[] = [];
  const recipeSource = parseYamlSource(text);
  issues.push(...recipeSource.issues, ...shapeIssues(recipeSource, 'a recipe'));
  if (recipeSource.readable && recipeSource.value === null) {
    issues.push({ path: '', line: null, column: null, message: 'the recipe is empty', hint: 'a recipe needs at least `task: { id: mnist }`' });
  }

  const project = options.projectDefaults === false ? null : await findProjectDefaults(dirname(absolute), absolute);
  if (project !== null) issues.push(...project.parsed.issues, ...shapeIssues(project.parsed, 'the project defaults', project.path));

  const overrides = parseOverrides(options.overrides ?? []);
  issues.push(...overrides.issues);

  const defaults = schemaDefaults() as Record<string, unknown>;
  defaults.name = nameFromFile(absolute);
  const layers: Layer[] = [{ kind: 'default', value: defaults, positions: allPaths(defaults) }];
  const projectLayer = project === null ? null : fileLayer(project.parsed, project.path);
  if (projectLayer !== null) layers.push(projectLayer);
  const recipeLayer = fileLayer(recipeSource, absolute);
  if (recipeLayer !== null) layers.push(recipeLayer);
  layers.push(overrides.layer);
  if (recipeLayer === null) fail(issues);

  const locator = new IssueLocator(layers, absolute);
  const normalised = normaliseHumanNumbers(mergeLayers(layers), locator);
  issues.push(...normalised.issues);
  issues.push(...validateAgainstSchema(normalised.value, locator, normalised.issues.map((i) => i.path)));
  if (issues.length > 0) fail(issues);

  const baseOf = (fieldPath: string): { dir: string; label: string } => {
    const layer = locator.layerOf(fieldPath);
    if (layer.kind !== 'file' || layer.file === undefined) return { dir: cwd, label: 'the working directory' };
    return { dir: dirname(layer.file), label: layer.file === absolute ? "the recipe file's directory" : `the directory of ${layer.file}` };
  };
  const recipe = normalised.value as Recipe;
  if (recipe.task.data !== null && !isAbsolute(recipe.task.data)) recipe.task.data = resolve(baseOf('task.data').dir, recipe.task.data);
  if (recipe.generators.checkpoint !== 'builtin' && !isAbsolute(recipe.generators.checkpoint)) {
    recipe.generators.checkpoint = resolve(baseOf('generators.checkpoint').dir, recipe.generators.checkpoint);
  }
  recipe.output.dir = resolve(cwd, recipe.output.dir);
  if (recipe.pretrain.output !== null) recipe.pretrain.output = resolve(cwd, recipe.pretrain.output);

  const ctx: CheckContext = { issue: (paths, message, hint) => locator.issue(paths, message, hint), baseOf };
  for (const check of [...semanticChecks, ...(options.checks ?? [])]) issues.push(...check(recipe, ctx));
  if (issues.length > 0) fail(issues);

  return {
    recipe,
    source: { path: absolute, text },
    ...(projectLayer !== null && project !== null ? { projectDefaults: { path: project.path } } : {}),
  };
}
