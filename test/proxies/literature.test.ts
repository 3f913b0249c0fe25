/**
 * grad_norm, snip, fisher, synflow, jacov and ReLU-input NASWOT (method.md §5.8) on hand-built
 * fully connected networks, against closed forms computed here in float64.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { getProxy, scoreProxies } from '../../plugin/proxies/registry.js';
import { batchOf, detByCofactors, handNetwork, identity } from './hand-network.js';
import { ceLogitGradient, matmul, transpose } from './host-math.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const X = [
  [0.5, -1.2, 0.3],
  [1.1, 0.4, -0.7],
  [-0.6, 0.9, 1.4],
  [0.2, -0.3, -1.1],
];
const LABELS = [2, 0, 3, 1];
const W = [
  [0.4, -0.3, 0.8, 0.1],
  [-0.5, 0.2, 0.05, -0.9],
  [0.7, 0.6, -0.2, 0.3],
];
const BIAS = [0.1, -0.2, 0.05, 0.3];

function linearClassifier() {
  // `aux` fires but feeds nothing: no gradient, so it adds 0 to every gradient-based proxy.
  return handNetwork(
    [
      { id: 'aux', weight: [[1, 2], [3, 4], [5, 6]] },
      { id: 'classifier', weight: W, bias: BIAS },
    ],
    { output: 'classifier' },
  );
}

describe('grad_norm, snip and fisher on one linear layer (closed-form CE gradient)', () => {
  it('match ‖G‖_F, Σ|W ⊙ G| with G = xᵀ(softmax − onehot)/B, and Σ_c ½·mean_b (a·∂CE/∂a)²', () => {
    const logits = matmul(X, W).map((row) => row.map((v, k) => v + BIAS[k]!));
    const dLogits = ceLogitGradient(logits, LABELS);
    const g = matmul(transpose(X), dLogits);
    const gradNorm = Math.sqrt(g.flat().reduce((s, v) => s + v * v, 0));
    const snip = W.flatMap((row, i) => row.map((v, j) => Math.abs(v * g[i]![j]!))).reduce((s, v) => s + v, 0);
    const fisher = W[0]!.map((_, c) => 0.5 * logits.reduce((s, row, b) => s + (row[c]! * dLogits[b]![c]!) ** 2, 0) / X.length).reduce((s, v) => s + v, 0);

    const net = linearClassifier();
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const batch = { x, y, numClasses: 4 };
    const before = tf.memory().numTensors;
    const together = scoreProxies(net, batch, ['grad_norm', 'snip', 'fisher', 'snip-snr']);
    expect(tf.memory().numTensors).toBe(before);
    expect(together['grad_norm']).toEqual({ ok: true, value: expect.closeTo(gradNorm, 6), perLayer: { aux: 0, classifier: expect.closeTo(gradNorm, 6) } });
    expect(together['snip']).toEqual({ ok: true, value: expect.closeTo(snip, 6), perLayer: { aux: 0, classifier: expect.closeTo(snip, 6) } });
    expect(together['fisher']).toEqual({ ok: true, value: expect.closeTo(fisher, 7), perLayer: { aux: 0, classifier: expect.closeTo(fisher, 7) } });
    expect(fisher).toBeGreaterThan(1e-4);
    // The probes multiply by one: the shared pass gives SNIP-SNR exactly as without them.
    expect(getProxy('snip-snr').score(net, batch)).toEqual(together['snip-snr']);
    expect(getProxy('fisher').score(net, batch)).toEqual(together['fisher']);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('fisher of a hidden layer: ∂CE/∂h = (softmax − onehot)/B · W2ᵀ through a ReLU', () => {
    const w1 = [
      [0.6, -0.4],
      [0.3, 0.9],
      [-0.8, 0.2],
    ];
    const w2 = [
      [0.5, -1, 0.3, 0.2],
      [-0.7, 0.4, 0.9, -0.1],
    ];
    const net = handNetwork([
      { id: 'hidden', weight: w1, relu: true },
      { id: 'classifier', weight: w2, input: 'hidden' },
    ]);
    const a = matmul(X, w1);
    const h = a.map((row) => row.map((v) => Math.max(0, v)));
    const e = ceLogitGradient(matmul(h, w2), LABELS);
    const dh = matmul(e, transpose(w2)).map((row, b) => row.map((v, c) => (a[b]![c]! > 0 ? v : 0)));
    const fisherHidden = [0, 1].map((c) => (0.5 * a.reduce((s, row, b) => s + (row[c]! * dh[b]![c]!) ** 2, 0)) / 4).reduce((s, v) => s + v, 0);
    const x = batchOf(X);
    const y = tf.tensor1d(LABELS, 'int32');
    const r = getProxy('fisher').score(net, { x, y, numClasses: 4 });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.perLayer!['hidden']! / fisherHidden).toBeCloseTo(1, 5);
    tf.dispose([x, y]);
    net.dispose();
  });
});

describe('synflow (linearised network, all-ones input)', () => {
  // |W1| column sums (2.5, 6), |W2| row sums (3, 1.5): R = 1ᵀ|W1||W2|1 = 2.5·3 + 6·1.5 = 16.5.
  // Each bias-free layer is homogeneous of degree 1, so Σ W ⊙ ∂R/∂W = R for both: synflow = 33.
  const W1 = [
    [1, -2],
    [0.5, 1],
    [-1, 3],
  ];
  const W2 = [
    [2, -1],
    [-0.5, 1],
  ];

  it('equals the product of the row and column sums per layer, whatever the signs, with BN bypassed', () => {
    const flip = (m: number[][]) => m.map((row, i) => row.map((v, j) => ((i + j) % 2 === 0 ? -v : v)));
    for (const [w1, w2, bn] of [
      [W1, W2, false],
      [flip(W1), flip(W2), false],
      [W1, W2, true],
    ] as const) {
      const net = handNetwork([
        { id: 'l1', weight: w1, bn },
        { id: 'l2', weight: w2, input: 'l1' },
      ]);
      const x = batchOf(X.slice(0, 2));
      const y = tf.tensor1d([0, 1], 'int32');
      const before = tf.memory().numTensors;
      const r = getProxy('synflow').score(net, { x, y, numClasses: 2 });
      expect(tf.memory().numTensors).toBe(before);
      expect(r).toEqual({ ok: true, value: expect.closeTo(33, 5), perLayer: { l1: expect.closeTo(16.5, 5), l2: expect.closeTo(16.5, 5) } });
      // The network's own weights keep their signs.
      expect(net.parameters.get('l1.weight')!.arraySync()).toEqual(w1);
      tf.dispose([x, y]);
      net.dispose();
    }
  });

  it('counts |bias| in R but scores weights only', () => {
    // R = Σ_k (|x W1| + |b1|) |W2| + … with b1 = (1, −1): R = 16.5 + (1·3 + 1·1.5) = 21.
    // ∂R/∂W2[h,k] = (2.5, 6)_h + 1, Σ|W2 ⊙ ∂R/∂W2| = 3.5·3 + 7·1.5 = 21; l1 scores 16.5.
    const net = handNetwork([
      { id: 'l1', weight: W1, bias: [1, -1] },
      { id: 'l2', weight: W2, input: 'l1' },
    ]);
    const x = batchOf(X.slice(0, 2));
    const y = tf.tensor1d([0, 1], 'int32');
    expect(getProxy('synflow').score(net, { x, y, numClasses: 2 })).toEqual({
      ok: true,
      value: expect.closeTo(37.5, 5),
      perLayer: { l1: expect.closeTo(16.5, 5), l2: expect.closeTo(21, 5) },
    });
    tf.dispose([x, y]);
    net.dispose();
  });

  it('reports a float32 overflow as invalid', () => {
    const big = [[1e20, 1e20], [1e20, 1e20]];
    const net = handNetwork([
      { id: 'a', weight: big },
      { id: 'b', weight: big, input: 'a' },
      { id: 'c', weight: big, input: 'b' },
    ]);
    const x = batchOf([[1, 1], [2, 2]]);
    const y = tf.tensor1d([0, 1], 'int32');
    const r = getProxy('synflow').score(net, { x, y, numClasses: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Infinity|NaN/);
    tf.dispose([x, y]);
    net.dispose();
  });
});

describe('jacov (per-sample input gradients)', () => {
  it('a linear map gives identical J_i: correlation all ones, eigenvalues 2 and 0 for B = 2', () => {
    const net = handNetwork([{ id: 'l', weight: W, bias: BIAS }]);
    const x = batchOf(X.slice(0, 2));
    const y = tf.tensor1d([0, 1], 'int32');
    const k = 1e-5;
    const want = -(Math.log(2 + k) + 1 / (2 + k) + Math.log(k) + 1 / k);
    const r = getProxy('jacov').score(net, { x, y, numClasses: 4 });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value / want).toBeCloseTo(1, 6);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('through a ReLU: J_i = W1 diag([x_i W1 > 0]) W2 1, eigenvalues 1 ± r of the 2×2 correlation', () => {
    const w1 = [
      [0.6, -0.4, 0.2],
      [0.3, 0.9, -0.5],
      [-0.8, 0.2, 0.7],
    ];
    const w2 = [
      [0.5, -1],
      [-0.7, 0.4],
      [1.2, 0.3],
    ];
    const xs = [X[0]!, X[2]!];
    const v = w2.map((row) => row[0]! + row[1]!);
    const jac = xs.map((xi) => {
      const pre = matmul([xi], w1)[0]!;
      return w1.map((row) => row.reduce((s, wdh, h) => s + (pre[h]! > 0 ? wdh * v[h]! : 0), 0));
    });
    const centred = jac.map((row) => {
      const m = row.reduce((s, t) => s + t, 0) / row.length;
      return row.map((t) => t - m);
    });
    const dot = (a: number[], b: number[]) => a.reduce((s, t, i) => s + t * b[i]!, 0);
    const r = dot(centred[0]!, centred[1]!) / Math.sqrt(dot(centred[0]!, centred[0]!) * dot(centred[1]!, centred[1]!));
    const k = 1e-5;
    const want = -(Math.log(1 + r + k) + 1 / (1 + r + k) + Math.log(1 - r + k) + 1 / (1 - r + k));
    expect(Math.abs(r)).toBeLessThan(0.99);

    const net = handNetwork([
      { id: 'hidden', weight: w1, relu: true },
      { id: 'out', weight: w2, input: 'hidden' },
    ]);
    const x = batchOf(xs);
    const y = tf.tensor1d([0, 1], 'int32');
    const got = getProxy('jacov').score(net, { x, y, numClasses: 2 });
    expect(got.ok).toBe(true);
    if (got.ok) expect(got.value).toBeCloseTo(want, 4);
    tf.dispose([x, y]);
    net.dispose();
  });
});

describe('NASWOT, ReLU-input version', () => {
  it('is the safe logdet of the agreement counts of all ReLU-input codes, summed over ReLUs', () => {
    // ReLU 1 sees x itself (identity weights), ReLU 2 sees relu(x)·M − 0.5.
    const xs = [
      [0.7, -2, 1],
      [-1.5, 0.3, 0.2],
      [0.4, 0.6, -1],
    ];
    const m = [
      [1, 0],
      [0, 1],
      [1, -1],
    ];
    const net = handNetwork([
      { id: 'a', weight: identity(3), relu: true },
      { id: 'b', weight: m, bias: [-0.5, -0.5], input: 'a', relu: true },
      { id: 'out', weight: [[1], [1]], input: 'b' },
    ]);
    const codes1 = xs.map((row) => row.map((v) => v > 0));
    const pre2 = matmul(
      xs.map((row) => row.map((v) => Math.max(0, v))),
      m,
    ).map((row) => row.map((v) => v - 0.5));
    const codes = codes1.map((c, i) => [...c, ...pre2[i]!.map((v) => v > 0)]);
    const k = codes.map((ci) => codes.map((cj) => ci.filter((v, u) => v === cj[u]).length));
    const want = Math.log(Math.abs(detByCofactors(k)));
    expect(Number.isFinite(want)).toBe(true);

    const x = batchOf(xs);
    const y = tf.tensor1d([0, 0, 0], 'int32');
    const before = tf.memory().numTensors;
    const r = scoreProxies(net, { x, y, numClasses: 1 }, ['naswot', 'nwot']);
    expect(tf.memory().numTensors).toBe(before);
    expect(r['naswot']).toEqual({ ok: true, value: expect.closeTo(want, 10) });
    expect(r['nwot']!.ok).toBe(true);
    tf.dispose([x, y]);
    net.dispose();
  });
});
