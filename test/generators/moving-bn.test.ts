import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { MovingBatchNorm } from '../../plugin/generators/moving-bn.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('MovingBatchNorm1d (method.md §9.3)', () => {
  it('transforms with the running statistics, gives the hand log-det and inverts exactly', () => {
    const bn = new MovingBatchNorm('bn', 2, {
      logScale: Float32Array.of(0.5, -0.25),
      bias: Float32Array.of(1, -2),
      runningMean: Float32Array.of(0.5, -1),
      runningVar: Float32Array.of(4, 0.25),
    });
    const x = tf.tensor2d([
      [1, 0],
      [3, -3],
    ]);
    const { y, logDet } = bn.forward(x);
    const rows = y.arraySync() as number[][];
    // y = (x − m)/√(v + 1e-4)·e^w + β, by hand for each entry.
    const expectY = (xv: number, m: number, v: number, w: number, b: number) => ((xv - m) / Math.sqrt(v + 1e-4)) * Math.exp(w) + b;
    expect(rows[0]![0]).toBeCloseTo(expectY(1, 0.5, 4, 0.5, 1), 5);
    expect(rows[0]![1]).toBeCloseTo(expectY(0, -1, 0.25, -0.25, -2), 5);
    expect(rows[1]![0]).toBeCloseTo(expectY(3, 0.5, 4, 0.5, 1), 5);
    expect(rows[1]![1]).toBeCloseTo(expectY(-3, -1, 0.25, -0.25, -2), 5);
    const hand = -0.5 * Math.log(4 + 1e-4) + 0.5 - 0.5 * Math.log(0.25 + 1e-4) - 0.25;
    expect(logDet.dataSync()[0]!).toBeCloseTo(hand, 5);
    const back = bn.inverse(y).arraySync() as number[][];
    expect(back[0]![0]).toBeCloseTo(1, 5);
    expect(back[1]![1]).toBeCloseTo(-3, 5);
    tf.dispose([x, y, logDet]);
    bn.dispose();
  });

  it('updates the running statistics after the batch with decay 0.1 and the unbiased variance', () => {
    const bn = new MovingBatchNorm('bn', 1);
    expect(Array.from(bn.runningMean)).toEqual([0]);
    expect(Array.from(bn.runningVar)).toEqual([1]);
    const x = tf.tensor2d([[1], [2], [6]]);
    // Before the update the transform uses m = 0, v = 1.
    const { y, logDet } = bn.forward(x);
    expect(y.dataSync()[2]!).toBeCloseTo(6 / Math.sqrt(1 + 1e-4), 5);
    bn.update(x);
    // Batch mean 3, unbiased variance ((−2)² + (−1)² + 3²)/2 = 7.
    expect(bn.runningMean[0]!).toBeCloseTo(0 - 0.1 * (0 - 3), 6);
    expect(bn.runningVar[0]!).toBeCloseTo(1 - 0.1 * (1 - 7), 6);
    const after = bn.forward(x);
    expect(after.y.dataSync()[2]!).toBeCloseTo((6 - 0.3) / Math.sqrt(1.6 + 1e-4), 5);
    tf.dispose([x, y, logDet, after.y, after.logDet]);
    bn.dispose();
  });
});
