/**
 * hgnas and hgnas-ea in runs: available only with a generator loader, built from the recipe's
 * settings, and the refine hook reaches the method only when search.hgnas.refine is on.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plugin/errors.js';
import { createGenerativeMethod, pretrainingCost, provideGenerators, type LoadedGenerators } from '../../plugin/pipeline/generator-provider.js';
import { createSearchMethod } from '../../plugin/pipeline/main-job.js';
import { availableMethods, loadRunRecipe } from '../../plugin/pipeline/recipe-checks.js';
import { recipeBudget } from '../../plugin/pipeline/space-context.js';
import { RecipeError } from '../../plugin/recipe/load.js';
import type { Recipe } from '../../plugin/recipe/types.js';
import { runSearch } from '../../plugin/search/driver.js';
import { fakeEvaluate, FakeCellGenerator, FakeMacroGenerator, MNIST_RECIPE_SPACE } from '../search/generator-doubles.js';

const space = MNIST_RECIPE_SPACE;

function generators(refine?: LoadedGenerators['refine']): LoadedGenerators {
  return {
    cells: new FakeCellGenerator(12),
    macro: new FakeMacroGenerator(12, space.bounds),
    describe: { source: '/ckpt/test', pretrainingSeconds: 123.5 },
    ...(refine ? { refine } : {}),
  };
}

async function recipe(sets: string[]): Promise<Recipe> {
  return (await loadRunRecipe('recipes/mnist.yaml', ['constraints.minParams=null', 'search.budget.evaluations=30', ...sets], { generators: true })).recipe;
}

describe('generator-driven methods in runs', () => {
  it('are offered only when a generator loader is supplied', async () => {
    expect(availableMethods(false)).toEqual(['random', 'zen-nas', 'zico', 'tcet-ea']);
    expect(availableMethods(true)).toEqual(['random', 'zen-nas', 'zico', 'tcet-ea', 'hgnas', 'hgnas-ea']);
    const error = await loadRunRecipe('recipes/mnist.yaml', ['search.method=hgnas'], { generators: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipeError);
    expect((error as RecipeError).issues.map((i) => i.path)).toContain('search.method');
    const r = await recipe(['search.method=hgnas']);
    await expect(provideGenerators(r, undefined)).rejects.toThrow(InputError);
    expect(() => createSearchMethod(r, space, recipeBudget(r))).toThrow(/needs the pretrained generators/);
  });

  it('the recipe sections have their schema defaults', async () => {
    const r = await recipe([]);
    expect(r.search.hgnas).toEqual({ proposalShare: 0.5, sequences: 5, perSequence: 10, refine: false, refineTopK: 10, refineSteps: 50 });
    expect(r.search.hgnasEa).toEqual({ explorationShare: 0.15, population: null });
  });

  it('hgnas-ea takes 15 % of the evaluation budget for exploration (40 → 6 + 34)', async () => {
    const r = await recipe(['search.method=hgnas-ea', 'search.budget.evaluations=40']);
    const m = createSearchMethod(r, space, recipeBudget(r), generators());
    expect(m.name).toBe('hgnas-ea');
    await runSearch(m, fakeEvaluate, { evaluations: 40, seconds: null, batch: 8 });
    expect(m.stats()).toMatchObject({ explorationAsked: 6, exploitationAsked: 34 }); // 0.15 · 40 = 6
  });

  it('calls the refine hook if and only if search.hgnas.refine is on', async () => {
    for (const on of [false, true]) {
      let calls = 0;
      const r = await recipe(['search.method=hgnas', `search.hgnas.refine=${on}`, 'search.hgnas.sequences=2', 'search.hgnas.perSequence=3', 'search.hgnas.refineTopK=2']);
      const m = createSearchMethod(r, space, recipeBudget(r), generators((top) => {
        calls++;
        expect(top.length).toBeLessThanOrEqual(2);
      }));
      expect(m.name).toBe('hgnas');
      await runSearch(m, fakeEvaluate, { evaluations: 30, seconds: null, batch: 6 });
      if (on) expect(calls).toBeGreaterThan(1);
      else expect(calls).toBe(0);
    }
  });

  it('refuses refinement when the loader cannot fine-tune', async () => {
    const r = await recipe(['search.method=hgnas', 'search.hgnas.refine=true']);
    expect(() => createGenerativeMethod('hgnas', r, space, recipeBudget(r), generators())).toThrow(/search.hgnas.refine/);
  });

  it('reports what the checkpoint cost to build, from the loader', async () => {
    const r = await recipe(['search.method=hgnas']);
    expect(pretrainingCost(generators(), r)).toEqual({ seconds: 123.5, source: '/ckpt/test', builtInThisRun: false });
    expect(pretrainingCost({ ...generators(), describe: {} }, r)).toEqual({ seconds: null, source: 'builtin', builtInThisRun: false });
    const built = { ...generators(), describe: { source: '/run/generators', pretrainingSeconds: 900, builtInThisRun: true } };
    expect(pretrainingCost(built, r)).toEqual({ seconds: 900, source: '/run/generators', builtInThisRun: true });
    expect(pretrainingCost(null, r)).toBeNull();
  });
});
