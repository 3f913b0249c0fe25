/**
 * SNIP saliency and SNIP-SNR (method.md §5.2, §15.4): one training-mode forward/backward of the
 * batch cross-entropy, gradients with respect to every conv/linear weight, and per-layer sum and
 * unbiased standard deviation of s = |W ⊙ ∂CE/∂W| reduced on the device (a few scalars per layer,
 * read back together). The same pass serves snip, grad_norm and, with probes, fisher (§5.8).
 * The batch statistics of the pass are discarded, never committed.
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor1D, Tensor4D, Variable } from '../nn/tf.js';
import { crossEntropy } from '../nn/loss.js';
import { taskLoss } from '../nn/task-loss.js';
import type { ProxyTaskLoss } from './types.js';
import type { BnStats, Network } from '../nn/types.js';
import { fisherOfProbeGradient, fisherProbes } from './fisher.js';
import { gradientsOf } from './gradients.js';

export interface SaliencyStats {
  /** Σ s over the layer's weight entries (the layer's SNIP value, §5.8). */
  readonly sum: number;
  /** Unbiased (n − 1) standard deviation of s; NaN for a single-entry layer. */
  readonly std: number;
  /** SNR_ℓ by the rule of §5.2. */
  readonly snr: number;
  /** Frobenius norm of ∂CE/∂W_ℓ (the layer's grad_norm term, §5.8). */
  readonly gradNorm: number;
}

export interface LayerSaliencies {
  /** Keyed by layer id, in `net.layers` order. */
  readonly layers: ReadonlyMap<string, SaliencyStats>;
  /** Per-layer fisher values (fisher.ts), when the pass carried activation probes; else null. */
  readonly fisher: ReadonlyMap<string, number> | null;
  readonly executed: ReadonlySet<string>;
  /** The batch CE of the pass (useful for diagnosing NaN candidates). */
  readonly loss: number;
}

export interface SaliencyOptions {
  /** Check that the network's output count matches the batch's class count. */
  readonly numClasses?: number;
  /** Also carry the fisher activation probes through the same pass. */
  readonly fisher?: boolean;
  /** The task's loss and float targets instead of cross-entropy on `y` (ProxyBatch.task). */
  readonly task?: ProxyTaskLoss;
}

/** SNR_ℓ = sum / std, or sum itself when std is 0 or NaN (§5.2). */
export function signalToNoise(sum: number, std: number): number {
  return std === 0 || Number.isNaN(std) ? sum : sum / std;
}

/** The weight tensor of every conv/linear layer, keyed by layer id. */
export function layerWeights(net: Network): Map<string, Variable> {
  const weights = new Map<string, Variable>();
  for (const layer of net.layers) {
    const w = net.parameters.get(`${layer.id}.weight`);
    if (w === undefined) throw new Error(`layer ${layer.id} has no parameter ${layer.id}.weight`);
    weights.set(layer.id, w);
  }
  return weights;
}

/**
 * The shared training pass (§5.1): one training-mode forward/backward of the batch CE, with the
 * SNIP saliency statistics, the weight-gradient norm and optionally the fisher value of every
 * conv/linear layer of `net`. A layer whose weight receives no gradient has s = 0, hence sum 0,
 * std 0, SNR 0 and gradient norm 0.
 */
export function layerSaliencies(
  net: Network,
  x: Tensor4D,
  y: Tensor1D,
  numClassesOrOptions?: number | SaliencyOptions,
): LayerSaliencies {
  const options: SaliencyOptions =
    typeof numClassesOrOptions === 'number' ? { numClasses: numClassesOrOptions } : (numClassesOrOptions ?? {});
  const { numClasses } = options;
  const weights = layerWeights(net);
  const ids = [...weights.keys()];
  const batch = x.shape[0];
  const withFisher = options.fisher === true;
  const perLayerValues = withFisher ? 4 : 3;
  let executed: ReadonlySet<string> = new Set();
  let stats: Float32Array = new Float32Array(0);

  let batchStats: ReadonlyMap<string, BnStats> = new Map();
  try {
    tf.tidy(() => {
      const probes = withFisher ? fisherProbes(net.layers, batch) : new Map<string, Tensor>();
      const { value, grads } = gradientsOf(() => {
        const result = net.forward(x, {
          mode: 'train',
          // Declaring the probes lets a network that checkpoints its cells (ForwardOptions
          // .checkpoint 'auto') differentiate them in the recomputation.
          ...(withFisher ? { transformTap: (id: string, raw: Tensor) => tf.mul(raw, probes.get(id)!), transformTapTensors: probes } : {}),
        });
        executed = result.executed;
        // Networks may keep batch statistics beyond the pass; SNIP never commits them (§5.1).
        batchStats = result.batchStats;
        const task = options.task;
        if (task !== undefined) return taskLoss(task.loss, result.logits, task.targets, { decode: task.decode });
        if (numClasses !== undefined && result.logits.shape[1] !== numClasses) {
          throw new Error(`the network has ${result.logits.shape[1]} outputs but the batch has ${numClasses} classes`);
        }
        return crossEntropy(result.logits, y);
      }, [...weights.values(), ...probes.values()]);
      const perLayer: Tensor[] = [];
      ids.forEach((id, i) => {
        const w = weights.get(id)!;
        const g = grads[i] ?? null;
        const fisher = withFisher ? [fisherOfProbeGradient(grads[ids.length + i] ?? null, batch)] : [];
        if (g === null) {
          perLayer.push(tf.concat([tf.zeros([3]), ...fisher.map((f) => tf.reshape(f, [1]))]));
          return;
        }
        const s = tf.abs(tf.mul(w, g));
        const n = s.size;
        const sum = tf.sum(s);
        // Unbiased variance: Σ(s − mean)² / (n − 1); n = 1 gives 0/0 = NaN, which §5.2 maps to SNR = sum.
        const sq = tf.sum(tf.square(tf.sub(s, tf.div(sum, n))));
        const std = tf.sqrt(tf.div(sq, n - 1));
        const norm = tf.sqrt(tf.sum(tf.square(g)));
        perLayer.push(tf.stack([sum, std, norm, ...fisher]));
      });
      perLayer.push(tf.reshape(value, [1]));
      stats = tf.concat(perLayer).dataSync() as Float32Array;
    });
  } finally {
    for (const { mean, variance } of batchStats.values()) tf.dispose([mean, variance]);
  }

  const layers = new Map<string, SaliencyStats>();
  const fisher = withFisher ? new Map<string, number>() : null;
  ids.forEach((id, i) => {
    const at = perLayerValues * i;
    const sum = stats[at]!;
    const std = stats[at + 1]!;
    layers.set(id, { sum, std, snr: signalToNoise(sum, std), gradNorm: stats[at + 2]! });
    fisher?.set(id, stats[at + 3]!);
  });
  return { layers, fisher, executed, loss: stats[stats.length - 1]! };
}

/** SNIP-SNR = Σ_ℓ SNR_ℓ, a plain sum over layers (§5.2). */
export function snipSnr(saliencies: LayerSaliencies): number {
  let total = 0;
  for (const { snr } of saliencies.layers.values()) total += snr;
  return total;
}
