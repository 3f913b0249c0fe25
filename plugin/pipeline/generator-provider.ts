/**
 * How the generator-driven methods (`hgnas`, `hgnas-ea`) get their pretrained generators in a
 * run: through an injected provider (the checkpoint loader, `loadGenerators(recipe)`), so the
 * pipeline and its tests never depend on how a checkpoint is found, built or read.
 */
import { InputError } from '../errors.js';
import type { CellGenerator, MacroGenerator } from '../generators/types.js';
import type { Recipe } from '../recipe/types.js';
import type { Budget } from '../search/budget.js';
import { HgnasEvolution, scaledHgnasEaCounts } from '../search/hgnas-ea.js';
import { HgnasSearch, proposalCount, type RefineHook } from '../search/hgnas.js';
import type { SpaceContext } from '../search/random.js';
import type { SearchMethod } from '../search/types.js';

export interface LoadedGenerators {
  readonly cells: CellGenerator;
  readonly macro: MacroGenerator;
  /**
   * What was loaded, recorded in result.json as `generators`. Three keys are read: `source` (a
   * string: checkpoint path or 'builtin'), `pretrainingSeconds` (a number: what building the
   * checkpoint cost), reported as `costs.pretraining`, and `builtInThisRun` (true when this run
   * paid that cost itself: generators.pretrain), which makes it count in `costs.pretrainSeconds`.
   */
  readonly describe: Record<string, unknown>;
  /** Fine-tunes the macro transformer (search.hgnas.refine); required only when refinement is on. */
  readonly refine?: RefineHook;
}

export type GeneratorProvider = (recipe: Recipe) => Promise<LoadedGenerators>;

export const GENERATIVE_METHODS = ['hgnas', 'hgnas-ea'] as const;
export type GenerativeMethod = (typeof GENERATIVE_METHODS)[number];

export function isGenerativeMethod(name: string): name is GenerativeMethod {
  return (GENERATIVE_METHODS as readonly string[]).includes(name);
}

/** The generators for the recipe's method, or null when the method does not use them. */
export async function provideGenerators(recipe: Recipe, provider: GeneratorProvider | undefined): Promise<{ generators: LoadedGenerators; seconds: number } | null> {
  if (!isGenerativeMethod(recipe.search.method)) return null;
  if (!provider) {
    throw new InputError(
      `search.method: '${recipe.search.method}' needs the pretrained generators, and this build of hgnas has no generator loader`,
      'choose a baseline method (random, zen-nas, zico, tcet-ea), or run through a caller that supplies the generators',
    );
  }
  const started = performance.now();
  const generators = await provider(recipe);
  return { generators, seconds: (performance.now() - started) / 1000 };
}

/** costs.pretraining of result.json: what the checkpoint cost to build, as its loader reports it. */
export function pretrainingCost(generators: LoadedGenerators | null, recipe: Recipe): { seconds: number | null; source: string; builtInThisRun: boolean } | null {
  if (generators === null) return null;
  const { source, pretrainingSeconds, builtInThisRun } = generators.describe;
  return {
    seconds: typeof pretrainingSeconds === 'number' && Number.isFinite(pretrainingSeconds) ? pretrainingSeconds : null,
    source: typeof source === 'string' ? source : recipe.generators.checkpoint,
    builtInThisRun: builtInThisRun === true,
  };
}

/** `hgnas` or `hgnas-ea` with the recipe's settings; the space, budget and sampling cap as for every method. */
export function createGenerativeMethod(
  name: GenerativeMethod,
  recipe: Recipe,
  space: SpaceContext,
  budget: Budget,
  generators: LoadedGenerators,
): SearchMethod {
  const common = { space, budget, seed: recipe.seed, maxSamplingTries: recipe.search.maxSamplingTries, cells: generators.cells };
  const total = recipe.search.budget.evaluations;
  if (name === 'hgnas-ea') {
    const counts = scaledHgnasEaCounts(total, recipe.search.hgnasEa.explorationShare, recipe.search.hgnasEa.population);
    return new HgnasEvolution({ ...common, ...counts, cellTemperature: recipe.generators.cellTemperature });
  }
  const h = recipe.search.hgnas;
  if (h.refine && !generators.refine) {
    throw new InputError(
      'search.hgnas.refine: iterative refinement is on, but the generator loader offers no way to fine-tune the macro transformer',
      'set search.hgnas.refine=false',
    );
  }
  return new HgnasSearch({
    ...common,
    macro: generators.macro,
    proposals: proposalCount(total, h.proposalShare, h.sequences, h.perSequence),
    sequences: h.sequences,
    perSequence: h.perSequence,
    cellTemperature: recipe.generators.cellTemperature,
    macroTemperature: recipe.generators.macroTemperature,
    macroTopK: recipe.generators.topK,
    population: recipe.search.population,
    refine: h.refine && generators.refine ? { hook: generators.refine, topK: h.refineTopK } : null,
  });
}
