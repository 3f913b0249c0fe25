/**
 * First-order gradients of a scalar with respect to arbitrary tensors (variables, plain weight
 * copies, input batches, probes), where a tensor the scalar does not depend on gets `null`
 * instead of an error. Real networks need this: an unused cell projection executes but feeds
 * nothing (method.md §3.1), and `tf.grads` refuses such inputs. Each call records a fresh tape,
 * so gradients never accumulate across calls (the per-batch zeroing ZiCo requires, §14 P18).
 */
import { tf } from '../nn/tf.js';
import type { Tensor } from '../nn/tf.js';

export interface GradientResult {
  readonly value: tf.Scalar;
  /** One entry per `xs` element, in order; null where the value does not depend on it. */
  readonly grads: ReadonlyArray<Tensor | null>;
}

/** ∂f/∂x for every x in `xs`. Call inside tf.tidy: the value and gradients join that scope. */
export function gradientsOf(f: () => tf.Scalar, xs: readonly Tensor[]): GradientResult {
  if (xs.length === 0) throw new Error('gradientsOf: no tensors to differentiate with respect to');
  const { value, grads } = tf.engine().gradients(f, [...xs], undefined, true);
  if (value.rank !== 0) throw new Error(`gradientsOf: expected a scalar, got shape [${value.shape.join(', ')}]`);
  return { value: value as tf.Scalar, grads: grads.map((g) => g ?? null) };
}
