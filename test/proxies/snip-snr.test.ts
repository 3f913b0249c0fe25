import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor2D } from '../../plugin/nn/tf.js';
import { crossEntropy } from '../../plugin/nn/loss.js';
import { getProxy } from '../../plugin/proxies/registry.js';
import { layerSaliencies, signalToNoise } from '../../plugin/proxies/snip-snr.js';
import { batchOf, handNetwork } from './hand-network.js';
import { ceLogitGradient, matmul, saliencyStats, transpose } from './host-math.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const X = [
  [0.5, -1.2, 0.3],
  [1.1, 0.4, -0.7],
  [-0.6, 0.9, 1.4],
  [0.2, -0.3, -1.1],
  [1.3, 1.0, 0.6],
];
const LABELS = [2, 0, 3, 1, 0];
const W = [
  [0.4, -0.3, 0.8, 0.1],
  [-0.5, 0.2, 0.05, -0.9],
  [0.7, 0.6, -0.2, 0.3],
];
const BIAS = [0.1, -0.2, 0.05, 0.3];

function classifierNet() {
  return handNetwork(
    [
      // Fires on every forward but feeds nothing: it receives no gradient (like an unused projection).
      { id: 'aux', weight: [[1, 2], [3, 4], [5, 6]] },
      { id: 'classifier', weight: W, bias: BIAS },
    ],
    { output: 'classifier' },
  );
}

/** G = xᵀ (softmax − onehot) / B, the closed-form CE gradient of a linear layer. */
function closedFormGradient(): number[][] {
  const logits = matmul(X, W).map((row) => row.map((v, k) => v + BIAS[k]!));
  return matmul(transpose(X), ceLogitGradient(logits, LABELS));
}

describe('SNIP saliency statistics (method.md §5.2)', () => {
  it('match the closed-form CE gradient of a linear layer; a layer without gradient has s = 0', () => {
    const net = classifierNet();
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const before = tf.memory().numTensors;
    const result = layerSaliencies(net, x, y, 4);
    expect(tf.memory().numTensors).toBe(before);

    const expected = saliencyStats(W, closedFormGradient());
    const got = result.layers.get('classifier')!;
    expect(got.sum).toBeCloseTo(expected.sum, 5);
    expect(got.std).toBeCloseTo(expected.std, 5);
    expect(got.snr).toBeCloseTo(expected.snr, 3);
    expect(got.snr / expected.snr).toBeCloseTo(1, 5);
    expect(result.layers.get('aux')).toEqual({ sum: 0, std: 0, snr: 0, gradNorm: 0 });
    expect([...result.layers.keys()]).toEqual(['aux', 'classifier']);

    const proxy = getProxy('snip-snr').score(net, { x, y, numClasses: 4 });
    expect(proxy.ok).toBe(true);
    if (proxy.ok) {
      expect(proxy.value / expected.snr).toBeCloseTo(1, 5);
      expect(proxy.perLayer!['aux']).toBe(0);
    }
    tf.dispose([x, y]);
    net.dispose();
  });

  it('agree with central finite differences of the network loss for every weight', () => {
    const net = classifierNet();
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const eps = 1e-2;
    const lossWith = (i: number, j: number, delta: number): number =>
      tf.tidy(() => {
        const w = W.map((row, r) => row.map((v, c) => (r === i && c === j ? v + delta : v)));
        const overrides = new Map<string, Tensor>([['classifier.weight', tf.tensor2d(w)]]);
        const { logits } = net.forward(x, { mode: 'train', parameterOverrides: overrides });
        return crossEntropy(logits as Tensor2D, y).dataSync()[0]!;
      });
    const fd = W.map((row, i) => row.map((_, j) => (lossWith(i, j, eps) - lossWith(i, j, -eps)) / (2 * eps)));
    // The finite differences themselves agree with the closed form (an independent cross-check).
    const closed = closedFormGradient();
    fd.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(closed[i]![j]!, 3)));

    const expected = saliencyStats(W, fd);
    const got = layerSaliencies(net, x, y).layers.get('classifier')!;
    expect(got.sum / expected.sum).toBeCloseTo(1, 2);
    expect(got.std / expected.std).toBeCloseTo(1, 2);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('uses SNR = sum for a single-weight layer (std undefined) and for std 0', () => {
    // x (B×1) → l1 (1×1 weight w1) → classifier (1×2, bias) ; g1 = Σ_b x_b · Σ_k E_bk W2_k.
    const xs = [[0.5], [-1], [2]];
    const labels = [1, 0, 1];
    const w1 = 0.8;
    const w2 = [[0.3, -0.6]];
    const b2 = [0.1, 0];
    const net = handNetwork([
      { id: 'l1', weight: [[w1]] },
      { id: 'classifier', weight: w2, bias: b2, input: 'l1' },
    ]);
    const h = xs.map((r) => [r[0]! * w1]);
    const logits = matmul(h, w2).map((row) => row.map((v, k) => v + b2[k]!));
    const e = ceLogitGradient(logits, labels);
    const g1 = xs.reduce((s, r, b) => s + r[0]! * (e[b]![0]! * w2[0]![0]! + e[b]![1]! * w2[0]![1]!), 0);
    const x = batchOf(xs);
    const y = tf.tensor1d(labels, 'int32');
    const got = layerSaliencies(net, x, y).layers.get('l1')!;
    expect(got.std).toBeNaN();
    expect(got.sum).toBeCloseTo(Math.abs(w1 * g1), 6);
    expect(got.snr).toBe(got.sum);
    expect(signalToNoise(3, 0)).toBe(3);
    expect(signalToNoise(3, Number.NaN)).toBe(3);
    expect(signalToNoise(3, 2)).toBe(1.5);
    tf.dispose([x, y]);
    net.dispose();
  });
});
