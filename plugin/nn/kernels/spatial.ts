/**
 * Shape plumbing shared by the backprop compositions: zero insertion (the adjoint of a strided
 * read), padding that may be negative (a crop), and the input window a kernel offset sees.
 * Everything here uses forward kernels every backend has (reshape, pad, slice, stridedSlice).
 */
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import type { ConvGeometry } from './geometry.js';

/**
 * Inserts `step − 1` zeros between consecutive entries along `axis`: an axis of length n becomes
 * (n − 1)·step + 1, with the input at positions 0, step, 2·step, …
 */
export function zeroInsert<T extends Tensor>(t: T, axis: number, step: number): T {
  const n = t.shape[axis]!;
  if (step === 1 || n === 0) return t;
  const withUnit = [...t.shape.slice(0, axis + 1), 1, ...t.shape.slice(axis + 1)];
  const padding: [number, number][] = withUnit.map(() => [0, 0]);
  padding[axis + 1] = [0, step - 1];
  const spread = tf.pad(tf.reshape(t, withUnit), padding);
  const merged = [...t.shape];
  merged[axis] = n * step;
  const begin = t.shape.map(() => 0);
  const size = [...t.shape];
  size[axis] = (n - 1) * step + 1;
  return tf.slice(tf.reshape(spread, merged), begin, size) as T;
}

/** Pads H and W by the given amounts; negative amounts crop instead. */
export function padOrCrop(t: Tensor4D, top: number, bottom: number, left: number, right: number): Tensor4D {
  const [n, h, w, c] = t.shape;
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  let out = t;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    out = tf.slice(out, [0, cropTop, cropLeft, 0], [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  }
  const padTop = Math.max(0, top);
  const padBottom = Math.max(0, bottom);
  const padLeft = Math.max(0, left);
  const padRight = Math.max(0, right);
  if (padTop + padBottom + padLeft + padRight > 0) {
    out = tf.pad(out, [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ]);
  }
  return out;
}

/**
 * The forward input padded exactly as far as the last kernel offset reads (top/left as the
 * forward pass padded; bottom/right as far as needed, which also covers 'ceil' rounding).
 */
export function padForWindows(x: Tensor4D, g: ConvGeometry): Tensor4D {
  const neededHeight = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
  const neededWidth = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
  const bottom = Math.max(0, neededHeight - g.padTop - g.inHeight);
  const right = Math.max(0, neededWidth - g.padLeft - g.inWidth);
  return padOrCrop(x, g.padTop, bottom, g.padLeft, right);
}

/**
 * Rows 0, sh, 2·sh, … and columns 0, sw, 2·sw, … of t, outHeight × outWidth of them. A 1×1
 * average pool with stride (sh, sw) reads exactly those entries and divides by 1, so it is exact;
 * wasm runs it through XNNPACK, where stridedSlice is a scalar loop and slice a JS loop.
 */
export function subsample(t: Tensor4D, sh: number, sw: number, outHeight: number, outWidth: number): Tensor4D {
  const [n, h, w, c] = t.shape;
  const needHeight = (outHeight - 1) * sh + 1;
  const needWidth = (outWidth - 1) * sw + 1;
  const fitted = h === needHeight && w === needWidth ? t : tf.slice(t, [0, 0, 0, 0], [n, needHeight, needWidth, c]);
  if (sh === 1 && sw === 1) return fitted;
  return tf.avgPool(fitted, 1, [sh, sw], 'valid');
}

/**
 * dy zero-inserted by the strides and padded so that a stride-1 'valid' correlation with the
 * spatially flipped, dilated filter yields exactly the forward input's H × W: the adjoint of the
 * forward conv written as another forward conv. Both axes are spread by one rank-5 pad (each
 * entry followed by stride − 1 zeros), whose trailing zeros count towards the bottom/right pad.
 */
export function fullCorrelationInput(dy: Tensor4D, g: ConvGeometry): Tensor4D {
  const [n, outHeight, outWidth, c] = dy.shape;
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  const spread =
    sh === 1 && sw === 1
      ? dy
      : (tf.reshape(
          tf.pad(tf.reshape(dy, [n * outHeight, 1, outWidth, 1, c]), [
            [0, 0],
            [0, sh - 1],
            [0, 0],
            [0, sw - 1],
            [0, 0],
          ]),
          [n, outHeight * sh, outWidth * sw, c],
        ) as Tensor4D);
  const effectiveHeight = (g.filterHeight - 1) * g.dilationHeight + 1;
  const effectiveWidth = (g.filterWidth - 1) * g.dilationWidth + 1;
  const top = effectiveHeight - 1 - g.padTop;
  const left = effectiveWidth - 1 - g.padLeft;
  const bottom = g.inHeight + effectiveHeight - 1 - spread.shape[1] - top;
  const right = g.inWidth + effectiveWidth - 1 - spread.shape[2] - left;
  return padOrCrop(spread, top, bottom, left, right);
}
