/**
 * The score-based metrics that fit the uniform `ScoreMetric` shape (one row-major score matrix,
 * one target matrix of the same shape, a row width), for callers that pick a task's metric by
 * value. PSICOV (per-protein lengths) and ECG (record ids) need more than that shape and are
 * called through their own functions.
 */
import { cosmicMetrics, darcyRelativeL2 } from './dense.js';
import { deepseaMacroAuroc, fsd50kMeanAveragePrecision } from './multilabel.js';
import type { ScoreMetric } from './result.js';

/** Darcy Flow: scores = decoded predictions, targets = true solutions, columns = grid points. */
export const darcyMetric: ScoreMetric = {
  name: 'relative-l2',
  direction: 'min',
  compute: (scores, targets, columns) => darcyRelativeL2(scores, targets, columns),
};

/** DeepSEA: scores = logits, targets = multi-hot labels, columns = targets per sequence (36). */
export const deepseaMetric: ScoreMetric = {
  name: 'macro-auroc',
  direction: 'max',
  compute: (scores, targets, columns) => deepseaMacroAuroc(scores, targets, columns),
};

/** FSD50K: scores = clip scores (see `fsd50kClipScores`), targets = clip multi-hot labels. */
export const fsd50kMetric: ScoreMetric = {
  name: 'mAP',
  direction: 'max',
  compute: (scores, targets, columns) => fsd50kMeanAveragePrecision(scores, targets, columns),
};

/** Cosmic, NeurIPS variant (1 − AUROC, logit > 0.5); pixels are pooled, so `columns` only checks shape. */
export const cosmicMetric: ScoreMetric = {
  name: '1-auroc',
  direction: 'min',
  compute: (scores, targets, columns) => {
    if (scores.length % columns !== 0) throw new RangeError(`cosmicMetric: ${scores.length} logits do not form rows of ${columns}`);
    return cosmicMetrics(scores, targets).oneMinusAuroc;
  },
};
