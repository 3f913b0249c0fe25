/**
 * Macro transformer benchmark (figures only, asserts nothing): trains the default model briefly
 * on a synthetic corpus (or on a corpus file, one §12.2 line per line), then draws samples for a
 * CIFAR-10 prompt and prints the share that parse (100 % by construction), the share within a
 * recipe's space bounds when sampling over the bare §10.2 domains (what the model learned) and
 * with the bounds enforced by the grammar, unique genotypes, samples/s and training steps/s.
 *
 *   npm run build && node dist/test/bench/macro-lm-bench.js [--corpus FILE] [--steps 300] [--batch 16] [--samples 1000]
 */
import { readFileSync } from 'node:fs';
import { buildCorpus } from '../../plugin/generators/corpus.js';
import { MacroLanguageModel } from '../../plugin/generators/macro-lm.js';
import { trainMacroLm } from '../../plugin/generators/macro-lm-train.js';
import { parseSequence } from '../../plugin/generators/macro-text.js';
import { initBackend } from '../../plugin/nn/backend.js';
import type { MacroBounds } from '../../plugin/space/macro.js';
import { syntheticRecords } from '../generators/synthetic-corpus.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const corpusPath = process.argv.includes('--corpus') ? process.argv[process.argv.indexOf('--corpus') + 1]! : null;
const steps = option('steps', 300);
const batchSize = option('batch', 16);
const samples = option('samples', 1000);

/** The synthetic corpus's space, also used as "the recipe's bounds" for the within-bounds share. */
const BOUNDS: MacroBounds = { minStages: 2, maxStages: 6, maxTotalCells: 12, minChannels: 16, maxChannels: 256, maxRepeats: 3, strides: [1, 2], minHeadWidth: 64, maxHeadWidth: 512, maxDownsamples: 3 };

async function main(): Promise<void> {
  const backend = await initBackend('auto');
  const lines = corpusPath
    ? readFileSync(corpusPath, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.length > 0)
    : buildCorpus(syntheticRecords(2000, BOUNDS, 32, 1), 1);
  const model = MacroLanguageModel.create({ numClusters: 32, seed: 1 });
  console.log(`backend ${backend.name} (${backend.detail}); model ${JSON.stringify(model.config)}, ${model.transformer.parameterCount()} parameters`);
  console.log(`corpus: ${lines.length} lines (${corpusPath ?? 'synthetic'})`);

  const train = await trainMacroLm(model, lines, {
    steps,
    batchSize,
    seed: 1,
    onStep: (p) => {
      if (p.step % 50 === 0 || p.step === steps) console.log(`  step ${p.step}/${steps}  loss ${p.loss.toFixed(3)}  lr ${p.lr.toExponential(2)}`);
    },
  });
  const lnV = Math.log(model.tokenizer.vocabSize);
  const tail = train.losses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, train.losses.length);
  console.log(`training: ${(steps / train.seconds).toFixed(2)} steps/s (batch ${batchSize}), final loss ${tail.toFixed(3)} nats/token (ln V = ${lnV.toFixed(3)})`);

  const prompt = { numClasses: 10, inputSize: 32, params: 1e6, flops: 300e6, zcScore: null };
  for (const [label, bounds] of [['§10.2 domains', undefined], ['recipe bounds enforced', BOUNDS]] as const) {
    const started = performance.now();
    const drawn = model.sampleSequences(prompt, samples, { temperature: 0.8, topK: 50, seed: 1 }, bounds);
    const seconds = (performance.now() - started) / 1000;
    let parsed = 0;
    let within = 0;
    for (const s of drawn) {
      try {
        parseSequence(s.text);
        parsed++;
      } catch {
        continue;
      }
      try {
        parseSequence(s.text, { bounds: BOUNDS });
        within++;
      } catch {
        // outside the recipe bounds
      }
    }
    const unique = new Set(drawn.map((s) => JSON.stringify(s.genotype))).size;
    const pct = (x: number): string => `${((100 * x) / drawn.length).toFixed(1)} %`;
    console.log(`sampling (${label}): ${drawn.length} samples, parse ${pct(parsed)}, within recipe bounds ${pct(within)}, unique ${unique}, ${(drawn.length / seconds).toFixed(1)} samples/s`);
  }
  console.log(`example: ${model.sampleSequences(prompt, 1, { temperature: 0.8, topK: 50, seed: 2 })[0]!.text}`);
  model.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
