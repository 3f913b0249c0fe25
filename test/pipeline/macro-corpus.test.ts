/**
 * The macro transformer's corpus (method.md §12.6): the walks' surrogate fitness, their caps, and
 * the settings `hgnas pretrain` derives from a recipe.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterGenotype } from '../../plugin/generators/types.js';
import { buildMacroCorpus, corpusSettings, surrogateFitness } from '../../plugin/pipeline/macro-corpus.js';
import { loadRunRecipe } from '../../plugin/pipeline/recipe-checks.js';
import { sampleUniqueCells } from '../../plugin/space/sampler.js';
import { Rng } from '../../plugin/util/rng.js';
import { MNIST_RECIPE_SPACE } from '../search/generator-doubles.js';

const stage = (cluster: number, repeats: number) => ({ cluster, channels: 16, stride: 1 as const, repeats });

describe('surrogate fitness of the corpus walks', () => {
  it('sums the cluster score over cell instances, as TCET sums over layers', () => {
    const score = [10, 3, 0.5];
    const g: ClusterGenotype = { stages: [stage(0, 2), stage(2, 3)], headWidth: 32 };
    expect(surrogateFitness(g, score)).toBe(2 * 10 + 3 * 0.5);
    // One more cell of a positive-score cluster always scores higher: walks grow towards the cap.
    expect(surrogateFitness({ ...g, stages: [stage(0, 2), stage(2, 4)] }, score)).toBeGreaterThan(surrogateFitness(g, score));
  });
});

describe('buildMacroCorpus', () => {
  const space = MNIST_RECIPE_SPACE;
  const task = { input: space.input, numClasses: 10, stemStride: 2 as const };
  const pools = Array.from({ length: 4 }, (_, k) => sampleUniqueCells(new Rng(100 + k), 6));

  it('keeps every record within its walk\'s params and FLOPs caps, with the measured cost in its prompt', () => {
    const settings = [
      { task, maxParams: 60_000, maxFlops: null },
      { task, maxParams: 60_000, maxFlops: 2_000_000 },
    ];
    const records = buildMacroCorpus({ settings, space, cellPools: pools, clusterScore: [4, 3, 2, 1], records: 80, seed: 5 });
    expect(records).toHaveLength(80);
    const first = records.slice(0, 40);
    const second = records.slice(40);
    expect(first.every((r) => r.params <= 60_000)).toBe(true);
    expect(second.every((r) => r.params <= 60_000 && r.flops <= 2_000_000)).toBe(true);
    // The FLOPs cap binds: without it the same params cap admits larger FLOPs.
    expect(first.some((r) => r.flops > 2_000_000)).toBe(true);
    for (const r of records) {
      expect(r.tcet).toBeNull();
      expect(r.numClasses).toBe(10);
      expect(r.inputSize).toBe(28);
    }
  });

  it('walks towards the cap: the later records of a walk are larger than its first ones', () => {
    const records = buildMacroCorpus({ settings: [{ task, maxParams: 80_000, maxFlops: null }], space, cellPools: pools, clusterScore: [4, 3, 2, 1], records: 120, seed: 2 });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const cellsOf = (g: ClusterGenotype) => g.stages.reduce((n, s) => n + s.repeats, 0);
    expect(mean(records.slice(-40).map((r) => cellsOf(r.genotype)))).toBeGreaterThan(mean(records.slice(0, 40).map((r) => cellsOf(r.genotype))));
  });
});

describe('corpusSettings', () => {
  it('walks five params caps per task, each again under the FLOPs cap scaled by stem output area', async () => {
    const { recipe } = await loadRunRecipe('recipes/pretrain.yaml', ['constraints.params=100k', 'constraints.flops=5M']);
    const settings = corpusSettings(recipe, { height: 28, width: 28, channels: 1 }, 10, 2);
    expect(settings).toHaveLength(3 * 5 * 2);
    const caps = [12_500, 25_000, 50_000, 100_000, 200_000];
    expect([...new Set(settings.map((s) => s.maxParams))]).toEqual(caps);
    // MNIST with a stride-2 stem: 14 × 14 = 196 positions; CIFAR with stride 1: 32 × 32 = 1 024.
    const flopsCaps = new Set(settings.map((s) => `${s.task.numClasses}/${s.task.input.height}:${s.maxFlops}`));
    expect(flopsCaps).toEqual(new Set(['10/28:null', '10/28:5000000', '10/32:null', '10/32:26122449', '100/32:null', '100/32:26122449']));
    const { recipe: noFlops } = await loadRunRecipe('recipes/pretrain.yaml', ['constraints.flops=null']);
    expect(corpusSettings(noFlops, { height: 28, width: 28, channels: 1 }, 10, 2).every((s) => s.maxFlops === null)).toBe(true);
  });
});
