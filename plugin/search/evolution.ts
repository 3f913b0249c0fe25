/**
 * Regularized evolution (Real et al. 2019) behind the ask/tell interface: the proxy-driven
 * baselines `zen-nas`, `zico` and `tcet-ea` (design.md §3). The method is fitness-agnostic: it
 * ranks by `Evaluation.fitness`, whichever proxy the recipe chose.
 *
 * - The first `population` candidates are random, unique and within the hard budgets (like
 *   RandomSearch). After that each candidate is the §10.3 mutation of a tournament winner: a
 *   uniform sample of `tournament` members of the current population, best fitness first.
 * - Children that break a bound, exceed the hard budget (§4.3: not counted as evaluations) or were
 *   already seen (§14 P16) are rejected before any tensor work and redrawn, up to
 *   `maxSamplingTries` draws per candidate.
 * - Every successful evaluation enters the population; when it then exceeds `population`, the
 *   oldest member leaves (`replace: 'oldest'`, ageing) or the lowest-fitness one (`'worst'`).
 *   Failed evaluations never enter, so they are never parents.
 * - Asynchronous: `ask` may run while earlier candidates are still out. Parents come from what has
 *   been told so far; while nothing usable has been told, `ask` keeps drawing random candidates.
 */
import { sampleCell } from '../space/sampler.js';
import type { Cell } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { Budget } from './budget.js';
import { CandidateGate, drawRandomCandidate, type GateState } from './gate.js';
import { mutateArch, type CellMutation } from '../space/mutation.js';
import type { SpaceContext } from './random.js';
import { topEvaluations } from './ranking.js';
import type { Candidate, Evaluation, SearchMethod } from './types.js';

export type Replacement = 'oldest' | 'worst';

export interface EvolutionOptions {
  /** Reported method name ('zen-nas', 'zico', 'tcet-ea', …). */
  readonly name: string;
  readonly space: SpaceContext;
  readonly budget: Budget;
  readonly seed: number;
  /** Population size P: the number of random candidates first, then the population cap. */
  readonly population: number;
  /** Tournament sample size S (1 = a uniformly random parent). */
  readonly tournament: number;
  /** Draws allowed per candidate before `ask` gives up (over budget, invalid or duplicate). */
  readonly maxSamplingTries: number;
  readonly cellMutation: CellMutation;
  /** Which member leaves a full population; default 'oldest' (regularized evolution). */
  readonly replace?: Replacement;
}

/**
 * Checkpoint state. Evaluations are not part of it: the run directory keeps them
 * (candidates.jsonl), and resuming is `restore(state)` followed by `tell(recorded evaluations)` in
 * their original order, which rebuilds history and population exactly.
 */
interface EvolutionState extends GateState {
  readonly format: 'hgnas/evolution-state@1';
  readonly rng: number[];
  readonly randomAsked: number;
  readonly rejectedInvalid: number;
  readonly mutations: number;
}

interface Member {
  readonly evaluation: Evaluation;
  readonly fitness: number;
}

function isEvolutionState(x: unknown): x is EvolutionState {
  const s = x as Partial<EvolutionState> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.format === 'hgnas/evolution-state@1' &&
    Array.isArray(s.rng) &&
    s.rng.length === 4 &&
    Array.isArray(s.seen) &&
    [s.nextId, s.randomAsked, s.rejectedOverBudget, s.rejectedDuplicate, s.rejectedInvalid, s.mutations].every(Number.isInteger)
  );
}

export class RegularizedEvolution implements SearchMethod {
  readonly name: string;
  private rng: Rng;
  private readonly gate: CandidateGate;
  private history: Evaluation[] = [];
  /** Oldest first. */
  private population: Member[] = [];
  private randomAsked = 0;
  private rejectedInvalid = 0;
  private mutations = 0;
  private readonly replace: Replacement;
  private readonly drawCell: (rng: Rng) => Cell;

  constructor(private readonly options: EvolutionOptions) {
    if (!Number.isInteger(options.population) || options.population < 1) throw new RangeError(`population must be a positive integer, got ${options.population}`);
    if (!Number.isInteger(options.tournament) || options.tournament < 1) throw new RangeError(`tournament must be a positive integer, got ${options.tournament}`);
    this.name = options.name;
    this.replace = options.replace ?? 'oldest';
    this.rng = new Rng(options.seed);
    this.gate = new CandidateGate(options.budget);
    const labels = { ops: options.space.ops, kernels: options.space.kernels };
    this.drawCell = (rng) => sampleCell(rng, labels);
  }

  ask(n: number): Candidate[] {
    const out: Candidate[] = [];
    for (let i = 0; i < n; i++) {
      const random = this.randomAsked < this.options.population || this.population.length === 0;
      const candidate = random ? this.drawRandom() : this.drawMutation();
      if (!candidate) break;
      out.push(candidate);
    }
    return out;
  }

  tell(results: readonly Evaluation[]): void {
    this.gate.observe(results);
    for (const r of results) {
      this.history.push(r);
      if (r.ok && r.fitness !== null && Number.isFinite(r.fitness)) this.admit({ evaluation: r, fitness: r.fitness });
    }
  }

  best(k: number): Evaluation[] {
    return topEvaluations(this.history, k);
  }

  /** The current population, oldest first (for reports and tests). */
  members(): Evaluation[] {
    return this.population.map((m) => m.evaluation);
  }

  state(): EvolutionState {
    return {
      format: 'hgnas/evolution-state@1',
      rng: this.rng.state(),
      ...this.gate.state(),
      randomAsked: this.randomAsked,
      rejectedInvalid: this.rejectedInvalid,
      mutations: this.mutations,
    };
  }

  /** Replaces everything; tell the recorded evaluations afterwards (see EvolutionState). */
  restore(state: unknown): void {
    if (!isEvolutionState(state)) throw new Error(`${this.name}: not a regularized-evolution search state`);
    this.rng = Rng.fromState(state.rng);
    this.gate.restore(state);
    this.history = [];
    this.population = [];
    this.randomAsked = state.randomAsked;
    this.rejectedInvalid = state.rejectedInvalid;
    this.mutations = state.mutations;
  }

  stats(): Record<string, number> {
    return {
      evaluated: this.history.length,
      failed: this.history.filter((e) => !e.ok).length,
      rejectedOverBudget: this.gate.rejectedOverBudget,
      rejectedDuplicate: this.gate.rejectedDuplicate,
      rejectedInvalid: this.rejectedInvalid,
      mutations: this.mutations,
      populationSize: this.population.length,
    };
  }

  private admit(member: Member): void {
    this.population.push(member);
    while (this.population.length > this.options.population) {
      this.population.splice(this.replace === 'oldest' ? 0 : this.worstIndex(), 1);
    }
  }

  /** Lowest fitness; among equals the oldest leaves. */
  private worstIndex(): number {
    let worst = 0;
    for (let i = 1; i < this.population.length; i++) {
      if (this.population[i]!.fitness < this.population[worst]!.fitness) worst = i;
    }
    return worst;
  }

  /** Best of a uniform sample (without replacement) of the population; ties go to the older. */
  private tournamentWinner(): Member {
    const size = Math.min(this.options.tournament, this.population.length);
    const sample = this.rng.subset(this.population, size);
    return sample.reduce((best, m) => (m.fitness > best.fitness ? m : best));
  }

  private drawRandom(): Candidate | null {
    const candidate = drawRandomCandidate(this.rng, this.options.space, this.gate, this.options.maxSamplingTries);
    if (candidate) this.randomAsked++;
    return candidate;
  }

  private drawMutation(): Candidate | null {
    const { space, maxSamplingTries, cellMutation } = this.options;
    const mutation = { bounds: space.bounds, resampleCell: this.drawCell, labels: { ops: space.ops, kernels: space.kernels }, cellMutation };
    for (let tries = 0; tries < maxSamplingTries; tries++) {
      // A fresh tournament per draw, so one parent without viable children cannot stall the search.
      const parent = this.tournamentWinner().evaluation.candidate;
      const child = mutateArch(parent.arch, this.rng, mutation);
      if (child === null) {
        this.rejectedInvalid++;
        continue;
      }
      const candidate = this.gate.admit(child, 'mutation', parent.id);
      if (candidate) {
        this.mutations++;
        return candidate;
      }
    }
    return null;
  }
}

export const BASELINE_NAMES = ['zen-nas', 'zico', 'tcet-ea'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** What the caller chooses; the preset fills `name`, and `replace`/`cellMutation` unless given. */
export type BaselineOptions = Omit<EvolutionOptions, 'name' | 'replace' | 'cellMutation'> &
  Partial<Pick<EvolutionOptions, 'replace' | 'cellMutation'>>;

const PRESETS: Record<BaselineName, { replace: Replacement; cellMutation: CellMutation }> = {
  // Zen-NAS's evolution_search.py appends the child and then removes the lowest-scoring member
  // (no ageing), and mutates by replacing a block with a random one. ZiCo's search script derives
  // from that loop; its preset keeps ageing here, as the baseline was specified.
  'zen-nas': { replace: 'worst', cellMutation: 'resample' },
  zico: { replace: 'oldest', cellMutation: 'resample' },
  // No generators in a baseline, so GMM_GUIDE (§11.1) is unavailable; both non-generative cell
  // kinds of §10.3 are used.
  'tcet-ea': { replace: 'oldest', cellMutation: 'mixed' },
};

export function createBaseline(name: BaselineName, options: BaselineOptions): RegularizedEvolution {
  const preset = PRESETS[name];
  return new RegularizedEvolution({
    ...options,
    name,
    replace: options.replace ?? preset.replace,
    cellMutation: options.cellMutation ?? preset.cellMutation,
  });
}

/** The proxy each baseline ranks by when the recipe names none. */
export function defaultFitnessFor(name: BaselineName): 'zen' | 'zico' | 'tcet' {
  switch (name) {
    case 'zen-nas':
      return 'zen';
    case 'zico':
      return 'zico';
    case 'tcet-ea':
      return 'tcet';
  }
}

export function isBaselineName(x: string): x is BaselineName {
  return (BASELINE_NAMES as readonly string[]).includes(x);
}
