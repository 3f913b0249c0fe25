/**
 * The proxies and the training loop on a real built network (plugin/nn/network.ts): a small
 * 8×8×1 arch with one stage of 8 channels whose cell is in → n1 (conv k3) → out plus the residual
 * in → out (three edges, the minimum of method.md §2.6 G5), F = 16.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor1D, Tensor4D } from '../../plugin/nn/tf.js';
import { trainNetwork, type BatchSource } from '../../plugin/nn/train.js';
import type { Network } from '../../plugin/nn/types.js';
import { safeLogDet } from '../../plugin/proxies/logdet.js';
import { scoreProxies } from '../../plugin/proxies/registry.js';
import type { Arch, Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';
import { ceLogitGradient, matmul, saliencyStats, transpose } from './host-math.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const adj: (0 | 1)[][] = Array.from({ length: 8 }, () => new Array<0 | 1>(8).fill(0));
adj[0]![1] = 1;
adj[1]![7] = 1;
adj[0]![7] = 1;
const CELL: Cell = {
  adj,
  ops: ['conv', 'conv', 'conv', 'conv', 'conv', 'conv'],
  kernels: [3, 3, 3, 3, 3, 3],
};
const ARCH: Arch = {
  input: { height: 8, width: 8, channels: 1 },
  numClasses: 10,
  stemStride: 1,
  se: false,
  stages: [{ cell: CELL, channels: 8, stride: 1, repeats: 1 }],
  headWidth: 16,
};
const B = 16;

function randomBatch(seed: number): { x: Tensor4D; y: Tensor1D; labels: number[] } {
  const rng = new Rng(seed);
  const data = Array.from({ length: B * 64 }, () => rng.normal());
  const labels = Array.from({ length: B }, () => rng.int(0, 9));
  return { x: tf.tensor4d(data, [B, 8, 8, 1]), y: tf.tensor1d(labels, 'int32'), labels };
}

function runningSnapshot(net: Network): number[] {
  return [...net.bnRunning.values()].flatMap(({ mean, variance }) => [...mean.dataSync(), ...variance.dataSync()]);
}

describe('proxies on a built network', () => {
  it('scores every proxy by layer id, leaves BN state and tensor count unchanged', () => {
    const net = buildNetwork(ARCH, { seed: 5 });
    const { x, y } = randomBatch(1);
    const batch = { x, y, numClasses: 10 };
    const ids = net.layers.map((l) => l.id);
    expect(ids).toContain('stem.conv');
    expect(ids).toContain('classifier');

    const running = runningSnapshot(net);
    const before = tf.memory().numTensors;
    const nwotFirst = scoreProxies(net, batch, ['nwot'])['nwot']!;
    const all = scoreProxies(net, batch, ['snip-snr', 'tcet', 'lnwot', 'nwot', 'params']);
    const nwotAfter = scoreProxies(net, batch, ['nwot'])['nwot']!;
    expect(tf.memory().numTensors).toBe(before);
    expect(runningSnapshot(net)).toEqual(running);

    for (const [name, r] of Object.entries(all)) expect(r.ok, `${name}: ${r.ok ? '' : r.reason}`).toBe(true);
    // The training pass did not disturb the inference pass (method.md §5.1).
    expect(nwotAfter).toEqual(nwotFirst);
    expect(all['nwot']).toEqual(nwotFirst);
    for (const name of ['lnwot', 'snip-snr', 'tcet']) {
      const r = all[name]!;
      if (r.ok) expect(Object.keys(r.perLayer!)).toEqual(ids);
    }
    if (all['params']!.ok) expect(all['params']!.value).toBe(net.parameterCount());
    tf.dispose([x, y]);
    net.dispose();
  });

  it('matches host computations for the classifier layer: lnwot from its logits, SNR from the closed-form gradient', () => {
    const net = buildNetwork(ARCH, { seed: 9 });
    const { x, y, labels } = randomBatch(2);
    const results = scoreProxies(net, { x, y, numClasses: 10 }, ['lnwot', 'snip-snr']);

    // lnwot(classifier): agreement counts of the sign pattern of the inference logits, on the host.
    const logitsInfer = tf.tidy(() => net.forward(x, { mode: 'infer' }).logits.arraySync());
    const k = new Float64Array(B * B);
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < B; j++) {
        k[i * B + j] = logitsInfer[i]!.filter((v, u) => v > 0 === logitsInfer[j]![u]! > 0).length;
      }
    }
    const lnwot = results['lnwot']!;
    expect(lnwot.ok).toBe(true);
    if (lnwot.ok) expect(lnwot.perLayer!['classifier']).toBeCloseTo(safeLogDet(k, B), 6);

    // SNR(classifier): the classifier reads the pooled BN(F) output of head.conv (train-mode BN,
    // γ = 1, β = 0 at init); G = pooledᵀ (softmax − onehot) / B.
    let headRaw: number[][][][] = [];
    let logitsTrain: number[][] = [];
    tf.tidy(() => {
      const out = net.forward(x, {
        mode: 'train',
        onTap: (id, raw) => {
          if (id === 'head.conv') headRaw = raw.arraySync() as number[][][][];
        },
      });
      logitsTrain = out.logits.arraySync();
      for (const s of out.batchStats.values()) tf.dispose([s.mean, s.variance]);
    });
    const f = 16;
    const count = B * 64;
    const mean = Array.from({ length: f }, (_, c) => headRaw.flat(2).reduce((s, px) => s + px[c]!, 0) / count);
    const variance = Array.from({ length: f }, (_, c) => headRaw.flat(2).reduce((s, px) => s + (px[c]! - mean[c]!) ** 2, 0) / count);
    const pooled = headRaw.map((img) =>
      Array.from({ length: f }, (_, c) => img.flat().reduce((s, px) => s + (px[c]! - mean[c]!) / Math.sqrt(variance[c]! + 1e-5), 0) / 64),
    );
    const w = (net.parameters.get('classifier.weight')!.arraySync() as number[][]);
    const bias = net.parameters.get('classifier.bias')!.arraySync() as number[];
    const hostLogits = matmul(pooled, w).map((row) => row.map((v, c) => v + bias[c]!));
    hostLogits.forEach((row, i) => row.forEach((v, c) => expect(v).toBeCloseTo(logitsTrain[i]![c]!, 3)));
    const expected = saliencyStats(w, matmul(transpose(pooled), ceLogitGradient(hostLogits, labels)));
    const snip = results['snip-snr']!;
    expect(snip.ok).toBe(true);
    if (snip.ok) expect(snip.perLayer!['classifier']! / expected.snr).toBeCloseTo(1, 3);
    tf.dispose([x, y]);
    net.dispose();
  });
});

describe('training a built network', () => {
  it('learns to tell bright from dark images and keeps the tensor count flat', async () => {
    const rng = new Rng(4);
    const n = 192;
    const images: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      labels.push(label);
      for (let p = 0; p < 64; p++) images.push((label === 1 ? 0.6 : -0.6) + 0.5 * rng.normal());
    }
    const source: BatchSource = {
      size: n,
      *batches(_epoch, batchSize, r) {
        const order = r.shuffle(Array.from({ length: n }, (_, i) => i));
        for (let s = 0; s < n; s += batchSize) {
          const ids = order.slice(s, s + batchSize);
          yield {
            x: tf.tensor4d(ids.flatMap((i) => images.slice(i * 64, (i + 1) * 64)), [ids.length, 8, 8, 1]),
            y: tf.tensor1d(ids.map((i) => labels[i]!), 'int32'),
          };
        }
      },
    };
    const net = buildNetwork(ARCH, { seed: 2 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const history = await trainNetwork(
      net,
      { train: source, val: source },
      {
        epochs: 4,
        batchSize: 32,
        optimizer: 'sgd',
        lr: 0.05,
        momentum: 0.9,
        nesterov: true,
        weightDecay: 5e-4,
        schedule: 'cosine',
        warmupEpochs: 0,
        labelSmoothing: 0.1,
        bnMomentum: 0.1,
        seed: 1,
      },
      { onEpoch: () => counts.push(tf.memory().numTensors) },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const last = history.epochs[history.epochs.length - 1]!;
    expect(last.trainLoss).toBeLessThan(history.epochs[0]!.trainLoss);
    expect(last.valAccuracy!).toBeGreaterThan(0.9);
    net.dispose();
  });
});
