/**
 * Metrics of the dense-prediction tasks: Darcy Flow relative L2 (nas-bench-360.md §3.5),
 * PSICOV MAE₈ (§3.6) and Cosmic FNR / 1 − AUROC on hard predictions (§3.7).
 */
import { checkColumns } from './classification.js';
import type { MetricResult } from './result.js';
import { lowerIsBetter } from './table.js';

/**
 * Darcy Flow relative L2: per sample ‖û − u‖₂ / ‖u‖₂ over its flattened grid (raw, decoded
 * units), then the plain mean over samples (the reference averages per-batch means instead,
 * which differs only when the last batch is short). `gridSize` = values per sample (85·85).
 * A sample whose truth is all zero gives Infinity (or NaN if the prediction is also zero), as
 * the reference's division would; empty input gives NaN.
 */
export function darcyRelativeL2(predictions: Float32Array, truths: Float32Array, gridSize: number): MetricResult {
  if (predictions.length !== truths.length) {
    throw new RangeError(`darcyRelativeL2: ${predictions.length} predictions for ${truths.length} targets`);
  }
  checkColumns(truths.length, gridSize, 'darcyRelativeL2');
  const samples = truths.length / gridSize;
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    let diff = 0;
    let norm = 0;
    for (let i = s * gridSize; i < (s + 1) * gridSize; i++) {
      diff += (predictions[i]! - truths[i]!) ** 2;
      norm += truths[i]! ** 2;
    }
    sum += Math.sqrt(diff) / Math.sqrt(norm);
  }
  return result('relative-l2', 'min', samples === 0 ? Number.NaN : sum / samples, 'per-sample-mean');
}

export interface PsicovProtein {
  /** Network output, row-major `(dim, dim)`, padded exactly as the input was. */
  readonly prediction: Float32Array;
  /** True distances in Å, row-major `(dim, dim)`, same padding. */
  readonly truth: Float32Array;
  readonly dim: number;
  /** True protein length L. */
  readonly length: number;
}

export interface PsicovMaeOptions {
  /** Padding before the protein on each axis (the reference pads 5 per side). */
  readonly padOffset?: number;
  /** Minimum sequence separation q − p of an evaluated pair (24 for MAE₈). */
  readonly minSeparation?: number;
  /** Maximum true distance in Å of an evaluated pair, inclusive (8 for MAE₈). */
  readonly maxDistance?: number;
}

export interface PsicovMaeResult extends MetricResult {
  /** Per-protein MAE, `null` for a protein with no qualifying pair (left out of the mean). */
  readonly perProtein: readonly (number | null)[];
}

/**
 * PSICOV MAE₈ (§3.6), steps as the reference performs them:
 * 1. for j ≤ k: P[j,k] ← (P[j,k] + P[k,j]) / 2, lower triangle unchanged; 2. clamp P ≥ 0.01;
 * 3. shift by the padding; 4. for p ≤ q inside L×L the evaluated value is (P[q,p] + P[p,q]) / 2
 * (net ¾ lower + ¼ upper without clamping); 5. keep q − p ≥ minSeparation and Y[p,q] ≤
 * maxDistance; 6. per-protein mean |pred − Y| (undefined without pairs); 7. mean over defined
 * proteins (NaN if none). Options change the separation/distance to get the 12/8, 24/12, 12/12
 * variants.
 */
export function psicovMae(proteins: readonly PsicovProtein[], options: PsicovMaeOptions = {}): PsicovMaeResult {
  const pad = options.padOffset ?? 5;
  const minSeparation = options.minSeparation ?? 24;
  const maxDistance = options.maxDistance ?? 8;
  const perProtein = proteins.map((protein, index) => proteinMae(protein, index, pad, minSeparation, maxDistance));
  const defined = perProtein.filter((v): v is number => v !== null);
  const value = defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
  const variant = `sep>=${minSeparation},d<=${maxDistance}`;
  return { ...result(`mae${maxDistance}`, 'min', value, variant), perProtein };
}

function proteinMae(
  { prediction, truth, dim, length }: PsicovProtein,
  index: number,
  pad: number,
  minSeparation: number,
  maxDistance: number,
): number | null {
  if (prediction.length !== dim * dim || truth.length !== dim * dim) {
    throw new RangeError(`psicovMae: protein ${index} maps are not ${dim}×${dim}`);
  }
  if (pad + length > dim) throw new RangeError(`psicovMae: protein ${index} of length ${length} does not fit in ${dim}`);
  // Steps 1–2 at a padded position (j, k): upper cells averaged with their mirror, then clamped.
  const firstPass = (j: number, k: number): number => {
    const raw = j <= k ? (prediction[j * dim + k]! + prediction[k * dim + j]!) / 2 : prediction[j * dim + k]!;
    return Math.max(raw, 0.01);
  };
  let sum = 0;
  let count = 0;
  for (let p = 0; p < length; p++) {
    for (let q = p + minSeparation; q < length; q++) {
      const y = truth[(p + pad) * dim + (q + pad)]!;
      if (!(y <= maxDistance)) continue;
      const evaluated = (firstPass(q + pad, p + pad) + firstPass(p + pad, q + pad)) / 2;
      sum += Math.abs(evaluated - y);
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}

export interface CosmicResult {
  /** 1 − AUROC of the binarised prediction = (FNR + FPR) / 2, the NeurIPS variant (default). */
  readonly oneMinusAuroc: MetricResult;
  /** FNR = FN / (TP + FN), the arXiv variant; its table value is in percent. */
  readonly fnr: MetricResult;
  /** FPR = FP / (FP + TN), logged by the reference. */
  readonly fpr: number;
}

/**
 * Cosmic (§3.7): all pixels of all images pooled; prediction positive when the raw logit is
 * strictly greater than `threshold` (0.5 in the reference: logit, not probability; DASH and ORCA
 * differ); the ignore mask is not applied. A mask value > 0.5 is a cosmic-ray pixel.
 * FNR is NaN without positive pixels and FPR NaN without negative ones; 1 − AUROC is then NaN
 * too (scikit-learn's AUROC is undefined with one class). Constant predictions give 0.5.
 */
export function cosmicMetrics(logits: Float32Array, mask: ArrayLike<number>, threshold = 0.5): CosmicResult {
  if (logits.length !== mask.length) {
    throw new RangeError(`cosmicMetrics: ${logits.length} logits for ${mask.length} mask pixels`);
  }
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  for (let i = 0; i < logits.length; i++) {
    const predicted = logits[i]! > threshold;
    if (mask[i]! > 0.5) predicted ? tp++ : fn++;
    else predicted ? fp++ : tn++;
  }
  const fnr = fn / (tp + fn);
  const fpr = fp / (fp + tn);
  const variant = `logit>${threshold}`;
  return {
    oneMinusAuroc: result('1-auroc', 'min', (fnr + fpr) / 2, `1-auroc-hard,${variant}`),
    fnr: result('fnr', 'min', fnr, `fnr,${variant}`),
    fpr,
  };
}

function result(name: string, direction: 'min' | 'max', value: number, variant: string): MetricResult {
  return { name, value, direction, tableValue: lowerIsBetter({ name, direction }, value), variant };
}
