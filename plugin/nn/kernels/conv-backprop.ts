/**
 * Gradients of conv2d and depthwiseConv2d (NHWC) written with forward kernels only, so they run
 * on backends that lack the backprop kernels (wasm) and support dilations, which tfjs-core's own
 * gradients reject on every backend.
 *
 * Each gradient is one big forward op, because on wasm forward convs and untransposed matMuls
 * run through XNNPACK while slices, strided slices and transposed matMuls are scalar loops:
 *
 * - Filter gradients correlate the padded input with dy. With the batch moved into the channel
 *   axis that correlation is itself a forward conv whose "filter" is dy: input x transposed to
 *   [Cin, H, W, N], filter dy transposed to [outH, outW, N, Cout], strides = the forward
 *   dilations and dilations = the forward strides, output [Cin, kh, kw, Cout]. The depthwise
 *   case is a depthwise conv over [1, H, W, N·C] followed by a sum over N. A 1×1 conv is a
 *   single matMul of the subsampled input with dy.
 * - Input gradients are one forward conv: dy zero-inserted by the strides, padded, and
 *   correlated (stride 1, same dilation) with the spatially flipped filter; a 1×1 stride-1 conv
 *   is a 1×1 conv of dy with the in/out-transposed filter.
 */
import { tf } from '../tf.js';
import type { Tensor4D } from '../tf.js';
import type { ConvGeometry } from './geometry.js';
import { fullCorrelationInput, padForWindows, subsample } from './spatial.js';

function isPointwise(g: ConvGeometry): boolean {
  return g.filterHeight === 1 && g.filterWidth === 1;
}

/** A 1×1 conv with stride 1 whose padding leaves the spatial size unchanged: a plain matMul. */
function isPlainPointwise(g: ConvGeometry): boolean {
  return (
    isPointwise(g) &&
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    g.outHeight === g.inHeight &&
    g.outWidth === g.inWidth
  );
}

/** The [N, outH, outW, C] input entries a 1×1 kernel multiplies: the padded input, subsampled. */
function pointwiseWindow(x: Tensor4D, g: ConvGeometry): Tensor4D {
  return subsample(padForWindows(x, g), g.strideHeight, g.strideWidth, g.outHeight, g.outWidth);
}

/**
 * The first kh × kw taps of a batch-in-channels correlation. Its output has one extra row per
 * `dilation` rows of input beyond what the last tap reads (e.g. a stride-2 'valid' conv over an
 * even size); cropping that small output is cheaper than cropping the input.
 */
function leadingTaps(t: Tensor4D, kh: number, kw: number): Tensor4D {
  const [a, h, w, b] = t.shape;
  return h === kh && w === kw ? t : tf.slice(t, [0, 0, 0, 0], [a, kh, kw, b]);
}

/** dL/dW for conv2d: W is [kh, kw, Cin, Cout]. */
export function conv2dFilterGradient(x: Tensor4D, dy: Tensor4D, g: ConvGeometry): Tensor4D {
  return tf.tidy(() => {
    const inChannels = x.shape[3];
    const outChannels = dy.shape[3];
    if (isPointwise(g)) {
      const rows = dy.shape[0] * g.outHeight * g.outWidth;
      // dWᵀ = dyᵀ·x keeps both matMul operands untransposed (XNNPACK); the [Cout, Cin] result is tiny.
      const dyT = tf.transpose(tf.reshape(dy, [rows, outChannels]));
      const window = tf.reshape(pointwiseWindow(x, g), [rows, inChannels]);
      return tf.reshape(tf.transpose(tf.matMul(dyT, window)), [1, 1, inChannels, outChannels]);
    }
    const channelsAsBatch = tf.transpose(padForWindows(x, g), [3, 1, 2, 0]) as Tensor4D;
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D;
    const perInChannel = tf.conv2d(
      channelsAsBatch,
      dyAsFilter,
      [g.dilationHeight, g.dilationWidth],
      'valid',
      'NHWC',
      [g.strideHeight, g.strideWidth],
    );
    return tf.transpose(leadingTaps(perInChannel, g.filterHeight, g.filterWidth), [1, 2, 0, 3]) as Tensor4D;
  });
}

/** dL/dx for conv2d, given the forward input's shape through `g`. */
export function conv2dInputGradient(dy: Tensor4D, filter: Tensor4D, g: ConvGeometry): Tensor4D {
  return tf.tidy(() => {
    const transposed = tf.transpose(filter, [0, 1, 3, 2]) as Tensor4D;
    if (isPlainPointwise(g)) return tf.conv2d(dy, transposed, 1, 'valid');
    const adjointFilter = tf.reverse(transposed, [0, 1]) as Tensor4D;
    return tf.conv2d(fullCorrelationInput(dy, g), adjointFilter, 1, 'valid', 'NHWC', [
      g.dilationHeight,
      g.dilationWidth,
    ]);
  });
}

/** dL/dW for depthwiseConv2d: W is [kh, kw, C, multiplier]; dy channel c·m + q uses W[.., c, q]. */
export function depthwiseFilterGradient(x: Tensor4D, dy: Tensor4D, g: ConvGeometry): Tensor4D {
  return tf.tidy(() => {
    const [batch, , , channels] = x.shape;
    const multiplier = dy.shape[3] / channels;
    if (isPointwise(g) && multiplier === 1) {
      return tf.reshape(tf.sum(tf.mul(pointwiseWindow(x, g), dy), [0, 1, 2]), [1, 1, channels, 1]);
    }
    const xPadded = padForWindows(x, g);
    const [, height, width] = xPadded.shape;
    const batchAsChannels = tf.reshape(tf.transpose(xPadded, [1, 2, 0, 3]), [1, height, width, batch * channels]);
    const dyAsFilter = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [
      g.outHeight,
      g.outWidth,
      batch * channels,
      multiplier,
    ]);
    const perImage = tf.depthwiseConv2d(
      batchAsChannels as Tensor4D,
      dyAsFilter as Tensor4D,
      [g.dilationHeight, g.dilationWidth],
      'valid',
      'NHWC',
      [g.strideHeight, g.strideWidth],
    );
    const taps = leadingTaps(perImage, g.filterHeight, g.filterWidth);
    const summed = tf.sum(tf.reshape(taps, [g.filterHeight, g.filterWidth, batch, channels * multiplier]), 2);
    return tf.reshape(summed, [g.filterHeight, g.filterWidth, channels, multiplier]);
  });
}

/** dL/dx for depthwiseConv2d, given the forward input's shape through `g`. */
export function depthwiseInputGradient(dy: Tensor4D, filter: Tensor4D, g: ConvGeometry): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, channels, multiplier] = filter.shape;
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, channels * multiplier, 1]) as Tensor4D;
    const perOutputChannel = tf.depthwiseConv2d(fullCorrelationInput(dy, g), flipped, 1, 'valid', 'NHWC', [
      g.dilationHeight,
      g.dilationWidth,
    ]);
    if (multiplier === 1) return perOutputChannel;
    const [batch, height, width] = perOutputChannel.shape;
    return tf.sum(tf.reshape(perOutputChannel, [batch, height, width, channels, multiplier]), 4) as Tensor4D;
  });
}
