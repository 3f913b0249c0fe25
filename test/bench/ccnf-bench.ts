/**
 * CCNF speed at the scaled-down default size (latent 32, hidden 128, 4 ConcatSquash layers,
 * 4-D condition), batch 256. Prints figures only; asserts nothing.
 *
 * 1. Training steps/s for flow matching and for the likelihood objective (RK4 16 steps with the
 *    forward-mode Hutchinson term), measured over the second of two epochs (the first warms up).
 * 2. Sampling latents/s for 256 latents in one batched solve: dopri5 (with its evaluations per
 *    solve) after a short flow-matching fit, and RK4 with 32 steps.
 *
 *   npx tsc -p tsconfig.json && node dist/test/bench/ccnf-bench.js [wasm|cpu|tensorflow|auto]
 */
import { initBackend } from '../../plugin/nn/backend.js';
import type { BackendPreference } from '../../plugin/nn/backend.js';
import type { CcnfConfig } from '../../plugin/generators/ccnf.js';
import { trainCcnf } from '../../plugin/generators/ccnf-train.js';
import { Rng } from '../../plugin/util/rng.js';

const BATCH = 256;
const BATCHES_PER_EPOCH = 4;

/** Latents whose mean depends linearly on the condition, so a short fit gives a non-trivial field. */
function toyData(latent: number, n: number, seed: number): { latents: Float32Array[]; conditions: number[][] } {
  const rng = new Rng(seed);
  const mixing = Array.from({ length: latent }, () => Array.from({ length: 4 }, () => rng.normal()));
  const conditions = Array.from({ length: n }, () => [rng.next(), rng.next(), rng.next(), rng.next()]);
  const latents = conditions.map((c) =>
    Float32Array.from(mixing, (row) => row.reduce((s, w, k) => s + w * c[k]!, 0) + 0.5 * rng.normal()),
  );
  return { latents, conditions };
}

async function main(): Promise<void> {
  const preference = (process.argv[2] ?? 'wasm') as BackendPreference;
  const backend = await initBackend(preference);
  console.log(`backend: ${backend.name} (${backend.detail})`);
  const base = { latent: 32, conditionDim: 4, hidden: 128, layers: 4 } as const;
  const { latents, conditions } = toyData(base.latent, BATCH * BATCHES_PER_EPOCH, 1);

  for (const objective of ['flow-matching', 'likelihood'] as const) {
    const config: CcnfConfig = { ...base, objective };
    const { model, history } = trainCcnf(latents, conditions, { config, epochs: 2, batchSize: BATCH, seed: 2 });
    const seconds = history[1]!.seconds;
    console.log(
      `train ${objective.padEnd(13)} batch ${BATCH}: ${(BATCHES_PER_EPOCH / seconds).toFixed(2)} steps/s ` +
        `(${((1000 * seconds) / BATCHES_PER_EPOCH).toFixed(1)} ms/step, parameters ${model.field.parameterCount()})`,
    );
    model.dispose();
  }

  // A short flow-matching fit so that sampling integrates a trained-looking field.
  const { model } = trainCcnf(latents, conditions, {
    config: { ...base, objective: 'flow-matching' },
    epochs: 10,
    batchSize: BATCH,
    seed: 3,
  });
  const sampleConditions = conditions.slice(0, BATCH);
  for (const solver of ['dopri5', 'rk4'] as const) {
    let evaluations = 0;
    model.sample(sampleConditions.slice(0, 8), { temperature: 1, seed: 0, solver }); // warm-up
    const repeats = 3;
    const started = performance.now();
    for (let r = 0; r < repeats; r++) {
      model.sample(sampleConditions, {
        temperature: 1,
        seed: 10 + r,
        solver,
        onSolve: (s) => {
          evaluations += s.evaluations;
        },
      });
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `sample ${solver === 'rk4' ? 'rk4-32' : 'dopri5'} ${BATCH} latents/solve: ${((repeats * BATCH) / seconds).toFixed(0)} latents/s, ` +
        `${(evaluations / repeats).toFixed(1)} evaluations of f per solve`,
    );
  }
  model.dispose();
}

await main();
