/**
 * Checks the schema cannot express: relations between fields and the file system. They run on a
 * schema-valid, fully-resolved recipe. The integrator appends checks that need other modules
 * (e.g. budget feasibility with the cost model) by pushing onto `semanticChecks` or passing
 * `checks` to `loadRecipe`.
 */
import { statSync } from 'node:fs';
import type { Recipe, RecipeIssue } from './types.js';

export interface CheckContext {
  /**
   * An issue at the first of `paths` the user wrote (else the first path), with its file and
   * line:column, or `(--set)` / `(default)`.
   */
  issue(paths: string | readonly string[], message: string, hint?: string): RecipeIssue;
  /** The directory a relative path value at `path` was resolved against, and what it is. */
  baseOf(path: string): { dir: string; label: string };
}

export type SemanticCheck = (recipe: Recipe, ctx: CheckContext) => RecipeIssue[];

/** Numbers as people read them: 1.0999999999999999 → 1.1. */
function show(n: number): string {
  return String(Number(n.toPrecision(12)));
}

export const checkSplitSumsToOne: SemanticCheck = (recipe, ctx) => {
  const { train, val, test } = recipe.task.split;
  const sum = train + val + test;
  if (Math.abs(sum - 1) <= 1e-9) return [];
  return [ctx.issue('task.split', `fractions must sum to 1, got ${show(train)} + ${show(val)} + ${show(test)} = ${show(sum)}`, 'adjust train, val and test')];
};

export const checkRangesOrdered: SemanticCheck = (recipe, ctx) => {
  const issues: RecipeIssue[] = [];
  const ranges: Array<[string, { min: number; max: number }]> = [
    ['space.stages', recipe.space.stages],
    ['space.channels', recipe.space.channels],
    ['space.headWidth', recipe.space.headWidth],
  ];
  for (const [path, { min, max }] of ranges) {
    if (min > max) issues.push(ctx.issue([`${path}.min`, `${path}.max`], `min (${min}) must be ≤ max (${max})`));
  }
  const { params, minParams } = recipe.constraints;
  if (params !== null && minParams !== null && minParams > params) {
    issues.push(ctx.issue(['constraints.minParams', 'constraints.params'], `minParams (${minParams}) must be ≤ params (${params})`));
  }
  return issues;
};

export const checkMultiplesOfEight: SemanticCheck = (recipe, ctx) => {
  const issues: RecipeIssue[] = [];
  for (const section of ['channels', 'headWidth'] as const) {
    for (const bound of ['min', 'max'] as const) {
      const value = recipe.space[section][bound];
      if (value % 8 !== 0) {
        const lower = Math.max(8, Math.floor(value / 8) * 8);
        issues.push(ctx.issue(`space.${section}.${bound}`, `must be a multiple of 8 in [8, 1024], got ${value}`, `e.g. ${lower} or ${lower + 8}`));
      }
    }
  }
  return issues;
};

export const checkListsNonEmptyUnique: SemanticCheck = (recipe, ctx) => {
  const issues: RecipeIssue[] = [];
  const lists: Array<[string, readonly unknown[]]> = [
    ['space.strides', recipe.space.strides],
    ['space.ops', recipe.space.ops],
    ['space.kernels', recipe.space.kernels],
  ];
  for (const [path, list] of lists) {
    if (list.length === 0) issues.push(ctx.issue(path, 'must not be empty'));
    list.forEach((item, i) => {
      const first = list.indexOf(item);
      if (first !== i) issues.push(ctx.issue(`${path}[${i}]`, `${JSON.stringify(item)} is listed twice, also as ${path}[${first}]`, 'list each value once'));
    });
  }
  return issues;
};

export const checkCellsCoverStages: SemanticCheck = (recipe, ctx) => {
  const { totalCells, stages } = recipe.space;
  if (totalCells.max >= stages.min) return [];
  return [
    ctx.issue(
      ['space.totalCells.max', 'space.stages.min'],
      `must be ≥ space.stages.min (${stages.min}): every stage holds at least one cell, got ${totalCells.max}`,
    ),
  ];
};

export const checkSearchBudget: SemanticCheck = (recipe, ctx) => {
  const issues: RecipeIssue[] = [];
  const { budget, topK, tournament, population } = recipe.search;
  if (budget.evaluations === null && budget.seconds === null) {
    issues.push(ctx.issue(['search.budget.evaluations', 'search.budget.seconds'], 'the search needs a budget: set evaluations, seconds or both'));
  }
  if (budget.evaluations !== null && topK > budget.evaluations) {
    issues.push(ctx.issue(['search.topK', 'search.budget.evaluations'], `search.topK (${topK}) must be ≤ search.budget.evaluations (${budget.evaluations})`));
  }
  if (tournament > population) {
    issues.push(ctx.issue(['search.tournament', 'search.population'], `search.tournament (${tournament}) must be ≤ search.population (${population})`));
  }
  const { rerank } = recipe.evaluation;
  if (rerank.epochs > 0 && rerank.topK > topK) {
    issues.push(ctx.issue(['evaluation.rerank.topK', 'search.topK'], `evaluation.rerank.topK (${rerank.topK}) must be ≤ search.topK (${topK}): only the finalists are re-ranked`));
  }
  return issues;
};

export const checkTraining: SemanticCheck = (recipe, ctx) => {
  const { warmupEpochs, epochs } = recipe.evaluation.train;
  if (warmupEpochs <= epochs) return [];
  return [ctx.issue(['evaluation.train.warmupEpochs', 'evaluation.train.epochs'], `warmupEpochs (${warmupEpochs}) must be ≤ epochs (${epochs})`)];
};

export const checkWorkers: SemanticCheck = (recipe, ctx) =>
  Number.isInteger(recipe.runtime.workers) && recipe.runtime.workers >= 1 ? [] : [ctx.issue('runtime.workers', `must be ≥ 1, got ${recipe.runtime.workers}`)];

function isDirectory(path: string): boolean | null {
  try {
    return statSync(path).isDirectory();
  } catch {
    return null;
  }
}

function directoryIssue(ctx: CheckContext, path: string, dir: string, what: string): RecipeIssue[] {
  const found = isDirectory(dir);
  if (found === true) return [];
  const base = ctx.baseOf(path);
  const problem = found === null ? `${what} not found: ${dir}` : `${what} is not a directory: ${dir}`;
  return [ctx.issue(path, `${problem} (relative paths are resolved against ${base.label}, ${base.dir})`)];
}

export const checkDataDirectory: SemanticCheck = (recipe, ctx) =>
  recipe.task.data === null ? [] : directoryIssue(ctx, 'task.data', recipe.task.data, 'data directory');

export const checkCheckpoint: SemanticCheck = (recipe, ctx) =>
  recipe.generators.checkpoint === 'builtin' || recipe.generators.pretrain
    ? []
    : directoryIssue(ctx, 'generators.checkpoint', recipe.generators.checkpoint, 'checkpoint directory');

/** The cell evolution of §6.2 scores `initial` random cells, keeps `population` of them and grows the history to `labelled`. */
export const checkPretrainCells: SemanticCheck = (recipe, ctx) => {
  const { initial, population, labelled } = recipe.pretrain.cells;
  const issues: RecipeIssue[] = [];
  if (initial > labelled) {
    issues.push(ctx.issue(['pretrain.cells.initial', 'pretrain.cells.labelled'], `pretrain.cells.initial (${initial}) must be ≤ pretrain.cells.labelled (${labelled}): the random initial cells are part of the labelled history`));
  }
  if (population > initial) {
    issues.push(ctx.issue(['pretrain.cells.population', 'pretrain.cells.initial'], `pretrain.cells.population (${population}) must be ≤ pretrain.cells.initial (${initial}): the population starts from the initial cells`));
  }
  return issues;
};

/** The built-in checks, in reporting order. Append to add checks for every load. */
export const semanticChecks: SemanticCheck[] = [
  checkSplitSumsToOne,
  checkRangesOrdered,
  checkMultiplesOfEight,
  checkListsNonEmptyUnique,
  checkCellsCoverStages,
  checkSearchBudget,
  checkTraining,
  checkWorkers,
  checkDataDirectory,
  checkCheckpoint,
  checkPretrainCells,
];
