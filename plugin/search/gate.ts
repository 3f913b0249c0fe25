/**
 * What every proposal passes before any tensor work, whatever the method: the hard budget
 * (method.md §4.3: an over-budget draw is discarded and not counted as an evaluation), the
 * fingerprint de-duplication (§14 P16), and candidate ids. Shared so that every method counts
 * and rejects the same way, which is what keeps equal-budget comparisons fair.
 */
import { archCost } from '../space/cost.js';
import { archFingerprint, sampleArch } from '../space/macro.js';
import { sampleCell } from '../space/sampler.js';
import type { Arch } from '../space/types.js';
import type { Rng } from '../util/rng.js';
import { budgetViolation, type Budget } from './budget.js';
import type { SpaceContext } from './random.js';
import type { Candidate, Evaluation } from './types.js';

export interface GateState {
  readonly nextId: number;
  readonly seen: string[];
  readonly rejectedOverBudget: number;
  readonly rejectedDuplicate: number;
}

export class CandidateGate {
  private nextId = 0;
  private seen = new Set<string>();
  private overBudget = 0;
  private duplicates = 0;

  constructor(private readonly budget: Budget) {}

  /** A candidate for `arch`, or null when it breaks the budget or was seen before. */
  admit(arch: Arch, origin: string, parentId?: number): Candidate | null {
    const cost = archCost(arch);
    if (budgetViolation(cost, this.budget) !== null) {
      this.overBudget++;
      return null;
    }
    const fingerprint = archFingerprint(arch);
    if (this.seen.has(fingerprint)) {
      this.duplicates++;
      return null;
    }
    this.seen.add(fingerprint);
    return { id: this.nextId++, arch, fingerprint, cost, origin, ...(parentId === undefined ? {} : { parentId }) };
  }

  /** Told results may come from elsewhere (a resumed run, an Optuna study): never reuse their ids or genotypes. */
  observe(results: readonly Evaluation[]): void {
    for (const r of results) {
      this.seen.add(r.candidate.fingerprint);
      this.nextId = Math.max(this.nextId, r.candidate.id + 1);
    }
  }

  get rejectedOverBudget(): number {
    return this.overBudget;
  }

  get rejectedDuplicate(): number {
    return this.duplicates;
  }

  state(): GateState {
    return { nextId: this.nextId, seen: [...this.seen], rejectedOverBudget: this.overBudget, rejectedDuplicate: this.duplicates };
  }

  restore(state: GateState): void {
    this.nextId = state.nextId;
    this.seen = new Set(state.seen);
    this.overBudget = state.rejectedOverBudget;
    this.duplicates = state.rejectedDuplicate;
  }
}

/** A uniformly random architecture of the space that passes the gate, within `maxTries` draws. */
export function drawRandomCandidate(rng: Rng, space: SpaceContext, gate: CandidateGate, maxTries: number): Candidate | null {
  const labels = { ops: space.ops, kernels: space.kernels };
  for (let tries = 0; tries < maxTries; tries++) {
    const sampled = sampleArch(rng, space.bounds, (r) => sampleCell(r, labels), space.input, space.numClasses, space.stemStride, space.se);
    const arch = space.head === 'dense' ? { ...sampled, head: 'dense' as const } : sampled;
    const candidate = gate.admit(arch, 'random');
    if (candidate) return candidate;
  }
  return null;
}
