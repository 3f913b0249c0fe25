/**
 * `hgnas compare`: every method × seed through the main job with the same task, constraints,
 * proxy-evaluation budget and training protocol, each in its own run directory under one compare
 * directory, then the leaderboard (leaderboard.md / .csv / .json).
 *
 * Resumable: compare.json pins the recipe; a finished run (result.json) is reused as it is, an
 * interrupted one continues through the run's own --resume machinery (search-state.json) or, when
 * it stopped before its first search round, starts again. A changed recipe is refused.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import { recipeToYaml } from '../recipe/resolve.js';
import type { Recipe } from '../recipe/types.js';
import type { Progress } from '../report/progress.js';
import { defaultRunPath, RunDir } from '../report/run-dir.js';
import { isGenerativeMethod, type GeneratorProvider } from './generator-provider.js';
import { buildLeaderboard, leaderboardCsv, leaderboardMarkdown, runRow, type Leaderboard, type RunRow } from './leaderboard.js';
import { runMainJob, type RunResult } from './main-job.js';
import { availableMethods, loadRunRecipe } from './recipe-checks.js';

export interface CompareOptions {
  readonly recipePath: string;
  readonly methods: readonly string[];
  /** Number of seeds: the recipe's seed, seed + 1, … */
  readonly seeds: number;
  /** Compare directory; default <output.dir>/<name>-compare-<UTC time>. Pass an existing one to resume. */
  readonly out?: string;
  /** --set / --data / --seed overrides, applied to every run. */
  readonly overrides: readonly string[];
  readonly progress: Progress;
  readonly generators?: GeneratorProvider;
}

export interface CompareRun {
  readonly method: string;
  readonly seed: number;
  readonly runDir: string;
  /** What this invocation did with the run. */
  readonly status: 'ran' | 'resumed' | 'restarted' | 'reused';
}

export interface CompareOutcome {
  readonly dir: string;
  readonly runs: CompareRun[];
  readonly leaderboard: Leaderboard;
}

interface CompareManifest {
  readonly format: 'hgnas/compare@1';
  readonly recipePath: string;
  /** The resolved recipe every run shares (search.method and seed blanked: they vary per run). */
  readonly recipe: unknown;
}

/** Fields a resumed comparison may change: where and how it runs, not what it measures. */
const CHANGEABLE = ['runtime', 'output'];

/** Checked before any work: the methods and the seed count. */
export function checkCompareRequest(methods: readonly string[], seeds: number, withGenerators: boolean): void {
  const available = availableMethods(withGenerators);
  if (methods.length === 0) throw new InputError('--methods: no method given', `list methods separated by commas, e.g. --methods random,zen-nas (available: ${available.join(', ')})`);
  const unknown = methods.filter((m) => !available.includes(m));
  if (unknown.length > 0) {
    throw new InputError(`--methods: ${unknown.map((m) => `'${m}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not available in this version`, `choose from: ${available.join(', ')}`);
  }
  const twice = methods.filter((m, i) => methods.indexOf(m) !== i);
  if (twice.length > 0) throw new InputError(`--methods: '${twice[0]}' is listed twice`, 'list each method once');
  if (!Number.isInteger(seeds) || seeds < 1) throw new InputError(`--seeds: must be an integer ≥ 1, got ${seeds}`, 'pass --seeds 1 or more');
}

function shared(recipe: Recipe): unknown {
  const plain = parseYaml(recipeToYaml(recipe)) as Record<string, unknown>;
  const search = { ...(plain.search as Record<string, unknown>) };
  delete search.method;
  const out: Record<string, unknown> = { ...plain, search };
  delete out.seed;
  return out;
}

/** Dotted paths where two plain-JSON values differ, skipping the changeable sections. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (CHANGEABLE.includes(path)) return [];
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

/** The compare directory's path: a new one with its manifest, or an existing one for the same recipe. */
function openCompareDir(out: string | undefined, recipe: Recipe, recipePath: string): string {
  const manifest: CompareManifest = { format: 'hgnas/compare@1', recipePath: resolve(recipePath), recipe: shared(recipe) };
  if (out === undefined) {
    const dir = RunDir.createUnique(defaultRunPath(recipe.output.dir, `${recipe.name}-compare`));
    writeAtomic(dir.file('compare.json'), json(manifest));
    return dir.path;
  }
  const path = resolve(out);
  const manifestPath = join(path, 'compare.json');
  if (existsSync(manifestPath)) {
    let previous: CompareManifest;
    try {
      previous = JSON.parse(readFileSync(manifestPath, 'utf8')) as CompareManifest;
    } catch (error) {
      throw new InputError(`${manifestPath}: not valid JSON (${(error as Error).message})`, 'choose another --out');
    }
    if (previous.format !== 'hgnas/compare@1') throw new InputError(`${manifestPath}: not an hgnas compare manifest`, 'choose another --out');
    const changed = differences(previous.recipe, manifest.recipe);
    if (changed.length > 0) {
      throw new InputError(
        `${path} compares a different recipe: ${changed.slice(0, 8).join(', ')}${changed.length > 8 ? ', …' : ''} differ from the one its runs used`,
        `resume with the original recipe and --set values (${previous.recipePath}), or choose another --out for the changed recipe; only ${CHANGEABLE.join(', ')} may change`,
      );
    }
    return path;
  }
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new InputError(`${path} already exists and is not a compare directory (no compare.json)`, 'choose another --out');
  }
  mkdirSync(path, { recursive: true });
  writeAtomic(manifestPath, json(manifest));
  return path;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Temp file + rename, as RunDir does: an interrupted write never leaves half a file. */
function writeAtomic(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

function readResult(runDir: string): unknown | null {
  const file = join(runDir, 'result.json');
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown };
    return parsed.format === 'hgnas/result@1' ? parsed : null;
  } catch {
    return null;
  }
}

export async function runCompare(options: CompareOptions): Promise<CompareOutcome> {
  const { methods, seeds, progress } = options;
  const withGenerators = options.generators !== undefined;
  checkCompareRequest(methods, seeds, withGenerators);
  // The shared recipe, checked once; the first method stands in for search.method.
  const base = await loadRunRecipe(options.recipePath, [...options.overrides, `search.method=${methods[0]}`], { generators: withGenerators });
  const generative = methods.find(isGenerativeMethod);
  if (generative !== undefined && options.generators) {
    // Load the generators before anything runs or is written: a missing or corrupt checkpoint
    // then stops the comparison now, not after the baselines listed before it have trained.
    const probe = await loadRunRecipe(options.recipePath, [...options.overrides, `search.method=${generative}`], { generators: true });
    await options.generators(probe.recipe);
  }
  const dir = openCompareDir(options.out, base.recipe, options.recipePath);
  progress.log(`compare directory: ${dir} (an interrupted comparison continues with --out ${dir})`);

  const seedList = Array.from({ length: seeds }, (_, i) => base.recipe.seed + i);
  const plan = seedList.flatMap((seed) => methods.map((method) => ({ method, seed })));
  const runs: CompareRun[] = [];
  const rows: RunRow[] = [];
  for (const [i, { method, seed }] of plan.entries()) {
    const tag = `[${i + 1}/${plan.length}] ${method} seed ${seed}`;
    const runPath = join(dir, `${method}-seed${seed}`);
    let result = readResult(runPath);
    let status: CompareRun['status'];
    if (result !== null) {
      status = 'reused';
    } else {
      const loaded = await loadRunRecipe(options.recipePath, [...options.overrides, `search.method=${method}`, `seed=${seed}`], { generators: withGenerators });
      const resume = existsSync(join(runPath, 'search-state.json'));
      status = resume ? 'resumed' : existsSync(runPath) ? 'restarted' : 'ran';
      // Stopped before its first search round: nothing to keep but the resolved recipe.
      if (status === 'restarted') rmSync(runPath, { recursive: true, force: true });
      progress.log(`${tag}: ${status === 'ran' ? 'running' : status === 'resumed' ? 'resuming the interrupted run' : 'restarting (it stopped before its first search round)'} in ${runPath}`);
      const runDir = RunDir.create(runPath, { resume });
      const ran: RunResult = await runMainJob({ loaded, runDir, progress, resume, ...(options.generators ? { generators: options.generators } : {}) });
      result = ran;
    }
    const row = runRow(method, seed, runPath, result);
    rows.push(row);
    runs.push({ method, seed, runDir: runPath, status });
    progress.log(
      `${tag}: ${status === 'reused' ? 'finished earlier, reused' : 'done'}: test ${row.metric.name} ${row.metric.value.toFixed(4)}, ${row.params} params, search ${row.evaluations} evaluations in ${row.searchSeconds.toFixed(1)}s, training ${row.trainSeconds.toFixed(1)}s`,
    );
  }

  const leaderboard = buildLeaderboard(base.recipe.task.id, methods, rows);
  writeAtomic(join(dir, 'leaderboard.md'), leaderboardMarkdown(leaderboard));
  writeAtomic(join(dir, 'leaderboard.csv'), leaderboardCsv(leaderboard));
  writeAtomic(join(dir, 'leaderboard.json'), json(leaderboard));
  progress.log(`leaderboard: ${join(dir, 'leaderboard.md')}`);
  return { dir, runs, leaderboard };
}
