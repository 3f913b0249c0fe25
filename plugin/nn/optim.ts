/**
 * Optimisers written directly on tfjs variables (method.md §13), rather than tf.train, so that
 * weight decay reaches exactly the parameters a Network lists in `decayed` (conv and linear
 * weights; BN parameters and biases excluded) and the rate can change every step.
 *
 * - SGD follows PyTorch: d = g + λ·p (decayed only); v ← μ·v + d (v starts at d);
 *   update = d + μ·v (Nesterov) or v; p ← p − lr·update.
 * - AdamW follows Loshchilov & Hutter / PyTorch: p ← p·(1 − lr·λ) (decayed only);
 *   m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − lr·(m/(1 − β1^t)) / (√(v/(1 − β2^t)) + ε).
 */
import { tf } from './tf.js';
import type { Tensor, Variable } from './tf.js';

export interface Optimizer {
  /**
   * Applies one update from gradients keyed like the parameters. Parameters without a gradient
   * are left alone (no decay either, as in PyTorch). The caller owns and disposes `grads`.
   */
  step(grads: ReadonlyMap<string, Tensor>, lr: number): void;
  dispose(): void;
}

export interface SgdOptions {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
}

export interface AdamWOptions {
  readonly weightDecay: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

function parameter(params: ReadonlyMap<string, Variable>, key: string): Variable {
  const p = params.get(key);
  if (p === undefined) throw new Error(`optimizer: gradient for unknown parameter ${key}`);
  return p;
}

export function sgd(params: ReadonlyMap<string, Variable>, decayed: ReadonlySet<string>, options: SgdOptions): Optimizer {
  const { momentum, nesterov, weightDecay } = options;
  if (nesterov && momentum <= 0) throw new RangeError('optimizer: Nesterov momentum needs momentum > 0');
  const buffers = new Map<string, Variable>();
  return {
    step(grads, lr) {
      tf.tidy(() => {
        for (const [key, g] of grads) {
          const p = parameter(params, key);
          const d = weightDecay !== 0 && decayed.has(key) ? tf.add(g, tf.mul(p, weightDecay)) : g;
          let update: Tensor = d;
          if (momentum !== 0) {
            let buffer = buffers.get(key);
            if (buffer === undefined) {
              buffer = tf.variable(d, false);
              buffers.set(key, buffer);
            } else {
              buffer.assign(tf.add(tf.mul(buffer, momentum), d));
            }
            update = nesterov ? tf.add(d, tf.mul(buffer, momentum)) : buffer;
          }
          p.assign(tf.sub(p, tf.mul(update, lr)));
        }
      });
    },
    dispose() {
      for (const b of buffers.values()) b.dispose();
      buffers.clear();
    },
  };
}

export function adamW(params: ReadonlyMap<string, Variable>, decayed: ReadonlySet<string>, options: AdamWOptions): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const { weightDecay } = options;
  const state = new Map<string, { m: Variable; v: Variable; t: number }>();
  return {
    step(grads, lr) {
      tf.tidy(() => {
        for (const [key, g] of grads) {
          const p = parameter(params, key);
          let s = state.get(key);
          if (s === undefined) {
            s = { m: tf.variable(tf.zerosLike(p), false), v: tf.variable(tf.zerosLike(p), false), t: 0 };
            state.set(key, s);
          }
          s.t += 1;
          s.m.assign(tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1)));
          s.v.assign(tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
          const mHat = tf.div(s.m, 1 - beta1 ** s.t);
          const vHat = tf.div(s.v, 1 - beta2 ** s.t);
          const decayedP = weightDecay !== 0 && decayed.has(key) ? tf.mul(p, 1 - lr * weightDecay) : p;
          p.assign(tf.sub(decayedP, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), lr)));
        }
      });
    },
    dispose() {
      for (const { m, v } of state.values()) {
        m.dispose();
        v.dispose();
      }
      state.clear();
    },
  };
}
