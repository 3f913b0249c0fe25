/**
 * Fisher (standard literature definition, method.md §5.8; Abdelfattah et al. 2021, "Zero-Cost
 * Proxies for Lightweight NAS", after Turner et al.'s pruning saliency): for every activation
 * channel c of a layer, 0.5 · mean over the batch of (Σ_spatial act · ∂CE/∂act)², summed over the
 * channels of every layer.
 *
 * **chosen:** the activation is each conv/linear layer's raw output (our tap, before BN), which
 * is where the zero-cost-proxies code attaches its identity "dummy" layer. Σ_spatial act·∂L/∂act
 * for each (sample, channel) is the gradient of L with respect to an all-ones multiplicative probe
 * of shape [B, 1, 1, C] (convs) or [B, C] (linear) applied to the tap; multiplying by one leaves
 * the forward pass and every weight gradient unchanged, so the probes ride along in the shared
 * training pass (SNIP, SNIP-SNR, grad_norm). CE is the batch mean, as in the reference code.
 */
import { tf } from '../nn/tf.js';
import type { Tensor } from '../nn/tf.js';
import type { LayerInfo } from '../nn/types.js';

/** An all-ones probe per layer, shaped to broadcast over the layer's raw output. */
export function fisherProbes(layers: readonly LayerInfo[], batch: number): Map<string, Tensor> {
  const probes = new Map<string, Tensor>();
  for (const layer of layers) {
    const channels = layer.outputShape[layer.outputShape.length - 1]!;
    const shape = layer.outputShape.length === 1 ? [batch, channels] : [batch, ...layer.outputShape.slice(0, -1).map(() => 1), channels];
    probes.set(layer.id, tf.ones(shape));
  }
  return probes;
}

/**
 * Σ_c 0.5 · mean_b G[b, c]² for the gradient G of a layer's probe (null: no gradient → 0), as a
 * scalar tensor.
 */
export function fisherOfProbeGradient(gradient: Tensor | null, batch: number): tf.Scalar {
  if (gradient === null) return tf.scalar(0);
  return tf.mul(tf.sum(tf.square(gradient)), 0.5 / batch) as tf.Scalar;
}

/** fisher = Σ over layers of their per-layer values. */
export function fisherTotal(perLayer: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const v of perLayer.values()) total += v;
  return total;
}
