/**
 * The generator provider of a run (generator-provider.ts): the recipe's checkpoint (`builtin`, a
 * path, or a fresh one from `pretrain: true`) loaded into a CellGenerator restricted to the
 * recipe's ops/kernels and a MacroGenerator restricted to the recipe's macro bounds, plus the
 * refinement hook that fine-tunes the transformer on a round's best skeletons.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PretrainedCellGenerator } from '../generators/cell-generator.js';
import { readGeneratorCheckpoint, resolveCheckpointPath } from '../generators/checkpoint.js';
import { fineTuneSync } from '../generators/macro-lm-train.js';
import { printSequence } from '../generators/macro-text.js';
import type { MacroGenerator } from '../generators/types.js';
import type { Recipe } from '../recipe/types.js';
import type { RefineHook } from '../search/hgnas.js';
import type { Progress } from '../report/progress.js';
import type { GeneratorProvider, LoadedGenerators } from './generator-provider.js';
import { runPretrain } from './pretrain.js';
import { macroBounds } from './space-context.js';
import { taskFacts } from '../tasks/registry.js';

export async function loadGenerators(recipe: Recipe): Promise<LoadedGenerators> {
  const path = resolveCheckpointPath(recipe.generators.checkpoint);
  const { bundle, manifest } = await readGeneratorCheckpoint(path);
  const cells = new PretrainedCellGenerator({
    vae: bundle.vae,
    ccnf: bundle.ccnf,
    mixture: bundle.mixture,
    labels: { ops: recipe.space.ops, kernels: recipe.space.kernels },
  });
  const bounds = macroBounds(recipe);
  const model = bundle.macro;
  const macro: MacroGenerator = {
    numClusters: model.numClusters,
    sample: (prompt, n, sampleOptions) => model.sample(prompt, n, sampleOptions, bounds),
  };
  const refine: RefineHook = (top) => {
    // The prompt of a refinement line is what was asked for in this run, so the model learns to
    // answer this request with the skeletons that scored best.
    const facts = taskFacts(recipe.task.id);
    const prompt = { numClasses: facts?.numClasses ?? 10, inputSize: facts?.inputShape.height ?? 32, params: recipe.constraints.params, flops: recipe.constraints.flops, zcScore: null };
    const lines = top.map(({ genotype }) => printSequence(prompt, genotype, model.numClusters));
    fineTuneSync(model, lines, { steps: recipe.search.hgnas.refineSteps, seed: recipe.seed });
  };
  const costs = manifest.costs as Record<string, unknown> | undefined;
  return {
    cells,
    macro,
    refine,
    describe: {
      source: recipe.generators.checkpoint === 'builtin' ? `builtin (${path})` : path,
      pretrainingSeconds: typeof costs?.totalSeconds === 'number' ? costs.totalSeconds : null,
      builtInThisRun: false,
      created: manifest.created ?? null,
      ccnfObjective: bundle.ccnfObjective,
      clusters: bundle.mixture.means.length,
    },
  };
}

/**
 * The provider a run uses: the recipe's checkpoint, or — with `generators.pretrain: true` — a
 * fresh one built into `pretrainDir` first (reused when a resumed run finds it finished).
 */
export function generatorProvider(options: { readonly pretrainDir: string; readonly progress: Progress }): GeneratorProvider {
  return async (recipe) => {
    if (!recipe.generators.pretrain) return loadGenerators(recipe);
    const dir = options.pretrainDir;
    if (!existsSync(join(dir, 'manifest.json'))) {
      options.progress.log(`generators.pretrain: building a checkpoint in ${dir} (hgnas pretrain with this recipe's pretrain section)`);
      await runPretrain({ recipe, progress: options.progress, out: dir, resume: existsSync(join(dir, 'work')) });
    }
    const loaded = await loadGenerators({ ...recipe, generators: { ...recipe.generators, checkpoint: dir, pretrain: false } });
    // A resumed run that finds the checkpoint finished still paid for it: the directory is the run's own.
    return { ...loaded, describe: { ...loaded.describe, builtInThisRun: true } };
  };
}
