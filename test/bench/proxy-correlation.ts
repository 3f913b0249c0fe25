/**
 * Proxy-vs-accuracy benchmark (figures only, asserts nothing): how well does each zero-cost proxy
 * rank architectures of the MNIST recipe's space by their accuracy after a short training?
 *
 * N unique architectures are drawn exactly as `hgnas run` draws them (the recipe's space and
 * budgets, random search with the recipe seed), each is scored by every registered proxy at
 * initialisation on the first 64 training images (method.md §5.1's fixed ZC batch), then trained
 * with one fixed short schedule and evaluated on the val and test splits. The table gives, per
 * proxy, Spearman ρ and Kendall τ-b against test accuracy over the architectures it scored
 * validly — the figure zero-cost proxy papers report on NAS-Bench-201 — with params and FLOPs
 * as the baseline every such paper compares with.
 *
 * Everything runs in this process on one thread (wasm runs single-threaded in Node): the worker
 * pool reports a candidate as failed when any one proxy fails, but here each proxy's validity is
 * part of the result. Rows are written to the JSON file after every architecture, and a rerun
 * with the same settings skips the architectures already there, so an interrupted run resumes.
 *
 *   npx tsc -p . && node dist/test/bench/proxy-correlation.js [--n 30] [--epochs 2]
 *     [--images 3000] [--out proxy-correlation.json] [--seed 0] [--recipe recipes/mnist.yaml]
 *     [--set path=value ...]
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initBackend } from '../../plugin/nn/backend.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { tf } from '../../plugin/nn/tf.js';
import { evaluate, trainNetwork, type TrainConfig } from '../../plugin/nn/train.js';
import { loadRunRecipe } from '../../plugin/pipeline/recipe-checks.js';
import { recipeBudget, spaceContext } from '../../plugin/pipeline/space-context.js';
import { listProxies, scoreProxies } from '../../plugin/proxies/registry.js';
import type { ProxyResult } from '../../plugin/proxies/types.js';
import { RandomSearch, type SpaceContext } from '../../plugin/search/random.js';
import type { Candidate } from '../../plugin/search/types.js';
import { archToJson, type ArchJson } from '../../plugin/space/arch-json.js';
import type { Arch } from '../../plugin/space/types.js';
import { firstExamples, splitSource } from '../../plugin/tasks/batches.js';
import { loadTask } from '../../plugin/tasks/registry.js';
import type { Task } from '../../plugin/tasks/types.js';
import { Rng } from '../../plugin/util/rng.js';
import { kendallTauB, spearman } from '../../plugin/util/stats.js';

const ZC_IMAGES = 64;
const EVAL_BATCH = 256;
const BOOTSTRAP_RESAMPLES = 2000;

interface Settings {
  readonly recipe: string;
  readonly n: number;
  readonly epochs: number;
  readonly images: number;
  readonly seed: number;
  readonly out: string;
  /** `--set path=value` recipe overrides, as `hgnas run` takes them. */
  readonly overrides: string[];
}

/** What must match for rows of an earlier run to be reused. */
interface RunConfig {
  readonly recipe: string;
  readonly recipeSeed: number;
  /** The space as resolved from the recipe: a recipe edited between runs must not mix rows. */
  readonly space: SpaceContext;
  readonly budget: { readonly params: number | null; readonly flops: number | null; readonly minParams: number | null };
  readonly train: TrainConfig & { readonly images: number; readonly augment: 'none' };
  readonly zc: { readonly images: number; readonly seed: number };
  readonly proxies: readonly string[];
}

type StoredProxy = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

interface Row {
  /** Position in the recipe's random-search draw order (0-based). */
  readonly index: number;
  readonly fingerprint: string;
  readonly params: number;
  readonly flops: number;
  readonly stages: number;
  readonly cells: number;
  readonly valAccuracy: number;
  readonly testAccuracy: number;
  readonly finalTrainLoss: number;
  readonly finalTrainAccuracy: number;
  readonly trainSeconds: number;
  readonly proxySeconds: number;
  readonly proxies: Readonly<Record<string, StoredProxy>>;
  readonly arch: ArchJson;
}

interface ResultFile {
  readonly format: 'hgnas/proxy-correlation@1';
  readonly config: RunConfig;
  readonly backend: string;
  readonly rows: Row[];
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '30' },
      epochs: { type: 'string', default: '2' },
      images: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string', default: 'proxy-correlation.json' },
      recipe: { type: 'string', default: 'recipes/mnist.yaml' },
      set: { type: 'string', multiple: true, default: [] },
    },
  });
  const integer = (name: string, text: string, min: number): number => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < min) {
      console.error(`--${name} must be an integer ≥ ${min}, got '${text}'`);
      process.exit(2);
    }
    return v;
  };
  return {
    recipe: values.recipe,
    n: integer('n', values.n, 3),
    epochs: integer('epochs', values.epochs, 1),
    images: integer('images', values.images, 64),
    seed: integer('seed', values.seed, 0),
    out: values.out,
    overrides: values.set,
  };
}

function trainConfig(settings: Settings): TrainConfig {
  return {
    epochs: settings.epochs,
    batchSize: 64,
    optimizer: 'sgd',
    lr: 0.05,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
    schedule: 'cosine',
    warmupEpochs: 0,
    labelSmoothing: 0,
    bnMomentum: 0.1,
    seed: settings.seed,
  };
}

/** Earlier rows of the same configuration, or none; a different configuration is refused. */
function loadPrevious(path: string, config: RunConfig): Row[] {
  if (!existsSync(path)) return [];
  const previous = JSON.parse(readFileSync(path, 'utf8')) as ResultFile;
  if (JSON.stringify(previous.config) !== JSON.stringify(config)) {
    console.error(`${path} holds rows of another configuration; pass a different --out (or delete it) to start afresh`);
    process.exit(2);
  }
  return previous.rows;
}

/** Whole-file rewrite through a temporary file, so an interruption never leaves half a document. */
function save(path: string, file: ResultFile): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 1)}\n`);
  renameSync(tmp, path);
}

function scoreAtInit(arch: Arch, task: Task, proxies: readonly string[], seed: number): { results: Record<string, ProxyResult>; seconds: number } {
  const zc = firstExamples(task.splits.train, task.inputShape, ZC_IMAGES);
  const started = performance.now();
  const net = buildNetwork(arch, { seed });
  const x = tf.tensor4d(zc.x, [zc.count, task.inputShape.height, task.inputShape.width, task.inputShape.channels]);
  const y = tf.tensor1d(zc.y, 'int32');
  try {
    const results = scoreProxies(net, { x, y, numClasses: task.numClasses, seed }, proxies);
    return { results, seconds: (performance.now() - started) / 1000 };
  } finally {
    tf.dispose([x, y]);
    net.dispose();
  }
}

async function trainAndEvaluate(arch: Arch, task: Task, settings: Settings, config: TrainConfig) {
  const shape = task.inputShape;
  // The same fixed subset (the first `images` of the train split) for every architecture.
  const train = splitSource(task.splits.train, shape, { shuffle: true, limit: settings.images });
  const val = splitSource(task.splits.val, shape, { shuffle: false });
  const test = splitSource(task.splits.test, shape, { shuffle: false });
  const net = buildNetwork(arch, { seed: settings.seed });
  try {
    const history = await trainNetwork(net, { train }, config);
    const last = history.epochs[history.epochs.length - 1]!;
    return {
      valAccuracy: evaluate(net, val, EVAL_BATCH).accuracy,
      testAccuracy: evaluate(net, test, EVAL_BATCH).accuracy,
      finalTrainLoss: last.trainLoss,
      finalTrainAccuracy: last.trainAccuracy,
      trainSeconds: history.seconds,
    };
  } finally {
    net.dispose();
  }
}

function stored(result: ProxyResult): StoredProxy {
  return result.ok ? { ok: true, value: result.value } : { ok: false, reason: result.reason };
}

interface Correlation {
  readonly name: string;
  readonly valid: number;
  readonly rho: number;
  readonly tau: number;
  readonly rhoVal: number;
  /** 95 % percentile-bootstrap interval of ρ (test), resampling architectures. */
  readonly rhoInterval: readonly [number, number];
}

/**
 * Percentile bootstrap of Spearman's ρ: with ~30 architectures one ρ has a wide sampling spread
 * (about ±0.35 around 0), and the interval shows which differences between proxies are real.
 */
function bootstrapRho(values: readonly number[], target: readonly number[]): [number, number] {
  const rng = new Rng(BOOTSTRAP_RESAMPLES);
  const rhos: number[] = [];
  const n = values.length;
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    const ids = Array.from({ length: n }, () => rng.int(0, n - 1));
    const rho = spearman(ids.map((i) => values[i]!), ids.map((i) => target[i]!));
    // A resample can repeat one architecture n times: ρ is undefined there, not 0.
    if (!Number.isNaN(rho)) rhos.push(rho);
  }
  if (rhos.length === 0) return [Number.NaN, Number.NaN];
  rhos.sort((a, b) => a - b);
  const at = (q: number) => rhos[Math.min(rhos.length - 1, Math.floor(q * rhos.length))]!;
  return [at(0.025), at(0.975)];
}

function correlate(name: string, rows: readonly Row[]): Correlation {
  const scored = rows.filter((r) => r.proxies[name]?.ok === true);
  const values = scored.map((r) => (r.proxies[name] as { value: number }).value);
  const test = scored.map((r) => r.testAccuracy);
  const val = scored.map((r) => r.valAccuracy);
  const enough = scored.length >= 3;
  return {
    name,
    valid: scored.length,
    rho: enough ? spearman(values, test) : Number.NaN,
    tau: enough ? kendallTauB(values, test) : Number.NaN,
    rhoVal: enough ? spearman(values, val) : Number.NaN,
    rhoInterval: enough ? bootstrapRho(values, test) : [Number.NaN, Number.NaN],
  };
}

const fmt = (v: number, digits = 2) => (Number.isNaN(v) ? 'n/a' : (v >= 0 ? ' ' : '') + v.toFixed(digits));

function markdownTable(rows: readonly Row[], proxies: readonly string[]): string {
  const table = proxies.map((name) => correlate(name, rows)).sort((a, b) => (Number.isNaN(a.rho) ? 1 : Number.isNaN(b.rho) ? -1 : b.rho - a.rho));
  const lines = [
    '| proxy | Spearman ρ (test) | 95 % CI of ρ (bootstrap) | Kendall τ-b (test) | ρ (val) | valid |',
    '|---|---:|:---:|---:|---:|---:|',
    ...table.map((c) => {
      const label = c.name === 'params' || c.name === 'flops' ? `${c.name} (baseline)` : c.name;
      const [lo, hi] = c.rhoInterval;
      return `| ${label} | ${fmt(c.rho)} | [${fmt(lo)}, ${fmt(hi)}] | ${fmt(c.tau)} | ${fmt(c.rhoVal)} | ${c.valid}/${rows.length} |`;
    }),
  ];
  return lines.join('\n');
}

function quantiles(values: readonly number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 === 1 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

function failureSummary(rows: readonly Row[], proxies: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of proxies) {
    const reasons = new Map<string, number>();
    for (const r of rows) {
      const p = r.proxies[name];
      if (p !== undefined && !p.ok) reasons.set(p.reason, (reasons.get(p.reason) ?? 0) + 1);
    }
    for (const [reason, count] of reasons) out.push(`- ${name}: ${count}× ${reason}`);
  }
  return out;
}

async function main(): Promise<void> {
  const started = performance.now();
  const settings = parseSettings(process.argv.slice(2));
  const loaded = await loadRunRecipe(settings.recipe, settings.overrides);
  const recipe = loaded.recipe;
  const task = loadTask({ id: recipe.task.id, data: recipe.task.data, split: recipe.task.split });
  const space = spaceContext(recipe, task);
  const budget = recipeBudget(recipe);
  const backend = await initBackend('wasm');
  const proxies = listProxies();
  const train = trainConfig(settings);
  const config: RunConfig = {
    recipe: settings.recipe,
    recipeSeed: recipe.seed,
    space,
    budget: { params: budget.maxParams, flops: budget.maxFlops, minParams: budget.minParams },
    train: { ...train, images: Math.min(settings.images, task.splits.train.count), augment: 'none' },
    zc: { images: ZC_IMAGES, seed: settings.seed },
    proxies,
  };

  // Random search's own draw: its first n candidates are the same whatever n is, so a larger
  // --n extends an earlier run instead of replacing it.
  const search = new RandomSearch({ space, budget, seed: recipe.seed, maxSamplingTries: recipe.search.maxSamplingTries });
  const candidates: Candidate[] = search.ask(settings.n);
  if (candidates.length < settings.n) {
    console.error(`the space yielded only ${candidates.length} unique in-budget architectures of ${settings.n}`);
    process.exit(1);
  }

  const rows = loadPrevious(settings.out, config);
  const done = new Set(rows.map((r) => r.fingerprint));
  const file: ResultFile = { format: 'hgnas/proxy-correlation@1', config, backend: `${backend.name} (${backend.detail})`, rows };
  console.log(
    `proxy correlation | ${settings.recipe}${settings.overrides.map((o) => ` --set ${o}`).join('')}: stem stride ${space.stemStride}, ` +
      `${space.bounds.minStages}–${space.bounds.maxStages} stages, ≤ ${space.bounds.maxTotalCells} cells, channels ${space.bounds.minChannels}–${space.bounds.maxChannels}, ` +
      `params ${budget.minParams ?? 0}–${budget.maxParams}, FLOPs ≤ ${budget.maxFlops} | ${settings.n} archs, ` +
      `${settings.epochs} epochs on ${config.train.images} images, batch 64, SGD-Nesterov lr 0.05 cosine | ` +
      `val ${task.splits.val.count}, test ${task.splits.test.count} | ZC batch ${ZC_IMAGES} | ${file.backend} | ` +
      `${rows.length} rows already in ${settings.out}`,
  );

  for (const [index, candidate] of candidates.entries()) {
    if (done.has(candidate.fingerprint)) continue;
    const archStarted = performance.now();
    const { results, seconds: proxySeconds } = scoreAtInit(candidate.arch, task, proxies, settings.seed);
    const trained = await trainAndEvaluate(candidate.arch, task, settings, train);
    const row: Row = {
      index,
      fingerprint: candidate.fingerprint,
      params: candidate.cost.params,
      flops: candidate.cost.flops,
      stages: candidate.arch.stages.length,
      cells: candidate.arch.stages.reduce((s, st) => s + st.repeats, 0),
      ...trained,
      proxySeconds,
      proxies: Object.fromEntries(proxies.map((name) => [name, stored(results[name]!)])),
      arch: archToJson(candidate.arch),
    };
    rows.push(row);
    save(settings.out, file);
    const valid = proxies.filter((name) => results[name]!.ok).length;
    console.log(
      `[${index + 1}/${settings.n}] ${candidate.fingerprint.slice(0, 8)} ${row.params} params ${(row.flops / 1e6).toFixed(2)} MFLOPs ` +
        `${row.cells} cells | train ${row.trainSeconds.toFixed(1)} s (${Math.round((settings.epochs * config.train.images) / row.trainSeconds)} img/s) ` +
        `| val ${row.valAccuracy.toFixed(4)} test ${row.testAccuracy.toFixed(4)} | proxies ${proxySeconds.toFixed(1)} s, ${valid}/${proxies.length} valid ` +
        `| ${((performance.now() - archStarted) / 1000).toFixed(1)} s`,
    );
  }

  const inRun = rows.filter((r) => candidates.some((c) => c.fingerprint === r.fingerprint));
  const test = quantiles(inRun.map((r) => r.testAccuracy));
  const trainTotal = inRun.reduce((s, r) => s + r.trainSeconds, 0);
  const proxyTotal = inRun.reduce((s, r) => s + r.proxySeconds, 0);
  console.log('');
  console.log(markdownTable(inRun, proxies));
  console.log('');
  console.log(
    `${inRun.length} architectures; test accuracy min ${test.min.toFixed(4)}, median ${test.median.toFixed(4)}, max ${test.max.toFixed(4)}; ` +
      `val↔test ρ ${fmt(spearman(inRun.map((r) => r.valAccuracy), inRun.map((r) => r.testAccuracy)))}`,
  );
  const failures = failureSummary(inRun, proxies);
  if (failures.length > 0) console.log(['invalid scores:', ...failures].join('\n'));
  console.log(
    `time: training ${(trainTotal / 60).toFixed(1)} min, proxies ${(proxyTotal / 60).toFixed(1)} min over all rows ` +
      `(${(trainTotal / inRun.length).toFixed(1)} s and ${(proxyTotal / inRun.length).toFixed(1)} s per arch); ` +
      `this invocation ${((performance.now() - started) / 60000).toFixed(1)} min`,
  );
}

await main();
