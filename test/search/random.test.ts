import { describe, expect, it } from 'vitest';
import { budgetViolation } from '../../plugin/search/budget.js';
import { runSearch } from '../../plugin/search/driver.js';
import { RandomSearch, type SpaceContext } from '../../plugin/search/random.js';
import type { Candidate, Evaluation } from '../../plugin/search/types.js';
import { archCost } from '../../plugin/space/cost.js';
import { validateArch } from '../../plugin/space/macro.js';
import { OP_NAMES, KERNEL_SIZES } from '../../plugin/space/types.js';

const space: SpaceContext = {
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  stemStride: 1,
  se: false,
  bounds: {
    minStages: 1,
    maxStages: 3,
    maxTotalCells: 6,
    minChannels: 8,
    maxChannels: 64,
    maxRepeats: 3,
    strides: [1, 2],
    minHeadWidth: 16,
    maxHeadWidth: 128,
  },
  ops: [...OP_NAMES],
  kernels: [...KERNEL_SIZES],
};

/** Fitness = −params: an evaluator whose best candidate we can find by hand. */
const fakeEvaluator = async (candidates: readonly Candidate[]): Promise<Evaluation[]> =>
  candidates.map((candidate) => ({ candidate, ok: true, fitness: -candidate.cost.params, proxies: {}, seconds: 0.01 }));

describe('random search', () => {
  it('only proposes unique, valid, in-budget candidates and counts rejected draws', () => {
    const budget = { maxParams: 50_000, maxFlops: 20_000_000, minParams: null };
    const search = new RandomSearch({ space, budget, seed: 3, maxSamplingTries: 1000 });
    const asked = search.ask(40);
    expect(asked.length).toBe(40);
    expect(new Set(asked.map((c) => c.fingerprint)).size).toBe(40);
    for (const c of asked) {
      expect(validateArch(c.arch, space.bounds)).toEqual([]);
      const cost = archCost(c.arch);
      expect(cost.params).toBeLessThanOrEqual(50_000);
      expect(cost.flops).toBeLessThanOrEqual(20_000_000);
      expect(budgetViolation(cost, budget)).toBeNull();
    }
    expect(search.stats().rejectedOverBudget).toBeGreaterThan(0);
  });

  it('is reproducible from its seed and resumable from its state', () => {
    const budget = { maxParams: 80_000, maxFlops: null, minParams: null };
    const a = new RandomSearch({ space, budget, seed: 11, maxSamplingTries: 1000 });
    const b = new RandomSearch({ space, budget, seed: 11, maxSamplingTries: 1000 });
    expect(a.ask(5).map((c) => c.fingerprint)).toEqual(b.ask(5).map((c) => c.fingerprint));
    const c = new RandomSearch({ space, budget, seed: 99, maxSamplingTries: 1000 });
    c.restore(JSON.parse(JSON.stringify(a.state())));
    expect(c.ask(3).map((x) => x.fingerprint)).toEqual(a.ask(3).map((x) => x.fingerprint));
  });

  it('runs to the evaluation budget and ranks by fitness, best first', async () => {
    const search = new RandomSearch({ space, budget: { maxParams: 100_000, maxFlops: null, minParams: null }, seed: 5, maxSamplingTries: 1000 });
    const seen: Evaluation[] = [];
    const outcome = await runSearch(
      search,
      async (cands) => {
        const results = await fakeEvaluator(cands);
        seen.push(...results);
        return results;
      },
      { evaluations: 30, seconds: null, batch: 8 },
    );
    expect(outcome.evaluated).toBe(30);
    expect(seen.length).toBe(30);
    const smallest = Math.min(...seen.map((e) => e.candidate.cost.params));
    const best = search.best(3);
    expect(best[0]!.candidate.cost.params).toBe(smallest);
    expect(best[0]!.fitness! >= best[1]!.fitness! && best[1]!.fitness! >= best[2]!.fitness!).toBe(true);
  });

  it('stops when a budget is impossible to meet instead of looping forever', async () => {
    const search = new RandomSearch({ space, budget: { maxParams: 10, maxFlops: null, minParams: null }, seed: 1, maxSamplingTries: 50 });
    const outcome = await runSearch(search, fakeEvaluator, { evaluations: 10, seconds: null, batch: 4 });
    expect(outcome.evaluated).toBe(0);
    expect(outcome.stoppedBy).toBe('space-exhausted');
  });
});
