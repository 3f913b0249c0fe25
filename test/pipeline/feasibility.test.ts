import { describe, expect, it } from 'vitest';
import { budgetProblems, cheapestNetwork } from '../../plugin/pipeline/feasibility.js';
import type { SpaceContext } from '../../plugin/search/random.js';

const space: SpaceContext = {
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  stemStride: 1,
  se: false,
  bounds: { minStages: 1, maxStages: 3, maxTotalCells: 6, minChannels: 8, maxChannels: 64, maxRepeats: 3, strides: [1, 2], minHeadWidth: 16, maxHeadWidth: 128 },
  ops: ['conv'],
  kernels: [1],
};

describe('budget feasibility', () => {
  it('finds the cheapest network of a space, worked by hand', () => {
    // stem conv3x3 1→8 (72) + BN (16); cell 8→8 with one conv k1 node: conv (64) + BN (16);
    // head BN(8) (16) + conv1x1 8→16 (128) + BN(16) (32) + linear 16→10 (170).
    expect(cheapestNetwork(space).params).toBe(72 + 16 + 64 + 16 + 16 + 128 + 32 + 170);
  });

  it('reports an impossible budget with the field and the smallest workable value', () => {
    const problems = budgetProblems(space, { maxParams: 100, maxFlops: null, minParams: null });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('constraints.params');
    expect(problems[0]!.message).toContain('at least 514');
    expect(budgetProblems(space, { maxParams: 514, maxFlops: null, minParams: null })).toEqual([]);
  });
});
