/**
 * MovingBatchNorm1d of the likelihood chain (method.md §9.3). The transform always uses the
 * running mean m and variance v as they stand *before* the current batch (constants, no
 * gradient); `update` then moves them towards the batch statistics with decay 0.1 and the
 * unbiased batch variance. The learnable log-scale w and bias β start at 0; m at 0, v at 1.
 *
 *   forward:  y = (x − m)/√(v + ε)·e^w + β,     log-det = Σ_d (−½ log(v_d + ε) + w_d)
 *   inverse:  x = (y − β)·e^{−w}·√(v + ε) + m
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Variable } from '../nn/tf.js';
import { uniqueName } from './concat-squash.js';

export const MOVING_BN_EPSILON = 1e-4;
export const MOVING_BN_DECAY = 0.1;

export class MovingBatchNorm {
  readonly logScale: Variable;
  readonly bias: Variable;
  private mean: Float32Array;
  private variance: Float32Array;

  constructor(
    readonly prefix: string,
    readonly dim: number,
    init?: { logScale: Float32Array; bias: Float32Array; runningMean: Float32Array; runningVar: Float32Array },
  ) {
    this.logScale = tf.variable(tf.tensor1d(init?.logScale ?? new Float32Array(dim)), true, uniqueName(`${prefix}.logScale`));
    this.bias = tf.variable(tf.tensor1d(init?.bias ?? new Float32Array(dim)), true, uniqueName(`${prefix}.bias`));
    this.mean = Float32Array.from(init?.runningMean ?? new Float32Array(dim));
    this.variance = Float32Array.from(init?.runningVar ?? new Float32Array(dim).fill(1));
  }

  get runningMean(): Float32Array {
    return Float32Array.from(this.mean);
  }

  get runningVar(): Float32Array {
    return Float32Array.from(this.variance);
  }

  /** y and the (scalar, per-sample) log-determinant of x: [n, dim] ↦ y. */
  forward(x: Tensor): { y: Tensor; logDet: Tensor } {
    return tf.tidy(() => {
      const m = tf.tensor1d(this.mean);
      const v = tf.add(tf.tensor1d(this.variance), MOVING_BN_EPSILON);
      const y = tf.add(tf.mul(tf.div(tf.sub(x, m), tf.sqrt(v)), tf.exp(this.logScale)), this.bias);
      const logDet = tf.sum(tf.sub(this.logScale, tf.mul(tf.log(v), 0.5)));
      return { y, logDet };
    });
  }

  inverse(y: Tensor): Tensor {
    return tf.tidy(() => {
      const m = tf.tensor1d(this.mean);
      const v = tf.add(tf.tensor1d(this.variance), MOVING_BN_EPSILON);
      return tf.add(tf.mul(tf.mul(tf.sub(y, this.bias), tf.exp(tf.neg(this.logScale))), tf.sqrt(v)), m);
    });
  }

  /** Running-statistics update from this batch's input x: [n, dim] (n ≥ 2), on the host. */
  update(x: Tensor): void {
    const [n, d] = x.shape as [number, number];
    if (n < 2) throw new RangeError(`MovingBatchNorm ${this.prefix}: the unbiased variance needs a batch of at least 2`);
    const data = x.dataSync();
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += data[i * d + j]!;
      const mu = sum / n;
      let sq = 0;
      for (let i = 0; i < n; i++) sq += (data[i * d + j]! - mu) ** 2;
      const variance = sq / (n - 1);
      this.mean[j] = this.mean[j]! - MOVING_BN_DECAY * (this.mean[j]! - mu);
      this.variance[j] = this.variance[j]! - MOVING_BN_DECAY * (this.variance[j]! - variance);
    }
  }

  setRunning(mean: Float32Array, variance: Float32Array): void {
    this.mean = Float32Array.from(mean);
    this.variance = Float32Array.from(variance);
  }

  dispose(): void {
    this.logScale.dispose();
    this.bias.dispose();
  }
}
