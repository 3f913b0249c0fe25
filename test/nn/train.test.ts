import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor1D, Tensor4D, Variable } from '../../plugin/nn/tf.js';
import { crossEntropy, smoothedTargets } from '../../plugin/nn/loss.js';
import { adamW, sgd } from '../../plugin/nn/optim.js';
import { learningRateAt } from '../../plugin/nn/schedule.js';
import { evaluate, trainNetwork, type BatchSource, type TrainConfig } from '../../plugin/nn/train.js';
import { Rng } from '../../plugin/util/rng.js';
import { batchOf, handNetwork } from '../proxies/hand-network.js';
import { meanCrossEntropy } from '../proxies/host-math.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function values(v: Tensor): number[] {
  return Array.from(v.dataSync());
}

function expectClose(got: number[], want: number[], digits = 6): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, digits));
}

describe('optimisers (published update rules)', () => {
  it('SGD with Nesterov momentum, decay on decayed ids only (PyTorch semantics)', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const params = new Map<string, Variable>([
      ['w', w],
      ['b', b],
    ]);
    const opt = sgd(params, new Set(['w']), { momentum: 0.9, nesterov: true, weightDecay: 0.1 });
    const step = (gw: number[], gb: number[]) => {
      const grads = new Map<string, Tensor>([
        ['w', tf.tensor1d(gw)],
        ['b', tf.tensor1d(gb)],
      ]);
      opt.step(grads, 0.1);
      tf.dispose([...grads.values()]);
    };
    step([0.5, 0.1], [1]);
    // w: d = g + 0.1·w = [0.6, −0.1]; v = d; update = d + 0.9·v = [1.14, −0.19]; w − 0.1·update
    expectClose(values(w), [0.886, -1.981]);
    // b (no decay): d = 1, v = 1, update = 1.9 → 0.5 − 0.19
    expectClose(values(b), [0.31]);
    step([-0.2, 0.3], [0]);
    // d = [−0.2 + 0.0886, 0.3 − 0.1981] = [−0.1114, 0.1019]
    // v = 0.9·[0.6, −0.1] + d = [0.4286, 0.0119]; update = d + 0.9·v = [0.27434, 0.11261]
    expectClose(values(w), [0.886 - 0.027434, -1.981 - 0.011261]);
    // b: d = 0, v = 0.9, update = 0.81 → 0.31 − 0.081
    expectClose(values(b), [0.229]);
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('AdamW with bias correction and decoupled decay on decayed ids only', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const params = new Map<string, Variable>([
      ['w', w],
      ['b', b],
    ]);
    const lr = 0.01;
    const wd = 0.1;
    const opt = adamW(params, new Set(['w']), { weightDecay: wd });
    const g1 = [0.5, 0.1];
    const g2 = [-0.2, 0.3];
    const apply = (gw: number[]) => {
      const grads = new Map<string, Tensor>([
        ['w', tf.tensor1d(gw)],
        ['b', tf.tensor1d([gw[0]!])],
      ]);
      opt.step(grads, lr);
      tf.dispose([...grads.values()]);
    };
    apply(g1);
    // Step 1: m̂ = g, v̂ = g², so the step is lr·g/|g| = lr per entry; decay multiplies w by 1 − lr·wd.
    expectClose(values(w), [1 * 0.999 - 0.01, -2 * 0.999 - 0.01]);
    expectClose(values(b), [0.5 - 0.01]);
    apply(g2);
    // Step 2 from the rule: m = β1 m + (1 − β1) g, v = β2 v + (1 − β2) g², t = 2.
    const expected = [0, 1].map((i) => {
      const m = 0.9 * (0.1 * g1[i]!) + 0.1 * g2[i]!;
      const v = 0.999 * (0.001 * g1[i]! ** 2) + 0.001 * g2[i]! ** 2;
      const mHat = m / (1 - 0.9 ** 2);
      const vHat = v / (1 - 0.999 ** 2);
      const p1 = [1 * 0.999 - 0.01, -2 * 0.999 - 0.01][i]!;
      return p1 * (1 - lr * wd) - (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
    });
    expectClose(values(w), expected);
    // b gets the same moments as w[0] but no decay.
    const bExpected = 0.49 - (lr * ((0.9 * 0.05 - 0.02) / 0.19)) / Math.sqrt((0.999 * 0.00025 + 0.00004) / (1 - 0.999 ** 2));
    expectClose(values(b), [bExpected]);
    opt.dispose();
    tf.dispose([w, b]);
  });
});

describe('learning-rate schedule (method.md §13)', () => {
  const config = { kind: 'cosine' as const, base: 0.1, totalSteps: 110, warmupSteps: 10 };
  it('warms up linearly from 0 and decays by cosine to 0', () => {
    expect(learningRateAt(0, config)).toBe(0);
    expect(learningRateAt(5, config)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(10, config)).toBeCloseTo(0.1, 12); // end of warm-up: the peak
    expect(learningRateAt(60, config)).toBeCloseTo(0.05, 12); // midpoint of the decay: lr/2
    // last step T − 1 = 109: 0.1·½·(1 + cos(π·99/100))
    expect(learningRateAt(109, config)).toBeCloseTo(0.05 * (1 + Math.cos((Math.PI * 99) / 100)), 12);
    expect(learningRateAt(110, config)).toBeCloseTo(0, 12);
  });
  it('holds the peak after warm-up for the constant schedule', () => {
    expect(learningRateAt(3, { ...config, kind: 'constant' })).toBeCloseTo(0.03, 12);
    expect(learningRateAt(100, { ...config, kind: 'constant' })).toBe(0.1);
    expect(learningRateAt(0, { ...config, warmupSteps: 0 })).toBe(0.1);
  });
});

describe('cross-entropy with label smoothing', () => {
  it('uses y = (1 − ε)·onehot + ε/K', () => {
    const targets = smoothedTargets(tf.tensor1d([0, 2], 'int32'), 3, 0.1);
    expectClose(values(targets), [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3, 0.1 / 3, 0.1 / 3, 0.9 + 0.1 / 3]);
    const logits = tf.tensor2d([[2, 0, 0]]);
    // CE = logsumexp − Σ y_k·logit_k = log(e² + 2) − 2·(0.9 + 0.1/3)
    const got = crossEntropy(logits, tf.tensor1d([0], 'int32'), 0.1).dataSync()[0]!;
    expect(got).toBeCloseTo(Math.log(Math.exp(2) + 2) - 2 * (0.9 + 0.1 / 3), 5);
    const plain = crossEntropy(logits, tf.tensor1d([1], 'int32')).dataSync()[0]!;
    expect(plain).toBeCloseTo(Math.log(Math.exp(2) + 2), 5);
    tf.dispose([targets, logits]);
  });
});

/** An in-memory source over rows of features; shuffles with the loop's generator. */
function arraySource(rows: number[][], labels: number[], shuffle: boolean): BatchSource {
  return {
    size: rows.length,
    *batches(_epoch: number, batchSize: number, rng: Rng) {
      const order = rows.map((_, i) => i);
      const visit = shuffle ? rng.shuffle(order) : order;
      for (let start = 0; start < visit.length; start += batchSize) {
        const ids = visit.slice(start, start + batchSize);
        yield {
          x: batchOf(ids.map((i) => rows[i]!)) as Tensor4D,
          y: tf.tensor1d(ids.map((i) => labels[i]!), 'int32') as Tensor1D,
        };
      }
    },
  };
}

/** Two classes split by the line x0 + 0.5·x1 = 0.2, with a margin. */
function separableProblem(n: number, seed: number): { rows: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  while (rows.length < n) {
    const x = [rng.next() * 4 - 2, rng.next() * 4 - 2];
    const side = x[0]! + 0.5 * x[1]! - 0.2;
    if (Math.abs(side) < 0.2) continue;
    rows.push(x);
    labels.push(side > 0 ? 1 : 0);
  }
  return { rows, labels };
}

function randomMatrix(rng: Rng, rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rng.next() * 2 - 1) * scale));
}

const BASE_CONFIG: TrainConfig = {
  epochs: 6,
  batchSize: 32,
  optimizer: 'sgd',
  lr: 0.2,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  schedule: 'cosine',
  warmupEpochs: 1,
  labelSmoothing: 0,
  bnMomentum: 0.1,
  seed: 3,
  logEvery: 4,
};

describe('trainNetwork', () => {
  it('learns a separable problem with SGD-Nesterov and AdamW, without leaking tensors', async () => {
    for (const optimizer of ['sgd', 'adamw'] as const) {
      const rng = new Rng(11);
      const net = handNetwork([
        { id: 'hidden', weight: randomMatrix(rng, 2, 16, 0.7), bias: new Array(16).fill(0), bn: true, relu: true },
        { id: 'classifier', weight: randomMatrix(rng, 16, 2, 0.25), bias: [0, 0], input: 'hidden' },
      ]);
      const train = separableProblem(320, 1);
      const val = separableProblem(128, 2);
      const counts: number[] = [];
      const steps: number[] = [];
      const before = tf.memory().numTensors;
      const history = await trainNetwork(
        net,
        { train: arraySource(train.rows, train.labels, true), val: arraySource(val.rows, val.labels, false) },
        { ...BASE_CONFIG, optimizer, lr: optimizer === 'sgd' ? 0.2 : 0.02, labelSmoothing: optimizer === 'sgd' ? 0 : 0.1 },
        { onStep: (info) => steps.push(info.step), onEpoch: () => counts.push(tf.memory().numTensors) },
      );
      expect(tf.memory().numTensors).toBe(before);
      // Optimiser state is created on the first step; from then on the count must stay flat.
      expect(new Set(counts.slice(1)).size).toBe(1);
      expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(history.totalSteps).toBe(60);
      const first = history.epochs[0]!;
      const last = history.epochs[history.epochs.length - 1]!;
      expect(history.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(last.trainLoss).toBeLessThan(first.trainLoss);
      expect(last.trainAccuracy, optimizer).toBeGreaterThan(0.93);
      expect(last.valAccuracy!, optimizer).toBeGreaterThan(0.93);
      expect(last.valLoss!).toBeLessThan(0.4);
      expect(last.imagesPerSecond).toBeGreaterThan(0);
      expect(first.lr).toBeCloseTo((optimizer === 'sgd' ? 0.2 : 0.02) * (9 / 10), 6); // last warm-up step 9 of 10
      net.dispose();
    }
  });

  it('commits BN running statistics with the recipe momentum after each step', async () => {
    // One batch, lr 0 (the first warm-up step): weights stay, running stats move once.
    const rows = [
      [1, 2],
      [3, -1],
      [0, 0.5],
      [-2, 1],
    ];
    const w = [
      [1, 0.5],
      [-1, 2],
    ];
    const net = handNetwork([{ id: 'fc', weight: w, bn: true }]);
    await trainNetwork(net, { train: arraySource(rows, [0, 1, 0, 1], false) }, {
      ...BASE_CONFIG,
      epochs: 1,
      batchSize: 4,
      warmupEpochs: 1,
      bnMomentum: 0.25,
    });
    // raw = x·W, per column: mean and unbiased variance over the 4 rows.
    const raw = rows.map((r) => [r[0]! * w[0]![0]! + r[1]! * w[1]![0]!, r[0]! * w[0]![1]! + r[1]! * w[1]![1]!]);
    const mean = [0, 1].map((j) => raw.reduce((s, r) => s + r[j]!, 0) / 4);
    const unbiased = [0, 1].map((j) => raw.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / 3);
    const running = net.bnRunning.get('fc.bn')!;
    expectClose(values(running.mean), mean.map((m) => 0.25 * m), 5);
    expectClose(values(running.variance), unbiased.map((v) => 0.75 + 0.25 * v), 4);
    expectClose(values(net.parameters.get('fc.weight')!), w.flat(), 7);
    net.dispose();
  });
});

describe('evaluate', () => {
  it('reports mean CE, accuracy and arg-max predictions in inference mode', () => {
    const rows = [
      [2, 1, 0],
      [0, 3, 1],
      [1, 0, 4],
      [5, 1, 2],
      [0, 1, 0.5],
    ];
    const labels = [0, 1, 1, 2, 1];
    const net = handNetwork([
      {
        id: 'classifier',
        weight: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      },
    ]);
    const before = tf.memory().numTensors;
    const result = evaluate(net, arraySource(rows, labels, false), 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(result.predictions!)).toEqual([0, 1, 2, 0, 1]);
    expect(result.accuracy).toBeCloseTo(3 / 5, 12);
    expect(result.loss).toBeCloseTo(meanCrossEntropy(rows, labels), 5);
    net.dispose();
  });
});
