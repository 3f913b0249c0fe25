import { describe, expect, it } from 'vitest';
import { budgetViolation, type Budget } from '../../plugin/search/budget.js';
import type { CellMutation } from '../../plugin/space/mutation.js';
import { runSearch, type Evaluator } from '../../plugin/search/driver.js';
import { createBaseline, defaultFitnessFor, RegularizedEvolution, type EvolutionOptions } from '../../plugin/search/evolution.js';
import { RandomSearch, type SpaceContext } from '../../plugin/search/random.js';
import type { Candidate, Evaluation, SearchMethod } from '../../plugin/search/types.js';
import { cellFingerprint } from '../../plugin/space/cell.js';
import { archCost } from '../../plugin/space/cost.js';
import { sampleArch, validateArch } from '../../plugin/space/macro.js';
import { mutateArch } from '../../plugin/space/mutation.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import { KERNEL_SIZES, OP_NAMES, type Arch, type Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';

const space: SpaceContext = {
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  stemStride: 1,
  se: false,
  bounds: {
    minStages: 1,
    maxStages: 4,
    maxTotalCells: 8,
    minChannels: 8,
    maxChannels: 128,
    maxRepeats: 3,
    strides: [1, 2],
    minHeadWidth: 16,
    maxHeadWidth: 256,
  },
  ops: [...OP_NAMES],
  kernels: [...KERNEL_SIZES],
};

const NO_BUDGET: Budget = { maxParams: null, maxFlops: null, minParams: null };

function evolution(overrides: Partial<EvolutionOptions> = {}): RegularizedEvolution {
  return new RegularizedEvolution({
    name: 'test-ea',
    space,
    budget: NO_BUDGET,
    seed: 1,
    population: 10,
    tournament: 3,
    maxSamplingTries: 500,
    cellMutation: 'mixed',
    ...overrides,
  });
}

function result(candidate: Candidate, fitness: number | null): Evaluation {
  return fitness === null
    ? { candidate, ok: false, fitness: null, proxies: {}, reason: 'build: fake failure', seconds: 0 }
    : { candidate, ok: true, fitness, proxies: {}, seconds: 0 };
}

/**
 * A fitness with a known optimum: minus the distance to a hidden target macro genotype, stage
 * slot by stage slot (channel steps of 8, repeats, stride), a flat penalty per missing or extra
 * stage, and head-width steps. The target itself scores 0; cells do not matter.
 */
const TARGET = {
  stages: [
    { channels: 96, stride: 2, repeats: 2 },
    { channels: 40, stride: 1, repeats: 1 },
    { channels: 120, stride: 2, repeats: 3 },
    { channels: 24, stride: 1, repeats: 1 },
  ],
  headWidth: 200,
};
function targetFitness(arch: Arch): number {
  let distance = Math.abs(arch.headWidth - TARGET.headWidth) / 8;
  for (let i = 0; i < Math.max(arch.stages.length, TARGET.stages.length); i++) {
    const s = arch.stages[i];
    const t = TARGET.stages[i];
    if (!s || !t) {
      distance += 30;
      continue;
    }
    distance += Math.abs(s.channels - t.channels) / 8 + 3 * Math.abs(s.repeats - t.repeats) + (s.stride === t.stride ? 0 : 3);
  }
  return -distance;
}
const targetEvaluator: Evaluator = async (cands) => cands.map((c) => result(c, targetFitness(c.arch)));

/** Records every candidate and, at evaluation time (between ask and tell), the population's ids. */
function recording(method: RegularizedEvolution, evaluate: Evaluator) {
  const rounds: { candidates: Candidate[]; populationIds: Set<number>; told: Evaluation[] }[] = [];
  const evaluator: Evaluator = async (cands) => {
    const told = await evaluate(cands);
    rounds.push({ candidates: [...cands], populationIds: new Set(method.members().map((e) => e.candidate.id)), told });
    return told;
  };
  return { rounds, evaluator };
}

function checkInSpaceAndBudget(c: Candidate, budget: Budget): void {
  expect(validateArch(c.arch, space.bounds)).toEqual([]);
  const cost = archCost(c.arch);
  expect(c.cost.params).toBe(cost.params);
  expect(budgetViolation(cost, budget)).toBeNull();
}

describe('macro mutation with a chosen cell kind', () => {
  const drawCell = (rng: Rng): Cell => sampleCell(rng);
  const parents = Array.from({ length: 60 }, (_, i) => sampleArch(new Rng(100 + i), space.bounds, drawCell, space.input, 10, 1, false));

  it("'mixed' is the default, draw for draw", () => {
    for (const [i, parent] of parents.entries()) {
      for (let k = 0; k < 5; k++) {
        const seed = 1000 * i + k;
        const explicit = mutateArch(parent, new Rng(seed), { bounds: space.bounds, resampleCell: drawCell, cellMutation: 'mixed' });
        const implicit = mutateArch(parent, new Rng(seed), { bounds: space.bounds, resampleCell: drawCell });
        expect(explicit).toEqual(implicit);
      }
    }
  });

  /** Fingerprints of the child's cells that the parent does not have. */
  function newCells(parent: Arch, child: Arch): string[] {
    const old = new Set(parent.stages.map((s) => cellFingerprint(s.cell)));
    return child.stages.map((s) => cellFingerprint(s.cell)).filter((fp) => !old.has(fp));
  }

  function newCellsUnder(cellMutation: CellMutation, sentinel: Cell): string[] {
    const found: string[] = [];
    for (const [i, parent] of parents.entries()) {
      for (let k = 0; k < 5; k++) {
        const child = mutateArch(parent, new Rng(7000 * i + k), { bounds: space.bounds, resampleCell: () => sentinel, cellMutation });
        if (child) found.push(...newCells(parent, child));
      }
    }
    return found;
  }

  it("'resample' only ever brings in sampler cells, 'mutate' micro-mutated ones", () => {
    const sentinel = sampleCell(new Rng(424242));
    const sentinelFp = cellFingerprint(sentinel);
    const resampled = newCellsUnder('resample', sentinel);
    expect(resampled.length).toBeGreaterThan(20);
    expect(resampled.every((fp) => fp === sentinelFp)).toBe(true);
    // The sampler is only the fallback when no valid micro mutation exists (§2.9), so a changed cell
    // is (almost always) a neighbour of the parent's cell, not the sampler's.
    const mutated = newCellsUnder('mutate', sentinel);
    expect(mutated.length).toBeGreaterThan(20);
    expect(mutated.filter((fp) => fp !== sentinelFp).length).toBeGreaterThan(0.9 * mutated.length);
  });
});

describe('regularized evolution', () => {
  it('fills the population with unique random candidates, then only mutates members', async () => {
    const method = evolution({ population: 12, tournament: 4, seed: 3 });
    const { rounds, evaluator } = recording(method, targetEvaluator);
    await runSearch(method, evaluator, { evaluations: 60, seconds: null, batch: 5 });
    const all = rounds.flatMap((r) => r.candidates);
    expect(all.length).toBe(60);
    expect(new Set(all.map((c) => c.fingerprint)).size).toBe(60);
    expect(all.map((c) => c.id)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(all.slice(0, 12).every((c) => c.origin === 'random' && c.parentId === undefined)).toBe(true);
    expect(all.slice(12).every((c) => c.origin === 'mutation')).toBe(true);
    for (const round of rounds) {
      for (const c of round.candidates) {
        checkInSpaceAndBudget(c, NO_BUDGET);
        if (c.origin === 'mutation') expect(round.populationIds.has(c.parentId!)).toBe(true);
      }
      expect(round.populationIds.size).toBeLessThanOrEqual(12);
    }
    expect(method.stats()).toMatchObject({ evaluated: 60, failed: 0, mutations: 48, populationSize: 12 });
  });

  it('keeps every mutation within the hard budget; over-budget children are rejected, not counted', async () => {
    const budget: Budget = { maxParams: 40_000, maxFlops: 15_000_000, minParams: null };
    const method = evolution({ budget, seed: 8, cellMutation: 'resample' });
    const { rounds, evaluator } = recording(method, async (cands) => cands.map((c) => result(c, c.cost.params)));
    const outcome = await runSearch(method, evaluator, { evaluations: 60, seconds: null, batch: 6 });
    expect(outcome.evaluated).toBe(60);
    const all = rounds.flatMap((r) => r.candidates);
    for (const c of all) checkInSpaceAndBudget(c, budget);
    // Fitness = params pushes the parents towards the cap, so children cross it often.
    const stats = method.stats();
    expect(stats.rejectedOverBudget).toBeGreaterThan(0);
    expect(stats.evaluated).toBe(60);
    expect(stats.mutations).toBe(all.filter((c) => c.origin === 'mutation').length);
  });

  it('asks ahead of tells: random until something usable was told, then parents from told members only', () => {
    const method = evolution({ population: 4, tournament: 2, seed: 5 });
    const first = method.ask(3);
    const second = method.ask(3);
    // Four random draws fill the initial quota; with nothing told yet, the fifth and sixth are random too.
    expect([...first, ...second].map((c) => c.origin)).toEqual(['random', 'random', 'random', 'random', 'random', 'random']);
    method.tell([result(first[0]!, 1), result(first[1]!, null), result(first[2]!, 2)]);
    const third = method.ask(8);
    expect(third.length).toBe(8);
    for (const c of third) {
      expect(c.origin).toBe('mutation');
      expect([first[0]!.id, first[2]!.id]).toContain(c.parentId);
    }
    const ids = [...first, ...second, ...third].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("ageing: a full population drops its oldest member, whatever its fitness; failures never enter", () => {
    const method = evolution({ population: 3 });
    const c = method.ask(6);
    const ids = () => method.members().map((e) => e.candidate.id);
    method.tell([result(c[0]!, 9), result(c[1]!, 1), result(c[2]!, 5)]);
    expect(ids()).toEqual([c[0]!.id, c[1]!.id, c[2]!.id]);
    method.tell([result(c[3]!, 0)]); // the best (c0) is the oldest and leaves
    expect(ids()).toEqual([c[1]!.id, c[2]!.id, c[3]!.id]);
    method.tell([result(c[4]!, null)]); // a failure changes nothing
    expect(ids()).toEqual([c[1]!.id, c[2]!.id, c[3]!.id]);
    method.tell([result(c[5]!, 4)]);
    expect(ids()).toEqual([c[2]!.id, c[3]!.id, c[5]!.id]);
    expect(method.stats()).toMatchObject({ evaluated: 6, failed: 1, populationSize: 3 });
  });

  it("'worst' replacement drops the lowest fitness (the newcomer itself if it is the worst); the zen-nas preset uses it", () => {
    const check = (method: SearchMethod & { members(): Evaluation[] }) => {
      const c = method.ask(6);
      const ids = () => method.members().map((e) => e.candidate.id);
      method.tell([result(c[0]!, 5), result(c[1]!, 1), result(c[2]!, 3)]);
      method.tell([result(c[3]!, 4)]); // c1 (1) leaves
      expect(ids()).toEqual([c[0]!.id, c[2]!.id, c[3]!.id]);
      method.tell([result(c[4]!, 0)]); // the newcomer is the worst
      expect(ids()).toEqual([c[0]!.id, c[2]!.id, c[3]!.id]);
      method.tell([result(c[5]!, 10)]); // c2 (3) leaves
      expect(ids()).toEqual([c[0]!.id, c[3]!.id, c[5]!.id]);
    };
    check(evolution({ population: 3, replace: 'worst' }));
    const zen = createBaseline('zen-nas', { space, budget: NO_BUDGET, seed: 1, population: 3, tournament: 2, maxSamplingTries: 100 });
    expect(zen.name).toBe('zen-nas');
    check(zen);
  });

  it('the zico and tcet-ea presets age; the default fitness proxies follow the method names', () => {
    for (const name of ['zico', 'tcet-ea'] as const) {
      const method = createBaseline(name, { space, budget: NO_BUDGET, seed: 2, population: 2, tournament: 2, maxSamplingTries: 100 });
      expect(method.name).toBe(name);
      const c = method.ask(3);
      method.tell([result(c[0]!, 1), result(c[1]!, 7), result(c[2]!, 3)]);
      expect(method.members().map((e) => e.candidate.id)).toEqual([c[1]!.id, c[2]!.id]);
    }
    expect(defaultFitnessFor('zen-nas')).toBe('zen');
    expect(defaultFitnessFor('zico')).toBe('zico');
    expect(defaultFitnessFor('tcet-ea')).toBe('tcet');
  });

  it('never picks a failed evaluation as a parent', async () => {
    const method = evolution({ population: 8, tournament: 8, seed: 4 });
    // Every third candidate fails, and failures would be the fittest if they counted.
    const failing: Evaluator = async (cands) => cands.map((c) => result(c, c.id % 3 === 0 ? null : targetFitness(c.arch)));
    const { rounds, evaluator } = recording(method, failing);
    const outcome = await runSearch(method, evaluator, { evaluations: 80, seconds: null, batch: 4 });
    expect(outcome.failed).toBe(27);
    const failed = new Set(rounds.flatMap((r) => r.told).filter((e) => !e.ok).map((e) => e.candidate.id));
    const mutations = rounds.flatMap((r) => r.candidates).filter((c) => c.origin === 'mutation');
    expect(mutations.length).toBeGreaterThan(60);
    for (const c of mutations) expect(failed.has(c.parentId!)).toBe(false);
    for (const e of method.members()) expect(e.ok).toBe(true);
  });

  it('beats random search at an equal number of evaluations on a fitness with a known optimum', async () => {
    const evaluations = 300;
    const wins: boolean[] = [];
    let evoSum = 0;
    let randomSum = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const evo = evolution({ population: 20, tournament: 5, seed, cellMutation: 'resample' });
      const random = new RandomSearch({ space, budget: NO_BUDGET, seed, maxSamplingTries: 500 });
      await runSearch(evo, targetEvaluator, { evaluations, seconds: null, batch: 10 });
      await runSearch(random, targetEvaluator, { evaluations, seconds: null, batch: 10 });
      const e = evo.best(1)[0]!.fitness!;
      const r = random.best(1)[0]!.fitness!;
      wins.push(e > r);
      evoSum += e;
      randomSum += r;
    }
    expect(wins.filter(Boolean).length).toBeGreaterThanOrEqual(4);
    expect(evoSum / 5).toBeGreaterThan(randomSum / 5);
  });

  it('resumes exactly: restore + re-tell of the recorded evaluations gives the same asks', async () => {
    const a = evolution({ population: 10, tournament: 3, seed: 21 });
    const recorded: Evaluation[] = [];
    await runSearch(
      a,
      async (cands) => {
        const told = await targetEvaluator(cands);
        recorded.push(...told);
        return told;
      },
      { evaluations: 40, seconds: null, batch: 6 },
    );
    const b = evolution({ population: 10, tournament: 3, seed: 999 });
    b.restore(JSON.parse(JSON.stringify(a.state())));
    // The run directory keeps evaluations as JSON (parentId included or not); replay them in order.
    b.tell(JSON.parse(JSON.stringify(recorded)) as Evaluation[]);
    expect(b.members().map((e) => e.candidate.id)).toEqual(a.members().map((e) => e.candidate.id));
    expect(b.stats()).toEqual(a.stats());
    for (let round = 0; round < 4; round++) {
      const fromA = a.ask(6);
      const fromB = b.ask(6);
      expect(fromB.map((c) => [c.id, c.fingerprint, c.origin, c.parentId])).toEqual(fromA.map((c) => [c.id, c.fingerprint, c.origin, c.parentId]));
      a.tell(await targetEvaluator(fromA));
      b.tell(await targetEvaluator(fromB));
    }
    expect(b.best(5).map((e) => e.candidate.id)).toEqual(a.best(5).map((e) => e.candidate.id));
    expect(() => b.restore({ rng: [1, 2, 3, 4] })).toThrow(/search state/);
  });

  it('stops at the evaluation budget under runSearch, with rounds smaller than the population', async () => {
    const method = createBaseline('tcet-ea', { space, budget: NO_BUDGET, seed: 6, population: 16, tournament: 4, maxSamplingTries: 500 });
    let told = 0;
    const outcome = await runSearch(
      method,
      async (cands) => {
        told += cands.length;
        return targetEvaluator(cands);
      },
      { evaluations: 50, seconds: null, batch: 7 },
    );
    expect(outcome).toMatchObject({ evaluated: 50, stoppedBy: 'evaluations' });
    expect(told).toBe(50);
    expect(method.stats()).toMatchObject({ evaluated: 50, mutations: 34 });
    expect(method.best(3).length).toBe(3);
  });
});
