/**
 * ZiCo (method.md §5.7, §14 P18; Li et al. 2023, "ZiCo: Zero-shot NAS via inverse Coefficient of
 * Variation on Gradients"). Not used by the search.
 *
 * The given batch is split into `parts` (default 2) contiguous mini-batches of (nearly) equal
 * size, which serve as the independent real mini-batches §5.7 asks for. Each gets its own
 * training-mode CE forward/backward with a fresh gradient tape, so every mini-batch starts from
 * zero gradients (the port criticised in P18 accumulated them). For every weight θ of every
 * conv/linear layer: μ_θ = mean_b |g_b(θ)|, σ_θ = population standard deviation over b of g_b(θ);
 * S_ℓ = Σ over θ with σ_θ ≠ 0 of μ_θ/σ_θ; ZiCo = Σ over layers with S_ℓ ≠ 0 of log S_ℓ. The
 * per-batch gradients stay on the device and are reduced there, centred (no E[g²] − E[g]²
 * cancellation); one scalar per layer is read back.
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../nn/tf.js';
import { crossEntropy } from '../nn/loss.js';
import { taskLoss } from '../nn/task-loss.js';
import type { ProxyTaskLoss } from './types.js';
import type { BnStats, Network } from '../nn/types.js';
import { gradientsOf } from './gradients.js';
import { layerWeights } from './snip-snr.js';

export interface ZicoLayers {
  /** S_ℓ keyed by layer id, in `net.layers` order. */
  readonly layers: ReadonlyMap<string, number>;
  /** Layers that ran in every mini-batch's pass. */
  readonly executed: ReadonlySet<string>;
}

/** Start and size of each of `parts` contiguous slices of `batch` rows (sizes differ by ≤ 1). */
export function splitBatch(batch: number, parts: number): Array<{ start: number; size: number }> {
  if (!Number.isInteger(parts) || parts < 2) throw new RangeError(`ZiCo needs at least 2 mini-batches, got ${parts}`);
  if (batch < parts) throw new RangeError(`ZiCo: a batch of ${batch} cannot be split into ${parts} mini-batches`);
  const out: Array<{ start: number; size: number }> = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = Math.floor(batch / parts) + (p < batch % parts ? 1 : 0);
    out.push({ start, size });
    start += size;
  }
  return out;
}

/** S_ℓ of every conv/linear layer from `parts` mini-batches of (x, y). */
export function zicoLayers(net: Network, x: Tensor4D, y: Tensor1D, parts = 2, task?: ProxyTaskLoss): ZicoLayers {
  const weights = layerWeights(net);
  const ids = [...weights.keys()];
  const slices = splitBatch(x.shape[0], parts);
  const perBatch: Array<Array<Tensor | null>> = [];
  let executed: ReadonlySet<string> | null = null;
  let values: Float32Array = new Float32Array(0);
  try {
    for (const { start, size } of slices) {
      let batchStats: ReadonlyMap<string, BnStats> = new Map();
      try {
        tf.tidy(() => {
          const xb = tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
          const yb = tf.slice(y, [start], [size]);
          const { grads } = gradientsOf(() => {
            const result = net.forward(xb, { mode: 'train' });
            batchStats = result.batchStats;
            executed = executed === null ? result.executed : new Set([...executed].filter((id) => result.executed.has(id)));
            if (task !== undefined) {
              const tb = tf.slice(task.targets, [start, 0], [size, -1]);
              return taskLoss(task.loss, result.logits, tb, { decode: task.decode });
            }
            return crossEntropy(result.logits, yb);
          }, [...weights.values()]);
          perBatch.push(grads.map((g) => (g === null ? null : tf.keep(g))));
        });
      } finally {
        for (const { mean, variance } of batchStats.values()) tf.dispose([mean, variance]);
      }
    }
    values = tf.tidy(() => {
      const sums = ids.map((_, i) => {
        const gs = perBatch.map((grads) => grads[i] ?? null);
        // A weight without gradient in some mini-batch has g = 0 there.
        const present = gs.find((g): g is Tensor => g !== null);
        if (present === undefined) return tf.scalar(0);
        const g = tf.stack(gs.map((t) => t ?? tf.zerosLike(present)));
        const mu = tf.mean(tf.abs(g), 0);
        const sigma = tf.sqrt(tf.mean(tf.square(tf.sub(g, tf.mean(g, 0))), 0));
        const nonzero = tf.greater(sigma, 0);
        return tf.sum(tf.where(nonzero, tf.div(mu, tf.where(nonzero, sigma, tf.onesLike(sigma))), tf.zerosLike(mu)));
      });
      return tf.stack(sums).dataSync() as Float32Array;
    });
  } finally {
    for (const grads of perBatch) tf.dispose(grads.filter((g): g is Tensor => g !== null));
  }
  return { layers: new Map(ids.map((id, i) => [id, values[i]!] as const)), executed: executed ?? new Set() };
}

/** ZiCo = Σ over layers with S_ℓ ≠ 0 of log S_ℓ. */
export function zicoScore(layers: ReadonlyMap<string, number>): number {
  let score = 0;
  for (const s of layers.values()) if (s !== 0) score += Math.log(s);
  return score;
}
