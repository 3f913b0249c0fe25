import { beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../plugin/generators/corpus.js';
import { MacroLanguageModel } from '../../plugin/generators/macro-lm.js';
import { encodeExamples, fineTune, fineTuneSync, makeBatch, maskedCrossEntropy, trainMacroLm } from '../../plugin/generators/macro-lm-train.js';
import { parseSequence } from '../../plugin/generators/macro-text.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import type { MacroBounds } from '../../plugin/space/macro.js';
import { syntheticRecords } from './synthetic-corpus.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const SMALL_BOUNDS: MacroBounds = { minStages: 1, maxStages: 2, maxTotalCells: 4, minChannels: 8, maxChannels: 64, maxRepeats: 2, strides: [1, 2], minHeadWidth: 16, maxHeadWidth: 64 };
const TINY_MODEL = { layers: 1, width: 32, heads: 2, mlp: 64, context: 64, dropout: 0 };

describe('macro LM training (method.md §12.7)', () => {
  it('builds shifted, right-padded batches with the padding masked', () => {
    const batch = makeBatch([Int32Array.from([0, 5, 6, 1]), Int32Array.from([0, 7, 1])], 2);
    expect(batch.length).toBe(3);
    expect(Array.from(batch.inputs)).toEqual([0, 5, 6, 0, 7, 2]);
    expect(Array.from(batch.targets)).toEqual([5, 6, 1, 7, 1, 2]);
    expect(Array.from(batch.mask)).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('averages the cross-entropy over unmasked tokens only', () => {
    // Row 0: logits (0, 0) → −log ½ = ln 2; row 1 (masked) would add ln(1 + 3) = ln 4 for target 1.
    const loss = maskedCrossEntropy(tf.tensor2d([[0, 0], [Math.log(3), 0]]), tf.tensor1d([0, 1], 'int32'), tf.tensor1d([1, 0]));
    expect(loss.dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    const both = maskedCrossEntropy(tf.tensor2d([[0, 0], [Math.log(3), 0]]), tf.tensor1d([0, 1], 'int32'), tf.tensor1d([1, 1]));
    expect(both.dataSync()[0]).toBeCloseTo((Math.LN2 + Math.log(4)) / 2, 6);
    tf.dispose([loss, both]);
  });

  it('rejects corpus lines that do not parse or do not fit the context', () => {
    const model = MacroLanguageModel.create({ numClusters: 4, transformer: TINY_MODEL });
    expect(() => encodeExamples(model.tokenizer, ['num_classes:10,input_size:32:(inputs),(cell_9, 8, 1, 1),outputs'], 64)).toThrow(/line 1: .*cell_0\.\.cell_3/);
    const long = `num_classes:10,input_size:32:(inputs),${'(cell_1, 8, 1, 1),'.repeat(6)}outputs`;
    // <bos> + prompt (4 + 5) + boundary = 11, 6 stages × 10, ", outputs" 2, <eos> 1 → 74.
    expect(() => encodeExamples(model.tokenizer, [long], 64)).toThrow(/line 1: 74 tokens exceed the model context of 64/);
    model.dispose();
  });

  it('drives the loss on a toy corpus far below the uniform entropy ln V, leaking nothing', async () => {
    const lines = buildCorpus(syntheticRecords(32, SMALL_BOUNDS, 4, 2), 1);
    const model = MacroLanguageModel.create({ numClusters: 4, transformer: TINY_MODEL, seed: 3 });
    const lnV = Math.log(model.tokenizer.vocabSize);
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const { losses } = await trainMacroLm(model, lines, { steps: 120, batchSize: 8, lr: 3e-3, seed: 1, onStep: (p) => steps.push(p.step) });
    expect(tf.memory().numTensors).toBe(before);
    expect(steps).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    // Initial logits are nearly 0 (weights N(0, 0.02)), so the first loss is close to ln V.
    expect(losses[0]).toBeGreaterThan(0.9 * lnV);
    expect(losses[0]).toBeLessThan(1.1 * lnV);
    const tail = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(tail).toBeLessThan(0.35 * lnV);
    model.dispose();
  });

  it('memorises a 3-line corpus so that greedy decoding reproduces each line', async () => {
    const lines = [
      'num_classes:10,input_size:32,param:0.5M:(inputs),(cell_1, 16, 1, 2),(cell_3, 32, 2, 1),(head, 64),outputs',
      'num_classes:100,input_size:32,param:2M:(inputs),(cell_2, 64, 2, 1),(head, 32),outputs',
      'num_classes:10,input_size:64,flops:300M:(inputs),(cell_0, 48, 1, 1),(cell_0, 24, 2, 2),(head, 16),outputs',
    ];
    const model = MacroLanguageModel.create({ numClusters: 4, transformer: { ...TINY_MODEL, layers: 2 }, seed: 5 });
    const { losses } = await trainMacroLm(model, lines, { steps: 150, batchSize: 3, lr: 5e-3, seed: 2 });
    expect(losses[losses.length - 1]).toBeLessThan(0.1);
    for (const line of lines) {
      const { prompt } = parseSequence(line);
      const [sample] = model.sampleSequences(prompt, 1, { temperature: 0, topK: 1, seed: 0 }, SMALL_BOUNDS);
      expect(sample!.text).toBe(line);
    }
    // Fine-tuning on one line moves the model towards it with the same trainer.
    const tuned = await fineTune(model, [lines[0]!], { steps: 5, batchSize: 2 });
    expect(tuned.losses).toHaveLength(5);
    expect(fineTuneSync(model, [lines[1]!], { steps: 3, batchSize: 2 }).losses).toHaveLength(3);
    model.dispose();
  });
});
