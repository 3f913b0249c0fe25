/**
 * `hgnas run`: recipe → task → search (ask/tell over the worker pool) → finalists → training →
 * test metric, with every artefact in one run directory (design.md §2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { basename } from 'node:path';
import { createJournalRecorder } from '../harness/optuna/export.js';
import { InputError } from '../errors.js';
import { initBackend, type BackendInfo } from '../nn/backend.js';
import { buildNetwork } from '../nn/network.js';
import { evaluate, trainNetwork, type TrainConfig, type TrainHistory } from '../nn/train.js';
import { saveNetworkWeights } from '../nn/weights-io.js';
import type { LoadedRecipe } from '../recipe/load.js';
import { recipeToYaml } from '../recipe/resolve.js';
import type { Recipe } from '../recipe/types.js';
import type { Progress } from '../report/progress.js';
import { writeRunReport } from '../report/html/index.js';
import { RunDir } from '../report/run-dir.js';
import { runSearch, type SearchOutcome } from '../search/driver.js';
import type { Budget } from '../search/budget.js';
import { createBaseline, isBaselineName } from '../search/evolution.js';
import { RandomSearch, type SpaceContext } from '../search/random.js';
import { evaluationFromRecord, evaluationRecord, type CandidateRecord } from '../search/records.js';
import type { Evaluation, SearchMethod } from '../search/types.js';
import { archToJson } from '../space/arch-json.js';
import { archCost } from '../space/cost.js';
import type { Arch } from '../space/types.js';
import { concatSplits, splitSource } from '../tasks/batches.js';
import type { MetricResult } from '../tasks/metrics/result.js';
import { taskOutput } from '../tasks/output.js';
import { loadTask } from '../tasks/registry.js';
import type { Task } from '../tasks/types.js';
import { Rng } from '../util/rng.js';
import { budgetProblems } from './feasibility.js';
import { createGenerativeMethod, isGenerativeMethod, pretrainingCost, provideGenerators, type GeneratorProvider, type LoadedGenerators } from './generator-provider.js';
import { resolveFitness } from './recipe-checks.js';
import { recipeBudget, spaceContext } from './space-context.js';
import { createScoringPool, poolEvaluator, proxiesScoredWith } from './scoring-pool.js';
import { versions, type Versions } from './versions.js';

export interface MainJobOptions {
  readonly loaded: LoadedRecipe;
  readonly runDir: RunDir;
  readonly progress: Progress;
  readonly resume?: boolean;
  /** Optuna JournalStorage file that mirrors the search as a study. */
  readonly optuna?: string;
  /** Loads the pretrained generators for the hgnas and hgnas-ea methods. */
  readonly generators?: GeneratorProvider;
}

export interface RunResult {
  readonly format: 'hgnas/result@1';
  readonly name: string;
  readonly task: string;
  readonly metric: ReportedMetric;
  readonly params: number;
  readonly flops: number;
  readonly flopsConvLinear: number;
  readonly budget: { readonly params: number | null; readonly flops: number | null };
  readonly search: {
    readonly method: string;
    readonly fitness: string;
    readonly evaluations: number;
    readonly failed: number;
    readonly failureReasons: Readonly<Record<string, number>>;
    readonly rejectedOverBudget: number;
    readonly proxySeconds: number;
    readonly wallSeconds: number;
    readonly stoppedBy: string;
    readonly bestFitness: number | null;
    readonly winnerCandidateId: number;
  };
  readonly training: {
    readonly epochs: number;
    readonly seconds: number;
    readonly imagesPerSecond: number;
    readonly finalTrainAccuracy: number | null;
    readonly finalValAccuracy: number | null;
  };
  readonly costs: {
    /** Pretraining paid by this run (generators.pretrain: true); 0 when it loaded a checkpoint. */
    readonly pretrainSeconds: number;
    readonly searchSeconds: number;
    readonly rerankSeconds: number;
    readonly trainSeconds: number;
    readonly totalSeconds: number;
    /** Each stage's cost on its own: building the generators' checkpoint (null = no generators), the search, the final training. */
    readonly pretraining: { readonly seconds: number | null; readonly source: string; readonly builtInThisRun: boolean } | null;
    readonly search: { readonly seconds: number; readonly evaluations: number; readonly backend: string };
    readonly training: { readonly seconds: number };
  };
  /** What the generator loader reported (hgnas, hgnas-ea), else null. */
  readonly generators: Record<string, unknown> | null;
  readonly seed: number;
  readonly backend: BackendInfo;
  readonly workers: number;
  readonly versions: Versions;
  readonly split: Task['splits']['description'];
  readonly startedAt: string;
  readonly finishedAt: string;
}

/**
 * The test metric as result.json reports it: the official name, raw value and direction, plus the
 * NAS-Bench-360 table form (`lowerIsBetter`: 0-1 error in % for accuracy, 1 − x for the other
 * higher-is-better metrics, the value itself otherwise) and the metric variant
 * (nas-bench-360.md §4, §6 items 5–6), so tables across tasks can be assembled from result.json.
 */
export interface ReportedMetric {
  readonly name: string;
  readonly value: number;
  readonly direction: 'max' | 'min';
  readonly split: 'test';
  readonly lowerIsBetter: number;
  readonly variant: string;
  /** What the winner was trained on before the test (recipe evaluation.finalData). */
  readonly trainedOn: 'train' | 'train+val';
}

function reportedMetric(m: MetricResult, trainedOn: 'train' | 'train+val'): ReportedMetric {
  return { name: m.name, value: m.value, direction: m.direction, split: 'test', lowerIsBetter: m.tableValue, variant: m.variant, trainedOn };
}

export async function runMainJob(options: MainJobOptions): Promise<RunResult> {
  const { loaded, runDir, progress } = options;
  const recipe = loaded.recipe;
  const startedAt = new Date();
  const t0 = performance.now();

  const task = loadTask({ id: recipe.task.id, data: recipe.task.data, split: recipe.task.split, options: recipe.task.options ?? {} });
  const space = spaceContext(recipe, task);
  const budget = recipeBudget(recipe);
  const problems = budgetProblems(space, budget);
  if (problems.length > 0) throw new InputError(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  const fitness = resolveFitness(recipe);
  const proxies = proxiesScoredWith(fitness);
  const backend = await initBackend(recipe.runtime.backend);
  progress.log(
    `hgnas ${versions().hgnas} | task ${task.id} (${task.splits.train.count} train / ${task.splits.val.count} val / ${task.splits.test.count} test) | backend ${backend.name} (${backend.detail}) | seed ${recipe.seed}`,
  );
  if (!options.resume) {
    runDir.writeText('recipe.resolved.yaml', recipeToYaml(recipe));
  }

  // --- search -------------------------------------------------------------------------------
  const provided = await provideGenerators(recipe, options.generators);
  const method = createSearchMethod(recipe, space, budget, provided?.generators ?? null);
  const evaluationBudget = recipe.search.budget.evaluations ?? Number.POSITIVE_INFINITY;
  const resumed = options.resume ? resumeSearch(runDir, method, recipe, evaluationBudget) : { evaluated: 0, failed: 0, proxySeconds: 0, wallSeconds: 0 };
  const already = { evaluated: resumed.evaluated, failed: resumed.failed, proxySeconds: resumed.proxySeconds };
  const pool = createScoringPool(recipe, task);
  const evaluator = poolEvaluator(pool, proxies, fitness, recipe.seed);
  const recorder = options.optuna
    ? createJournalRecorder(options.optuna, recipe.name, { runId: basename(runDir.path), task: task.id, fitness, method: method.name })
    : null;
  const searchBar = progress.task('search', recipe.search.budget.evaluations ?? 0, 'candidates');
  searchBar.update(already.evaluated);
  let outcome: SearchOutcome;
  try {
    outcome = await runSearch(
      method,
      evaluator,
      { evaluations: evaluationBudget, seconds: recipe.search.budget.seconds, batch: recipe.search.batch },
      {
        onRound(results, p) {
          runDir.appendJsonl('candidates.jsonl', results.map(evaluationRecord));
          recorder?.record(results);
          runDir.writeJson('search-state.json', {
            method: method.name,
            state: method.state(),
            evaluated: p.evaluated,
            failed: p.failed,
            wallSeconds: resumed.wallSeconds + p.elapsedSeconds,
          });
          const best = p.bestFitness === null ? 'none yet' : p.bestFitness.toExponential(3);
          searchBar.update(p.evaluated, `best ${fitness} ${best}, failed ${p.failed}`);
        },
      },
      already,
    );
  } finally {
    await pool.close();
  }
  const stats = method.stats();
  searchBar.finish(
    `${outcome.evaluated} evaluated, ${outcome.failed} failed, ${stats.rejectedOverBudget ?? 0} over-budget draws rejected before scoring`,
  );
  const finalists = method.best(recipe.search.topK);
  if (finalists.length === 0 && outcome.evaluated === 0) {
    throw new InputError(
      `constraints: no architecture of this space met the budget in ${recipe.search.maxSamplingTries} draws (${stats.rejectedOverBudget ?? 0} over budget)`,
      'loosen constraints.params / constraints.flops / constraints.minParams, narrow space.channels or space.totalCells, or raise search.maxSamplingTries',
    );
  }
  if (finalists.length === 0) {
    throw new Error(`search produced no valid candidate: all ${outcome.failed} evaluations failed (${JSON.stringify(outcome.failureReasons)})`);
  }

  // --- optional short-training re-rank ---------------------------------------------------------
  const rerankStarted = performance.now();
  let winner = finalists[0]!;
  if (recipe.evaluation.rerank.epochs > 0 && finalists.length > 1) {
    winner = await rerank(finalists.slice(0, recipe.evaluation.rerank.topK), recipe, task, progress);
  }
  const rerankSeconds = (performance.now() - rerankStarted) / 1000;
  runDir.writeJson('best.arch.json', archToJson(winner.candidate.arch, {
    source: `hgnas run ${loaded.source.path}`,
    candidateId: winner.candidate.id,
    fingerprint: winner.candidate.fingerprint,
    params: winner.candidate.cost.params,
    flops: winner.candidate.cost.flops,
    fitness: { [fitness]: winner.fitness },
    proxies: winner.proxies,
  }));
  progress.log(
    `winner: candidate #${winner.candidate.id}, ${winner.candidate.cost.params} params, ${(winner.candidate.cost.flops / 1e6).toFixed(1)} MFLOPs, ${fitness} ${winner.fitness?.toExponential(4)}`,
  );

  // --- final training -------------------------------------------------------------------------
  const trainStarted = performance.now();
  const { history, testMetric } = await trainAndTest(winner.candidate.arch, recipe, task, progress, runDir);
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const last = history.epochs[history.epochs.length - 1];
  const totalSeconds = (performance.now() - t0) / 1000;
  const pretraining = pretrainingCost(provided?.generators ?? null, recipe);
  const result: RunResult = {
    format: 'hgnas/result@1',
    name: recipe.name,
    task: task.id,
    metric: reportedMetric(testMetric, recipe.evaluation.finalData ?? 'train'),
    params: winner.candidate.cost.params,
    flops: winner.candidate.cost.flops,
    flopsConvLinear: winner.candidate.cost.flopsConvLinear,
    budget: { params: budget.maxParams, flops: budget.maxFlops },
    search: {
      method: method.name,
      fitness,
      evaluations: outcome.evaluated,
      failed: outcome.failed,
      failureReasons: outcome.failureReasons,
      rejectedOverBudget: stats.rejectedOverBudget ?? 0,
      proxySeconds: round(outcome.proxySeconds),
      wallSeconds: round(resumed.wallSeconds + outcome.wallSeconds),
      stoppedBy: outcome.stoppedBy,
      bestFitness: finalists[0]!.fitness,
      winnerCandidateId: winner.candidate.id,
    },
    training: {
      epochs: history.epochs.length,
      seconds: round(trainSeconds),
      imagesPerSecond: round(history.epochs.reduce((s, e) => s + e.imagesPerSecond, 0) / Math.max(1, history.epochs.length)),
      finalTrainAccuracy: last?.trainAccuracy ?? null,
      finalValAccuracy: last?.valAccuracy ?? null,
    },
    costs: {
      pretrainSeconds: pretraining?.builtInThisRun === true ? (pretraining.seconds ?? 0) : 0,
      searchSeconds: round(resumed.wallSeconds + outcome.wallSeconds),
      rerankSeconds: round(rerankSeconds),
      trainSeconds: round(trainSeconds),
      totalSeconds: round(totalSeconds),
      pretraining,
      search: { seconds: round(resumed.wallSeconds + outcome.wallSeconds), evaluations: outcome.evaluated, backend: backend.name },
      training: { seconds: round(trainSeconds) },
    },
    generators: provided?.generators.describe ?? null,
    seed: recipe.seed,
    backend,
    workers: recipe.runtime.workers,
    versions: versions(),
    split: task.splits.description,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  runDir.writeJson('train-history.json', history);
  runDir.writeJson('result.json', result);
  recorder?.finish(result);
  writeReport(runDir, progress);
  return result;
}

/**
 * The recipe's search method; every method gets the same space, budget and sampling cap. The
 * hgnas methods also need the pretrained generators (see generator-provider.ts).
 */
export function createSearchMethod(recipe: Recipe, space: SpaceContext, budget: Budget, generators: LoadedGenerators | null = null): SearchMethod {
  const common = { space, budget, seed: recipe.seed, maxSamplingTries: recipe.search.maxSamplingTries };
  const name = recipe.search.method;
  if (name === 'random') return new RandomSearch(common);
  if (isBaselineName(name)) {
    return createBaseline(name, { ...common, population: recipe.search.population, tournament: recipe.search.tournament });
  }
  if (isGenerativeMethod(name)) {
    if (generators === null) throw new InputError(`search.method: '${name}' needs the pretrained generators, and none were loaded`, 'choose a baseline method (random, zen-nas, zico, tcet-ea)');
    return createGenerativeMethod(name, recipe, space, budget, generators);
  }
  throw new InputError(`search.method: '${name}' is not available in this version`);
}

/** Recipe fields a resumed run may change: how long to search, where and how it runs. */
const RESUMABLE_CHANGES = ['search.budget', 'runtime', 'output'];

/** Dotted paths where two plain-JSON values differ. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (RESUMABLE_CHANGES.includes(path)) return [];
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

/**
 * Rebuilds a method from candidates.jsonl + search-state.json after an interruption. The recipe
 * must be the run's own (only the budget, runtime and output may change), and a finished run is
 * only resumed to search further.
 */
function resumeSearch(
  runDir: RunDir,
  method: SearchMethod,
  recipe: Recipe,
  evaluationBudget: number,
): { evaluated: number; failed: number; proxySeconds: number; wallSeconds: number } {
  let state: { state: unknown; wallSeconds?: number };
  let lines: string[];
  let original: unknown;
  try {
    state = JSON.parse(readFileSync(runDir.file('search-state.json'), 'utf8')) as { state: unknown; wallSeconds?: number };
    const text = readFileSync(runDir.file('candidates.jsonl'), 'utf8');
    // An interrupted append may leave a partial last line: only complete lines count.
    lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l.trim() !== '');
    original = parseYaml(readFileSync(runDir.file('recipe.resolved.yaml'), 'utf8'));
  } catch (error) {
    throw new InputError(`cannot resume from ${runDir.path}: ${(error as Error).message}`, 'resume needs recipe.resolved.yaml, search-state.json and candidates.jsonl from an earlier run');
  }
  const changed = differences(original, parseYaml(recipeToYaml(recipe)));
  if (changed.length > 0) {
    throw new InputError(
      `cannot resume ${runDir.path} with a different recipe: ${changed.slice(0, 8).join(', ')}${changed.length > 8 ? ', …' : ''} differ from its recipe.resolved.yaml`,
      `resume with the run's own recipe (${runDir.file('recipe.resolved.yaml')}); only ${RESUMABLE_CHANGES.join(', ')} may change`,
    );
  }
  if (existsSync(runDir.file('result.json')) && lines.length >= evaluationBudget) {
    throw new InputError(
      `${runDir.path} is a finished run (${lines.length} candidates evaluated)`,
      'raise search.budget.evaluations to search further, or start a new run',
    );
  }
  const evaluations = lines.map((line) => evaluationFromRecord(JSON.parse(line) as CandidateRecord));
  method.restore(state.state);
  method.tell(evaluations);
  return {
    evaluated: evaluations.length,
    failed: evaluations.filter((e) => !e.ok).length,
    proxySeconds: evaluations.reduce((s, e) => s + e.seconds, 0),
    wallSeconds: state.wallSeconds ?? 0,
  };
}

function trainConfig(recipe: Recipe, epochs: number): TrainConfig {
  const t = recipe.evaluation.train;
  return {
    epochs,
    batchSize: t.batchSize,
    optimizer: t.optimizer,
    lr: t.lr,
    momentum: t.momentum,
    nesterov: t.nesterov,
    weightDecay: t.weightDecay,
    schedule: t.schedule,
    warmupEpochs: t.warmupEpochs,
    labelSmoothing: t.labelSmoothing,
    bnMomentum: t.bnMomentum,
    seed: recipe.seed,
  };
}

/** The recipe's training protocol with the task's loss and output decoding. */
function taskTrainConfig(recipe: Recipe, task: Task, epochs: number, output = taskOutput(task)): TrainConfig {
  return { ...trainConfig(recipe, epochs), loss: output.loss, ...(output.decode ? { decode: output.decode } : {}) };
}

/** The task's official metric on `split` (search mode: val; final: test), from raw outputs. */
function splitMetric(net: ReturnType<typeof buildNetwork>, task: Task, split: Task['splits']['train'], output = taskOutput(task)): MetricResult {
  const source = splitSource(split, task.inputShape, { shuffle: false });
  const { outputs } = evaluate(net, source, 256, { loss: output.loss, decode: output.decode, keepOutputs: true });
  return output.evaluate(outputs!, split);
}

async function rerank(finalists: readonly Evaluation[], recipe: Recipe, task: Task, progress: Progress): Promise<Evaluation> {
  let best = finalists[0]!;
  // Ranked by the task's official metric on val, made higher-is-better.
  let bestScore = -Infinity;
  const epochs = recipe.evaluation.rerank.epochs;
  const train = splitSource(task.splits.train, task.inputShape, { shuffle: true, augment: recipe.evaluation.train.augment });
  const bar = progress.task('rerank', finalists.length, 'finalists');
  let bestName = '';
  for (const [i, f] of finalists.entries()) {
    const net = buildNetwork(f.candidate.arch, { seed: recipe.seed });
    try {
      await trainNetwork(net, { train }, taskTrainConfig(recipe, task, epochs));
      const metric = splitMetric(net, task, task.splits.val);
      const score = metric.direction === 'max' ? metric.value : -metric.value;
      if (score > bestScore) {
        bestScore = score;
        best = f;
        bestName = `val ${metric.name} ${metric.value.toFixed(4)}`;
      }
      bar.update(i + 1, `#${f.candidate.id} val ${metric.name} ${metric.value.toFixed(4)}`);
    } finally {
      net.dispose();
    }
  }
  bar.finish(`picked #${best.candidate.id} (${bestName})`);
  return best;
}

async function trainAndTest(
  arch: Arch,
  recipe: Recipe,
  task: Task,
  progress: Progress,
  runDir: RunDir,
): Promise<{ history: TrainHistory; testMetric: MetricResult }> {
  const t = recipe.evaluation.train;
  const output = taskOutput(task);
  if (output.head === 'dense' && (t.augment.randomCrop > 0 || t.augment.flip)) {
    throw new InputError(
      `evaluation.train.augment: task ${task.id} predicts per pixel; crop and flip would move the inputs but not the targets`,
      'set evaluation.train.augment to { randomCrop: 0, flip: false }',
    );
  }
  const net = buildNetwork(arch, { seed: recipe.seed });
  try {
    // NAS-Bench-360's final mode retrains on train + val and tests once (nas-bench-360.md §6).
    const merged = recipe.evaluation.finalData === 'train+val';
    const trainSplit = merged ? (task.splits.final?.train ?? concatSplits(task.splits.train, task.splits.val)) : task.splits.train;
    const testSplit = merged ? (task.splits.final?.test ?? task.splits.test) : task.splits.test;
    // The final mode's own output decoding where the task refits it (Darcy's normalisers).
    const finalOutput = merged ? (task.splits.final?.output ?? output) : output;
    const train = splitSource(trainSplit, task.inputShape, { shuffle: true, augment: t.augment });
    const val = merged ? undefined : splitSource(task.splits.val, task.inputShape, { shuffle: false });
    const stepsPerEpoch = Math.ceil(train.size / t.batchSize);
    const bar = progress.task('train', t.epochs * stepsPerEpoch, 'steps');
    let lastVal: number | null = null;
    const history = await trainNetwork(net, { train, ...(val ? { val } : {}) }, taskTrainConfig(recipe, task, t.epochs, finalOutput), {
      onStep: (info) =>
        bar.update(info.step, `epoch ${info.epoch + 1}/${t.epochs}, lr ${info.lr.toExponential(2)}${lastVal === null ? '' : `, val acc ${lastVal.toFixed(4)}`}`),
      onEpoch: (info) => {
        lastVal = info.valAccuracy;
        progress.log(
          `epoch ${info.epoch + 1}/${t.epochs}: train loss ${info.trainLoss.toFixed(4)}` +
            (Number.isNaN(info.trainAccuracy) ? '' : ` acc ${info.trainAccuracy.toFixed(4)}`) +
            (info.valLoss !== null ? ` | val loss ${info.valLoss.toFixed(4)}` : '') +
            (info.valAccuracy !== null && !Number.isNaN(info.valAccuracy) ? ` acc ${info.valAccuracy.toFixed(4)}` : '') +
            ` | ${Math.round(info.imagesPerSecond)} img/s`,
        );
      },
    });
    bar.finish();
    // The task's official metric on the held-out split, from the raw outputs, once.
    const testMetric = splitMetric(net, task, testSplit, finalOutput);
    if (recipe.output.saveModel) {
      await saveNetworkWeights(net, runDir.subdir('model'), { archJson: archToJson(arch), testMetric: { name: testMetric.name, value: testMetric.value } });
    }
    return { history, testMetric };
  } finally {
    net.dispose();
  }
}

export interface TrainResult {
  readonly format: 'hgnas/train-result@1';
  readonly task: string;
  readonly metric: RunResult['metric'];
  readonly params: number;
  readonly flops: number;
  readonly training: { readonly epochs: number; readonly seconds: number };
  readonly seed: number;
  readonly backend: BackendInfo;
  readonly versions: Versions;
  readonly split: Task['splits']['description'];
}

/** `hgnas train`: the recipe's task and training protocol applied to a given architecture. */
export async function trainArchitecture(arch: Arch, loaded: LoadedRecipe, runDir: RunDir, progress: Progress): Promise<TrainResult> {
  const recipe = loaded.recipe;
  const task = loadTask({ id: recipe.task.id, data: recipe.task.data, split: recipe.task.split, options: recipe.task.options ?? {} });
  const expected = task.inputShape;
  if (arch.input.height !== expected.height || arch.input.width !== expected.width || arch.input.channels !== expected.channels || arch.numClasses !== task.numClasses) {
    throw new InputError(
      `architecture input ${arch.input.height}×${arch.input.width}×${arch.input.channels} with ${arch.numClasses} classes does not match task ${task.id} (${expected.height}×${expected.width}×${expected.channels}, ${task.numClasses} classes)`,
      'use a genotype made for this task, or a recipe whose task matches the genotype',
    );
  }
  const wantHead = taskOutput(task).head;
  if ((arch.head ?? 'pooled') !== wantHead) {
    throw new InputError(
      `architecture head '${arch.head ?? 'pooled'}' does not match task ${task.id}, which needs the ${wantHead} head`,
      'use a genotype made for this task (hgnas/arch@1 field "head")',
    );
  }
  const backend = await initBackend(recipe.runtime.backend);
  runDir.writeText('recipe.resolved.yaml', recipeToYaml(recipe));
  runDir.writeJson('arch.json', archToJson(arch));
  const started = performance.now();
  const { history, testMetric } = await trainAndTest(arch, recipe, task, progress, runDir);
  const cost = archCost(arch);
  const result: TrainResult = {
    format: 'hgnas/train-result@1',
    task: task.id,
    metric: reportedMetric(testMetric, recipe.evaluation.finalData ?? 'train'),
    params: cost.params,
    flops: cost.flops,
    training: { epochs: history.epochs.length, seconds: round((performance.now() - started) / 1000) },
    seed: recipe.seed,
    backend,
    versions: versions(),
    split: task.splits.description,
  };
  runDir.writeJson('train-history.json', history);
  runDir.writeJson('result.json', result);
  writeReport(runDir, progress);
  return result;
}

/** The HTML report is a view of files already written: a problem with it never fails the run. */
function writeReport(runDir: RunDir, progress: Progress): void {
  try {
    progress.log(`report: ${writeRunReport(runDir.path)}`);
  } catch (error) {
    progress.log(`report.html not written: ${(error as Error).message} (regenerate with hgnas report ${runDir.path})`);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
