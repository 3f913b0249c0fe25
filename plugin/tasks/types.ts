/**
 * Task adapters (design.md §3): what a task looks like to the search and the trainer. A task is
 * data plus the facts needed to build and judge a network for it; nothing here knows about
 * search methods.
 */
import type { InputShape } from '../space/types.js';
import type { LossKind } from '../nn/task-loss.js';
import type { MetricResult } from './metrics/result.js';

export type MetricDirection = 'max' | 'min';

export interface Metric {
  /** Official name, e.g. `accuracy`, `error`. */
  readonly name: string;
  readonly direction: MetricDirection;
  /** Computes the metric from predicted classes and true labels. */
  compute(predictions: Int32Array, labels: Int32Array): number;
}

/** An in-memory split: NHWC float32 images and int32 labels (or float targets, see `targets`). */
export interface Split {
  readonly x: Float32Array;
  /** Class labels of a classification task; all 0 for the other kinds (their truth is `targets`). */
  readonly y: Int32Array;
  /**
   * Row-major `(count, TaskOutput.size)` float32 targets of the kinds other than classification:
   * multi-hot labels (multilabel), per-pixel values in NHWC order (dense kinds).
   */
  readonly targets?: Float32Array;
  /** Per-example group id where the metric pools examples (ECG record, FSD50K clip); absent otherwise. */
  readonly groups?: Int32Array;
  readonly count: number;
  /** Indices into the task's canonical example order (recorded so splits are auditable). */
  readonly indices: Int32Array;
}

export interface TaskSplits {
  readonly train: Split;
  readonly val: Split;
  readonly test: Split;
  /**
   * The benchmark's final-mode splits where they are not train + val and `test` (ECG re-splits
   * its records 90/10 for the final run, nas-bench-360.md §3.8). Used when the recipe retrains on
   * train + val (`evaluation.finalData`); absent = concatenated train and val, and `test`.
   */
  readonly final?: {
    readonly train: Split;
    readonly test: Split;
    readonly method: string;
    /** The final mode's output side where it differs (Darcy: normalisers refitted on train + val). */
    readonly output?: TaskOutput;
  };
  /** How the splits were made, for result.json. */
  readonly description: SplitDescription;
}

export interface SplitDescription {
  readonly source: string;
  readonly total: number;
  readonly train: number;
  readonly val: number;
  readonly test: number;
  readonly seed: number;
  readonly method: string;
}

/** What the network predicts (nas-bench-360.md §1 "Task type"). */
export type TaskKind = 'classification' | 'multilabel' | 'dense-regression' | 'dense-classification';

export type { LossKind } from '../nn/task-loss.js';

/**
 * The output side of a task that is not plain single-label classification: head, loss, decoding
 * and the official metric computed from raw network outputs. A task without it is classified by
 * the pooled head with cross-entropy and judged by `Task.metric` on arg-max predictions.
 */
export interface TaskOutput {
  readonly kind: TaskKind;
  /** `pooled`: global pooling → linear; `dense`: per-pixel 1×1 conv, upsampled to the input size. */
  readonly head: 'pooled' | 'dense';
  readonly loss: LossKind;
  /** Network outputs per example: numClasses (pooled) or H·W·numClasses (dense, NHWC order). */
  readonly size: number;
  /**
   * Per-output affine decoding (value · scale + shift) applied to the network output before the
   * loss and the metric (Darcy's target normaliser); absent = identity.
   */
  readonly decode?: { readonly scale: Float32Array; readonly shift: Float32Array };
  /** The official metric from raw (undecoded) network outputs, row-major `(split.count, size)`. */
  evaluate(outputs: Float32Array, split: Split): MetricResult;
}

export interface Task {
  readonly id: string;
  readonly kind: TaskKind;
  /** Absent for single-label classification tasks (pooled head, cross-entropy, `metric`). */
  readonly output?: TaskOutput;
  readonly inputShape: InputShape;
  readonly numClasses: number;
  /** Stem stride the task wants when the recipe says `auto`. */
  readonly defaultStemStride: 1 | 2;
  readonly metric: Metric;
  /** Per-channel normalisation applied to every split (and the ZC batch). */
  readonly normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly splits: TaskSplits;
}
