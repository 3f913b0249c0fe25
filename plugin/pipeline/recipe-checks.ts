/**
 * Recipe checks that need the rest of hgnas (task adapters, the cost model, the proxy registry
 * and the search methods), run by the loader so every problem comes with its line:column.
 */
import { listProxies } from '../proxies/registry.js';
import { loadRecipe, type LoadedRecipe, type SemanticCheck } from '../recipe/load.js';
import type { Recipe } from '../recipe/types.js';
import { defaultFitnessFor, isBaselineName } from '../search/evolution.js';
import type { SpaceContext } from '../search/random.js';
import { availableTasks, taskFacts } from '../tasks/registry.js';
import { budgetProblems } from './feasibility.js';
import { GENERATIVE_METHODS } from './generator-provider.js';
import { macroBounds, recipeBudget } from './space-context.js';

/** Search methods this version runs; the schema names the ones the project plans. */
export const AVAILABLE_METHODS = ['random', 'zen-nas', 'zico', 'tcet-ea'] as const;

/** The methods a run can use: the baselines, plus hgnas and hgnas-ea when a generator loader is supplied. */
export function availableMethods(withGenerators: boolean): string[] {
  return withGenerators ? [...AVAILABLE_METHODS, ...GENERATIVE_METHODS] : [...AVAILABLE_METHODS];
}

const checkTaskAvailable: SemanticCheck = (recipe, ctx) =>
  taskFacts(recipe.task.id)
    ? []
    : [ctx.issue('task.id', `no adapter for task '${recipe.task.id}' in this version of hgnas`, `available tasks: ${availableTasks().join(', ')}`)];

const checkDataGiven: SemanticCheck = (recipe, ctx) =>
  taskFacts(recipe.task.id)?.needsData && recipe.task.data === null
    ? [ctx.issue('task.data', `task '${recipe.task.id}' reads your copy of the official data files, and none was given`, 'pass --data <dir> (or set task.data) with the official files, e.g. cifar-10-batches-bin/ or cifar-10-python.tar.gz')]
    : [];

const methodCheck =
  (withGenerators: boolean): SemanticCheck =>
  (recipe, ctx) =>
    availableMethods(withGenerators).includes(recipe.search.method)
      ? []
      : [ctx.issue('search.method', `method '${recipe.search.method}' is not available in this version`, `available methods: ${availableMethods(withGenerators).join(', ')}`)];
const checkMethodAvailable = methodCheck(false);

/** `auto` → the proxy the method was published with. */
export function resolveFitness(recipe: Recipe): string {
  if (recipe.search.fitness !== 'auto') return recipe.search.fitness;
  return isBaselineName(recipe.search.method) ? defaultFitnessFor(recipe.search.method) : 'tcet';
}

const checkFitnessAvailable: SemanticCheck = (recipe, ctx) => {
  const fitness = resolveFitness(recipe);
  return listProxies().includes(fitness)
    ? []
    : [ctx.issue(['search.fitness', 'search.method'], `proxy '${fitness}' is not available in this version`, `available proxies: ${listProxies().join(', ')}`)];
};

const checkBudgetFeasible: SemanticCheck = (recipe, ctx) => {
  const facts = taskFacts(recipe.task.id);
  if (!facts) return [];
  const space: SpaceContext = {
    input: facts.inputShape,
    numClasses: facts.numClasses,
    ...(facts.head === 'dense' ? { head: 'dense' as const } : {}),
    stemStride: recipe.task.stemStride === 'auto' ? facts.defaultStemStride : recipe.task.stemStride,
    se: recipe.space.se,
    bounds: macroBounds(recipe),
    ops: recipe.space.ops,
    kernels: recipe.space.kernels,
  };
  return budgetProblems(space, recipeBudget(recipe)).map((p) => ctx.issue(p.path, p.message));
};

export const RUN_CHECKS: readonly SemanticCheck[] = [checkTaskAvailable, checkDataGiven, checkMethodAvailable, checkFitnessAvailable, checkBudgetFeasible];

/** Every check a run needs; `generators` = a generator loader is supplied (hgnas, hgnas-ea runnable). */
export function runChecks(options: { generators?: boolean } = {}): SemanticCheck[] {
  return RUN_CHECKS.map((check) => (check === checkMethodAvailable ? methodCheck(options.generators ?? false) : check));
}

/** loadRecipe with every check a run needs. */
export function loadRunRecipe(path: string, overrides: string[], options: { generators?: boolean } = {}): Promise<LoadedRecipe> {
  // The CLI always has the checkpoint loader (pipeline/load-generators.ts), so hgnas methods are in by default.
  return loadRecipe(path, { overrides, checks: runChecks({ generators: options.generators ?? true }) });
}

export type { Recipe };
