/**
 * Graph-VAE benchmark (figures only, asserts nothing):
 *  1. training steps/s (batch 64 labelled + 64 unlabelled) at the scaled-down default and the paper size;
 *  2. encode and decode(+repair) cells/s;
 *  3. cell scoring cells/s in the §3.2 proxy network through the worker pool, 1 vs 2 workers;
 *  4. with --accuracy M: train the default VAE for about M minutes on 3 000 unlabelled cells and
 *     report held-out reconstruction metrics per epoch (conditions: params and FLOPs of the proxy
 *     network, min-max normalised; the two ZC dimensions are 0 in this measurement).
 *
 *   npx tsc -p tsconfig.json && node dist/test/bench/vae-bench.js [--quick] [--skip-scoring]
 *   node dist/test/bench/vae-bench.js --accuracy <minutes> [--lr 3.5e-4] [--config 4,128,32,128]
 */
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { decodeCell, probabilitiesFromFlat } from '../../plugin/generators/repair.js';
import { DEFAULT_VAE_CONFIG, GraphVae, PAPER_VAE_CONFIG, trainVae, vaeMetrics, type VaeConfig } from '../../plugin/generators/vae.js';
import { createCellScorer } from '../../plugin/generators/cell-scorer.js';
import { fitNormaliser, normaliseCondition } from '../../plugin/generators/cell-data.js';
import { proxyNetworkCost } from '../../plugin/space/cost.js';
import { sampleUniqueCells } from '../../plugin/space/sampler.js';
import type { Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const accuracyAt = args.indexOf('--accuracy');
const accuracyMinutes = accuracyAt >= 0 ? Number(args[accuracyAt + 1] ?? 5) : 0;

function costConditions(cells: readonly Cell[]): number[][] {
  return cells.map((c) => {
    const cost = proxyNetworkCost(c);
    return [0, 0, cost.params, cost.flops];
  });
}

function stepsPerSecond(config: VaeConfig, cells: readonly Cell[], steps: number): number {
  const vae = GraphVae.create(config, 0);
  const labelled = cells.slice(0, 64);
  const raw = costConditions(labelled);
  const norm = fitNormaliser(raw);
  const conditions = raw.map((c) => normaliseCondition(c, norm));
  const unlabelled = cells.slice(64, 64 + 64 * steps);
  // Warm-up epoch of one step (kernel compilation, allocation), then the timed epoch.
  trainVae(vae, { unlabelled: unlabelled.slice(0, 64), labelled, conditions, heldOut: { cells: [], conditions: [] } }, { epochs: 1, batchSize: 64, seed: 0 });
  const report = trainVae(vae, { unlabelled, labelled, conditions, heldOut: { cells: [], conditions: [] } }, { epochs: 1, batchSize: 64, seed: 1 });
  vae.dispose();
  return report.steps / report.seconds;
}

async function main(): Promise<void> {
  const backend = await initBackend('auto');
  console.log(`backend ${backend.name}`);
  const rng = new Rng(0);
  const cells = sampleUniqueCells(rng, quick ? 600 : 1400);

  if (accuracyMinutes === 0) {
    for (const [name, config, steps] of [['default', DEFAULT_VAE_CONFIG, quick ? 3 : 10], ['paper', PAPER_VAE_CONFIG, quick ? 2 : 4]] as const) {
      console.log(`VAE ${name} ${JSON.stringify(config)}: ${stepsPerSecond(config, cells, steps).toFixed(2)} training steps/s (batch 64+64)`);
    }
    for (const [name, config] of [['default', DEFAULT_VAE_CONFIG], ['paper', PAPER_VAE_CONFIG]] as const) {
      const vae = GraphVae.create(config, 0);
      const sample = cells.slice(0, 512);
      vae.decode(vae.encode(sample.slice(0, 8)).mu);
      let t = performance.now();
      const { mu } = vae.encode(sample);
      const encodeRate = sample.length / ((performance.now() - t) / 1000);
      t = performance.now();
      const probs = vae.decode(mu);
      const decodeRate = sample.length / ((performance.now() - t) / 1000);
      t = performance.now();
      for (const p of probs) decodeCell(probabilitiesFromFlat(p.adj, p.feat));
      const repairRate = sample.length / ((performance.now() - t) / 1000);
      console.log(`VAE ${name}: encode ${encodeRate.toFixed(0)} cells/s, decode ${decodeRate.toFixed(0)} cells/s, repair ${repairRate.toFixed(0)} cells/s`);
      vae.dispose();
    }
    if (!args.includes('--skip-scoring')) await scoringBench(cells.slice(0, quick ? 6 : 16));
    return;
  }

  // Accuracy after a few minutes of training at the default size.
  const pool = sampleUniqueCells(new Rng(1), 3000 + 400 + 300);
  const unlabelled = pool.slice(0, 3000);
  const labelled = pool.slice(3000, 3400);
  const test = pool.slice(3400);
  const raw = costConditions(labelled);
  const norm = fitNormaliser(raw);
  const conditions = raw.map((c) => normaliseCondition(c, norm));
  const heldCells = labelled.slice(380);
  // --config gcnLayers,hidden,latent,decoderHidden (default: DEFAULT_VAE_CONFIG)
  const sizes = args.includes('--config') ? args[args.indexOf('--config') + 1]!.split(',').map(Number) : null;
  const config: VaeConfig = sizes ? { gcnLayers: sizes[0]!, hidden: sizes[1]!, latent: sizes[2]!, decoderHidden: sizes[3]! } : DEFAULT_VAE_CONFIG;
  const vae = GraphVae.create(config, 0);
  console.log(`accuracy run: ${JSON.stringify(config)}, ${vae.parameterCount()} params, lr ${args.includes('--lr') ? args[args.indexOf('--lr') + 1] : '3.5e-4'}`);
  const lr = args.includes('--lr') ? Number(args[args.indexOf('--lr') + 1]) : 3.5e-4;
  const epochs = 400;
  trainVae(vae, {
    unlabelled, labelled: labelled.slice(0, 380), conditions: conditions.slice(0, 380),
    heldOut: { cells: heldCells, conditions: conditions.slice(380) },
  }, {
    epochs, batchSize: 64, seed: 0, lr, maxSeconds: accuracyMinutes * 60,
    onEpoch: (e) => {
      if (e.epoch % 3 !== 0) return;
      const m = vaeMetrics(vae, test);
      console.log(`epoch ${e.epoch} ${e.seconds.toFixed(0)}s loss ${e.loss.toFixed(4)} recU ${e.recUnlabelled.toFixed(4)} held ${e.heldOutLoss.toFixed(4)} | test op+k ${m.opKernelAccuracy.toFixed(3)} edge ${m.edgeAccuracy.toFixed(3)} pTrue ${m.meanProbTrueEdges.toFixed(3)} pAbsent ${m.meanProbAbsentEdges.toFixed(3)} exact ${m.exactMatch.toFixed(3)} fallback ${m.fallbackRate.toFixed(3)}`);
    },
  });
  vae.dispose();
}

async function scoringBench(cells: readonly Cell[]): Promise<void> {
  const batch = 16;
  const rng = new Rng(3);
  const x = Float32Array.from({ length: batch * 16 * 16 * 3 }, () => rng.normal());
  const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
  for (const workers of [1, 2]) {
    const scorer = await createCellScorer({ x, y, shape: [batch, 16, 16, 3], numClasses: 10 }, { workers });
    await scorer.score(cells.slice(0, workers));
    const t = performance.now();
    const scores = await scorer.score(cells);
    const seconds = (performance.now() - t) / 1000;
    await scorer.close();
    console.log(`cell scoring (default proxy network, batch ${batch} at 16×16): ${workers} worker(s) ${(cells.length / seconds).toFixed(2)} cells/s, ${scores.filter((s) => s === null).length} failed`);
  }
  console.log(`(tensors alive: ${tf.memory().numTensors})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
