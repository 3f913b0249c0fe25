/**
 * Generator checkpoint benchmark (figures only, asserts nothing):
 *  1. pretraining time by stage, as `hgnas pretrain` recorded it in the checkpoint's manifest;
 *  2. cell sampling throughput (cells/s, valid after repair) of the checkpoint: by cluster with
 *     dopri5 and with RK4, by condition, and "like" a reference cell, at several batch sizes;
 *  3. encode throughput (cells/s).
 *
 *   npm run build && node dist/test/bench/cell-sampling-bench.js [checkpoint dir] [--backend wasm|cpu|auto]
 */
import { PretrainedCellGenerator } from '../../plugin/generators/cell-generator.js';
import { builtinCheckpointPath, readGeneratorCheckpoint } from '../../plugin/generators/checkpoint.js';
import type { Cell } from '../../plugin/space/types.js';
import { initBackend, type BackendPreference } from '../../plugin/nn/backend.js';
import { cellFingerprint, validateCell } from '../../plugin/space/cell.js';

const args = process.argv.slice(2);
const backendAt = args.indexOf('--backend');
const backend = (backendAt >= 0 ? args[backendAt + 1] : 'wasm') as BackendPreference;
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--backend') ?? builtinCheckpointPath();

const info = await initBackend(backend);
const { bundle, manifest } = await readGeneratorCheckpoint(dir);
console.log(`checkpoint ${dir} | backend ${info.name} | VAE ${bundle.vae.parameterCount()} params, latent ${bundle.vae.config.latent}, ${bundle.mixture.means.length} clusters`);

const recorded = Object.entries((manifest.costs ?? {}) as Record<string, number>);
const costs = Object.fromEntries(recorded.filter(([stage]) => stage !== 'totalSeconds'));
const total = Object.values(costs).reduce((s, v) => s + v, 0);
console.log('\npretraining time by stage (recorded by hgnas pretrain):');
for (const [stage, seconds] of Object.entries(costs)) {
  console.log(`  ${stage.replace(/Seconds$/, '').padEnd(22)} ${seconds.toFixed(1).padStart(8)} s  ${((100 * seconds) / total).toFixed(1).padStart(5)} %`);
}
console.log(`  ${'total'.padEnd(22)} ${total.toFixed(1).padStart(8)} s`);

interface Measured { cells: Cell[]; seconds: number }
function measure(draw: () => Cell[]): Measured {
  const start = performance.now();
  const cells = draw();
  return { cells, seconds: (performance.now() - start) / 1000 };
}
function report(label: string, m: Measured, decoded: number): void {
  const valid = m.cells.filter((c) => validateCell(c).length === 0).length;
  const unique = new Set(m.cells.map(cellFingerprint)).size;
  console.log(`  ${label.padEnd(34)} ${String(m.cells.length).padStart(5)} cells in ${m.seconds.toFixed(2).padStart(6)} s = ${(m.cells.length / m.seconds).toFixed(0).padStart(6)} cells/s | valid ${valid}/${m.cells.length}, unique ${unique}, decodes ${decoded}`);
}

console.log('\ncell sampling (temperature 0.4, warm-up excluded):');
const labels = undefined;
for (const solver of ['dopri5', 'rk4'] as const) {
  const generator = new PretrainedCellGenerator({ vae: bundle.vae, ccnf: bundle.ccnf, mixture: bundle.mixture, labels, solver });
  generator.sampleByCluster(0, 8, { temperature: 0.4, seed: 1 });
  for (const batch of [16, 64, 256]) {
    const before = generator.counters.decoded;
    const m = measure(() => {
      const cells: Cell[] = [];
      for (let draw = 0; cells.length < 1000; draw++) cells.push(...generator.sampleByCluster(draw % generator.numClusters, batch, { temperature: 0.4, seed: 17 + draw }));
      return cells;
    });
    report(`by cluster, ${solver}, batch ${batch}`, m, generator.counters.decoded - before);
  }
}
const generator = new PretrainedCellGenerator({ vae: bundle.vae, ccnf: bundle.ccnf, mixture: bundle.mixture, labels, solver: 'dopri5' });
const reference = generator.sampleByCluster(0, 1, { temperature: 0.4, seed: 3 })[0]!;
let before = generator.counters.decoded;
report('like a reference cell, dopri5, 256', measure(() => generator.sampleLike(reference, 256, { temperature: 0.4, seed: 5 })), generator.counters.decoded - before);
before = generator.counters.decoded;
report('by condition (0.5,0.5,0.5,0.5), 256', measure(() => generator.sampleByCondition([0.5, 0.5, 0.5, 0.5], 256, { temperature: 0.4, seed: 6 })), generator.counters.decoded - before);

const pool = generator.sampleByCluster(1, 256, { temperature: 1, seed: 9 });
const start = performance.now();
for (let r = 0; r < 4; r++) generator.encode(pool);
const seconds = (performance.now() - start) / 1000;
console.log(`\nencode: ${(4 * pool.length / seconds).toFixed(0)} cells/s (batches of ${pool.length})`);
