/**
 * The ask/tell protocol every search method speaks (design.md §3). A method proposes
 * genotypes and learns from their scores; it never touches tensors, so the same method runs
 * against the local worker pool, an Optuna study or any other evaluator.
 */
import type { Arch, Cost } from '../space/types.js';

export interface Candidate {
  /** Unique within a run, in proposal order. */
  readonly id: number;
  readonly arch: Arch;
  /** Fingerprint of the macro genotype (space/macro.ts). */
  readonly fingerprint: string;
  readonly cost: Cost;
  /** How the method made it: `random`, `mutation`, … */
  readonly origin: string;
  readonly parentId?: number;
}

export interface Evaluation {
  readonly candidate: Candidate;
  readonly ok: boolean;
  /** The recipe's fitness proxy value; null when the candidate failed. */
  readonly fitness: number | null;
  /** Every proxy value computed for it. */
  readonly proxies: Readonly<Record<string, number>>;
  /** Why it failed (build error, NaN proxy, a layer that never fired, worker crash, timeout). */
  readonly reason?: string;
  readonly seconds: number;
}

export interface SearchMethod {
  readonly name: string;
  /** Up to n new candidates, each already within the hard budgets. Fewer (or none) when the space is exhausted. */
  ask(n: number): Candidate[];
  tell(results: readonly Evaluation[]): void;
  /** The k best successful evaluations, best first, de-duplicated by fingerprint. */
  best(k: number): Evaluation[];
  /** Plain-JSON state for checkpoint/resume. */
  state(): unknown;
  restore(state: unknown): void;
  /** Counters for reporting (e.g. draws rejected as over budget before any tensor work). */
  stats(): Readonly<Record<string, number>>;
}
