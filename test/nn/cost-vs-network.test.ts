/**
 * Two independent implementations must agree (method.md §15.2): the analytic cost model in
 * space/ (pure arithmetic on the genotype) and the tfjs network built by nn/ (real variables).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { archCost, archLayers } from '../../plugin/space/cost.js';
import { archFromReference } from '../../plugin/space/encoding.js';
import { DEFAULT_MACRO_BOUNDS, sampleArch } from '../../plugin/space/macro.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import type { Arch } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';
import { fixtureSet } from '../space/fixture.js';

function compare(arch: Arch): void {
  const net = buildNetwork(arch, { seed: 1 });
  try {
    expect(net.parameterCount()).toBe(archCost(arch).params);
    const analytic = archLayers(arch);
    expect(net.layers.map((l) => l.id)).toEqual(analytic.map((l) => l.id));
    net.layers.forEach((layer, i) => {
      const a = analytic[i]!;
      const expectedShape = a.kind === 'linear' ? [a.output[2]] : [...a.output];
      expect([...layer.outputShape]).toEqual(expectedShape);
    });
  } finally {
    net.dispose();
  }
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('cost model against the built network', () => {
  it('agrees on the fixture networks (ids, order, shapes, parameter counts)', () => {
    compare(archFromReference(fixtureSet('cifar-1m-params'), 0, { numClasses: 10 }));
    compare(archFromReference(fixtureSet('imagenet-450m-flops'), 0, { se: true }));
  });

  it('agrees on 40 random architectures of every op, stride and SE setting', () => {
    const rng = new Rng(2024);
    const bounds = { ...DEFAULT_MACRO_BOUNDS, maxStages: 4, maxTotalCells: 6, maxChannels: 64, maxHeadWidth: 64 };
    for (let i = 0; i < 40; i++) {
      const input = { height: rng.pick([7, 16, 28, 32]), width: rng.pick([9, 16, 28, 32]), channels: rng.pick([1, 3]) };
      const arch = sampleArch(rng, bounds, (r) => sampleCell(r), input, rng.int(2, 100), rng.pick([1, 2] as const), rng.next() < 0.3);
      compare(arch);
    }
  });

  it('agrees on 20 random architectures with the dense per-pixel head (NAS-Bench-360 dense tasks)', () => {
    const rng = new Rng(360);
    const bounds = { ...DEFAULT_MACRO_BOUNDS, maxStages: 3, maxTotalCells: 4, maxChannels: 48, maxHeadWidth: 48 };
    for (let i = 0; i < 20; i++) {
      const input = { height: rng.pick([1, 5, 16, 21]), width: rng.pick([7, 16, 21, 46]), channels: rng.pick([1, 3]) };
      const sampled = sampleArch(rng, bounds, (r) => sampleCell(r), input, rng.int(1, 3), rng.pick([1, 2] as const), rng.next() < 0.3);
      compare({ ...sampled, head: 'dense' });
    }
  });
});
