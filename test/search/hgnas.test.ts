import { describe, expect, it } from 'vitest';
import type { ClusterGenotype } from '../../plugin/generators/types.js';
import type { Budget } from '../../plugin/search/budget.js';
import { runSearch } from '../../plugin/search/driver.js';
import { HgnasSearch, proposalCount, type HgnasOptions, type RefineHook } from '../../plugin/search/hgnas.js';
import type { SpaceContext } from '../../plugin/search/random.js';
import type { Evaluation } from '../../plugin/search/types.js';
import { archCost } from '../../plugin/space/cost.js';
import { KERNEL_SIZES, OP_NAMES } from '../../plugin/space/types.js';
import { clusterOfCell, fakeEvaluate, FakeCellGenerator, FakeMacroGenerator } from './generator-doubles.js';

const space: SpaceContext = {
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  stemStride: 2,
  se: false,
  bounds: { minStages: 1, maxStages: 3, maxTotalCells: 6, minChannels: 8, maxChannels: 64, maxRepeats: 2, strides: [1, 2], minHeadWidth: 16, maxHeadWidth: 64 },
  ops: [...OP_NAMES],
  kernels: [...KERNEL_SIZES],
};
const BUDGET: Budget = { maxParams: 40_000, maxFlops: 4_000_000, minParams: null };

interface Setup {
  cells: FakeCellGenerator;
  macro: FakeMacroGenerator;
  method: HgnasSearch;
}

function setup(overrides: Partial<HgnasOptions> = {}): Setup {
  const cells = (overrides.cells as FakeCellGenerator | undefined) ?? new FakeCellGenerator(12);
  const macro = new FakeMacroGenerator(12, space.bounds);
  const method = new HgnasSearch({
    space,
    budget: BUDGET,
    seed: 3,
    maxSamplingTries: 50,
    cells,
    macro,
    proposals: 20,
    sequences: 3,
    perSequence: 4,
    cellTemperature: 0.4,
    macroTemperature: 0.8,
    macroTopK: 50,
    population: 5,
    ...overrides,
  });
  return { cells, macro, method };
}

async function search(m: HgnasSearch, evaluations: number, batch = 4): Promise<Evaluation[]> {
  const told: Evaluation[] = [];
  await runSearch(m, async (c) => {
    const r = await fakeEvaluate(c);
    told.push(...r);
    return r;
  }, { evaluations, seconds: null, batch });
  return told;
}

/** "r<round>s<sequence>" of a proposal's origin. */
function roundAndSequence(origin: string): { round: number; sequence: number } {
  const m = /^proposal:r(\d+)s(\d+)$/.exec(origin);
  if (!m) throw new Error(`not a proposal origin: ${origin}`);
  return { round: Number(m[1]), sequence: Number(m[2]) };
}

describe('proposalCount', () => {
  it('takes the share of the budget (at least one), or ten rounds when the budget is open', () => {
    expect(proposalCount(80, 0.5, 5, 10)).toBe(40);
    expect(proposalCount(3, 0.1, 5, 10)).toBe(1);
    expect(proposalCount(null, 0.5, 5, 10)).toBe(500);
  });
});

describe('HgnasSearch (hgnas)', () => {
  it('proposes networks of the transformer’s skeletons, with cells of the requested clusters', async () => {
    const { method, macro, cells } = setup();
    const told = await search(method, 20);
    expect(told).toHaveLength(20);
    // The prompt carries the task and the budgets.
    expect(macro.prompts[0]).toEqual({ numClasses: 10, inputSize: 28, params: 40_000, flops: 4_000_000, zcScore: null });
    const perSkeleton = new Map<string, number>();
    for (const e of told) {
      const { round, sequence } = roundAndSequence(e.candidate.origin);
      const skeleton = macro.samples[round - 1]![sequence]!;
      const a = e.candidate.arch;
      expect(a.stages.map((s) => [s.channels, s.stride, s.repeats])).toEqual(skeleton.stages.map((s) => [s.channels, s.stride, s.repeats]));
      expect(a.headWidth).toBe(skeleton.headWidth);
      expect(a.stages.map((s) => clusterOfCell(s.cell))).toEqual(skeleton.stages.map((s) => s.cluster));
      // The cluster ids the method reports come from CellGenerator.encode.
      expect(cells.encode(a.stages.map((s) => s.cell)).map((x) => x.cluster)).toEqual(skeleton.stages.map((s) => s.cluster));
      const key = `${round}/${sequence}`;
      perSkeleton.set(key, (perSkeleton.get(key) ?? 0) + 1);
      const cost = archCost(a);
      expect(cost.params).toBeLessThanOrEqual(40_000);
      expect(cost.flops).toBeLessThanOrEqual(4_000_000);
    }
    expect(Math.max(...perSkeleton.values())).toBeLessThanOrEqual(4);
    expect(cells.calls.every((c) => c.kind === 'cluster' && c.temperature === 0.4)).toBe(true);
  });

  it('draws no cells for a skeleton outside the recipe’s space or with an unknown cluster', async () => {
    const cells = new FakeCellGenerator(12);
    const outside: ClusterGenotype = { stages: Array.from({ length: 4 }, () => ({ cluster: 1, channels: 16, stride: 1 as const, repeats: 1 })), headWidth: 32 }; // 4 stages > maxStages 3
    const unknown: ClusterGenotype = { stages: [{ cluster: 12, channels: 16, stride: 1, repeats: 1 }], headWidth: 32 }; // clusters are 0..11
    const good: ClusterGenotype = { stages: [{ cluster: 5, channels: 16, stride: 2, repeats: 2 }], headWidth: 32 };
    const macro = { numClusters: 12, sample: () => [outside, unknown, good] };
    const { method } = setup({ cells, macro, proposals: 3, perSequence: 3 });
    const asked = method.ask(10);
    expect(asked).toHaveLength(3);
    expect(asked.every((c) => c.origin === 'proposal:r1s2')).toBe(true);
    expect(method.stats().rejectedSkeletons).toBe(2);
    expect(cells.calls.every((c) => c.cluster === 5)).toBe(true);
  });

  it('spends the proposal share first, then exploits the best scored proposals with GMM_GUIDE', async () => {
    const { method, cells } = setup({ proposals: 20, population: 5 });
    const told = await search(method, 50);
    expect(told).toHaveLength(50);
    expect(told.slice(0, 20).every((e) => e.candidate.origin.startsWith('proposal:'))).toBe(true);
    expect(told.slice(20).every((e) => e.candidate.origin.startsWith('exploit:'))).toBe(true);
    // The first exploitation parents are among the 5 best scored proposals.
    const top5 = told.slice(0, 20).filter((e) => e.ok).sort((a, b) => b.fitness! - a.fitness!).slice(0, 5).map((e) => e.candidate.id);
    expect(told.slice(20, 24).every((e) => top5.includes(e.candidate.parentId!))).toBe(true);
    const like = cells.calls.filter((c) => c.kind === 'like');
    expect(like.length).toBeGreaterThan(0);
    expect(like.every((c) => c.temperature === 1)).toBe(true);
    for (const e of told) {
      const cost = archCost(e.candidate.arch);
      expect(cost.params <= 40_000 && cost.flops <= 4_000_000).toBe(true);
    }
  });

  it('calls the refine hook after every proposal round when enabled, with the best proposals as cluster genotypes', async () => {
    const calls: { genotype: ClusterGenotype; fitness: number }[][] = [];
    const hook: RefineHook = (top) => calls.push(top);
    const { method } = setup({ proposals: 20, sequences: 2, perSequence: 2, refine: { hook, topK: 3 } });
    const told = await search(method, 30);
    const rounds = new Set(told.filter((e) => e.candidate.origin.startsWith('proposal')).map((e) => roundAndSequence(e.candidate.origin).round));
    expect(calls).toHaveLength(rounds.size);
    const last = calls[calls.length - 1]!;
    const proposals = told.filter((e) => e.ok && e.candidate.origin.startsWith('proposal'));
    const expected = proposals.sort((a, b) => b.fitness! - a.fitness!).slice(0, 3);
    expect(last.map((t) => t.fitness)).toEqual(expected.map((e) => e.fitness));
    expect(last.map((t) => t.genotype.stages.map((s) => s.cluster))).toEqual(expected.map((e) => e.candidate.arch.stages.map((s) => clusterOfCell(s.cell))));
    expect(last.map((t) => t.genotype.headWidth)).toEqual(expected.map((e) => e.candidate.arch.headWidth));
  });

  it('never calls a refine hook when refinement is off', async () => {
    const { method } = setup({ refine: null });
    await search(method, 30);
    expect(method.stats().refinedRounds).toBe(0);
  });

  it('restore + tell(recorded) continues exactly, and does not refine a round twice', async () => {
    for (const stopAt of [6, 24]) {
      const callsA: number[] = [];
      const callsB: number[] = [];
      const a = setup({ refine: { hook: (t) => callsA.push(t.length), topK: 2 } }).method;
      const first = await search(a, stopAt, 3);
      const before = callsA.length;
      const saved = JSON.parse(JSON.stringify(a.state())) as unknown;
      const b = setup({ refine: { hook: (t) => callsB.push(t.length), topK: 2 } }).method;
      b.restore(saved);
      b.tell(first);
      expect(callsB).toHaveLength(0);
      const restA = await search(a, 40 - stopAt, 3);
      const restB = await search(b, 40 - stopAt, 3);
      const key = (e: Evaluation) => `${e.candidate.id} ${e.candidate.fingerprint} ${e.candidate.origin} ${e.candidate.parentId}`;
      expect(restB.map(key)).toEqual(restA.map(key));
      expect(callsB).toEqual(callsA.slice(before));
    }
  });
});
