/**
 * `hgnas pretrain` end to end at toy sizes: every stage runs, the checkpoint reads back into
 * generators whose cells pass the independent validity rules of method.md §2.6 and whose macro
 * samples parse with the §12.2 grammar, and nothing already written is overwritten.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../plugin/errors.js';
import { parseSequence, printSequence } from '../../plugin/generators/macro-text.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { generatorProvider, loadGenerators } from '../../plugin/pipeline/load-generators.js';
import { pretrainingCost } from '../../plugin/pipeline/generator-provider.js';
import { runPretrain, SCORING_COST_FILE } from '../../plugin/pipeline/pretrain.js';
import { loadRunRecipe } from '../../plugin/pipeline/recipe-checks.js';
import { createProgress } from '../../plugin/report/progress.js';
import { validateCell } from '../../plugin/space/cell.js';

const TINY = [
  'pretrain.cells.unlabelled=240',
  'pretrain.cells.initial=24',
  'pretrain.cells.population=8',
  'pretrain.cells.labelled=40',
  'pretrain.cells.heldOut=0.2',
  'pretrain.proxyNetwork.batch=8',
  'pretrain.vae.hidden=16',
  'pretrain.vae.latent=8',
  'pretrain.vae.decoderHidden=16',
  'pretrain.vae.epochs=2',
  'pretrain.vae.minEpochs=1',
  'pretrain.gmm.components=4',
  'pretrain.ccnf.hidden=16',
  'pretrain.ccnf.epochs=2',
  'pretrain.ccnf.likelihoodEpochs=1',
  'pretrain.ccnf.batchSize=32',
  'pretrain.macro.records=60',
  'pretrain.macro.width=16',
  'pretrain.macro.mlp=32',
  'pretrain.macro.steps=3',
  'pretrain.macro.batchSize=4',
  'pretrain.evaluation.samples=20',
  'pretrain.evaluation.conditionCells=3',
  'runtime.workers=1',
  'output.progress=none',
];

beforeAll(async () => {
  await initBackend('wasm');
});

describe('hgnas pretrain (toy sizes)', () => {
  const root = mkdtempSync(join(tmpdir(), 'hgnas-pretrain-'));
  const dir = join(root, 'ckpt');

  it('runs every stage and writes a checkpoint that loads back into working generators', async () => {
    const loaded = await loadRunRecipe('recipes/pretrain.yaml', TINY);
    const report = await runPretrain({ recipe: loaded.recipe, progress: createProgress('none'), out: dir, resume: false });
    expect(report.checkpoint).toBe(dir);
    const m = report.metrics;
    expect(m.cells).toEqual({ unlabelled: 240, labelled: 40, heldOut: 8 });
    expect(Object.keys(m.ccnf).sort()).toEqual(['flow-matching', 'likelihood']);
    for (const c of Object.values(m.ccnf)) expect(Number.isFinite(c.heldOutBitsPerDim)).toBe(true);
    // Every returned sample passes the §2.6 rules, checked here independently of the generator.
    expect(m.samples.validAfterRepair).toBe(m.samples.returned);
    expect(m.samples.returned).toBeGreaterThan(0);

    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, any>;
    expect(manifest.format).toBe('hgnas/generators@1');
    expect(manifest.gmm.means).toHaveLength(4);
    // Weight files hold exactly the parameters the manifest lists (float32 = 4 bytes each).
    for (const part of ['vae', 'ccnf', 'macro']) {
      const group = manifest[part].weightsManifest[0];
      const values = group.weights.reduce((n: number, w: { shape: number[] }) => n + w.shape.reduce((a, b) => a * b, 1), 0);
      expect(statSync(join(dir, group.paths[0])).size).toBe(values * 4);
    }
    // The scoring seconds are also kept next to the cell stream, for a resumed build to add to.
    const scoring = JSON.parse(readFileSync(join(dir, 'work', SCORING_COST_FILE), 'utf8')) as { seconds: number };
    expect(Math.abs(scoring.seconds - manifest.costs.labelledCellsSeconds)).toBeLessThanOrEqual(0.2);
    expect(manifest.vae.parameters).toBe(manifest.vae.weightsManifest[0].weights.reduce((n: number, w: { shape: number[] }) => n + w.shape.reduce((a, b) => a * b, 1), 0));

    const run = await loadRunRecipe('recipes/mnist.yaml', [`generators.checkpoint=${JSON.stringify(dir)}`, 'search.method=hgnas']);
    const generators = await loadGenerators(run.recipe);
    expect(generators.cells.numClusters).toBe(4);
    const cells = generators.cells.sampleByCluster(1, 5, { temperature: 0.4, seed: 3 });
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) {
      expect(validateCell(cell)).toEqual([]);
      // The recipe's ops/kernels restrict the decoder (mnist.yaml allows all of them; kernels {1,3,5}).
      for (const k of cell.kernels) expect([1, 3, 5]).toContain(k);
    }
    // Same seed, same cells (the sampler is deterministic given the checkpoint).
    expect(generators.cells.sampleByCluster(1, 5, { temperature: 0.4, seed: 3 })).toEqual(cells);
    const prompt = { numClasses: 10, inputSize: 28, params: 100_000, flops: 5_000_000, zcScore: null };
    for (const g of generators.macro.sample(prompt, 8, { temperature: 1, topK: 50, seed: 1 })) {
      const text = printSequence(prompt, g, 4);
      expect(parseSequence(text).genotype).toEqual(g);
      const stages = g.stages;
      expect(stages.length).toBeGreaterThanOrEqual(1);
      expect(stages.length).toBeLessThanOrEqual(3); // mnist.yaml: space.stages.max 3
      expect(stages.reduce((n, s) => n + s.repeats, 0)).toBeLessThanOrEqual(8); // totalCells.max 8
      for (const s of stages) expect(s.channels % 8 === 0 && s.channels >= 16 && s.channels <= 64).toBe(true);
    }
  });

  it('never overwrites a finished checkpoint', async () => {
    const loaded = await loadRunRecipe('recipes/pretrain.yaml', TINY);
    await expect(runPretrain({ recipe: loaded.recipe, progress: createProgress('none'), out: dir, resume: false })).rejects.toThrow(InputError);
    await expect(runPretrain({ recipe: loaded.recipe, progress: createProgress('none'), out: dir, resume: false })).rejects.toThrow(/already holds a finished checkpoint/);
  });

  it('charges a run with generators.pretrain the checkpoint it built (a resumed run finds it finished and reuses it)', async () => {
    const run = await loadRunRecipe('recipes/mnist.yaml', ['generators.pretrain=true', 'search.method=hgnas']);
    const provided = await generatorProvider({ pretrainDir: dir, progress: createProgress('none') })(run.recipe);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { costs: { totalSeconds: number } };
    expect(pretrainingCost(provided, run.recipe)).toEqual({ seconds: manifest.costs.totalSeconds, source: dir, builtInThisRun: true });
    const loadedOnly = await loadGenerators((await loadRunRecipe('recipes/mnist.yaml', [`generators.checkpoint=${JSON.stringify(dir)}`, 'search.method=hgnas'])).recipe);
    expect(pretrainingCost(loadedOnly, run.recipe)?.builtInThisRun).toBe(false);
  });
});
