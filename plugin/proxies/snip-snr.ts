/**
 * SNIP saliency and SNIP-SNR (method.md §5.2, §15.4): one training-mode forward/backward of the
 * batch cross-entropy, gradients with respect to every conv/linear weight, and per-layer sum and
 * unbiased standard deviation of s = |W ⊙ ∂CE/∂W| reduced on the device (two scalars per layer,
 * read back together). The batch statistics of the pass are discarded, never committed.
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor1D, Tensor4D, Variable } from '../nn/tf.js';
import { crossEntropy } from '../nn/loss.js';
import type { BnStats, Network } from '../nn/types.js';

export interface SaliencyStats {
  /** Σ s over the layer's weight entries. */
  readonly sum: number;
  /** Unbiased (n − 1) standard deviation of s; NaN for a single-entry layer. */
  readonly std: number;
  /** SNR_ℓ by the rule of §5.2. */
  readonly snr: number;
}

export interface LayerSaliencies {
  /** Keyed by layer id, in `net.layers` order. */
  readonly layers: ReadonlyMap<string, SaliencyStats>;
  readonly executed: ReadonlySet<string>;
  /** The batch CE of the pass (useful for diagnosing NaN candidates). */
  readonly loss: number;
}

/** SNR_ℓ = sum / std, or sum itself when std is 0 or NaN (§5.2). */
export function signalToNoise(sum: number, std: number): number {
  return std === 0 || Number.isNaN(std) ? sum : sum / std;
}

/** The weight variable of every conv/linear layer, keyed by layer id. */
function layerWeights(net: Network): Map<string, Variable> {
  const weights = new Map<string, Variable>();
  for (const layer of net.layers) {
    const w = net.parameters.get(`${layer.id}.weight`);
    if (w === undefined) throw new Error(`layer ${layer.id} has no parameter ${layer.id}.weight`);
    // variableGrads silently skips frozen variables; a frozen weight would read as "no gradient".
    if (!w.trainable) throw new Error(`parameter ${layer.id}.weight is not trainable`);
    weights.set(layer.id, w);
  }
  return weights;
}

/**
 * SNIP saliency statistics of every conv/linear layer of `net` on the batch (x, y). A layer whose
 * weight receives no gradient has s = 0, hence sum 0, std 0 and SNR 0.
 */
export function layerSaliencies(net: Network, x: Tensor4D, y: Tensor1D, numClasses?: number): LayerSaliencies {
  const weights = layerWeights(net);
  const ids = [...weights.keys()];
  let executed: ReadonlySet<string> = new Set();
  let stats: Float32Array = new Float32Array(0);

  let batchStats: ReadonlyMap<string, BnStats> = new Map();
  try {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const result = net.forward(x, { mode: 'train' });
        executed = result.executed;
        // Networks may keep batch statistics beyond the pass; SNIP never commits them (§5.1).
        batchStats = result.batchStats;
        if (numClasses !== undefined && result.logits.shape[1] !== numClasses) {
          throw new Error(`the network has ${result.logits.shape[1]} outputs but the batch has ${numClasses} classes`);
        }
        return crossEntropy(result.logits, y);
      }, [...weights.values()]);
      const perLayer: Tensor[] = [];
      for (const id of ids) {
        const w = weights.get(id)!;
        const g = grads[w.name];
        if (g === undefined || g === null) {
          perLayer.push(tf.tensor1d([0, 0]));
          continue;
        }
        const s = tf.abs(tf.mul(w, g));
        const n = s.size;
        const sum = tf.sum(s);
        // Unbiased variance: Σ(s − mean)² / (n − 1); n = 1 gives 0/0 = NaN, which §5.2 maps to SNR = sum.
        const sq = tf.sum(tf.square(tf.sub(s, tf.div(sum, n))));
        const std = tf.sqrt(tf.div(sq, n - 1));
        perLayer.push(tf.stack([sum, std]));
      }
      perLayer.push(tf.reshape(value, [1]));
      stats = tf.concat(perLayer).dataSync() as Float32Array;
    });
  } finally {
    for (const { mean, variance } of batchStats.values()) tf.dispose([mean, variance]);
  }

  const layers = new Map<string, SaliencyStats>();
  ids.forEach((id, i) => {
    const sum = stats[2 * i]!;
    const std = stats[2 * i + 1]!;
    layers.set(id, { sum, std, snr: signalToNoise(sum, std) });
  });
  return { layers, executed, loss: stats[stats.length - 1]! };
}

/** SNIP-SNR = Σ_ℓ SNR_ℓ, a plain sum over layers (§5.2). */
export function snipSnr(saliencies: LayerSaliencies): number {
  let total = 0;
  for (const { snr } of saliencies.layers.values()) total += snr;
  return total;
}
