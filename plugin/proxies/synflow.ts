/**
 * synflow (standard literature definition, method.md §5.8; Tanaka et al. 2020, as scored by
 * Abdelfattah et al. 2021): the network is linearised by replacing every parameter (and BN
 * buffer) with its absolute value, BN is disabled (its forward is the identity, so its buffers
 * and γ/β drop out), a single all-ones input of the batch's image shape (1 × H × W × C) gives
 * R = Σ logits, and the score is Σ_ℓ Σ |W_ℓ ⊙ ∂R/∂W_ℓ| over the conv/linear weights.
 *
 * The absolute values are plain tensor copies passed as parameter overrides, so the network's
 * variables (and their signs) are never touched and need no restoring. The literature computes
 * in float64; we compute in float32 (§15.1), where a deep network can overflow: any ∞ or NaN,
 * in R or in a layer's score, makes the candidate invalid (checked by the caller).
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor4D } from '../nn/tf.js';
import type { Network } from '../nn/types.js';
import { gradientsOf } from './gradients.js';

export interface SynflowLayers {
  /** Σ |W_ℓ ⊙ ∂R/∂W_ℓ| keyed by layer id, in `net.layers` order. */
  readonly layers: ReadonlyMap<string, number>;
  /** R itself (∞ on overflow). */
  readonly output: number;
  readonly executed: ReadonlySet<string>;
}

/** Per-layer synflow scores for an input image of shape [H, W, C]. */
export function synflowLayers(net: Network, imageShape: readonly [number, number, number]): SynflowLayers {
  const ids = net.layers.map((layer) => layer.id);
  let executed: ReadonlySet<string> = new Set();
  let values: Float32Array = new Float32Array(0);
  tf.tidy(() => {
    const overrides = new Map<string, Tensor>();
    for (const [key, v] of net.parameters) overrides.set(key, tf.abs(v));
    const weights = ids.map((id) => {
      const w = overrides.get(`${id}.weight`);
      if (w === undefined) throw new Error(`layer ${id} has no parameter ${id}.weight`);
      return w;
    });
    const ones = tf.ones([1, ...imageShape]) as Tensor4D;
    const { value, grads } = gradientsOf(() => {
      const result = net.forward(ones, { mode: 'infer', bypassBatchNorm: true, parameterOverrides: overrides });
      executed = result.executed;
      for (const { mean, variance } of result.batchStats.values()) tf.dispose([mean, variance]);
      return tf.sum(result.logits);
    }, weights);
    const perLayer = weights.map((w, i) => {
      const g = grads[i] ?? null;
      return g === null ? tf.scalar(0) : tf.sum(tf.abs(tf.mul(w, g)));
    });
    values = tf.stack([value, ...perLayer]).dataSync() as Float32Array;
  });
  return { layers: new Map(ids.map((id, i) => [id, values[i + 1]!] as const)), output: values[0]!, executed };
}

/** synflow = Σ_ℓ of the per-layer scores; ∞ or NaN if R overflowed. */
export function synflowScore(result: SynflowLayers): number {
  if (!Number.isFinite(result.output)) return result.output;
  let total = 0;
  for (const v of result.layers.values()) total += v;
  return total;
}
