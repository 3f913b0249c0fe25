/**
 * Top-1 accuracy and 0-1 error for the single-label classification tasks (CIFAR-100, Spherical,
 * NinaPro, Satellite; nas-bench-360.md §3.1–3.3, §3.9): error = 100 × (number of samples whose
 * arg-max differs from the label) / N.
 */
import type { Metric } from '../types.js';

export const accuracy: Metric = {
  name: 'accuracy',
  direction: 'max',
  compute(predictions, labels) {
    if (predictions.length !== labels.length) {
      throw new RangeError(`accuracy: ${predictions.length} predictions for ${labels.length} labels`);
    }
    if (labels.length === 0) return Number.NaN;
    let hits = 0;
    for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hits++;
    return hits / labels.length;
  },
};

/** 0-1 error in percent, 100·(1 − accuracy); NaN for empty input. */
export const errorPercent: Metric = {
  name: 'error',
  direction: 'min',
  compute(predictions, labels) {
    return 100 * (1 - accuracy.compute(predictions, labels));
  },
};

/** Arg-max per row of a row-major `(rows, columns)` score matrix; the first maximum wins ties. */
export function argmaxRows(scores: Float32Array | Float64Array, columns: number): Int32Array {
  checkColumns(scores.length, columns, 'argmaxRows');
  const rows = scores.length / columns;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (scores[r * columns + c]! > scores[r * columns + best]!) best = c;
    out[r] = best;
  }
  return out;
}

export function checkColumns(length: number, columns: number, where: string): void {
  if (!Number.isInteger(columns) || columns <= 0 || length % columns !== 0) {
    throw new RangeError(`${where}: ${length} values do not form rows of ${columns}`);
  }
}
