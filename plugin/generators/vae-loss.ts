/**
 * The loss terms of method.md §7.3–§7.4 as tensor functions (call inside tf.tidy / variableGrads),
 * plus the host-side triplet mining, which only needs the labelled batch's conditions.
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor2D } from '../nn/tf.js';

/** A rank-0 tensor. */
type Scalar = Tensor;
import type { Rng } from '../util/rng.js';

/** λ_KL = 0.1 / 64 (§7.3, §14 P14). */
export const KL_WEIGHT = 0.1 / 64;
/** pos_weight of the feature BCE. */
export const FEATURE_POS_WEIGHT = 6;
/** Condition-space radius separating positives from negatives (§7.4). */
export const TRIPLET_RADIUS = 1.0;
export const TRIPLET_MARGIN = 0.1;

/**
 * Mean over every entry of −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))], computed stably as
 * (1 − y)·x + (1 + (p − 1)·y)·softplus(−x) (PyTorch's BCEWithLogits with pos_weight).
 */
export function weightedBceWithLogits(logits: Tensor, targets: Tensor, posWeight = 1): Scalar {
  const softplusNeg = tf.add(tf.relu(tf.neg(logits)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  const weight = posWeight === 1 ? tf.onesLike(targets) : tf.add(1, tf.mul(posWeight - 1, targets));
  return tf.mean(tf.add(tf.mul(tf.sub(1, targets), logits), tf.mul(weight, softplusNeg)));
}

/** Rec = BCE(adjacency) + BCE(features, pos_weight 6), each a mean over its entries and the batch. */
export function reconstructionLoss(adjLogits: Tensor2D, adjTargets: Tensor2D, featLogits: Tensor2D, featTargets: Tensor2D): Scalar {
  return tf.add(weightedBceWithLogits(adjLogits, adjTargets), weightedBceWithLogits(featLogits, featTargets, FEATURE_POS_WEIGHT));
}

/** Batch mean of −½ Σ_d (1 + 2·log σ_d − μ_d² − σ_d²) (log σ, not log variance: §7.2). */
export function klDivergence(mu: Tensor2D, logSigma: Tensor2D): Scalar {
  const terms = tf.sub(tf.sub(tf.add(1, tf.mul(2, logSigma)), tf.square(mu)), tf.exp(tf.mul(2, logSigma)));
  return tf.mean(tf.mul(-0.5, tf.sum(terms, 1)));
}

/** Mean over batch and dimensions of (ĉ − c)². */
export function conditionMse(predicted: Tensor2D, target: Tensor2D): Scalar {
  return tf.mean(tf.square(tf.sub(predicted, target)));
}

export interface Triplet {
  readonly anchor: number;
  readonly positive: number;
  readonly negative: number;
}

function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/**
 * Triplet mining of §7.4 in condition space: `count` anchors drawn uniformly with replacement;
 * positive = nearest other sample with d < 1, negative = farthest with d ≥ 1 (first index on ties);
 * anchors missing either are skipped.
 */
export function mineTriplets(conditions: readonly (readonly number[])[], rng: Rng, count = conditions.length): Triplet[] {
  const n = conditions.length;
  const triplets: Triplet[] = [];
  for (let t = 0; t < count; t++) {
    const anchor = rng.int(0, n - 1);
    let positive = -1;
    let negative = -1;
    let nearest = Infinity;
    let farthest = -Infinity;
    for (let j = 0; j < n; j++) {
      const d = distance(conditions[anchor]!, conditions[j]!);
      if (d < TRIPLET_RADIUS) {
        if (j !== anchor && d < nearest) { nearest = d; positive = j; }
      } else if (d > farthest) {
        farthest = d;
        negative = j;
      }
    }
    if (positive >= 0 && negative >= 0) triplets.push({ anchor, positive, negative });
  }
  return triplets;
}

/** Mean of max(0, ‖z_a − z_p‖ − ‖z_a − z_n‖ + 0.1) over the triplets; 0 when there are none. */
export function tripletLoss(z: Tensor2D, triplets: readonly Triplet[]): Scalar {
  if (triplets.length === 0) return tf.scalar(0);
  const rows = z.shape[0];
  // Row selection as a one-hot matrix product: gather has no gradient kernel on the wasm backend.
  const pick = (key: keyof Triplet): Tensor2D => {
    const select = new Float32Array(triplets.length * rows);
    triplets.forEach((t, i) => { select[i * rows + t[key]] = 1; });
    return tf.matMul(tf.tensor2d(select, [triplets.length, rows]), z);
  };
  const anchors = pick('anchor');
  // A tiny offset under the root keeps the gradient finite when two latents coincide.
  const norm = (d: Tensor2D): Tensor => tf.sqrt(tf.add(tf.sum(tf.square(d), 1), 1e-12));
  const dPos = norm(tf.sub(anchors, pick('positive')));
  const dNeg = norm(tf.sub(anchors, pick('negative')));
  return tf.mean(tf.relu(tf.add(tf.sub(dPos, dNeg), TRIPLET_MARGIN)));
}
