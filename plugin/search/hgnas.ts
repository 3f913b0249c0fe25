/**
 * `hgnas`: the default method (design.md §3, method.md §12.10 + §11.3) behind ask/tell.
 *
 * (a) Proposal rounds: the macro transformer samples `sequences` cluster-level skeletons for a
 *     prompt built from the task and the budgets; each skeleton gets up to `perSequence`
 *     concrete networks, one `sampleByCluster(k, τ_cell)` cell per stage, that pass the domain
 *     rules and the CandidateGate (hard budget, de-duplication), at most `patience` failed draws
 *     per skeleton (§14 P8). The proposal share of the evaluation budget is spent this way.
 * (b) Exploitation: a population seeded with the best scored proposals, a uniformly random
 *     parent, the GMM_GUIDE mutation (`sampleLike`, τ = 1.0) and remove-worst (as §11.3).
 *
 * Iterative refinement (optional): when every candidate of a proposal round has been told, the
 * injected `refine` hook receives the best scored proposals so far as cluster genotypes (cluster
 * ids from `CellGenerator.encode`), so the caller can fine-tune the transformer before the next
 * round. It is never called when refinement is off, and never again for a round on resume.
 */
import type { CellGenerator, ClusterGenotype, MacroGenerator, MacroPrompt } from '../generators/types.js';
import { archFromJson, archToJson } from '../space/arch-json.js';
import { archCost } from '../space/cost.js';
import { validateArch } from '../space/macro.js';
import type { Arch, Cell } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { Budget } from './budget.js';
import { CandidateGate, type GateState } from './gate.js';
import { clusterGenotypeOf, concreteArch, gmmGuidedMutation, RemoveWorstPopulation, skeletonProblems, usable } from './generative.js';
import type { SpaceContext } from './random.js';
import { topEvaluations } from './ranking.js';
import type { Candidate, Evaluation, SearchMethod } from './types.js';

/** Receives the best scored proposals after a proposal round (e.g. to fine-tune the transformer). */
export type RefineHook = (topK: { genotype: ClusterGenotype; fitness: number }[]) => void;

export const DEFAULT_PROPOSAL_SHARE = 0.5;
/** §12.10: n = 5 sequences per query, 10 accepted cell draws per sequence. */
export const DEFAULT_SEQUENCES = 5;
export const DEFAULT_PER_SEQUENCE = 10;
/** Consecutive proposal rounds without a single admissible network before proposals stop. */
export const MAX_EMPTY_ROUNDS = 10;

export interface HgnasOptions {
  readonly space: SpaceContext;
  readonly budget: Budget;
  readonly seed: number;
  /** Failed draws allowed per skeleton (§12.10 patience) and per exploitation candidate. */
  readonly maxSamplingTries: number;
  readonly cells: CellGenerator;
  readonly macro: MacroGenerator;
  /** Candidates taken from transformer proposals before exploitation starts. */
  readonly proposals: number;
  /** Skeletons sampled per round. */
  readonly sequences: number;
  /** Networks kept per skeleton. */
  readonly perSequence: number;
  /** τ of `sampleByCluster` (recipe generators.cellTemperature). */
  readonly cellTemperature: number;
  readonly macroTemperature: number;
  readonly macroTopK: number;
  /** Population size of the exploitation phase. */
  readonly population: number;
  readonly guideTemperature?: number;
  /** Iterative refinement; absent or null = off. */
  readonly refine?: { readonly hook: RefineHook; readonly topK: number } | null;
}

/** Proposal count for a total evaluation budget (open-ended budgets: ten full rounds). */
export function proposalCount(totalEvaluations: number | null, share: number, sequences: number, perSequence: number): number {
  if (!(share > 0 && share <= 1)) throw new RangeError(`proposalShare must be in (0, 1], got ${share}`);
  if (totalEvaluations === null) return 10 * sequences * perSequence;
  return Math.min(totalEvaluations, Math.max(1, Math.round(totalEvaluations * share)));
}

interface QueuedCandidate {
  readonly id: number;
  readonly fingerprint: string;
  readonly origin: string;
  readonly arch: unknown;
}

/** Checkpoint state; resume = `restore(state)` then `tell(recorded evaluations)` in order. */
interface HgnasState extends GateState {
  readonly format: 'hgnas/hgnas-state@1';
  readonly rng: number[];
  readonly round: number;
  readonly refinedRounds: number;
  readonly proposalsAsked: number;
  readonly exploitationAsked: number;
  readonly proposalsExhausted: boolean;
  /** Drawn in the current round, not yet asked. */
  readonly queue: QueuedCandidate[];
  /** Ids of the current round not yet told. */
  readonly outstanding: number[];
  readonly transitionAt: number | null;
  readonly rejectedSkeletons: number;
  readonly rejectedDraws: number;
  readonly rejectedInvalid: number;
}

function isHgnasState(x: unknown): x is HgnasState {
  const s = x as Partial<HgnasState> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.format === 'hgnas/hgnas-state@1' &&
    Array.isArray(s.rng) &&
    s.rng.length === 4 &&
    Array.isArray(s.seen) &&
    Array.isArray(s.queue) &&
    Array.isArray(s.outstanding) &&
    [s.nextId, s.round, s.refinedRounds, s.proposalsAsked, s.exploitationAsked, s.rejectedOverBudget, s.rejectedDuplicate, s.rejectedSkeletons, s.rejectedDraws, s.rejectedInvalid].every(Number.isInteger)
  );
}

export class HgnasSearch implements SearchMethod {
  readonly name = 'hgnas';
  private rng: Rng;
  private readonly gate: CandidateGate;
  private history: Evaluation[] = [];
  private population: RemoveWorstPopulation<Arch>;
  private round = 0;
  private refinedRounds = 0;
  private proposalsAsked = 0;
  private exploitationAsked = 0;
  private proposalsExhausted = false;
  private queue: Candidate[] = [];
  private outstanding = new Set<number>();
  private transitionAt: number | null = null;
  private transitioned = false;
  private told = 0;
  private rejectedSkeletons = 0;
  private rejectedDraws = 0;
  private rejectedInvalid = 0;

  constructor(private readonly options: HgnasOptions) {
    if (options.cells.numClusters !== options.macro.numClusters) {
      throw new RangeError(`the cell generator has ${options.cells.numClusters} clusters but the macro generator ${options.macro.numClusters}`);
    }
    for (const key of ['proposals', 'sequences', 'perSequence', 'population'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
    }
    this.rng = new Rng(options.seed);
    this.gate = new CandidateGate(options.budget);
    this.population = new RemoveWorstPopulation(options.population);
  }

  ask(n: number): Candidate[] {
    const out: Candidate[] = [];
    while (out.length < n) {
      if (this.inProposalPhase()) {
        if (this.queue.length === 0) {
          // A new round only in a fresh call: refinement and the next round wait for the results.
          if (out.length > 0) break;
          if (!this.drawRound()) continue; // proposals exhausted: exploitation takes over
        }
        const candidate = this.queue.shift()!;
        this.proposalsAsked++;
        out.push(candidate);
        continue;
      }
      // Exploitation parents come from proposal results: never in the same call as proposals.
      if (out.length > 0 && !this.transitioned) break;
      if (!this.transitioned) this.transition();
      const candidate = this.drawMutation();
      if (!candidate) break;
      this.exploitationAsked++;
      out.push(candidate);
    }
    return out;
  }

  tell(results: readonly Evaluation[]): void {
    this.gate.observe(results);
    for (const r of results) {
      this.history.push(r);
      this.told++;
      if (this.transitioned && usable(r)) this.population.add({ item: r.candidate.arch, fitness: r.fitness, id: r.candidate.id });
      if (this.outstanding.delete(r.candidate.id) && this.outstanding.size === 0 && this.queue.length === 0) this.finishRound();
      if (!this.transitioned && this.transitionAt !== null && this.told === this.transitionAt) this.transition();
    }
  }

  best(k: number): Evaluation[] {
    return topEvaluations(this.history, k);
  }

  state(): HgnasState {
    return {
      format: 'hgnas/hgnas-state@1',
      rng: this.rng.state(),
      ...this.gate.state(),
      round: this.round,
      refinedRounds: this.refinedRounds,
      proposalsAsked: this.proposalsAsked,
      exploitationAsked: this.exploitationAsked,
      proposalsExhausted: this.proposalsExhausted,
      queue: this.queue.map((c) => ({ id: c.id, fingerprint: c.fingerprint, origin: c.origin, arch: archToJson(c.arch) })),
      outstanding: [...this.outstanding],
      transitionAt: this.transitionAt,
      rejectedSkeletons: this.rejectedSkeletons,
      rejectedDraws: this.rejectedDraws,
      rejectedInvalid: this.rejectedInvalid,
    };
  }

  /** Replaces everything; tell the recorded evaluations afterwards (see HgnasState). */
  restore(state: unknown): void {
    if (!isHgnasState(state)) throw new Error('hgnas: not an hgnas search state');
    this.rng = Rng.fromState(state.rng);
    this.gate.restore(state);
    this.history = [];
    this.population = new RemoveWorstPopulation(this.options.population);
    this.round = state.round;
    this.refinedRounds = state.refinedRounds;
    this.proposalsAsked = state.proposalsAsked;
    this.exploitationAsked = state.exploitationAsked;
    this.proposalsExhausted = state.proposalsExhausted;
    this.queue = state.queue.map((q) => {
      const arch = archFromJson(q.arch);
      return { id: q.id, arch, fingerprint: q.fingerprint, cost: archCost(arch), origin: q.origin };
    });
    this.outstanding = new Set(state.outstanding);
    this.transitionAt = state.transitionAt;
    this.transitioned = false;
    this.told = 0;
    this.rejectedSkeletons = state.rejectedSkeletons;
    this.rejectedDraws = state.rejectedDraws;
    this.rejectedInvalid = state.rejectedInvalid;
    if (this.transitionAt === 0) this.transition();
  }

  stats(): Record<string, number> {
    return {
      evaluated: this.history.length,
      failed: this.history.filter((e) => !e.ok).length,
      rejectedOverBudget: this.gate.rejectedOverBudget,
      rejectedDuplicate: this.gate.rejectedDuplicate,
      rejectedSkeletons: this.rejectedSkeletons,
      rejectedDraws: this.rejectedDraws,
      rejectedInvalid: this.rejectedInvalid,
      rounds: this.round,
      refinedRounds: this.refinedRounds,
      proposalsAsked: this.proposalsAsked,
      exploitationAsked: this.exploitationAsked,
      populationSize: this.population.size,
    };
  }

  private inProposalPhase(): boolean {
    return !this.proposalsExhausted && (this.queue.length > 0 || this.proposalsAsked < this.options.proposals);
  }

  private prompt(): MacroPrompt {
    const { space, budget } = this.options;
    return { numClasses: space.numClasses, inputSize: space.input.height, params: budget.maxParams, flops: budget.maxFlops, zcScore: null };
  }

  /**
   * Samples rounds until one yields an admissible network; after MAX_EMPTY_ROUNDS empty rounds in
   * a row the proposals stop (returns false) and exploitation takes over with what was scored.
   */
  private drawRound(): boolean {
    for (let empty = 0; empty < MAX_EMPTY_ROUNDS; empty++) {
      this.round++;
      this.fillRound();
      if (this.queue.length > 0) {
        this.outstanding = new Set(this.queue.map((c) => c.id));
        return true;
      }
    }
    this.proposalsExhausted = true;
    return false;
  }

  /** §12.10 for one round, capped so the proposals never exceed their share of the budget. */
  private fillRound(): void {
    const { cells, macro, space, sequences, perSequence, cellTemperature, macroTemperature, macroTopK, maxSamplingTries } = this.options;
    const remaining = this.options.proposals - this.proposalsAsked;
    const skeletons = macro.sample(this.prompt(), sequences, { temperature: macroTemperature, topK: macroTopK, seed: this.rng.nextUint32() });
    for (const [s, skeleton] of skeletons.entries()) {
      if (this.queue.length >= remaining) break;
      // A skeleton outside the recipe's space (or naming unknown clusters) gets no cell draws.
      if (skeletonProblems(skeleton, space, cells.numClusters).length > 0) {
        this.rejectedSkeletons++;
        continue;
      }
      let kept = 0;
      let failures = 0;
      while (kept < perSequence && failures <= maxSamplingTries && this.queue.length < remaining) {
        const want = Math.min(perSequence - kept, remaining - this.queue.length);
        // One batched generator call per stage: the i-th cells of every stage form the i-th network.
        const drawn: Cell[][] = skeleton.stages.map((stage) =>
          cells.sampleByCluster(stage.cluster, want, { temperature: cellTemperature, seed: this.rng.nextUint32() }),
        );
        for (let i = 0; i < want; i++) {
          const stageCells = drawn.map((d) => d[i]);
          if (stageCells.some((c) => c === undefined)) {
            failures++;
            continue;
          }
          const arch = concreteArch(space, skeleton, stageCells as Cell[]);
          if (validateArch(arch, space.bounds).length > 0) {
            this.rejectedDraws++;
            failures++;
            continue;
          }
          const candidate = this.gate.admit(arch, `proposal:r${this.round}s${s}`);
          if (!candidate) {
            failures++;
            continue;
          }
          this.queue.push(candidate);
          kept++;
        }
      }
    }
  }

  private finishRound(): void {
    const refine = this.options.refine;
    if (!refine || this.round <= this.refinedRounds) return;
    this.refinedRounds = this.round;
    const top = topEvaluations(
      this.history.filter((e) => e.candidate.origin.startsWith('proposal')),
      refine.topK,
    );
    refine.hook(top.map((e) => ({ genotype: clusterGenotypeOf(this.options.cells, e.candidate.arch), fitness: e.fitness! })));
  }

  /** The exploitation population: the best scored candidates so far, best first. */
  private transition(): void {
    this.transitioned = true;
    this.transitionAt ??= this.told;
    for (const e of topEvaluations(this.history, this.options.population)) {
      this.population.add({ item: e.candidate.arch, fitness: e.fitness!, id: e.candidate.id });
    }
  }

  private drawMutation(): Candidate | null {
    if (this.population.size === 0) return null;
    const { space, cells, maxSamplingTries, guideTemperature } = this.options;
    for (let tries = 0; tries < maxSamplingTries; tries++) {
      const parent = this.population.pick(this.rng);
      const child = gmmGuidedMutation(parent.item, space, cells, this.rng, guideTemperature);
      if (child === null) {
        this.rejectedInvalid++;
        continue;
      }
      const candidate = this.gate.admit(child.arch, child.cellChanged ? 'exploit:gmm-guide' : 'exploit:macro', parent.id);
      if (candidate) return candidate;
    }
    return null;
  }
}
