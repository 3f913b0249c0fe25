/**
 * Random search: draw macro genotypes uniformly from the recipe's space (cells from the
 * method.md §2.8 sampler), reject over-budget and duplicate draws before any tensor work, and
 * let the pool score the rest. The baseline every NAS method must beat under the same budget.
 */
import { archCost } from '../space/cost.js';
import { archFingerprint, sampleArch, type MacroBounds } from '../space/macro.js';
import { sampleCell } from '../space/sampler.js';
import type { Cell, InputShape, KernelSize, OpName } from '../space/types.js';
import { Rng } from '../util/rng.js';
import { budgetViolation, type Budget } from './budget.js';
import { topEvaluations } from './ranking.js';
import type { Candidate, Evaluation, SearchMethod } from './types.js';

export interface SpaceContext {
  readonly input: InputShape;
  readonly numClasses: number;
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

interface RandomState {
  readonly rng: number[];
  readonly nextId: number;
  readonly seen: string[];
  readonly rejectedOverBudget: number;
  readonly rejectedDuplicate: number;
}

export class RandomSearch implements SearchMethod {
  readonly name = 'random';
  private rng: Rng;
  private nextId = 0;
  private readonly seen = new Set<string>();
  private readonly history: Evaluation[] = [];
  private rejectedOverBudget = 0;
  private rejectedDuplicate = 0;

  constructor(private readonly options: RandomSearchOptions) {
    this.rng = new Rng(options.seed);
  }

  ask(n: number): Candidate[] {
    const out: Candidate[] = [];
    const { space, budget, maxSamplingTries } = this.options;
    const drawCell = (rng: Rng): Cell => sampleCell(rng, { ops: space.ops, kernels: space.kernels });
    for (let i = 0; i < n; i++) {
      let accepted: Candidate | null = null;
      for (let tries = 0; tries < maxSamplingTries && !accepted; tries++) {
        const arch = sampleArch(this.rng, space.bounds, drawCell, space.input, space.numClasses, space.stemStride, space.se);
        const cost = archCost(arch);
        if (budgetViolation(cost, budget) !== null) {
          this.rejectedOverBudget++;
          continue;
        }
        const fingerprint = archFingerprint(arch);
        if (this.seen.has(fingerprint)) {
          this.rejectedDuplicate++;
          continue;
        }
        this.seen.add(fingerprint);
        accepted = { id: this.nextId++, arch, fingerprint, cost, origin: 'random' };
      }
      if (!accepted) break;
      out.push(accepted);
    }
    return out;
  }

  tell(results: readonly Evaluation[]): void {
    for (const r of results) {
      this.seen.add(r.candidate.fingerprint);
      this.nextId = Math.max(this.nextId, r.candidate.id + 1);
      this.history.push(r);
    }
  }

  best(k: number): Evaluation[] {
    return topEvaluations(this.history, k);
  }

  state(): RandomState {
    return {
      rng: this.rng.state(),
      nextId: this.nextId,
      seen: [...this.seen],
      rejectedOverBudget: this.rejectedOverBudget,
      rejectedDuplicate: this.rejectedDuplicate,
    };
  }

  restore(state: unknown): void {
    const s = state as RandomState;
    this.rng = Rng.fromState(s.rng);
    this.nextId = s.nextId;
    s.seen.forEach((f) => this.seen.add(f));
    this.rejectedOverBudget = s.rejectedOverBudget;
    this.rejectedDuplicate = s.rejectedDuplicate;
  }

  stats(): Record<string, number> {
    return {
      evaluated: this.history.length,
      failed: this.history.filter((e) => !e.ok).length,
      rejectedOverBudget: this.rejectedOverBudget,
      rejectedDuplicate: this.rejectedDuplicate,
    };
  }
}
