/**
 * Task adapters (design.md §3): what a task looks like to the search and the trainer. A task is
 * data plus the facts needed to build and judge a network for it; nothing here knows about
 * search methods.
 */
import type { InputShape } from '../space/types.js';

export type MetricDirection = 'max' | 'min';

export interface Metric {
  /** Official name, e.g. `accuracy`, `error`. */
  readonly name: string;
  readonly direction: MetricDirection;
  /** Computes the metric from predicted classes and true labels. */
  compute(predictions: Int32Array, labels: Int32Array): number;
}

/** An in-memory split: NHWC float32 images and int32 labels. */
export interface Split {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
  /** Indices into the task's canonical example order (recorded so splits are auditable). */
  readonly indices: Int32Array;
}

export interface TaskSplits {
  readonly train: Split;
  readonly val: Split;
  readonly test: Split;
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

export interface Task {
  readonly id: string;
  readonly kind: 'classification';
  readonly inputShape: InputShape;
  readonly numClasses: number;
  /** Stem stride the task wants when the recipe says `auto`. */
  readonly defaultStemStride: 1 | 2;
  readonly metric: Metric;
  /** Per-channel normalisation applied to every split (and the ZC batch). */
  readonly normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly splits: TaskSplits;
}
