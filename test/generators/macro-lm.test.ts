import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MacroLanguageModel } from '../../plugin/generators/macro-lm.js';
import { parseSequence } from '../../plugin/generators/macro-text.js';
import type { ClusterGenotype, MacroGenerator } from '../../plugin/generators/types.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { DEFAULT_MACRO_BOUNDS, type MacroBounds } from '../../plugin/space/macro.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const PROMPT = { numClasses: 10, inputSize: 32, params: 1e6, flops: null, zcScore: null };
const BOUNDS: MacroBounds = { minStages: 2, maxStages: 4, maxTotalCells: 6, minChannels: 16, maxChannels: 128, maxRepeats: 3, strides: [1, 2], minHeadWidth: 32, maxHeadWidth: 256, maxDownsamples: 2 };

function withinBounds(g: ClusterGenotype, b: MacroBounds, clusters: number): boolean {
  const cells = g.stages.reduce((a, s) => a + s.repeats, 0);
  return (
    g.stages.length >= b.minStages && g.stages.length <= b.maxStages && cells <= b.maxTotalCells &&
    g.stages.filter((s) => s.stride === 2).length <= (b.maxDownsamples ?? Infinity) &&
    g.stages.every((s) => s.cluster >= 0 && s.cluster < clusters && s.channels % 8 === 0 && s.channels >= b.minChannels && s.channels <= b.maxChannels && b.strides.includes(s.stride) && s.repeats >= 1 && s.repeats <= b.maxRepeats) &&
    g.headWidth % 8 === 0 && g.headWidth >= b.minHeadWidth && g.headWidth <= b.maxHeadWidth
  );
}

describe('macro language model sampler (method.md §12.8)', () => {
  // Untrained weights with a large init would be the harshest test; the fresh model's near-uniform
  // distribution already explores every branch of the grammar.
  const model = MacroLanguageModel.create({ numClusters: 8, transformer: { layers: 1, width: 16, heads: 2, mlp: 32, context: 96 }, seed: 1 });
  afterAll(() => model.dispose());

  it('draws samples that all parse and respect the bounds, deterministically per seed, leaking nothing', () => {
    const generator: MacroGenerator = model;
    const before = tf.memory().numTensors;
    const a = model.sampleSequences(PROMPT, 300, { temperature: 1, topK: 50, seed: 7 }, BOUNDS);
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toHaveLength(300);
    for (const s of a) {
      const parsed = parseSequence(s.text, { numClusters: 8, bounds: BOUNDS });
      expect(parsed.genotype).toEqual(s.genotype);
      expect(parsed.prompt).toEqual(PROMPT);
      expect(withinBounds(s.genotype, BOUNDS, 8)).toBe(true);
      expect(s.completion[s.completion.length - 1]).toBe(model.tokenizer.eos);
    }
    // A near-uniform model explores: many distinct skeletons, every stage count.
    expect(new Set(a.map((s) => s.text)).size).toBeGreaterThan(250);
    expect(new Set(a.map((s) => s.genotype.stages.length))).toEqual(new Set([2, 3, 4]));
    expect(generator.numClusters).toBe(8);
    expect(model.sample(PROMPT, 300, { temperature: 1, topK: 50, seed: 7 }, BOUNDS)).toEqual(a.map((s) => s.genotype));
    expect(model.sample(PROMPT, 300, { temperature: 1, topK: 50, seed: 8 }, BOUNDS)).not.toEqual(a.map((s) => s.genotype));
  });

  it('samples within the §10.2 domains when no bounds are given', () => {
    const big = MacroLanguageModel.create({ numClusters: 32, transformer: { layers: 1, width: 16, heads: 2, mlp: 32 }, seed: 2 });
    for (const g of big.sample({ ...PROMPT, zcScore: 1.5e6, flops: 2.09e9 }, 40, { temperature: 1, topK: 1086, seed: 3 })) {
      expect(withinBounds(g, DEFAULT_MACRO_BOUNDS, 32)).toBe(true);
    }
    big.dispose();
  });

  it('applies top-k after the mask: top-1 and temperature 0 are the same greedy path', () => {
    const greedy = model.sample(PROMPT, 3, { temperature: 0, topK: 50, seed: 1 }, BOUNDS);
    const top1 = model.sample(PROMPT, 3, { temperature: 1, topK: 1, seed: 99 }, BOUNDS);
    expect(top1).toEqual(greedy);
    expect(greedy[1]).toEqual(greedy[0]);
  });

  it('round-trips through serialize/deserialize', () => {
    const copy = MacroLanguageModel.deserialize(model.serialize(), { numClusters: 8, config: model.config });
    expect(copy.sample(PROMPT, 20, { temperature: 0.8, topK: 50, seed: 4 }, BOUNDS)).toEqual(model.sample(PROMPT, 20, { temperature: 0.8, topK: 50, seed: 4 }, BOUNDS));
    copy.dispose();
    expect(() => MacroLanguageModel.deserialize(model.serialize(), { numClusters: 9, config: model.config })).toThrow(/vocabulary/);
  });

  it('allows only as many stages as the context holds after the prompt', () => {
    // <bos> + "num_classes:10" (4) + ",input_size:32" (5) + ",param:1M" (5) + boundary = 16 tokens;
    // (96 − 16 − 8) / 10 → at most 7 stage tuples of 10 tokens, then head (6) and ", outputs" (2).
    const samples = model.sample(PROMPT, 60, { temperature: 1, topK: 1086, seed: 5 });
    for (const g of samples) expect(withinBounds(g, { ...DEFAULT_MACRO_BOUNDS, maxStages: 7 }, 8)).toBe(true);
    expect(Math.max(...samples.map((g) => g.stages.length))).toBeGreaterThan(3);
    const short = MacroLanguageModel.create({ numClusters: 8, transformer: { layers: 1, width: 16, heads: 2, mlp: 32, context: 30 } });
    expect(() => short.sample(PROMPT, 1, { temperature: 1, topK: 5, seed: 0 }, BOUNDS)).toThrow(/room for 0 stage tuple\(s\), fewer than minStages = 2/);
    short.dispose();
    expect(() => model.sample(PROMPT, 1, { temperature: 1, topK: 0, seed: 0 }, BOUNDS)).toThrow(/topK/);
  });
});
