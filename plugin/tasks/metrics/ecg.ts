/**
 * ECG record-level macro F1 (nas-bench-360.md §3.8): window predictions are voted per record,
 * then F1 is computed per class over records and averaged without weights.
 */
import type { MetricResult } from './result.js';
import { lowerIsBetter } from './table.js';

export const ECG_CLASSES = 4;

/**
 * Majority vote over a record's window values, ties broken as Python's
 * `Counter.most_common(1)`: among the most frequent values, the one seen first in window order.
 */
export function majorityVote(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('majorityVote: no windows');
  const counts = new Map<number, number>(); // Map keeps first-insertion order, as Counter does.
  for (let i = 0; i < values.length; i++) counts.set(values[i]!, (counts.get(values[i]!) ?? 0) + 1);
  let best = values[0]!;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Macro F1 over `classes` classes: per class F1 = 2PR / (P + R), 0 where a denominator is 0
 * (scikit-learn's zero_division behaviour); unweighted mean over all classes, including those
 * absent from both truth and prediction (they count as 0). NaN for empty input.
 */
export function macroF1(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number {
  if (predicted.length !== truth.length) {
    throw new RangeError(`macroF1: ${predicted.length} predictions for ${truth.length} labels`);
  }
  if (truth.length === 0) return Number.NaN;
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    sum += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  return sum / classes;
}

/**
 * The official ECG metric: `windowPredictions[i]` (arg-max class of window i), `windowLabels[i]`
 * and `recordOfWindow[i]` (record id within the split) describe each window in record order;
 * each record's predicted and true class is the majority vote of its windows (`majorityVote`).
 */
export function ecgRecordF1(
  windowPredictions: Int32Array,
  windowLabels: Int32Array,
  recordOfWindow: Int32Array,
  classes = ECG_CLASSES,
): MetricResult {
  if (windowPredictions.length !== windowLabels.length || windowLabels.length !== recordOfWindow.length) {
    throw new RangeError('ecgRecordF1: window predictions, labels and record ids differ in length');
  }
  const windowsOfRecord = new Map<number, number[]>();
  recordOfWindow.forEach((record, window) => {
    const list = windowsOfRecord.get(record);
    if (list) list.push(window);
    else windowsOfRecord.set(record, [window]);
  });
  const predicted: number[] = [];
  const truth: number[] = [];
  for (const windows of windowsOfRecord.values()) {
    predicted.push(majorityVote(windows.map((w) => windowPredictions[w]!)));
    truth.push(majorityVote(windows.map((w) => windowLabels[w]!)));
  }
  return f1Result(macroF1(predicted, truth, classes), 'record-vote');
}

/** The per-window F1 of Perceiver IO, XGBoost, DASH and ORCA, to log next to the official one. */
export function ecgWindowF1(windowPredictions: Int32Array, windowLabels: Int32Array, classes = ECG_CLASSES): MetricResult {
  return f1Result(macroF1(windowPredictions, windowLabels, classes), 'per-window');
}

function f1Result(value: number, variant: string): MetricResult {
  const name = 'macro-f1';
  const direction = 'max';
  return { name, value, direction, tableValue: lowerIsBetter({ name, direction }, value), variant };
}
