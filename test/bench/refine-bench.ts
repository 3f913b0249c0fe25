/**
 * Does iterative refinement help? (search.hgnas.refine; figures only, asserts nothing.)
 *
 * Runs the `hgnas` search alone (no training) on MNIST with the shipped checkpoint, once with
 * refinement off and once on, for each seed, with every evaluation spent on transformer proposals
 * (proposalShare 1) in rounds of `sequences × perSequence` candidates, so that the rounds after
 * the first show what fine-tuning the transformer on the best proposals so far changes. Prints per
 * seed: mean and median fitness (TCET) of the proposals of round 1 and of the later rounds, the
 * best fitness and the mean of the top 10; then the mean over seeds of each (on − off).
 *
 *   npm run build && node dist/test/bench/refine-bench.js [--seeds 3] [--evaluations 160] [--per-sequence 4] [--recipe recipes/mnist-compare.yaml]
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../../plugin/nn/backend.js';
import { createGenerativeMethod } from '../../plugin/pipeline/generator-provider.js';
import { loadGenerators } from '../../plugin/pipeline/load-generators.js';
import { loadRunRecipe } from '../../plugin/pipeline/recipe-checks.js';
import { createScoringPool, poolEvaluator, proxiesScoredWith } from '../../plugin/pipeline/scoring-pool.js';
import { recipeBudget, spaceContext } from '../../plugin/pipeline/space-context.js';
import { runSearch } from '../../plugin/search/driver.js';
import type { Evaluation } from '../../plugin/search/types.js';
import { loadTask } from '../../plugin/tasks/registry.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    evaluations: { type: 'string', default: '160' },
    'per-sequence': { type: 'string', default: '4' },
    recipe: { type: 'string', default: 'recipes/mnist-compare.yaml' },
  },
});
const seeds = Number(values.seeds);
const evaluations = Number(values.evaluations);
const perSequence = Number(values['per-sequence']);

interface Figures {
  readonly firstRoundMean: number;
  readonly laterMean: number;
  readonly laterMedian: number;
  readonly best: number;
  readonly top10Mean: number;
  readonly rounds: number;
  readonly seconds: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const roundOf = (e: Evaluation): number => Number(/^proposal:r(\d+)/.exec(e.candidate.origin)?.[1] ?? -1);

async function searchOnce(seed: number, refine: boolean): Promise<Figures> {
  const loaded = await loadRunRecipe(values.recipe!, [
    'search.method=hgnas',
    `seed=${seed}`,
    `search.budget.evaluations=${evaluations}`,
    'search.hgnas.proposalShare=1',
    `search.hgnas.perSequence=${perSequence}`,
    `search.hgnas.refine=${refine}`,
  ], { generators: true });
  const recipe = loaded.recipe;
  const task = loadTask({ id: recipe.task.id, data: recipe.task.data, split: recipe.task.split, options: recipe.task.options ?? {} });
  // A fresh load per search: refinement fine-tunes the transformer in place.
  const generators = await loadGenerators(recipe);
  const method = createGenerativeMethod('hgnas', recipe, spaceContext(recipe, task), recipeBudget(recipe), generators);
  const pool = createScoringPool(recipe, task);
  const all: Evaluation[] = [];
  const started = performance.now();
  try {
    await runSearch(method, poolEvaluator(pool, proxiesScoredWith('tcet'), 'tcet', recipe.seed), { evaluations, seconds: null, batch: recipe.search.batch }, {
      onRound: (results) => all.push(...results),
    });
  } finally {
    await pool.close();
  }
  const scored = all.filter((e) => e.ok && e.fitness !== null);
  const first = Math.min(...scored.map(roundOf));
  const fitness = (es: readonly Evaluation[]) => es.map((e) => e.fitness!);
  const later = fitness(scored.filter((e) => roundOf(e) > first));
  const sorted = fitness(scored).sort((a, b) => b - a);
  return {
    firstRoundMean: mean(fitness(scored.filter((e) => roundOf(e) === first))),
    laterMean: mean(later),
    laterMedian: median(later),
    best: sorted[0] ?? Number.NaN,
    top10Mean: mean(sorted.slice(0, 10)),
    rounds: new Set(scored.map(roundOf)).size,
    seconds: (performance.now() - started) / 1000,
  };
}

const backend = await initBackend('auto');
console.log(`refinement bench: ${evaluations} proposal evaluations per search, ${perSequence} per skeleton, seeds 0..${seeds - 1}, backend ${backend.name}`);
const fmt = (x: number) => x.toExponential(3);
const gains: Record<string, number[]> = { laterMean: [], laterMedian: [], best: [], top10Mean: [] };
for (let seed = 0; seed < seeds; seed++) {
  const off = await searchOnce(seed, false);
  const on = await searchOnce(seed, true);
  for (const [name, f] of [['off', off], ['on ', on]] as const) {
    console.log(
      `seed ${seed} refine ${name}: ${f.rounds} rounds | round-1 mean ${fmt(f.firstRoundMean)} | later rounds mean ${fmt(f.laterMean)}, median ${fmt(f.laterMedian)} | best ${fmt(f.best)} | top-10 mean ${fmt(f.top10Mean)} | ${f.seconds.toFixed(0)} s`,
    );
  }
  for (const key of Object.keys(gains)) {
    const k = key as keyof typeof gains & keyof Figures;
    gains[k]!.push(on[k] / off[k] - 1);
  }
}
for (const [key, xs] of Object.entries(gains)) {
  console.log(`refine on vs off, ${key}: mean change ${(100 * mean(xs)).toFixed(1)} % (per seed: ${xs.map((x) => `${(100 * x).toFixed(1)} %`).join(', ')})`);
}
