/**
 * Shapes shared by the NAS-Bench-360 metric functions (nas-bench-360.md §4): every metric reports
 * its raw value, its direction, the "table value" the benchmark prints (lower is better), and the
 * variant choices that differ between papers, so a leaderboard never mixes incomparable numbers.
 */
import type { MetricDirection } from '../types.js';

export interface MetricResult {
  /** Official raw-metric name, e.g. `mAP`, `macro-auroc`, `relative-l2`. */
  readonly name: string;
  /** Raw metric value (NaN when it is undefined for this input, e.g. empty input). */
  readonly value: number;
  readonly direction: MetricDirection;
  /** NAS-Bench-360 table form, lower is better (see `lowerIsBetter`). */
  readonly tableValue: number;
  /** The paper-dependent choices this value embodies (e.g. `record-vote`, `logit>0.5`). */
  readonly variant: string;
}

/**
 * A macro average over classes (or targets) where some classes may be undefined: AP and AUROC
 * have no value for a class without positives (AUROC: or without negatives). The doc (§4)
 * requires such classes to be reported explicitly; they are left out of the mean.
 */
export interface MacroMetricResult extends MetricResult {
  /** Per-class value, `null` where the metric is undefined for that class. */
  readonly perClass: readonly (number | null)[];
  /** Indices of the classes left out of the mean because their metric is undefined. */
  readonly undefinedClasses: readonly number[];
}

/**
 * A metric computed from real-valued scores and targets (regression outputs, logits,
 * multi-hot labels), the score-based counterpart of the class-label `Metric` in `../types.ts`.
 * Layouts are row-major `(rows, columns)`; `columns` is the per-sample size.
 */
export interface ScoreMetric {
  readonly name: string;
  readonly direction: MetricDirection;
  compute(scores: Float32Array, targets: Float32Array, columns: number): MetricResult;
}
