import { describe, expect, it } from 'vitest';
import type { Budget } from '../../plugin/search/budget.js';
import { runSearch } from '../../plugin/search/driver.js';
import { HgnasEvolution, scaledHgnasEaCounts, type HgnasEaOptions } from '../../plugin/search/hgnas-ea.js';
import type { SpaceContext } from '../../plugin/search/random.js';
import type { Evaluation } from '../../plugin/search/types.js';
import { cellFingerprint } from '../../plugin/space/cell.js';
import { archCost } from '../../plugin/space/cost.js';
import { validateArch } from '../../plugin/space/macro.js';
import { KERNEL_SIZES, OP_NAMES } from '../../plugin/space/types.js';
import { clusterOfCell, fakeEvaluate, FakeCellGenerator } from './generator-doubles.js';

const space: SpaceContext = {
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  stemStride: 1,
  se: false,
  bounds: { minStages: 1, maxStages: 4, maxTotalCells: 8, minChannels: 8, maxChannels: 128, maxRepeats: 3, strides: [1, 2], minHeadWidth: 16, maxHeadWidth: 256 },
  ops: [...OP_NAMES],
  kernels: [...KERNEL_SIZES],
};
const NO_BUDGET: Budget = { maxParams: null, maxFlops: null, minParams: null };

function method(overrides: Partial<HgnasEaOptions> = {}, cells = new FakeCellGenerator(24)): HgnasEvolution {
  return new HgnasEvolution({
    space,
    budget: NO_BUDGET,
    seed: 7,
    maxSamplingTries: 200,
    cells,
    exploration: 10,
    exploitation: 30,
    population: 4,
    cellTemperature: 0.4,
    ...overrides,
  });
}

async function search(m: HgnasEvolution, evaluations: number, batch = 5): Promise<Evaluation[]> {
  const told: Evaluation[] = [];
  await runSearch(m, async (c) => {
    const r = await fakeEvaluate(c);
    told.push(...r);
    return r;
  }, { evaluations, seconds: null, batch });
  return told;
}

describe('scaledHgnasEaCounts', () => {
  it('splits the budget 15/85 and scales the population as 512 is to 3 000', () => {
    expect(scaledHgnasEaCounts(80)).toEqual({ exploration: 12, exploitation: 68, population: 4 }); // round(12·512/3000) = 2 → floor 4
    expect(scaledHgnasEaCounts(20_000)).toEqual({ exploration: 3000, exploitation: 17_000, population: 512 });
    expect(scaledHgnasEaCounts(1000, 0.3, 50)).toEqual({ exploration: 300, exploitation: 700, population: 50 });
    expect(scaledHgnasEaCounts(null)).toEqual({ exploration: 3000, exploitation: 17_000, population: 512 });
  });
});

describe('HgnasEvolution (hgnas-ea)', () => {
  it('starts from the §11.2 initial space adapted to the bounds, sampled by cluster 21 at τ 0.4', async () => {
    const cells = new FakeCellGenerator(24);
    const m = method({}, cells);
    const [first] = m.ask(1);
    expect(first!.origin).toBe('explore:init');
    const a = first!.arch;
    // 4 stages (maxStages 4, maxTotalCells 8); 28 → 14 → 7 → 4 → 2 so every stage can halve.
    expect(a.stages.map((s) => [s.channels, s.stride, s.repeats])).toEqual([[8, 2, 1], [16, 2, 1], [32, 2, 1], [64, 2, 1]]);
    expect(a.headWidth).toBe(128);
    expect(a.stages.map((s) => clusterOfCell(s.cell))).toEqual([21, 21, 21, 21]);
    expect(cells.calls.every((c) => c.kind === 'cluster' && c.temperature === 0.4)).toBe(true);
  });

  it('proposes exactly `exploration` spaces, then exactly `exploitation` networks, then stops', async () => {
    const m = method({ exploration: 10, exploitation: 30 });
    const told = await search(m, 100);
    expect(told).toHaveLength(40);
    const phases = told.map((e) => e.candidate.origin.split(':')[0]);
    expect(phases.slice(0, 10).every((p) => p === 'explore')).toBe(true);
    expect(phases.slice(10).every((p) => p === 'exploit')).toBe(true);
    expect(m.stats()).toMatchObject({ explorationAsked: 10, exploitationAsked: 30 });
    expect(m.ask(5)).toEqual([]);
  });

  it('keeps at most `population` members; phase 2 starts from the best phase-1 networks', async () => {
    const m = method({ exploration: 12, exploitation: 20, population: 4 });
    const told = await search(m, 12, 4);
    expect(m.stats().populationSize).toBeLessThanOrEqual(4);
    // Remove-worst keeps the 4 fittest spaces ever added (fitness values are distinct here).
    const usable = told.filter((e) => e.ok);
    const top4 = usable.map((e) => e.candidate.id).sort((x, y) => fitnessOf(told, y) - fitnessOf(told, x)).slice(0, 4);
    expect(new Set(m.populationIds())).toEqual(new Set(top4));
    const next = m.ask(4);
    expect(next.every((c) => c.origin.startsWith('exploit:') && top4.includes(c.parentId!))).toBe(true);
    expect(m.phase()).toBe('exploitation');
  });

  it('phase 2 mutates cells with GMM_GUIDE: sampleLike at τ 1.0 keeps the parent cell’s cluster', async () => {
    const cells = new FakeCellGenerator(24);
    const m = method({ exploration: 8, exploitation: 30 }, cells);
    const told = await search(m, 38);
    const byId = new Map(told.map((e) => [e.candidate.id, e.candidate]));
    const guided = told.filter((e) => e.candidate.origin === 'exploit:gmm-guide');
    expect(guided.length).toBeGreaterThan(0);
    for (const e of guided) {
      const parent = byId.get(e.candidate.parentId!)!;
      const parentClusters = new Set(parent.arch.stages.map((s) => clusterOfCell(s.cell)));
      const parentCells = new Set(parent.arch.stages.map((s) => cellFingerprint(s.cell)));
      // Every new cell has the cluster of some parent cell (sampleLike of the double keeps it).
      for (const s of e.candidate.arch.stages) {
        if (!parentCells.has(cellFingerprint(s.cell))) expect(parentClusters.has(clusterOfCell(s.cell))).toBe(true);
      }
    }
    const like = cells.calls.filter((c) => c.kind === 'like');
    expect(like.length).toBeGreaterThan(0);
    expect(like.every((c) => c.temperature === 1 && c.n === 1)).toBe(true);
  });

  it('keeps every candidate within the hard budget and the domain rules', async () => {
    const budget: Budget = { maxParams: 30_000, maxFlops: 6_000_000, minParams: 5_000 };
    const m = method({ budget, exploration: 10, exploitation: 20 });
    const told = await search(m, 30);
    expect(told).toHaveLength(30);
    for (const e of told) {
      const cost = archCost(e.candidate.arch);
      expect(cost.params).toBeLessThanOrEqual(30_000);
      expect(cost.params).toBeGreaterThanOrEqual(5_000);
      expect(cost.flops).toBeLessThanOrEqual(6_000_000);
      expect(validateArch(e.candidate.arch, space.bounds)).toEqual([]);
    }
    expect(m.stats().rejectedOverBudget).toBeGreaterThan(0);
    expect(new Set(told.map((e) => e.candidate.fingerprint)).size).toBe(30);
  });

  it('restore + tell(recorded) continues exactly like the uninterrupted search, in either phase', async () => {
    for (const stopAt of [5, 20]) {
      const a = method({ exploration: 10, exploitation: 30 });
      const first = await search(a, stopAt);
      const saved = JSON.parse(JSON.stringify(a.state())) as unknown;
      const b = method({ exploration: 10, exploitation: 30 });
      b.restore(saved);
      b.tell(first);
      const restA = await search(a, 40 - stopAt);
      const restB = await search(b, 40 - stopAt);
      const key = (e: Evaluation) => `${e.candidate.id} ${e.candidate.fingerprint} ${e.candidate.origin} ${e.candidate.parentId}`;
      expect(restB.map(key)).toEqual(restA.map(key));
      expect(b.best(3).map((e) => e.candidate.id)).toEqual(a.best(3).map((e) => e.candidate.id));
    }
  });

  it('rejects a foreign state', () => {
    expect(() => method().restore({ format: 'hgnas/evolution-state@1' })).toThrow(/not an hgnas-ea search state/);
  });
});

function fitnessOf(told: readonly Evaluation[], id: number): number {
  return told.find((e) => e.candidate.id === id)!.fitness!;
}
