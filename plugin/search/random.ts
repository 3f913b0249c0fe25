/**
 * Random search: draw macro genotypes uniformly from the recipe's space (cells from the
 * method.md §2.8 sampler), reject over-budget and duplicate draws before any tensor work, and
 * let the pool score the rest. The baseline every NAS method must beat under the same budget.
 */
import type { MacroBounds } from '../space/macro.js';
import type { InputShape, KernelSize, OpName } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { Budget } from './budget.js';
import { CandidateGate, drawRandomCandidate, type GateState } from './gate.js';
import { topEvaluations } from './ranking.js';
import type { Candidate, Evaluation, SearchMethod } from './types.js';

export interface SpaceContext {
  readonly input: InputShape;
  readonly numClasses: number;
  /** Output head of every architecture (Arch.head); absent = pooled. */
  readonly head?: 'pooled' | 'dense';
  readonly stemStride: 1 | 2;
  readonly se: boolean;
  readonly bounds: MacroBounds;
  readonly ops: readonly OpName[];
  readonly kernels: readonly KernelSize[];
}

export interface RandomSearchOptions {
  readonly space: SpaceContext;
  readonly budget: Budget;
  readonly seed: number;
  /** Draws allowed per candidate before `ask` gives up (over budget or duplicate). */
  readonly maxSamplingTries: number;
}

interface RandomState extends GateState {
  readonly rng: number[];
}

export class RandomSearch implements SearchMethod {
  readonly name = 'random';
  private rng: Rng;
  private readonly gate: CandidateGate;
  private readonly history: Evaluation[] = [];

  constructor(private readonly options: RandomSearchOptions) {
    this.rng = new Rng(options.seed);
    this.gate = new CandidateGate(options.budget);
  }

  ask(n: number): Candidate[] {
    const out: Candidate[] = [];
    for (let i = 0; i < n; i++) {
      const candidate = drawRandomCandidate(this.rng, this.options.space, this.gate, this.options.maxSamplingTries);
      if (!candidate) break;
      out.push(candidate);
    }
    return out;
  }

  tell(results: readonly Evaluation[]): void {
    this.gate.observe(results);
    this.history.push(...results);
  }

  best(k: number): Evaluation[] {
    return topEvaluations(this.history, k);
  }

  state(): RandomState {
    return { rng: this.rng.state(), ...this.gate.state() };
  }

  restore(state: unknown): void {
    const s = state as RandomState;
    this.rng = Rng.fromState(s.rng);
    this.gate.restore(s);
  }

  stats(): Record<string, number> {
    return {
      evaluated: this.history.length,
      failed: this.history.filter((e) => !e.ok).length,
      rejectedOverBudget: this.gate.rejectedOverBudget,
      rejectedDuplicate: this.gate.rejectedDuplicate,
    };
  }
}
