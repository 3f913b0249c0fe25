/**
 * Classification losses (method.md §5.1 "CE averaged over the batch", §13 label smoothing).
 */
import { tf } from './tf.js';
import type { Tensor1D, Tensor2D } from './tf.js';

type Scalar = tf.Scalar;

/**
 * Soft targets y = (1 − ε)·onehot + ε/K (§13 **chosen**: the standard definition), as float32.
 * `labels` are int32 class indices.
 */
export function smoothedTargets(labels: Tensor1D, numClasses: number, smoothing = 0): Tensor2D {
  if (!(smoothing >= 0 && smoothing < 1)) throw new RangeError(`label smoothing must be in [0, 1), got ${smoothing}`);
  return tf.tidy(() => {
    const onehot = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32') as Tensor2D;
    if (smoothing === 0) return onehot;
    return tf.add(tf.mul(onehot, 1 - smoothing), smoothing / numClasses) as Tensor2D;
  });
}

/** Mean over the batch of −Σ_k y_k · log softmax(logits)_k for soft targets y (B×K). */
export function softCrossEntropy(logits: Tensor2D, targets: Tensor2D): Scalar {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbs), 1))) as Scalar;
  });
}

/** Cross-entropy of int32 labels averaged over the batch, with optional label smoothing. */
export function crossEntropy(logits: Tensor2D, labels: Tensor1D, smoothing = 0): Scalar {
  return tf.tidy(() => softCrossEntropy(logits, smoothedTargets(labels, logits.shape[1], smoothing)));
}

/** Number of rows whose arg-max equals the label, as an int32 scalar (kept on the device). */
export function correctCount(logits: Tensor2D, labels: Tensor1D): Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'int32')) as Scalar);
}
