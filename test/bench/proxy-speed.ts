/**
 * Proxy speed benchmark (figures only, asserts nothing): every registered proxy, scored alone
 * through the worker pool (wasm) with 1 and 2 workers, on
 *   - 4 architectures sampled from the MNIST recipe's space and budgets (28×28×1, real digits),
 *   - the reference fixture's CIFAR row 0 (32×32×3, 10 classes, Gaussian images),
 *   - the reference fixture's ImageNet row 0 (224×224×3, 1000 classes, Gaussian images),
 * one pool per input shape (the pool's ZC batch must match it). Prints candidates/s and achieved
 * GFLOP/s against the FLOPs each proxy must execute, then a kernel-time profile of one CIFAR
 * training pass (where the time goes) and the cost of per-cell checkpointing.
 *
 * FLOPs convention (F = forward FLOPs of one image by the cost model, 2 × MACs, method.md §4.2;
 * B = batch): an inference pass is B·F; a training pass (forward, input gradient, weight
 * gradient) is 3·B·F; tcet = B·F + 3·B·F; zen = 2 inference passes; zico = one training pass
 * split into its mini-batches; synflow = 3·F (one image); jacov = B training passes of the whole
 * batch (train-mode BN couples the samples, so each per-sample gradient needs the full batch):
 * 3·B²·F; params/flops execute nothing. Recomputation under checkpointing is not counted: it
 * shows as a lower GFLOP/s.
 *
 *   npm run build && node dist/test/bench/proxy-speed.js [--batch 64] [--proxies a,b] [--sets mnist,cifar,imagenet]
 *                                                        [--workers 1,2] [--profile-only]
 */
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../../runners/pool.js';
import type { ZcBatchData } from '../../runners/protocol.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { crossEntropy } from '../../plugin/nn/loss.js';
import { trainingPassMemory } from '../../plugin/nn/memory.js';
import { buildNetwork, disposeBatchStats } from '../../plugin/nn/network.js';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor1D, Tensor4D } from '../../plugin/nn/tf.js';
import { macroBounds } from '../../plugin/pipeline/space-context.js';
import { getProxy, listProxies } from '../../plugin/proxies/registry.js';
import type { ProxyNeeds } from '../../plugin/proxies/types.js';
import { loadRecipe } from '../../plugin/recipe/load.js';
import { archToJson } from '../../plugin/space/arch-json.js';
import { archCost } from '../../plugin/space/cost.js';
import { archFromReference, readReferenceFile } from '../../plugin/space/encoding.js';
import { archFingerprint, sampleArch } from '../../plugin/space/macro.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import type { Arch } from '../../plugin/space/types.js';
import { firstExamples } from '../../plugin/tasks/batches.js';
import { loadMnistTask } from '../../plugin/tasks/mnist.js';
import { Rng } from '../../plugin/util/rng.js';

/** Memory a wasm worker may plan for one gradient pass: 4 GiB of linear memory, less headroom. */
const WASM_PASS_BYTES = 2.5 * 1024 ** 3;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const requestedBatch = Number(option('batch') ?? 64);
const proxies = option('proxies')?.split(',') ?? listProxies();
const sets = option('sets')?.split(',') ?? ['mnist', 'cifar', 'imagenet'];
const workerCounts = (option('workers') ?? '1,2').split(',').map(Number);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface ShapeGroup {
  readonly name: string;
  readonly archs: readonly Arch[];
  readonly zcBatch: ZcBatchData;
}

/** The FLOPs one evaluation of a proxy must execute (see the module comment). */
function proxyWork(needs: ProxyNeeds, batch: number, forwardFlops: number): number {
  const pass = needs.gradients ? 3 : 1;
  if (needs.passes === 0) return 0;
  if (needs.passes === 'per-sample') return batch * 3 * batch * forwardFlops;
  if (needs.input === 'ones') return needs.passes * pass * forwardFlops;
  if (needs.bnMode === 'both') return (1 + 3) * batch * forwardFlops;
  if (needs.miniBatches > 1) return pass * batch * forwardFlops;
  return needs.passes * pass * batch * forwardFlops;
}

/** Largest batch ≤ `wanted` whose checkpointed gradient pass fits a wasm worker by the estimate. */
function fittingBatch(arch: Arch, wanted: number): number {
  let b = wanted;
  while (b > 2 && trainingPassMemory(arch, b).checkpointedBytes > WASM_PASS_BYTES) b -= b > 16 ? 8 : 2;
  return b;
}

function gaussianBatch(arch: Arch, batch: number, seed: number): ZcBatchData {
  const { height, width, channels } = arch.input;
  const x = tf.tidy(() => tf.randomNormal([batch, height, width, channels], 0, 1, 'float32', seed).dataSync() as Float32Array);
  const y = Int32Array.from({ length: batch }, (_, i) => i % arch.numClasses);
  return { x, y, shape: [batch, height, width, channels], numClasses: arch.numClasses };
}

async function mnistGroup(): Promise<ShapeGroup> {
  const { recipe } = await loadRecipe(`${repoRoot}recipes/mnist.yaml`);
  const task = loadMnistTask();
  const input = task.inputShape;
  const stemStride = recipe.task.stemStride === 'auto' ? task.defaultStemStride : recipe.task.stemStride;
  const bounds = macroBounds(recipe);
  const rng = new Rng(11);
  const archs: Arch[] = [];
  const seen = new Set<string>();
  while (archs.length < 4) {
    const cellOptions = { ops: [...recipe.space.ops], kernels: [...recipe.space.kernels] };
    const arch = sampleArch(rng, bounds, (r) => sampleCell(r, cellOptions), input, task.numClasses, stemStride, recipe.space.se);
    const cost = archCost(arch);
    const { params, flops } = recipe.constraints;
    if ((params !== null && cost.params > params) || (flops !== null && cost.flops > flops)) continue;
    if (seen.has(archFingerprint(arch))) continue;
    seen.add(archFingerprint(arch));
    archs.push(arch);
  }
  const batch = requestedBatch;
  const zc = firstExamples(task.splits.train, input, batch);
  return {
    name: `MNIST recipe space (${input.height}×${input.width}×${input.channels})`,
    archs,
    zcBatch: { x: zc.x, y: zc.y, shape: [zc.count, input.height, input.width, input.channels], numClasses: task.numClasses },
  };
}

function referenceGroup(setName: string, label: string, numClasses: number): ShapeGroup {
  const ref = readReferenceFile(`${repoRoot}test/fixtures/reference-architectures.json`);
  const set = ref.sets.find((s) => s.name === setName);
  if (set === undefined) throw new Error(`reference set ${setName} not found`);
  const arch = archFromReference(set, 0, { numClasses });
  const batch = fittingBatch(arch, requestedBatch);
  return { name: `${label} row 0 (${arch.input.height}×${arch.input.width}×${arch.input.channels})`, archs: [arch], zcBatch: gaussianBatch(arch, batch, 5) };
}

async function scoreGroup(group: ShapeGroup, workers: number): Promise<void> {
  const pool = new WorkerPool({ workers, timeoutSeconds: 3600, retries: 0, setup: { backend: 'wasm', zcBatch: group.zcBatch } });
  const batch = group.zcBatch.shape[0];
  try {
    // Warm every thread (backend start-up and first-kernel costs are not steady state).
    await Promise.all(Array.from({ length: workers }, () => pool.run({ kind: 'score', arch: archToJson(group.archs[0]!), proxies: ['params'], seed: 0 })));
    for (const name of proxies) {
      const needs = getProxy(name).needs;
      // Enough candidates to keep every worker busy: each architecture once per worker.
      const jobs = Array.from({ length: workers }, (_, w) => group.archs.map((arch, i) => ({ arch, seed: w * 100 + i }))).flat();
      const started = performance.now();
      const results = await Promise.all(jobs.map((j) => pool.run({ kind: 'score', arch: archToJson(j.arch), proxies: [name], seed: j.seed })));
      const seconds = (performance.now() - started) / 1000;
      const work = jobs.reduce((s, j) => s + proxyWork(needs, batch, archCost(j.arch).flops), 0);
      const failed = results.filter((r) => !r.ok);
      const jobSeconds = results.reduce((s, r) => s + r.seconds, 0) / results.length;
      console.log(
        `  ${name.padEnd(10)} ${String(workers)} worker${workers > 1 ? 's' : ' '}  ${(jobs.length / seconds).toFixed(3).padStart(9)} cand/s  ` +
          `${work === 0 ? '      -' : (work / seconds / 1e9).toFixed(2).padStart(7)} GFLOP/s  ${jobSeconds.toFixed(2).padStart(8)} s/job` +
          (failed.length > 0 ? `  ${failed.length} failed: ${failed[0]!.ok ? '' : failed[0]!.reason.slice(0, 160)}` : ''),
      );
    }
  } finally {
    await pool.close();
  }
}

/** Kernel time of one training-mode CE gradient pass, by kernel, plus plain vs checkpointed time. */
async function profileTrainingPass(arch: Arch, batch: number): Promise<void> {
  await initBackend('wasm');
  const net = buildNetwork(arch, { seed: 0 });
  const { x, y } = tf.tidy(() => ({
    x: tf.randomNormal([batch, arch.input.height, arch.input.width, arch.input.channels], 0, 1, 'float32', 3) as Tensor4D,
    y: tf.tensor1d(Array.from({ length: batch }, (_, i) => i % arch.numClasses), 'int32') as Tensor1D,
  }));
  const pass = (checkpoint: boolean): void => {
    const grads = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = net.forward(x, { mode: 'train', checkpoint });
        disposeBatchStats(out.batchStats);
        return crossEntropy(out.logits, y);
      });
      value.dataSync();
      return grads;
    });
    tf.dispose(Object.values(grads));
  };
  const timed = (checkpoint: boolean): number => {
    const started = performance.now();
    pass(checkpoint);
    return (performance.now() - started) / 1000;
  };
  try {
    pass(true); // warm-up
    const plain = timed(false);
    const checkpointed = timed(true);
    const flops = 3 * batch * archCost(arch).flops;
    console.log(
      `  training pass, batch ${batch}: plain ${plain.toFixed(2)} s (${(flops / plain / 1e9).toFixed(2)} GFLOP/s), ` +
        `checkpointed ${checkpointed.toFixed(2)} s (${(checkpointed / plain).toFixed(2)}× the time)`,
    );
    const profile = await tf.profile(() => pass(false));
    const byKernel = new Map<string, number>();
    let total = 0;
    for (const k of profile.kernels) {
      // wasm and cpu report plain milliseconds (a promise or an error object only on WebGL).
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
      total += ms;
    }
    const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`  kernel time of one plain pass: ${(total / 1000).toFixed(2)} s in ${profile.kernels.length} kernel calls; peak ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB`);
    for (const [name, ms] of top) console.log(`    ${name.padEnd(28)} ${(ms / 1000).toFixed(3).padStart(7)} s  ${((100 * ms) / total).toFixed(1).padStart(5)} %`);
  } finally {
    net.dispose();
    tf.dispose([x, y]);
  }
}

const groups: ShapeGroup[] = [];
if (sets.includes('mnist')) groups.push(await mnistGroup());
if (sets.includes('cifar')) groups.push(referenceGroup('cifar-1m-params', 'CIFAR', 10));
if (sets.includes('imagenet')) groups.push(referenceGroup('imagenet-450m-flops', 'ImageNet', 1000));

console.log(`FLOPs: inference pass B·F, training pass 3·B·F, tcet 4·B·F, zen 2·B·F, synflow 3·F, jacov 3·B²·F (F = forward FLOPs/image, cost model)`);
if (!process.argv.includes('--profile-only')) {
  for (const group of groups) {
    const batch = group.zcBatch.shape[0];
    const meanFlops = group.archs.reduce((s, a) => s + archCost(a).flops, 0) / group.archs.length;
    const memory = trainingPassMemory(group.archs[0]!, batch);
    console.log(
      `\n${group.name}: ${group.archs.length} architecture(s), mean ${(meanFlops / 1e6).toFixed(2)} MFLOPs/image, batch ${batch}` +
        (batch < requestedBatch ? ` (the largest ≤ ${requestedBatch} whose checkpointed pass fits wasm by the estimate)` : '') +
        `; training pass estimate ${(memory.plainBytes / 2 ** 30).toFixed(2)} GiB plain, ${(memory.checkpointedBytes / 2 ** 30).toFixed(2)} GiB checkpointed`,
    );
    for (const workers of workerCounts) await scoreGroup(group, workers);
  }
}

const cifar = groups.find((g) => g.name.startsWith('CIFAR'));
if (cifar !== undefined) {
  console.log(`\nwhere the time goes (wasm, main thread, CIFAR row 0):`);
  await profileTrainingPass(cifar.archs[0]!, 2);
}
