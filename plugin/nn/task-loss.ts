/**
 * The training losses of the task kinds (nas-bench-360.md §3), on a network's 2-D output
 * `(batch, outputs)`. Classification keeps `crossEntropy` (loss.ts); the other kinds take float
 * targets of the output's shape.
 */
import { tf } from './tf.js';
import type { Tensor, Tensor1D, Tensor2D } from './tf.js';
import { crossEntropy } from './loss.js';

type Scalar = tf.Scalar;

/**
 * `cross-entropy`: int labels, mean over the batch (optional label smoothing).
 * `bce-logits`: 0/1 targets, binary cross-entropy with logits, mean over every output
 * (PyTorch's `BCEWithLogitsLoss`, used by FSD50K, DeepSEA, Cosmic). A negative target marks an
 * ignored output (Cosmic's ignore mask): as the reference's BCE(logits·(1 − ignore),
 * mask·(1 − ignore)), it counts as logit 0 against target 0 (a constant log 2, no gradient).
 * `mse`: mean over every output (PSICOV).
 * `relative-l2`: Σ over the batch of ‖û − u‖₂ / ‖u‖₂ per example (Darcy Flow's `LpLoss`,
 * `size_average=False`), on decoded outputs.
 */
export type LossKind = 'cross-entropy' | 'bce-logits' | 'mse' | 'relative-l2';

/** Per-output affine decoding value · scale + shift, applied before the loss. */
export interface OutputDecode {
  readonly scale: Float32Array;
  readonly shift: Float32Array;
}

export function decodeOutputs(outputs: Tensor2D, decode: OutputDecode | undefined): Tensor2D {
  if (decode === undefined) return outputs;
  return tf.tidy(() => tf.add(tf.mul(outputs, tf.tensor1d(decode.scale)), tf.tensor1d(decode.shift)) as Tensor2D);
}

export function taskLoss(
  kind: LossKind,
  outputs: Tensor2D,
  truth: Tensor,
  options: { readonly smoothing?: number; readonly decode?: OutputDecode } = {},
): Scalar {
  if (kind === 'cross-entropy') return crossEntropy(outputs, truth as Tensor1D, options.smoothing ?? 0);
  return tf.tidy(() => {
    const y = truth as Tensor2D;
    if (y.rank !== 2 || y.shape[0] !== outputs.shape[0] || y.shape[1] !== outputs.shape[1]) {
      throw new Error(`${kind} loss: targets [${y.shape.join(', ')}] do not match outputs [${outputs.shape.join(', ')}]`);
    }
    const out = decodeOutputs(outputs, options.decode);
    switch (kind) {
      case 'bce-logits': {
        const kept = tf.cast(tf.greaterEqual(y, 0), 'float32');
        const x = tf.mul(out, kept);
        const t = tf.mul(y, kept);
        // max(x, 0) − x·t + log(1 + exp(−|x|)): the numerically stable form.
        return tf.mean(tf.add(tf.sub(tf.relu(x), tf.mul(x, t)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))))) as Scalar;
      }
      case 'mse':
        return tf.mean(tf.square(tf.sub(out, y))) as Scalar;
      case 'relative-l2': {
        const diff = tf.sqrt(tf.sum(tf.square(tf.sub(out, y)), 1));
        const norm = tf.sqrt(tf.sum(tf.square(y), 1));
        return tf.sum(tf.div(diff, norm)) as Scalar;
      }
    }
  });
}
