/**
 * Binary ranking metrics with scikit-learn semantics (nas-bench-360.md §3.4, §3.10, §4), in
 * float64. A target counts as positive when it is > 0.5 (multi-hot 0/1 labels).
 */

/**
 * ROC AUC by the Mann–Whitney rank formulation with average ranks for ties:
 * AUC = (Σ ranks of positives − P(P + 1)/2) / (P·N). This equals scikit-learn's `roc_auc_score`
 * (trapezoidal rule over the ROC with tied scores grouped into one threshold): a tied
 * positive/negative pair contributes ½ in both. Constant scores therefore give 0.5.
 * Returns `null` when there is no positive or no negative example (undefined).
 */
export function rocAuc(scores: ArrayLike<number>, targets: ArrayLike<number>): number | null {
  checkSameLength(scores, targets, 'rocAuc');
  const order = sortedIndices(scores, 'ascending');
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) end++;
    // Ranks start..end-1 (0-based) share the average 1-based rank.
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (targets[order[i]!]! > 0.5) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision as scikit-learn's `average_precision_score` (step-wise, no interpolation):
 * with samples sorted by descending score and each distinct score a threshold t,
 * AP = Σ_t (R(t) − R(previous t)) · P(t), P(t) = TP(≥ t) / #(≥ t), R(t) = TP(≥ t) / positives.
 * Tied scores form one threshold. Returns `null` when there is no positive (undefined; recent
 * scikit-learn returns 0 with a warning there, the doc asks for an explicit undefined).
 */
export function averagePrecision(scores: ArrayLike<number>, targets: ArrayLike<number>): number | null {
  checkSameLength(scores, targets, 'averagePrecision');
  let positives = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i]! > 0.5) positives++;
  if (positives === 0) return null;
  const order = sortedIndices(scores, 'descending');
  let truePositives = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      if (targets[order[end]!]! > 0.5) truePositives++;
      end++;
    }
    const recall = truePositives / positives;
    ap += (recall - previousRecall) * (truePositives / end);
    previousRecall = recall;
    start = end;
  }
  return ap;
}

function sortedIndices(scores: ArrayLike<number>, direction: 'ascending' | 'descending'): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (const i of order) {
    if (Number.isNaN(scores[i])) throw new RangeError(`ranking metric: score ${i} is NaN`);
  }
  const sign = direction === 'ascending' ? 1 : -1;
  // Comparisons rather than subtraction so that ±Infinity scores sort correctly.
  return order.sort((a, b) => sign * (scores[a]! < scores[b]! ? -1 : scores[a]! > scores[b]! ? 1 : 0));
}

function checkSameLength(scores: ArrayLike<number>, targets: ArrayLike<number>, where: string): void {
  if (scores.length !== targets.length) {
    throw new RangeError(`${where}: ${scores.length} scores for ${targets.length} targets`);
  }
}
