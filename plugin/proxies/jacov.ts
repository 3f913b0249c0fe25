/**
 * jacov, the Jacobian covariance score (standard literature definition, method.md §5.8; Mellor
 * et al., "Neural Architecture Search without Training", arXiv v1, 2020): J_i = ∂(Σ_k f_k(x_i))/∂x_i
 * flattened, C = the B×B correlation matrix of the J_i (numpy's corrcoef over rows), and
 * score = −Σ_i [log(λ_i + k) + 1/(λ_i + k)] over the eigenvalues λ of C, k = 1e-5.
 *
 * **Paper, not reference code:** the reference code takes one backward pass of Σ_i Σ_k f_k(x_i)
 * with respect to the whole batch. With training-mode BN (§5.8's default) that is not the
 * per-sample gradient: it adds the paths through the batch statistics of every other sample, and
 * in our macro network, whose head ends in BN(F) → global pooling → linear with no activation
 * between (§3.3), the batch sum of the logits does not depend on the input at all, so that
 * shortcut gives pure round-off. We follow the definition: one training-mode forward/backward per
 * sample i of Σ_k f_k(x_i), keeping only row i of the input gradient (B passes; the BN statistics
 * still come from the whole batch and are never committed). The correlation matrix and its
 * eigenvalues (Jacobi, jacobi.ts) are computed on the host in float64 (§15.1).
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor4D } from '../nn/tf.js';
import type { BnStats, Network } from '../nn/types.js';
import { gradientsOf } from './gradients.js';
import { symmetricEigenvalues } from './jacobi.js';

export const JACOV_K = 1e-5;

export interface InputJacobians {
  /** B × D, row-major: row i is J_i. */
  readonly rows: Float32Array;
  readonly batch: number;
  readonly executed: ReadonlySet<string>;
}

/**
 * J_i = ∂(Σ_k f_k(x_i))/∂x_i for every sample, one training-mode pass each; nothing committed.
 * `executed` holds the layers that ran in every pass.
 */
export function inputJacobians(net: Network, x: Tensor4D): InputJacobians {
  const batch = x.shape[0];
  const width = x.size / batch;
  let executed: ReadonlySet<string> | null = null;
  const kept: Tensor[] = [];
  let rows: Float32Array = new Float32Array(0);
  try {
    for (let i = 0; i < batch; i++) {
      let batchStats: ReadonlyMap<string, BnStats> = new Map();
      try {
        tf.tidy(() => {
          const { grads } = gradientsOf(() => {
            const result = net.forward(x, { mode: 'train' });
            batchStats = result.batchStats;
            executed = executed === null ? result.executed : new Set([...executed].filter((id) => result.executed.has(id)));
            return tf.sum(tf.slice(result.logits, [i, 0], [1, -1]));
          }, [x]);
          const g = grads[0] ?? null;
          kept.push(tf.keep(g === null ? tf.zeros([1, width]) : tf.reshape(tf.slice(g, [i, 0, 0, 0], [1, -1, -1, -1]), [1, width])));
        });
      } finally {
        for (const { mean, variance } of batchStats.values()) tf.dispose([mean, variance]);
      }
    }
    rows = tf.tidy(() => tf.concat(kept).dataSync() as Float32Array);
  } finally {
    tf.dispose(kept);
  }
  return { rows, batch, executed: executed ?? new Set() };
}

/**
 * B×B correlation matrix of the rows (row-major, float64): centred rows, C_ij = r_i·r_j /
 * (‖r_i‖ ‖r_j‖), clipped to [−1, 1] with an exact unit diagonal, as numpy's corrcoef. A row with
 * zero variance makes the correlation undefined, which is an error.
 */
export function rowCorrelation(rows: ArrayLike<number>, batch: number): Float64Array {
  const width = rows.length / batch;
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`rowCorrelation: ${rows.length} values do not split into ${batch} rows`);
  const centred = new Float64Array(rows.length);
  const norms = new Float64Array(batch);
  for (let i = 0; i < batch; i++) {
    let mean = 0;
    for (let u = 0; u < width; u++) mean += rows[i * width + u]!;
    mean /= width;
    let ss = 0;
    for (let u = 0; u < width; u++) {
      const v = rows[i * width + u]! - mean;
      centred[i * width + u] = v;
      ss += v * v;
    }
    if (!(ss > 0) || !Number.isFinite(ss)) throw new Error(`jacov: the input gradient of sample ${i} has ${Number.isFinite(ss) ? 'zero variance' : 'non-finite entries'}`);
    norms[i] = Math.sqrt(ss);
  }
  const c = new Float64Array(batch * batch);
  for (let i = 0; i < batch; i++) {
    c[i * batch + i] = 1;
    for (let j = i + 1; j < batch; j++) {
      let dot = 0;
      for (let u = 0; u < width; u++) dot += centred[i * width + u]! * centred[j * width + u]!;
      const r = Math.min(1, Math.max(-1, dot / (norms[i]! * norms[j]!)));
      c[i * batch + j] = r;
      c[j * batch + i] = r;
    }
  }
  return c;
}

/** −Σ [log(λ + k) + 1/(λ + k)] over the eigenvalues (NaN if some λ + k ≤ 0). */
export function jacovFromEigenvalues(eigenvalues: ArrayLike<number>, k: number = JACOV_K): number {
  let score = 0;
  for (let i = 0; i < eigenvalues.length; i++) {
    const shifted = eigenvalues[i]! + k;
    score -= Math.log(shifted) + 1 / shifted;
  }
  return score;
}

/** The jacov score of given input Jacobians. */
export function jacovScore(jacobians: InputJacobians): number {
  const c = rowCorrelation(jacobians.rows, jacobians.batch);
  return jacovFromEigenvalues(symmetricEigenvalues(c, jacobians.batch));
}
