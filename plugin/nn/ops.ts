/**
 * Parameter-free tensor primitives for the functional network (method.md §15.3), NHWC.
 *
 * Every function here is differentiable with the gradients tfjs registers (pad, slice, reshape,
 * avgPool, conv2d, depthwiseConv2d at dilation 1, element-wise arithmetic), so a forward pass
 * built from them can run inside tf.grad / tf.variableGrads.
 */
import { tf } from './tf.js';
import type { Tensor, Tensor1D, Tensor4D } from './tf.js';

/** Zero-pads H and W by `p` on both sides (symmetric, as PyTorch's padding argument). */
export function padSpatial(x: Tensor4D, p: number): Tensor4D {
  if (p === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ]);
}

/** Output length of a conv/pool along one axis (PyTorch formula). */
export function convOutputSize(size: number, kernel: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Dense 2-D convolution with explicit symmetric padding; filter [k, k, cin, cout]. */
export function conv2d(x: Tensor4D, filter: Tensor4D, stride: number, pad: number): Tensor4D {
  return tf.conv2d(padSpatial(x, pad), filter, stride, 'valid');
}

/**
 * Rows and columns 0, 2, 4, … of x: what a stride-2 window sees at stride 1. A 1×1 average pool
 * with stride 2 reads exactly those entries and divides by 1, so it is exact; it is
 * differentiable on every backend (tfjs's stridedSlice has no gradient) and on wasm runs through
 * XNNPACK, where slice and stridedSlice are scalar loops.
 */
export function takeEverySecond(x: Tensor4D): Tensor4D {
  return tf.avgPool(x, 1, 2, 'valid');
}

/**
 * Depthwise convolution (channel multiplier 1, filter [k, k, c, 1]) with explicit symmetric
 * padding. tfjs rejects dilation > 1 together with stride > 1, so that case runs at stride 1
 * and keeps every second row and column starting at 0, which is exactly the strided output
 * (for even dilations the input is subsampled before the conv instead, see below).
 */
export function depthwiseConv2d(
  x: Tensor4D,
  filter: Tensor4D,
  stride: number,
  pad: number,
  dilation: number,
): Tensor4D {
  const padded = padSpatial(x, pad);
  if (dilation > 1 && stride > 1) {
    if (stride !== 2) throw new Error(`depthwiseConv2d: dilated convolution supports stride 1 or 2, got ${stride}`);
    if (dilation % 2 === 0) {
      // Output y reads padded rows 2y + dilation·a = 2(y + (dilation/2)·a): only even rows, so
      // subsampling first and convolving at dilation/2 gives the same values for a quarter of the work.
      return tf.depthwiseConv2d(takeEverySecond(padded), filter, 1, 'valid', 'NHWC', dilation / 2);
    }
    return takeEverySecond(tf.depthwiseConv2d(padded, filter, 1, 'valid', 'NHWC', dilation));
  }
  return tf.depthwiseConv2d(padded, filter, stride, 'valid', 'NHWC', dilation);
}

/**
 * Average pooling with symmetric zero padding ⌊k/2⌋ **excluded** from the average
 * (PyTorch count_include_pad = false): the pooled sum divided by the pooled count map.
 */
export function avgPoolExcludingPadding(x: Tensor4D, kernel: number, stride: number): Tensor4D {
  const pad = Math.floor(kernel / 2);
  if (pad === 0) {
    return stride === 1 ? x : tf.avgPool(x, 1, stride, 'valid');
  }
  const [, h, w] = x.shape;
  // Both pools divide by k²; their ratio is sum(real pixels) / count(real pixels).
  const pooled = tf.avgPool(padSpatial(x, pad), kernel, stride, 'valid');
  const coverage = tf.avgPool(padSpatial(tf.ones([1, h, w, 1]), pad), kernel, stride, 'valid');
  return tf.div(pooled, coverage);
}

/** Per-channel mean and biased variance over N, H, W (what BN normalises with in training). */
export function channelMoments(x: Tensor4D): { mean: Tensor1D; variance: Tensor1D } {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return { mean: mean as Tensor1D, variance: variance as Tensor1D };
}

/** Biased → unbiased variance for `count` samples per channel (Bessel's correction). */
export function unbiasedVariance(biased: Tensor1D, count: number): Tensor1D {
  if (count < 2) {
    throw new Error(`batch norm in train mode needs more than 1 value per channel, got ${count}`);
  }
  return tf.mul(biased, count / (count - 1));
}

/**
 * y = (x − mean)/√(variance + ε)·γ + β, folded into one scale and one shift per channel.
 * γ and β are null for non-affine BN.
 */
export function batchNormalize(
  x: Tensor4D,
  mean: Tensor,
  variance: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
): Tensor4D {
  const invStd = tf.rsqrt(tf.add(variance, epsilon));
  const scale = gamma === null ? invStd : tf.mul(invStd, gamma);
  const shifted = tf.neg(tf.mul(mean, scale));
  const shift = beta === null ? shifted : tf.add(shifted, beta);
  return tf.add(tf.mul(x, scale), shift);
}

/** Global average pooling over H and W, keeping them as 1×1 (for SE). */
export function globalAvgPoolKeepDims(x: Tensor4D): Tensor4D {
  return tf.mean(x, [1, 2], true) as Tensor4D;
}
