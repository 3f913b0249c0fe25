/**
 * Zen-score (method.md §5.6) and ZiCo (§5.7) on hand-built networks against float64 values
 * worked out here from their definitions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { getProxy } from '../../plugin/proxies/registry.js';
import { zenIdeal, zenParameterOverrides, zenParts, zenReference } from '../../plugin/proxies/zen.js';
import { splitBatch, zicoLayers } from '../../plugin/proxies/zico.js';
import { Rng } from '../../plugin/util/rng.js';
import { batchOf, handNetwork } from './hand-network.js';
import { ceLogitGradient, matmul, transpose } from './host-math.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const W = [
  [0.4, -0.3, 0.8],
  [-0.5, 0.2, 0.05],
  [0.7, 0.6, -0.2],
  [0.1, -0.9, 0.3],
];

function gaussianRows(rows: number, cols: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
}

const columns = (m: number[][]) => m[0]!.map((_, c) => m.map((row) => row[c]!));
const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
const unbiasedVar = (v: number[]) => v.reduce((s, t) => s + (t - mean(v)) ** 2, 0) / (v.length - 1);

/** Train-mode BN (γ = 1, β = 0) of each column, with the biased variance. */
function bnTrain(m: number[][], eps = 1e-5): number[][] {
  const stats = columns(m).map((col) => {
    const mu = mean(col);
    return { mu, sd: Math.sqrt(col.reduce((s, t) => s + (t - mu) ** 2, 0) / col.length + eps) };
  });
  return m.map((row) => row.map((v, c) => (v - stats[c]!.mu) / stats[c]!.sd));
}

describe('Zen-score (method.md §5.6)', () => {
  const xs = gaussianRows(6, 4, 1);
  const eps = gaussianRows(6, 4, 2);

  it('without BN: Zen = log Δ with Δ = mean_b ‖0.01 ε_b W‖₁; doubling W or the mixup adds log 2', () => {
    const delta = mean(matmul(eps, W).map((row) => row.reduce((s, v) => s + Math.abs(0.01 * v), 0)));
    const x = batchOf(xs);
    const noise = batchOf(eps);
    const net = handNetwork([{ id: 'l', weight: W }], { feature: 'l' });
    const doubled = handNetwork([{ id: 'l', weight: W.map((row) => row.map((v) => 2 * v)) }], { feature: 'l' });
    const before = tf.memory().numTensors;
    const base = zenParts(net, x, noise);
    expect(tf.memory().numTensors).toBe(before);
    expect(base.bnReference).toBe(0);
    expect(zenReference(base)).toBeCloseTo(Math.log(delta), 4);
    expect(zenReference(zenParts(doubled, x, noise)) - zenReference(base)).toBeCloseTo(Math.log(2), 4);
    expect(zenReference(zenParts(net, x, noise, { mixup: 0.02 })) - zenReference(base)).toBeCloseTo(Math.log(2), 4);
    tf.dispose([x, noise]);
    net.dispose();
    doubled.dispose();
  });

  it('with a BN layer: Δ through train-mode BN, v_b = 0.81 + 0.09·var(x) + 0.1·var(x′) (reference) or var(x) (ideal)', () => {
    const mixed = xs.map((row, b) => row.map((v, i) => v + 0.01 * eps[b]![i]!));
    const raw1 = matmul(xs, W);
    const raw2 = matmul(mixed, W);
    const f1 = bnTrain(raw1);
    const f2 = bnTrain(raw2);
    const delta = mean(f1.map((row, b) => row.reduce((s, v, c) => s + Math.abs(v - f2[b]![c]!), 0)));
    const v1 = columns(raw1).map(unbiasedVar);
    const v2 = columns(raw2).map(unbiasedVar);
    const reference = Math.log(delta) + 0.5 * Math.log(mean(v1.map((v, c) => 0.81 + 0.09 * v + 0.1 * v2[c]!)));
    const ideal = Math.log(delta) + 0.5 * Math.log(mean(v1));

    const net = handNetwork([{ id: 'l', weight: W, bn: true }], { feature: 'l' });
    const x = batchOf(xs);
    const noise = batchOf(eps);
    const parts = zenParts(net, x, noise);
    expect(zenReference(parts)).toBeCloseTo(reference, 3);
    expect(zenIdeal(parts)).toBeCloseTo(ideal, 3);
    // The running statistics of the network were not committed.
    expect(Array.from(net.bnRunning.get('l.bn')!.variance.dataSync())).toEqual([1, 1, 1]);
    tf.dispose([x, noise]);
    net.dispose();
  });

  it('BN term on a known variance: channel values ±1 (unbiased var 4/3), x′ = 1.01·x', () => {
    const xs2 = [
      [1, 2],
      [-1, -2],
      [1, 2],
      [-1, -2],
    ];
    // var(x) = (4/3, 16/3) per channel, var(x′) = 1.0201·var(x).
    const v = [4 / 3, 16 / 3];
    const want = 0.5 * Math.log(mean(v.map((t) => 0.81 + 0.09 * t + 0.1 * 1.0201 * t)));
    const net = handNetwork([{ id: 'l', weight: [[1, 0], [0, 1]], bn: true }], { feature: 'l' });
    const x = batchOf(xs2);
    const parts = zenParts(net, x, x);
    expect(parts.bnReference).toBeCloseTo(want, 5);
    expect(parts.bnIdeal).toBeCloseTo(0.5 * Math.log(mean(v)), 5);
    x.dispose();
    net.dispose();
  });

  it('re-initialises N(0, 1) weights, zero biases, γ = 1, β = 0: the proxy ignores the network’s own values', () => {
    const specs = (scale: number) => [
      { id: 'a', weight: gaussianRows(20, 50, 3).map((r) => r.map((v) => v * scale)), bias: new Array<number>(50).fill(scale), bn: true, relu: true },
      { id: 'b', weight: gaussianRows(50, 4, 4).map((r) => r.map((v) => v * scale)), bias: [scale, 0, 0, 0], input: 'a' },
    ];
    const netA = handNetwork(specs(1), { feature: 'a' });
    const netB = handNetwork(specs(0.01), { feature: 'a' });
    const overrides = zenParameterOverrides(netA, 7);
    const w = Array.from(overrides.get('a.weight')!.dataSync());
    expect(Math.abs(mean(w))).toBeLessThan(0.1);
    expect(Math.sqrt(unbiasedVar(w))).toBeCloseTo(1, 1);
    expect(new Set(overrides.get('a.bias')!.dataSync())).toEqual(new Set([0]));
    expect(Array.from(overrides.get('a.bn.gamma')!.dataSync())).toEqual(new Array<number>(50).fill(1));
    expect(Array.from(overrides.get('a.bn.beta')!.dataSync())).toEqual(new Array<number>(50).fill(0));
    tf.dispose([...overrides.values()]);

    const x = batchOf(gaussianRows(8, 20, 5));
    const y = tf.tensor1d(new Array<number>(8).fill(0), 'int32');
    const before = tf.memory().numTensors;
    const a = getProxy('zen').score(netA, { x, y, numClasses: 4, seed: 3 });
    const b = getProxy('zen').score(netB, { x, y, numClasses: 4, seed: 3 });
    const other = getProxy('zen').score(netA, { x, y, numClasses: 4, seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.ok && b.ok && other.ok).toBe(true);
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
    tf.dispose([x, y]);
    netA.dispose();
    netB.dispose();
  });
});

describe('ZiCo (method.md §5.7)', () => {
  const X = [
    [0.5, -1.2, 0],
    [1.1, 0.4, 0],
    [-0.6, 0.9, 0],
    [0.2, -0.3, 0],
  ];
  const LABELS = [1, 0, 1, 0];
  const W2 = [
    [0.3, -0.2],
    [0.5, 0.4],
    [-0.6, 0.1],
  ];

  it('uses two halves with separately zeroed gradients, population σ, and skips σ = 0 weights', () => {
    // Half h: G_h = X_hᵀ (softmax − onehot)/2. The third input is 0, so its row of G is 0 in both
    // halves (σ = 0, skipped). μ/σ = (|G1| + |G2|)/2 ÷ |G1 − G2|/2.
    const grads = [0, 2].map((start) => {
      const xh = X.slice(start, start + 2);
      return matmul(transpose(xh), ceLogitGradient(matmul(xh, W2), LABELS.slice(start, start + 2)));
    });
    let s = 0;
    grads[0]!.forEach((row, i) =>
      row.forEach((g1, j) => {
        const g2 = grads[1]![i]![j]!;
        const sigma = Math.abs(g1 - g2) / 2;
        if (sigma !== 0) s += (Math.abs(g1) + Math.abs(g2)) / 2 / sigma;
      }),
    );
    const net = handNetwork(
      [
        { id: 'aux', weight: [[1], [1], [1]] },
        { id: 'classifier', weight: W2 },
      ],
      { output: 'classifier' },
    );
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const before = tf.memory().numTensors;
    const layers = zicoLayers(net, x, y);
    expect(tf.memory().numTensors).toBe(before);
    expect(layers.layers.get('aux')).toBe(0);
    expect(layers.layers.get('classifier')! / s).toBeCloseTo(1, 4);
    const r = getProxy('zico').score(net, { x, y, numClasses: 2 });
    expect(r).toEqual({ ok: true, value: expect.closeTo(Math.log(s), 4), perLayer: { aux: 0, classifier: expect.closeTo(Math.log(s), 4) } });
    tf.dispose([x, y]);
    net.dispose();
  });

  it('splits a batch into contiguous parts whose sizes differ by at most one', () => {
    expect(splitBatch(64, 2)).toEqual([
      { start: 0, size: 32 },
      { start: 32, size: 32 },
    ]);
    expect(splitBatch(5, 2)).toEqual([
      { start: 0, size: 3 },
      { start: 3, size: 2 },
    ]);
    expect(() => splitBatch(4, 1)).toThrow(/at least 2/);
  });
});
