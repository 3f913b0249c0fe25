/**
 * The shipped (or a given) checkpoint's macro transformer on a real recipe (figures only, asserts
 * nothing): draws `--samples` cluster-level skeletons for the recipe's prompt (task classes, input
 * size, params/FLOPs budgets) with grammar-constrained decoding inside the recipe's macro bounds,
 * prints them back as method.md §12.2 text and re-parses them, fills every stage with one CCNF cell
 * of its cluster and counts the concrete networks that fall within the recipe's hard budgets
 * (params, FLOPs, minParams) — what `hgnas` proposals face before the candidate gate.
 *
 *   npm run build && node dist/test/bench/macro-budget-bench.js [--recipe recipes/mnist-compare.yaml] [--samples 1000] [--checkpoint builtin|DIR]
 */
import { parseArgs } from 'node:util';
import { parseSequence, printSequence } from '../../plugin/generators/macro-text.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { loadGenerators } from '../../plugin/pipeline/load-generators.js';
import { loadRunRecipe } from '../../plugin/pipeline/recipe-checks.js';
import { recipeBudget, spaceContext } from '../../plugin/pipeline/space-context.js';
import { budgetViolation } from '../../plugin/search/budget.js';
import { concreteArch, skeletonProblems } from '../../plugin/search/generative.js';
import { archCost } from '../../plugin/space/cost.js';
import { validateArch } from '../../plugin/space/macro.js';
import { loadTask } from '../../plugin/tasks/registry.js';

const { values } = parseArgs({
  options: {
    recipe: { type: 'string', default: 'recipes/mnist-compare.yaml' },
    samples: { type: 'string', default: '1000' },
    temperature: { type: 'string' },
    checkpoint: { type: 'string', default: 'builtin' },
  },
});
const samples = Number(values.samples);

const backend = await initBackend('auto');
const { recipe } = await loadRunRecipe(values.recipe!, ['search.method=hgnas', `generators.checkpoint=${JSON.stringify(values.checkpoint)}`], { generators: true });
const task = loadTask({ id: recipe.task.id, data: recipe.task.data, split: recipe.task.split, options: recipe.task.options ?? {} });
const space = spaceContext(recipe, task);
const budget = recipeBudget(recipe);
const generators = await loadGenerators(recipe);
const temperature = values.temperature === undefined ? recipe.generators.macroTemperature : Number(values.temperature);
const prompt = { numClasses: space.numClasses, inputSize: space.input.height, params: budget.maxParams, flops: budget.maxFlops, zcScore: null };
console.log(`checkpoint ${recipe.generators.checkpoint} | backend ${backend.name} | recipe ${values.recipe} | prompt ${JSON.stringify(prompt)} | τ ${temperature}, top-k ${recipe.generators.topK}`);

let started = performance.now();
const skeletons = generators.macro.sample(prompt, samples, { temperature, topK: recipe.generators.topK, seed: 1 });
const sampleSeconds = (performance.now() - started) / 1000;

let parsed = 0;
let inSpace = 0;
let withinBudget = 0;
const params: number[] = [];
const flops: number[] = [];
started = performance.now();
for (const [i, skeleton] of skeletons.entries()) {
  const text = printSequence(prompt, skeleton, generators.macro.numClusters);
  try {
    if (JSON.stringify(parseSequence(text).genotype) === JSON.stringify(skeleton)) parsed++;
  } catch {
    continue;
  }
  if (skeletonProblems(skeleton, space, generators.cells.numClusters).length > 0) continue;
  inSpace++;
  const cells = skeleton.stages.map((stage, s) => generators.cells.sampleByCluster(stage.cluster, 1, { temperature: recipe.generators.cellTemperature, seed: 1000 * i + s })[0]!);
  const arch = concreteArch(space, skeleton, cells);
  if (validateArch(arch, space.bounds).length > 0) continue;
  const cost = archCost(arch);
  params.push(cost.params);
  flops.push(cost.flops);
  if (budgetViolation(cost, budget) === null) withinBudget++;
}
const fillSeconds = (performance.now() - started) / 1000;
const unique = new Set(skeletons.map((s) => JSON.stringify(s))).size;
const pct = (x: number): string => `${((100 * x) / skeletons.length).toFixed(1)} %`;
const quantiles = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `min ${q(0)}, median ${q(0.5)}, max ${q(1)}`;
};
console.log(`${skeletons.length} samples in ${sampleSeconds.toFixed(1)} s (${(skeletons.length / sampleSeconds).toFixed(1)} samples/s)`);
console.log(`parse back to the same genotype: ${pct(parsed)}; skeletons inside the recipe's space: ${pct(inSpace)}; unique skeletons: ${unique} (${pct(unique)})`);
console.log(`concrete networks (one CCNF cell per stage, ${fillSeconds.toFixed(1)} s): within params/FLOPs budget ${pct(withinBudget)}`);
console.log(`params ${quantiles(params)} (budget ${budget.minParams ?? 0}–${budget.maxParams ?? '∞'}); FLOPs ${quantiles(flops)} (budget ${budget.maxFlops ?? '∞'})`);
