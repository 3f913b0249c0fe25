/**
 * The gradient of StridedSlice, which tfjs-core does not define: dy is written back into an
 * input-shaped tensor of zeros at the positions the slice read. Per axis that is a zero
 * insertion by |stride| followed by padding to the read's start, after reversing the axis when
 * the stride is negative. Needed for the stride-2 dilated conv, computed as the stride-1 conv
 * followed by taking every second row and column (method.md §15.3).
 */
import { tf } from '../tf.js';
import type { Tensor } from '../tf.js';
import { zeroInsert } from './spatial.js';

/** Number of elements a begin/end/stride triple reads along one axis (after normalisation). */
function readLength(begin: number, end: number, stride: number): number {
  const span = stride > 0 ? end - begin : begin - end;
  return Math.max(0, Math.ceil(span / Math.abs(stride)));
}

export function stridedSliceBackprop(dy: Tensor, xShape: readonly number[], attrs: tf.StridedSliceAttrs): Tensor {
  if (attrs.newAxisMask !== 0) {
    throw new Error('StridedSlice gradient: newAxisMask is not supported');
  }
  const info = tf.slice_util.sliceInfo(
    [...xShape],
    attrs.begin,
    attrs.end,
    attrs.strides,
    attrs.beginMask,
    attrs.endMask,
    attrs.ellipsisMask,
    attrs.newAxisMask,
    attrs.shrinkAxisMask,
  );
  if (info.begin.length !== xShape.length) {
    throw new Error(`StridedSlice gradient: cannot map the slice spec onto input shape [${xShape}]`);
  }
  const lengths = xShape.map((_, axis) => readLength(info.begin[axis]!, info.end[axis]!, info.strides[axis]!));
  if (lengths.some((n) => n === 0)) return tf.zeros([...xShape]);
  return tf.tidy(() => {
    let grad = tf.reshape(dy, lengths);
    for (let axis = 0; axis < xShape.length; axis++) {
      const n = lengths[axis]!;
      const stride = info.strides[axis]!;
      const step = Math.abs(stride);
      const first = stride > 0 ? info.begin[axis]! : info.begin[axis]! + (n - 1) * stride;
      if (stride < 0) grad = tf.reverse(grad, axis);
      grad = zeroInsert(grad, axis, step);
      const after = xShape[axis]! - first - ((n - 1) * step + 1);
      if (first !== 0 || after !== 0) {
        const padding: [number, number][] = xShape.map(() => [0, 0]);
        padding[axis] = [first, after];
        grad = tf.pad(grad, padding);
      }
    }
    return grad;
  });
}

/** Registers the gradient unless tfjs already has one. Idempotent. */
export function registerStridedSliceGradient(): void {
  if (tf.getGradient(tf.StridedSlice) !== undefined) return;
  tf.registerGradient({
    kernelName: tf.StridedSlice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const upstream = Array.isArray(dy) ? dy[0] : dy;
      if (x === undefined || upstream === undefined) throw new Error('StridedSlice gradient: missing saved input');
      return { x: () => stridedSliceBackprop(upstream, x.shape, attrs as unknown as tf.StridedSliceAttrs) };
    },
  });
}
