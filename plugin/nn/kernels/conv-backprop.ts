/**
 * Gradients of conv2d and depthwiseConv2d (NHWC) written with forward kernels only, so they run
 * on backends that lack the backprop kernels (wasm) and support dilations, which tfjs-core's own
 * gradients reject on every backend.
 *
 * Filter gradients loop over the k² kernel taps: tap (i, j) reads one strided window of the
 * padded input and contracts it with dy. Only one window is alive at a time, so memory stays at
 * about one input's size instead of a k²-times-input im2col matrix.
 *
 * Input gradients are one forward conv: dy zero-inserted by the strides, padded, and correlated
 * (stride 1, same dilation) with the spatially flipped filter.
 */
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import type { ConvGeometry } from './geometry.js';
import { fullCorrelationInput, padForWindows, windowAt } from './spatial.js';

/** Runs `tap(i, j)` for every kernel offset, each in its own tidy, and stacks the results. */
function stackTaps(g: ConvGeometry, tap: (i: number, j: number) => Tensor): Tensor {
  const taps: Tensor[] = [];
  for (let i = 0; i < g.filterHeight; i++) {
    for (let j = 0; j < g.filterWidth; j++) {
      taps.push(tf.tidy(() => tap(i, j)));
    }
  }
  const stacked = tf.stack(taps);
  tf.dispose(taps);
  return stacked;
}

/** dL/dW for conv2d: W is [kh, kw, Cin, Cout]. */
export function conv2dFilterGradient(x: Tensor4D, dy: Tensor4D, g: ConvGeometry): Tensor4D {
  return tf.tidy(() => {
    const inChannels = x.shape[3];
    const outChannels = dy.shape[3];
    const rows = dy.shape[0] * g.outHeight * g.outWidth;
    const dyMatrix = tf.reshape(dy, [rows, outChannels]);
    const xPadded = padForWindows(x, g);
    const taps = stackTaps(g, (i, j) =>
      tf.matMul(tf.reshape(windowAt(xPadded, g, i, j), [rows, inChannels]), dyMatrix, true, false),
    );
    return tf.reshape(taps, [g.filterHeight, g.filterWidth, inChannels, outChannels]);
  });
}

/** dL/dx for conv2d, given the forward input's shape through `g`. */
export function conv2dInputGradient(dy: Tensor4D, filter: Tensor4D, g: ConvGeometry): Tensor4D {
  return tf.tidy(() => {
    const adjointFilter = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
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
    const xPadded = padForWindows(x, g);
    const dyPerChannel =
      multiplier === 1 ? dy : tf.reshape(dy, [batch, g.outHeight, g.outWidth, channels, multiplier]);
    const taps = stackTaps(g, (i, j) => {
      const window = windowAt(xPadded, g, i, j);
      const product =
        multiplier === 1 ? tf.mul(window, dyPerChannel) : tf.mul(tf.expandDims(window, 4), dyPerChannel);
      return tf.sum(product, [0, 1, 2]);
    });
    return tf.reshape(taps, [g.filterHeight, g.filterWidth, channels, multiplier]);
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
