/**
 * The task losses (nas-bench-360.md §3) against values worked by hand, the dense head against
 * its definition (1×1 conv with bias at the head's resolution, bilinear upsampling, NHWC
 * flattening), and training/evaluation with a non-classification loss.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { taskLoss } from '../../plugin/nn/task-loss.js';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor2D } from '../../plugin/nn/tf.js';
import { evaluate, trainNetwork, type BatchSource } from '../../plugin/nn/train.js';
import { archCost } from '../../plugin/space/cost.js';
import type { Arch, Cell } from '../../plugin/space/types.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const value = (t: Tensor): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};
const m = (rows: number[][]): Tensor2D => tf.tensor2d(rows);

describe('task losses (hand-worked)', () => {
  it('bce-logits: mean over outputs of log(1 + e^x) − x·y', () => {
    // [0, 2] vs [1, 0]: (log 2 − 0 + log(1 + e²)) / 2 = (0.6931472 + 2.1269280) / 2.
    const loss = tf.tidy(() => taskLoss('bce-logits', m([[0, 2]]), m([[1, 0]])));
    expect(value(loss)).toBeCloseTo((Math.LN2 + 2.126928011) / 2, 6);
    // Large logits stay finite (stable form): x = 100, y = 1 → ≈ 0; x = −100, y = 1 → 100.
    const extreme = tf.tidy(() => taskLoss('bce-logits', m([[100, -100]]), m([[1, 1]])));
    expect(value(extreme)).toBeCloseTo(50, 4);
  });

  it('bce-logits: a negative target is an ignored output (logit 0 against 0: log 2, no gradient)', () => {
    // Outputs (5, 0): the first is ignored (target −1) → log 2; the second log 2 − 0 → mean log 2.
    const loss = tf.tidy(() => taskLoss('bce-logits', m([[5, 0]]), m([[-1, 1]])));
    expect(value(loss)).toBeCloseTo(Math.LN2, 6);
    const grad = tf.tidy(() => tf.grad((x: Tensor) => taskLoss('bce-logits', x as Tensor2D, m([[-2, 1]])))(m([[5, 0]])));
    // d/dx of mean: ignored → 0; the other (σ(0) − 1)/2 = −0.25.
    expect(Array.from(grad.dataSync())).toEqual([0, -0.25]);
    grad.dispose();
  });

  it('mse: mean over every output', () => {
    // Squared errors 0, 4, 9, 0 → 13/4.
    const loss = tf.tidy(() => taskLoss('mse', m([[1, 2], [3, 4]]), m([[1, 0], [0, 4]])));
    expect(value(loss)).toBeCloseTo(3.25, 6);
  });

  it('relative-l2: sum over the batch of ‖û − u‖ / ‖u‖, after decoding', () => {
    // (3, 4) vs (0, 5): √(9 + 1)/5 = 0.6324555; (1, 1) vs (1, 1): 0.
    const loss = tf.tidy(() => taskLoss('relative-l2', m([[3, 4], [1, 1]]), m([[0, 5], [1, 1]])));
    expect(value(loss)).toBeCloseTo(Math.sqrt(10) / 5, 6);
    // Decoding value·scale + shift: (1, 2)·(2, 2) + (1, 0) = (3, 4), which matches the truth exactly.
    const decoded = tf.tidy(() =>
      taskLoss('relative-l2', m([[1, 2]]), m([[3, 4]]), { decode: { scale: Float32Array.of(2, 2), shift: Float32Array.of(1, 0) } }),
    );
    expect(value(decoded)).toBeCloseTo(0, 6);
  });

  it('refuses targets of another shape', () => {
    expect(() => tf.tidy(() => taskLoss('mse', m([[1, 2]]), m([[1, 2, 3]])))).toThrow(/targets \[1, 3\] do not match outputs \[1, 2\]/);
  });
});

/** Two 3×3 conv nodes in parallel between input and output (edges 0→1, 0→2, 1→7, 2→7). */
const EDGES = new Set(['0-1', '0-2', '1-7', '2-7']);
const convCell: Cell = {
  adj: Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (EDGES.has(`${i}-${j}`) ? 1 : 0))) as Cell['adj'],
  ops: ['conv', 'conv', 'conv', 'conv', 'conv', 'conv'],
  kernels: [3, 3, 3, 3, 3, 3],
};

function denseArch(stride: 1 | 2, height = 6, width = 5): Arch {
  return {
    input: { height, width, channels: 2 },
    numClasses: 3,
    stemStride: 1,
    se: false,
    headWidth: 8,
    head: 'dense',
    stages: [{ cell: convCell, channels: 8, stride, repeats: 1 }],
  };
}

describe('dense head', () => {
  it('has F·K + K classifier parameters, like the pooled head, and the cost model agrees', () => {
    for (const stride of [1, 2] as const) {
      const arch = denseArch(stride);
      const net = buildNetwork(arch, { seed: 3 });
      try {
        expect(net.parameters.get('classifier.weight')!.shape).toEqual([1, 1, 8, 3]);
        expect(net.parameters.get('classifier.bias')!.shape).toEqual([3]);
        expect(net.parameterCount()).toBe(archCost(arch).params);
        const pooled = archCost({ ...arch, head: undefined });
        expect(archCost(arch).params).toBe(pooled.params);
      } finally {
        net.dispose();
      }
    }
  });

  it('outputs H·W·K values per example; stride 1 = the per-pixel 1×1 conv of the head feature', () => {
    const arch = denseArch(1);
    const net = buildNetwork(arch, { seed: 5 });
    try {
      tf.tidy(() => {
        const x = tf.randomNormal([2, 6, 5, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
        let feature: Tensor | null = null;
        const { logits } = net.forward(x, { mode: 'infer', onFeature: (_id, f) => (feature = tf.keep(f)) });
        expect(logits.shape).toEqual([2, 6 * 5 * 3]);
        // Independent per-pixel product: out[n, r, c, k] = Σ_f feature[n, r, c, f]·W[f, k] + b[k].
        const f = feature!.arraySync() as number[][][][];
        const w = (net.parameters.get('classifier.weight')!.arraySync() as number[][][][])[0]![0]!;
        const b = net.parameters.get('classifier.bias')!.arraySync() as number[];
        const out = logits.dataSync();
        for (const [n, r, c, k] of [[0, 0, 0, 0], [1, 5, 4, 2], [0, 3, 2, 1]] as const) {
          let want = b[k]!;
          for (let j = 0; j < 8; j++) want += f[n]![r]![c]![j]! * w[j]![k]!;
          expect(out[n * 90 + (r * 5 + c) * 3 + k]).toBeCloseTo(want, 4);
        }
      });
    } finally {
      net.dispose();
    }
  });

  it('upsamples bilinearly to the input size when the network down-samples', () => {
    const arch = denseArch(2, 8, 8);
    const net = buildNetwork(arch, { seed: 9 });
    try {
      tf.tidy(() => {
        const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
        const { logits } = net.forward(x, { mode: 'infer' });
        expect(logits.shape).toEqual([1, 8 * 8 * 3]);
        // The cost model's trace names the same output count.
        expect(archCost(arch).params).toBe(net.parameterCount());
      });
    } finally {
      net.dispose();
    }
  });
});

describe('training with a task loss', () => {
  it('trains and evaluates a dense regression (mse) without leaking tensors; accuracy is NaN', async () => {
    const arch = denseArch(1, 4, 4);
    const net = buildNetwork(arch, { seed: 11 });
    const xs = Float32Array.from({ length: 4 * 16 * 2 }, (_, i) => Math.sin(i));
    const ys = Float32Array.from({ length: 4 * 48 }, (_, i) => Math.cos(i) / 2);
    const source: BatchSource = {
      size: 4,
      *batches() {
        yield { x: tf.tensor4d(xs, [4, 4, 4, 2]), y: tf.tensor2d(ys, [4, 48]) };
      },
    };
    try {
      const before = tf.memory().numTensors;
      const first = evaluate(net, source, 4, { loss: 'mse', keepOutputs: true });
      // Independent mse from the kept outputs.
      const out = first.outputs!;
      let sq = 0;
      for (let i = 0; i < out.length; i++) sq += (out[i]! - ys[i]!) ** 2;
      expect(first.loss).toBeCloseTo(sq / out.length, 5);
      expect(Number.isNaN(first.accuracy)).toBe(true);
      expect(first.predictions).toBeUndefined();
      const history = await trainNetwork(net, { train: source }, {
        epochs: 20, batchSize: 4, optimizer: 'adamw', lr: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0,
        schedule: 'constant', warmupEpochs: 0, labelSmoothing: 0, bnMomentum: 0.1, seed: 1, loss: 'mse',
      });
      expect(Number.isNaN(history.epochs[0]!.trainAccuracy)).toBe(true);
      const after = evaluate(net, source, 4, { loss: 'mse' });
      expect(after.loss).toBeLessThan(first.loss);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      net.dispose();
    }
  });
});
