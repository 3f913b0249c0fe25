/**
 * Gradient checkpointing (recomputation) for one segment of a forward pass: the segment's forward
 * runs inside a tf.customGrad, so the gradient tape records a single node whose only saved
 * tensors are the segment's inputs (its input activation, the parameters and probes it reads).
 * Its intermediates are freed as soon as the forward leaves the segment. In the backward pass the
 * segment's forward is run again on a fresh first-order tape and differentiated there, with the
 * incoming gradient as seed; the recomputed intermediates are freed before the next segment's
 * backward starts. Only first-order gradients are used (design.md §4: never nested tf.grad).
 */
import { tf } from './tf.js';
import type { Tensor, Tensor4D } from './tf.js';

/**
 * ∂(Σ dy ⊙ f(xs))/∂xs on a fresh tape, callable from inside a gradient function.
 *
 * tfjs keeps one global tape: a gradient call started while the outer backward pass runs (tape
 * depth 0) replaces the engine's `activeTape` with its own and sets it to null when done, after
 * which the outer `gradients` call fails to release its saved tensors (TypeError on null). The
 * outer tape's nodes are not touched by the inner call (the outer pass iterates its own filtered
 * copy), so restoring the reference afterwards is all that is needed. A tensor of `xs` that `f`
 * does not depend on gets a zero gradient (customGrad needs one tensor per input).
 */
export function gradientsOnFreshTape(f: () => Tensor, xs: readonly Tensor[], dy: Tensor): Tensor[] {
  const engine = tf.engine();
  const outerTape = engine.state.activeTape;
  try {
    return tf.tidy(() => {
      const { grads } = engine.gradients(f, [...xs], dy, true);
      return xs.map((x, i) => grads[i] ?? tf.zerosLike(x));
    });
  } finally {
    engine.state.activeTape = outerTape;
  }
}

/**
 * A recomputable segment: `run` is the forward as it happens in the pass (it may report taps and
 * statistics), `rerun` the same computation for the backward pass, without side effects, on the
 * saved copies of the inputs (in the order given). `targets` names, per input, the tensor
 * `rerun` actually reads for it (default: the saved copy), which is what gets differentiated;
 * an input still alive at backward time may be read directly, e.g. by a closure.
 */
export interface Segment {
  run(inputs: readonly Tensor[]): Tensor4D;
  rerun(saved: readonly Tensor[]): Tensor4D;
  targets?(saved: readonly Tensor[]): Tensor[];
}

/**
 * Applies `segment` to `inputs` (activation first, then every tensor the segment reads that may
 * need a gradient). Gradients flow to every input; tensors the segment reads but that are not in
 * `inputs` are treated as constants.
 */
export function checkpointed(segment: Segment, inputs: readonly Tensor[]): Tensor4D {
  const op = tf.customGrad((...args: Array<Tensor | ((tensors: Tensor[]) => void)>) => {
    const save = args[args.length - 1] as (tensors: Tensor[]) => void;
    const given = args.slice(0, -1) as Tensor[];
    // Saved (as kept clones) only while a tape records; released by the outer gradient call.
    save(given);
    const value = segment.run(given);
    return {
      value,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) =>
        gradientsOnFreshTape(() => segment.rerun(saved), segment.targets?.(saved) ?? saved, Array.isArray(dy) ? dy[0]! : dy),
    };
  });
  return op(...inputs) as Tensor4D;
}
