import { beforeAll, describe, expect, it } from 'vitest';
import { createCellScorer, proxyNetworkBuildArch, type ProxyNetworkSize } from '../../plugin/generators/cell-scorer.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { tf } from '../../plugin/nn/tf.js';
import { archCost, proxyNetworkCost } from '../../plugin/space/cost.js';
import { sampleUniqueCells } from '../../plugin/space/sampler.js';
import { Rng } from '../../plugin/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const tiny: ProxyNetworkSize = { stageChannels: [8, 8, 16], cellsPerStage: 1, inputSize: 8, inputChannels: 3, numClasses: 4 };

function batch() {
  const rng = new Rng(1);
  const b = 4;
  return {
    x: Float32Array.from({ length: b * 8 * 8 * 3 }, () => rng.normal()),
    y: Int32Array.from({ length: b }, (_, i) => i % 4),
    shape: [b, 8, 8, 3] as [number, number, number, number],
    numClasses: 4,
  };
}

describe('cell scorer (method.md §3.2, §6.2)', () => {
  const cells = sampleUniqueCells(new Rng(8), 3);

  it('builds the skeleton of §3.2: stages split to ≤ 4 repeats, same network and cost (plus the builder’s head conv)', () => {
    const paper: ProxyNetworkSize = { stageChannels: [16, 32, 64], cellsPerStage: 5, inputSize: 32, inputChannels: 3, numClasses: 10 };
    const arch = proxyNetworkBuildArch(cells[0]!, paper);
    expect(arch.stages.map((s) => [s.channels, s.stride, s.repeats])).toEqual([
      [16, 1, 4], [16, 1, 1], [32, 2, 1], [32, 1, 4], [32, 1, 1], [64, 2, 1], [64, 1, 4], [64, 1, 1],
    ]);
    // Macro cost = §3.2 cost + head 1×1 conv (64·64) + its BN (2·64).
    expect(archCost(arch).params).toBe(proxyNetworkCost(cells[0]!).params + 64 * 64 + 2 * 64);
    const net = buildNetwork(proxyNetworkBuildArch(cells[0]!, tiny), { seed: 0 });
    expect(net.parameterCount()).toBe(proxyNetworkCost(cells[0]!, tiny).params + 16 * 16 + 2 * 16);
    net.dispose();
  });

  it('scores in this thread: finite proxies, params and FLOPs from the cost model, no leaks', async () => {
    const before = tf.memory().numTensors;
    const scorer = await createCellScorer(batch(), { workers: 0, network: tiny });
    const scores = await scorer.score(cells);
    await scorer.close();
    expect(tf.memory().numTensors).toBe(before);
    scores.forEach((s, i) => {
      expect(s).not.toBeNull();
      expect(Number.isFinite(s!.snipSnr) && Number.isFinite(s!.nwot)).toBe(true);
      expect(s!.params).toBe(proxyNetworkCost(cells[i]!, tiny).params);
      expect(s!.flops).toBe(proxyNetworkCost(cells[i]!, tiny).flops);
    });
    // Different cells give different proxy values.
    expect(new Set(scores.map((s) => s!.snipSnr)).size).toBe(3);
  });

  it('the worker pool gives the same values as this thread', async () => {
    const local = await createCellScorer(batch(), { workers: 0, network: tiny });
    const pooled = await createCellScorer(batch(), { workers: 1, network: tiny, backend: 'wasm' });
    try {
      const a = await local.score(cells.slice(0, 2));
      const b = await pooled.score(cells.slice(0, 2));
      b.forEach((s, i) => {
        expect(s!.snipSnr).toBeCloseTo(a[i]!.snipSnr, 3);
        expect(s!.nwot).toBeCloseTo(a[i]!.nwot, 3);
        expect(s!.params).toBe(a[i]!.params);
      });
    } finally {
      await local.close();
      await pooled.close();
    }
  });

  it('rejects a batch that does not fit the network', async () => {
    await expect(createCellScorer(batch(), { workers: 0, network: { ...tiny, inputSize: 16 } })).rejects.toThrow(/16×16×3/);
  });
});
