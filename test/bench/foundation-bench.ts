/**
 * Foundation benchmark (figures only, asserts nothing):
 *  1. training throughput (images/s) and achieved GFLOP/s of an MNIST-size network on the wasm
 *     and cpu backends;
 *  2. proxy scoring (TCET + NWOT + SNIP-SNR, batch 64) through the worker pool with 1 and 2
 *     workers: candidates/s and the speed-up.
 * Work is counted as 3 × the forward FLOPs of the cost model (forward, input gradient, weight
 * gradient), the usual convention; FLOPs are 2 × MACs with the ptflops rules (method.md §4.2).
 *
 *   npm run build && node dist/test/bench/foundation-bench.js [--quick]
 */
import { WorkerPool } from '../../runners/pool.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { tf } from '../../plugin/nn/tf.js';
import { trainNetwork, type BatchSource } from '../../plugin/nn/train.js';
import { archToJson } from '../../plugin/space/arch-json.js';
import { archCost } from '../../plugin/space/cost.js';
import { archFingerprint, sampleArch, type MacroBounds } from '../../plugin/space/macro.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import type { Arch } from '../../plugin/space/types.js';
import { firstExamples, splitSource } from '../../plugin/tasks/batches.js';
import { loadMnistTask } from '../../plugin/tasks/mnist.js';
import { Rng } from '../../plugin/util/rng.js';

const quick = process.argv.includes('--quick');
const input = { height: 28, width: 28, channels: 1 };
const bounds: MacroBounds = {
  minStages: 1, maxStages: 3, maxTotalCells: 8, minChannels: 8, maxChannels: 64,
  maxRepeats: 3, strides: [1, 2], minHeadWidth: 16, maxHeadWidth: 128,
};

/** Reproducible MNIST-space architectures under the default recipe's budgets. */
function architectures(n: number, seed: number, maxParams: number, maxFlops: number): Arch[] {
  const rng = new Rng(seed);
  const out: Arch[] = [];
  const seen = new Set<string>();
  while (out.length < n) {
    const arch = sampleArch(rng, bounds, (r) => sampleCell(r), input, 10, 1, false);
    const cost = archCost(arch);
    if (cost.params > maxParams || cost.flops > maxFlops || seen.has(archFingerprint(arch))) continue;
    seen.add(archFingerprint(arch));
    out.push(arch);
  }
  return out;
}

function limited(source: BatchSource, images: number): BatchSource {
  return {
    size: Math.min(source.size, images),
    *batches(epoch, batchSize, rng) {
      let seen = 0;
      for (const batch of source.batches(epoch, batchSize, rng)) {
        if (seen >= images) {
          tf.dispose([batch.x, batch.y]);
          continue;
        }
        seen += batch.x.shape[0];
        yield batch;
      }
    },
  };
}

async function trainingThroughput(arch: Arch, backend: 'wasm' | 'cpu', images: number) {
  await initBackend(backend);
  const task = loadMnistTask();
  const net = buildNetwork(arch, { seed: 0 });
  const train = limited(splitSource(task.splits.train, input, { shuffle: true }), images);
  const config = {
    epochs: 1, batchSize: 64, optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4,
    schedule: 'cosine' as const, warmupEpochs: 0, labelSmoothing: 0, bnMomentum: 0.1, seed: 0,
  };
  // One warm-up batch compiles kernels and allocates; then the timed pass.
  await trainNetwork(net, { train: limited(train, 64) }, config);
  const started = performance.now();
  await trainNetwork(net, { train }, config);
  const seconds = (performance.now() - started) / 1000;
  net.dispose();
  const flops = archCost(arch).flops;
  const imagesPerSecond = train.size / seconds;
  return { imagesPerSecond, gflops: (3 * flops * imagesPerSecond) / 1e9 };
}

async function poolThroughput(archs: readonly Arch[], workers: number) {
  const task = loadMnistTask();
  const zc = firstExamples(task.splits.train, input, 64);
  const pool = new WorkerPool({
    workers,
    timeoutSeconds: 600,
    retries: 0,
    setup: { backend: 'wasm', zcBatch: { x: zc.x, y: zc.y, shape: [zc.count, 28, 28, 1], numClasses: 10 } },
  });
  try {
    // Warm every thread (backend start-up is not part of the steady-state rate).
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.run({ kind: 'score', arch: archToJson(archs[i]!), proxies: ['nwot'], seed: 0 })));
    const started = performance.now();
    const results = await Promise.all(archs.map((a, i) => pool.run({ kind: 'score', arch: archToJson(a), proxies: ['tcet', 'nwot', 'snip-snr'], seed: i })));
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => !r.ok).length;
    // Per candidate: one inference pass + one training pass (forward + backward) on 64 images.
    const work = archs.reduce((s, a) => s + 64 * 4 * archCost(a).flops, 0);
    return { candidatesPerSecond: archs.length / seconds, gflops: work / seconds / 1e9, failed };
  } finally {
    await pool.close();
  }
}

const archs = architectures(quick ? 4 : 12, 7, 100_000, 20_000_000);
const trainArch = archs[0]!;
const c = archCost(trainArch);
console.log(`training network: ${c.params} params, ${(c.flops / 1e6).toFixed(2)} MFLOPs/image (fingerprint ${archFingerprint(trainArch).slice(0, 8)})`);
const wasm = await trainingThroughput(trainArch, 'wasm', quick ? 256 : 1024);
console.log(`train wasm: ${wasm.imagesPerSecond.toFixed(1)} images/s, ${wasm.gflops.toFixed(2)} GFLOP/s achieved`);
const cpu = await trainingThroughput(trainArch, 'cpu', 64);
console.log(`train cpu:  ${cpu.imagesPerSecond.toFixed(2)} images/s, ${cpu.gflops.toFixed(3)} GFLOP/s achieved`);
console.log(`wasm / cpu training speed-up: ${(wasm.imagesPerSecond / cpu.imagesPerSecond).toFixed(1)}×`);

const meanFlops = archs.reduce((s, a) => s + archCost(a).flops, 0) / archs.length;
console.log(`\nproxy scoring: ${archs.length} candidates, mean ${(meanFlops / 1e6).toFixed(2)} MFLOPs/image, batch 64, TCET+NWOT+SNIP-SNR, wasm`);
const one = await poolThroughput(archs, 1);
console.log(`1 worker:  ${one.candidatesPerSecond.toFixed(3)} candidates/s, ${one.gflops.toFixed(2)} GFLOP/s (${one.failed} failed)`);
const two = await poolThroughput(archs, 2);
console.log(`2 workers: ${two.candidatesPerSecond.toFixed(3)} candidates/s, ${two.gflops.toFixed(2)} GFLOP/s (${two.failed} failed)`);
console.log(`speed-up of 2 workers over 1: ${(two.candidatesPerSecond / one.candidatesPerSecond).toFixed(2)}×`);
