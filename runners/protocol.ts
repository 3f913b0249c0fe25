/**
 * What crosses the worker-thread boundary: plain JSON genotypes and typed arrays only
 * (design.md §1). Shared by the pool (main thread) and the worker entry point.
 */
import type { BackendPreference } from '../plugin/nn/backend.js';
import type { LossKind, OutputDecode } from '../plugin/nn/task-loss.js';

export interface ZcBatchData {
  readonly x: Float32Array;
  readonly y: Int32Array;
  /** [batch, height, width, channels] */
  readonly shape: readonly [number, number, number, number];
  readonly numClasses: number;
  /**
   * Tasks other than single-label classification: float targets `(batch, outputs)` row-major and
   * the task's loss (with its output decoding), used instead of cross-entropy on `y`.
   */
  readonly task?: { readonly loss: LossKind; readonly targets: Float32Array; readonly decode?: OutputDecode };
}

export interface WorkerSetup {
  readonly backend: BackendPreference;
  readonly zcBatch: ZcBatchData;
}

export interface ScoreJob {
  readonly kind: 'score';
  /** An `hgnas/arch@1` document. */
  readonly arch: unknown;
  readonly proxies: readonly string[];
  /** Seed of the fresh initialisation. */
  readonly seed: number;
  /** Test hook: make the worker misbehave (`throw`, `crash`, `hang`) to exercise retries. */
  readonly fault?: 'throw' | 'crash' | 'hang';
}

export type Job = ScoreJob;

export interface JobSuccess {
  readonly ok: true;
  readonly values: Record<string, number>;
  readonly perLayer?: Record<string, Record<string, number>>;
  readonly seconds: number;
  readonly backend: string;
  readonly threadId: number;
}

export interface JobFailure {
  readonly ok: false;
  readonly reason: string;
  readonly seconds: number;
  readonly attempts?: number;
}

export type JobResult = JobSuccess | JobFailure;
