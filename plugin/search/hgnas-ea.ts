/**
 * `hgnas-ea`: the paper's two-phase evolutionary search (method.md §11) behind ask/tell.
 *
 * Phase 1 (exploration) evolves cluster-level genotypes (sub-spaces): a space is scored by one
 * network whose stage cells come from `sampleByCluster(k, τ_cell)`, and the cluster-level §10.3
 * mutation makes children. Phase 2 (exploitation) starts from the stored networks of the phase-1
 * population and mutates networks with the GMM_GUIDE cell kind (`sampleLike`, τ = 1.0). Both
 * phases pick a uniformly random parent and remove the worst member when the population exceeds
 * its size.
 *
 * Counting follows the search driver: every admitted candidate counts once it is proposed, failed
 * ones included; draws the CandidateGate rejects (over budget, duplicate) or that break a domain
 * rule are redrawn and never counted (§4.3, §10.3). Phase 2 starts once `exploration` candidates
 * have been proposed; `ask` never mixes the phases in one call, so with the driver every phase-1
 * result is known before the first phase-2 parent is chosen.
 */
import type { CellGenerator, ClusterGenotype } from '../generators/types.js';
import { validateArch } from '../space/macro.js';
import type { Arch } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { Budget } from './budget.js';
import { CandidateGate, type GateState } from './gate.js';
import {
  concreteArch,
  gmmGuidedMutation,
  initialClusterGenotype,
  mutateClusterGenotype,
  randomClusterGenotype,
  RemoveWorstPopulation,
  sampleStageCells,
  usable,
} from './generative.js';
import type { SpaceContext } from './random.js';
import { topEvaluations } from './ranking.js';
import type { Candidate, Evaluation, SearchMethod } from './types.js';

/** §11.1 counts, used when the evaluation budget is open-ended. */
export const REFERENCE_EXPLORATION = 3000;
export const REFERENCE_EXPLOITATION = 17000;
export const REFERENCE_POPULATION = 512;
/** Default exploration share of the evaluation budget (3 000 of 20 000 in §11.1). */
export const DEFAULT_EXPLORATION_SHARE = 0.15;

export interface HgnasEaOptions {
  readonly space: SpaceContext;
  readonly budget: Budget;
  readonly seed: number;
  /** Draws allowed per candidate before `ask` gives up (rejected or invalid draws). */
  readonly maxSamplingTries: number;
  readonly cells: CellGenerator;
  /** Phase-1 candidates (spaces scored), initial genotype included. */
  readonly exploration: number;
  /** Phase-2 candidates (networks scored). */
  readonly exploitation: number;
  /** Population size of both phases. */
  readonly population: number;
  /** τ of `sampleByCluster` in phase 1 (recipe generators.cellTemperature; §11.1: 0.4). */
  readonly cellTemperature: number;
  /** τ of `sampleLike` in phase 2 (§11.1: 1.0). */
  readonly guideTemperature?: number;
}

/**
 * Exploration/exploitation counts and population size from a total evaluation budget: the
 * exploration share of the total (at least 1), the rest for exploitation, and the population
 * scaled as 512 is to 3 000 in §11.1 (at least 4, at most 512) unless given.
 */
export function scaledHgnasEaCounts(
  totalEvaluations: number | null,
  explorationShare = DEFAULT_EXPLORATION_SHARE,
  population: number | null = null,
): { exploration: number; exploitation: number; population: number } {
  if (!(explorationShare > 0 && explorationShare < 1)) throw new RangeError(`explorationShare must be in (0, 1), got ${explorationShare}`);
  if (totalEvaluations === null) {
    return { exploration: REFERENCE_EXPLORATION, exploitation: REFERENCE_EXPLOITATION, population: population ?? REFERENCE_POPULATION };
  }
  const exploration = Math.min(totalEvaluations, Math.max(1, Math.round(totalEvaluations * explorationShare)));
  const scaled = Math.min(REFERENCE_POPULATION, Math.max(4, Math.round((exploration * REFERENCE_POPULATION) / REFERENCE_EXPLORATION)));
  return { exploration, exploitation: totalEvaluations - exploration, population: population ?? scaled };
}

interface Space {
  readonly genotype: ClusterGenotype;
  readonly arch: Arch;
}

/**
 * Checkpoint state. As for the other methods, evaluations are not part of it: resuming is
 * `restore(state)` followed by `tell(recorded evaluations)` in their original order, which
 * rebuilds both populations exactly (`transitionAt` says after how many told evaluations phase 2
 * took over the phase-1 population).
 */
interface HgnasEaState extends GateState {
  readonly format: 'hgnas/hgnas-ea-state@1';
  readonly rng: number[];
  readonly explorationAsked: number;
  readonly exploitationAsked: number;
  readonly initTried: boolean;
  readonly initId: number | null;
  /** Phase-1 candidate id → the space it scored. */
  readonly spaces: Record<string, ClusterGenotype>;
  readonly transitionAt: number | null;
  readonly rejectedInvalid: number;
  readonly generatorFailures: number;
}

function isHgnasEaState(x: unknown): x is HgnasEaState {
  const s = x as Partial<HgnasEaState> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.format === 'hgnas/hgnas-ea-state@1' &&
    Array.isArray(s.rng) &&
    s.rng.length === 4 &&
    Array.isArray(s.seen) &&
    typeof s.spaces === 'object' &&
    s.spaces !== null &&
    [s.nextId, s.explorationAsked, s.exploitationAsked, s.rejectedOverBudget, s.rejectedDuplicate, s.rejectedInvalid, s.generatorFailures].every(Number.isInteger)
  );
}

export class HgnasEvolution implements SearchMethod {
  readonly name = 'hgnas-ea';
  private rng: Rng;
  private readonly gate: CandidateGate;
  private history: Evaluation[] = [];
  private explorationPop: RemoveWorstPopulation<Space>;
  private exploitationPop: RemoveWorstPopulation<Arch>;
  private explorationAsked = 0;
  private exploitationAsked = 0;
  private initTried = false;
  private initId: number | null = null;
  private spaces = new Map<number, ClusterGenotype>();
  private transitionAt: number | null = null;
  private transitioned = false;
  private told = 0;
  private rejectedInvalid = 0;
  private generatorFailures = 0;
  private readonly init: ClusterGenotype;

  constructor(private readonly options: HgnasEaOptions) {
    for (const key of ['exploration', 'exploitation'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 0) throw new RangeError(`${key} must be a non-negative integer, got ${options[key]}`);
    }
    this.rng = new Rng(options.seed);
    this.gate = new CandidateGate(options.budget);
    this.explorationPop = new RemoveWorstPopulation(options.population);
    this.exploitationPop = new RemoveWorstPopulation(options.population);
    this.init = initialClusterGenotype(options.space, options.cells.numClusters);
  }

  ask(n: number): Candidate[] {
    const out: Candidate[] = [];
    const { exploration, exploitation } = this.options;
    while (out.length < n) {
      let candidate: Candidate | null;
      if (this.explorationAsked < exploration) {
        candidate = this.drawSpace(`explore`);
        if (candidate) this.explorationAsked++;
      } else if (this.exploitationAsked < exploitation) {
        // Phase-2 parents come from phase-1 results: never in the same call as phase-1 proposals.
        if (out.length > 0 && !this.transitioned) break;
        if (!this.transitioned) this.transition();
        candidate = this.exploitationPop.size > 0 ? this.drawNetwork() : this.drawSpace('exploit');
        if (candidate) this.exploitationAsked++;
      } else {
        break;
      }
      if (!candidate) break;
      out.push(candidate);
    }
    return out;
  }

  tell(results: readonly Evaluation[]): void {
    this.gate.observe(results);
    for (const r of results) {
      this.history.push(r);
      this.told++;
      if (usable(r)) {
        const genotype = this.spaces.get(r.candidate.id);
        if (!this.transitioned && genotype) {
          this.explorationPop.add({ item: { genotype, arch: r.candidate.arch }, fitness: r.fitness, id: r.candidate.id });
        } else if (this.transitioned) {
          this.exploitationPop.add({ item: r.candidate.arch, fitness: r.fitness, id: r.candidate.id });
        }
      }
      if (!this.transitioned && this.transitionAt !== null && this.told === this.transitionAt) this.transition();
    }
  }

  best(k: number): Evaluation[] {
    return topEvaluations(this.history, k);
  }

  /** Current phase and population, for reports and tests. */
  phase(): 'exploration' | 'exploitation' {
    return this.transitioned || this.explorationAsked >= this.options.exploration ? 'exploitation' : 'exploration';
  }

  /** Ids of the current population members (phase 1 spaces or phase 2 networks), in insertion order. */
  populationIds(): number[] {
    return (this.transitioned ? this.exploitationPop.all() : this.explorationPop.all()).map((m) => m.id);
  }

  state(): HgnasEaState {
    return {
      format: 'hgnas/hgnas-ea-state@1',
      rng: this.rng.state(),
      ...this.gate.state(),
      explorationAsked: this.explorationAsked,
      exploitationAsked: this.exploitationAsked,
      initTried: this.initTried,
      initId: this.initId,
      spaces: Object.fromEntries([...this.spaces].map(([id, g]) => [String(id), g])),
      transitionAt: this.transitionAt,
      rejectedInvalid: this.rejectedInvalid,
      generatorFailures: this.generatorFailures,
    };
  }

  /** Replaces everything; tell the recorded evaluations afterwards (see HgnasEaState). */
  restore(state: unknown): void {
    if (!isHgnasEaState(state)) throw new Error('hgnas-ea: not an hgnas-ea search state');
    this.rng = Rng.fromState(state.rng);
    this.gate.restore(state);
    this.history = [];
    this.explorationPop = new RemoveWorstPopulation(this.options.population);
    this.exploitationPop = new RemoveWorstPopulation(this.options.population);
    this.explorationAsked = state.explorationAsked;
    this.exploitationAsked = state.exploitationAsked;
    this.initTried = state.initTried;
    this.initId = state.initId;
    this.spaces = new Map(Object.entries(state.spaces).map(([id, g]) => [Number(id), g]));
    this.transitionAt = state.transitionAt;
    this.transitioned = false;
    this.told = 0;
    this.rejectedInvalid = state.rejectedInvalid;
    this.generatorFailures = state.generatorFailures;
    if (this.transitionAt === 0) this.transition();
  }

  stats(): Record<string, number> {
    return {
      evaluated: this.history.length,
      failed: this.history.filter((e) => !e.ok).length,
      rejectedOverBudget: this.gate.rejectedOverBudget,
      rejectedDuplicate: this.gate.rejectedDuplicate,
      rejectedInvalid: this.rejectedInvalid,
      generatorFailures: this.generatorFailures,
      explorationAsked: this.explorationAsked,
      exploitationAsked: this.exploitationAsked,
      populationSize: this.transitioned ? this.exploitationPop.size : this.explorationPop.size,
    };
  }

  /** §11.3: the stored network of every space left in the phase-1 population. */
  private transition(): void {
    this.transitioned = true;
    this.transitionAt ??= this.told;
    for (const m of this.explorationPop.all()) this.exploitationPop.add({ item: m.item.arch, fitness: m.fitness, id: m.id });
  }

  /**
   * A phase-1 candidate: the initial space first, then the cluster-level mutation of a uniform
   * parent. While no space has been scored yet (or the initial one broke the budget), children of
   * the initial space alternate with uniformly random spaces, so that tight budgets far from the
   * §11.2 initial genotype are still reached.
   */
  private drawSpace(phase: 'explore' | 'exploit'): Candidate | null {
    const { space, cells, cellTemperature, maxSamplingTries } = this.options;
    for (let tries = 0; tries < maxSamplingTries; tries++) {
      let genotype: ClusterGenotype | null;
      let origin: string;
      let parentId: number | undefined;
      if (!this.initTried) {
        this.initTried = true;
        genotype = this.init;
        origin = 'init';
      } else if (this.explorationPop.size > 0) {
        const parent = this.explorationPop.pick(this.rng);
        genotype = mutateClusterGenotype(parent.item.genotype, space, cells.numClusters, this.rng);
        origin = 'cluster-mutation';
        parentId = parent.id;
      } else if (tries % 2 === 0) {
        genotype = mutateClusterGenotype(this.init, space, cells.numClusters, this.rng);
        origin = 'cluster-mutation';
        parentId = this.initId ?? undefined;
      } else {
        genotype = randomClusterGenotype(space, cells.numClusters, this.rng);
        origin = 'random-space';
      }
      if (genotype === null) {
        this.rejectedInvalid++;
        continue;
      }
      const stageCells = sampleStageCells(cells, genotype, this.rng, cellTemperature);
      if (stageCells === null) {
        this.generatorFailures++;
        continue;
      }
      const arch = concreteArch(space, genotype, stageCells);
      if (validateArch(arch, space.bounds).length > 0) {
        this.rejectedInvalid++;
        continue;
      }
      const candidate = this.gate.admit(arch, `${phase}:${origin}`, parentId);
      if (!candidate) continue;
      if (origin === 'init') this.initId = candidate.id;
      this.spaces.set(candidate.id, genotype);
      return candidate;
    }
    return null;
  }

  /** A phase-2 candidate: GMM_GUIDE mutation of a uniformly random network of the population. */
  private drawNetwork(): Candidate | null {
    const { space, cells, maxSamplingTries, guideTemperature } = this.options;
    for (let tries = 0; tries < maxSamplingTries; tries++) {
      const parent = this.exploitationPop.pick(this.rng);
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
