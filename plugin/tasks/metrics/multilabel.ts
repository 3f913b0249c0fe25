/**
 * Macro metrics of the multi-label tasks: DeepSEA macro AUROC (nas-bench-360.md §3.10) and
 * FSD50K mAP (§3.4). Inputs are row-major `(samples, classes)` matrices of logits and multi-hot
 * targets. Classes whose metric is undefined (no positive; for AUROC also no negative) are listed
 * in `undefinedClasses` and left out of the unweighted mean; if every class is undefined (or the
 * input is empty) the value is NaN.
 */
import { checkColumns } from './classification.js';
import { averagePrecision, rocAuc } from './ranking.js';
import type { MacroMetricResult } from './result.js';
import { lowerIsBetter } from './table.js';

type BinaryMetric = (scores: ArrayLike<number>, targets: ArrayLike<number>) => number | null;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * DeepSEA: scores = sigmoid(logits) in float64; per target k the ROC AUC of targets[:, k]
 * against scores[:, k] (ties grouped, see `rocAuc`); value = unweighted mean over targets.
 */
export function deepseaMacroAuroc(logits: Float32Array, targets: ArrayLike<number>, classes: number): MacroMetricResult {
  checkColumns(logits.length, classes, 'deepseaMacroAuroc');
  const scores = Float64Array.from(logits, sigmoid);
  return macro('macro-auroc', 'sigmoid-scores', rocAuc, scores, targets, classes);
}

/**
 * FSD50K clip scores: clip score = sigmoid(mean of the clip's chunk logits), not the mean of chunk
 * sigmoids, cast to float32 as the reference does (which can create ties). `clipOfChunk[i]` is
 * the clip index (0..clips−1) of chunk row i; every clip must have at least one chunk.
 */
export function fsd50kClipScores(
  chunkLogits: Float32Array,
  clipOfChunk: Int32Array,
  classes: number,
  clips: number,
): Float32Array {
  checkColumns(chunkLogits.length, classes, 'fsd50kClipScores');
  if (clipOfChunk.length * classes !== chunkLogits.length) {
    throw new RangeError(`fsd50kClipScores: ${clipOfChunk.length} clip ids for ${chunkLogits.length / classes} chunks`);
  }
  const sums = new Float64Array(clips * classes);
  const counts = new Int32Array(clips);
  clipOfChunk.forEach((clip, chunk) => {
    if (clip < 0 || clip >= clips) throw new RangeError(`fsd50kClipScores: chunk ${chunk} has clip ${clip}`);
    counts[clip]!++;
    for (let c = 0; c < classes; c++) sums[clip * classes + c]! += chunkLogits[chunk * classes + c]!;
  });
  const scores = new Float32Array(clips * classes);
  for (let clip = 0; clip < clips; clip++) {
    if (counts[clip] === 0) throw new RangeError(`fsd50kClipScores: clip ${clip} has no chunk`);
    for (let c = 0; c < classes; c++) scores[clip * classes + c] = sigmoid(sums[clip * classes + c]! / counts[clip]!);
  }
  return scores;
}

/**
 * FSD50K mAP: per class k the average precision of clip targets[:, k] against clip scores[:, k]
 * (scikit-learn's step-wise AP, see `averagePrecision`); value = unweighted mean over classes.
 * Takes clip scores (use `fsd50kClipScores` to build them from chunk logits).
 */
export function fsd50kMeanAveragePrecision(
  clipScores: Float32Array,
  clipTargets: ArrayLike<number>,
  classes: number,
): MacroMetricResult {
  checkColumns(clipScores.length, classes, 'fsd50kMeanAveragePrecision');
  return macro('mAP', 'mean-logits', averagePrecision, clipScores, clipTargets, classes);
}

function macro(
  name: string,
  variant: string,
  metric: BinaryMetric,
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: number,
): MacroMetricResult {
  if (targets.length !== scores.length) {
    throw new RangeError(`${name}: ${scores.length} scores for ${targets.length} targets`);
  }
  const rows = scores.length / classes;
  const perClass: (number | null)[] = [];
  const undefinedClasses: number[] = [];
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const column = new Float64Array(rows);
    const truth = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      column[r] = scores[r * classes + c]!;
      truth[r] = targets[r * classes + c]!;
    }
    const v = metric(column, truth);
    perClass.push(v);
    if (v === null) undefinedClasses.push(c);
    else sum += v;
  }
  const defined = classes - undefinedClasses.length;
  const value = defined === 0 ? Number.NaN : sum / defined;
  const direction = 'max';
  return { name, value, direction, tableValue: lowerIsBetter({ name, direction }, value), variant, perClass, undefinedClasses };
}
