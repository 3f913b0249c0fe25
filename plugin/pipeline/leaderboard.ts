/**
 * The leaderboard of `hgnas compare`: per method, mean ± sample standard deviation over seeds of
 * the task metric, the winner's params and FLOPs, the best proxy score, the search cost and the
 * final-training time, ranked by the task metric's direction. Built from result.json files only,
 * so it can be recomputed from a compare directory at any time.
 */

/** The fields of one run's result.json a leaderboard reads (older result files lack `costs.search`). */
export interface RunRow {
  readonly method: string;
  readonly seed: number;
  readonly runDir: string;
  readonly metric: { readonly name: string; readonly value: number; readonly direction: 'max' | 'min' };
  readonly params: number;
  readonly flops: number;
  readonly fitness: string;
  readonly bestFitness: number | null;
  readonly evaluations: number;
  readonly searchSeconds: number;
  readonly backend: string;
  readonly trainSeconds: number;
  readonly pretrainingSeconds: number | null;
}

/** Mean and sample standard deviation (n − 1); std is null for fewer than two values. */
export interface Spread {
  readonly mean: number;
  readonly std: number | null;
  readonly n: number;
}

export interface MethodSummary {
  readonly rank: number;
  readonly method: string;
  readonly seeds: number[];
  readonly metric: Spread;
  readonly params: Spread;
  readonly flops: Spread;
  /** The method's fitness proxy and its best score per run (methods may rank by different proxies). */
  readonly fitness: string;
  readonly bestProxy: Spread | null;
  readonly evaluations: Spread;
  readonly searchSeconds: Spread;
  readonly backends: string[];
  readonly trainSeconds: Spread;
  /** One-off cost of the generators' checkpoint the runs loaded (largest over runs); null for methods without one. */
  readonly pretrainingSeconds: number | null;
}

export interface Leaderboard {
  readonly format: 'hgnas/leaderboard@1';
  readonly task: string;
  readonly metric: { readonly name: string; readonly direction: 'max' | 'min' };
  readonly methods: MethodSummary[];
  readonly runs: RunRow[];
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: null, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/** The value at a dotted path of parsed JSON, or undefined. */
function at(value: unknown, path: string): unknown {
  let x = value;
  for (const key of path.split('.')) {
    if (typeof x !== 'object' || x === null) return undefined;
    x = (x as Record<string, unknown>)[key];
  }
  return x;
}

/** A run row from a parsed result.json (throws naming the field when it is not one). */
export function runRow(method: string, seed: number, runDir: string, result: unknown): RunRow {
  const num = (...paths: string[]): number => {
    for (const p of paths) {
      const x = at(result, p);
      if (typeof x === 'number' && Number.isFinite(x)) return x;
    }
    throw new Error(`${runDir}/result.json: ${paths[0]} is not a number`);
  };
  if (at(result, 'format') !== 'hgnas/result@1') throw new Error(`${runDir}/result.json: not an hgnas run result`);
  const best = at(result, 'search.bestFitness');
  const pretraining = at(result, 'costs.pretraining.seconds');
  return {
    method,
    seed,
    runDir,
    metric: { name: String(at(result, 'metric.name')), value: num('metric.value'), direction: at(result, 'metric.direction') === 'min' ? 'min' : 'max' },
    params: num('params'),
    flops: num('flops'),
    fitness: String(at(result, 'search.fitness')),
    bestFitness: typeof best === 'number' ? best : null,
    evaluations: num('costs.search.evaluations', 'search.evaluations'),
    searchSeconds: num('costs.search.seconds', 'search.wallSeconds'),
    backend: String(at(result, 'costs.search.backend') ?? at(result, 'backend.name')),
    trainSeconds: num('costs.training.seconds', 'training.seconds'),
    pretrainingSeconds: typeof pretraining === 'number' ? pretraining : null,
  };
}

/** Per method (in the given order), ranked by the metric mean in its direction; equal means share a rank. */
export function buildLeaderboard(task: string, methods: readonly string[], rows: readonly RunRow[]): Leaderboard {
  if (rows.length === 0) throw new Error('no finished runs to rank');
  const metric = { name: rows[0]!.metric.name, direction: rows[0]!.metric.direction };
  const summaries = methods
    .map((method) => rows.filter((r) => r.method === method))
    .filter((own) => own.length > 0)
    .map((own) => {
      const best = own.map((r) => r.bestFitness).filter((v): v is number => v !== null);
      return {
        method: own[0]!.method,
        seeds: own.map((r) => r.seed),
        metric: spread(own.map((r) => r.metric.value)),
        params: spread(own.map((r) => r.params)),
        flops: spread(own.map((r) => r.flops)),
        fitness: own[0]!.fitness,
        bestProxy: best.length > 0 ? spread(best) : null,
        evaluations: spread(own.map((r) => r.evaluations)),
        searchSeconds: spread(own.map((r) => r.searchSeconds)),
        backends: [...new Set(own.map((r) => r.backend))],
        trainSeconds: spread(own.map((r) => r.trainSeconds)),
        pretrainingSeconds: own.some((r) => r.pretrainingSeconds !== null) ? Math.max(...own.map((r) => r.pretrainingSeconds ?? 0)) : null,
      };
    });
  const better = (a: number, b: number) => (metric.direction === 'max' ? a > b : a < b);
  const ranked = summaries
    .map((s) => ({ ...s, rank: 1 + summaries.filter((o) => better(o.metric.mean, s.metric.mean)).length }))
    .sort((a, b) => a.rank - b.rank);
  return { format: 'hgnas/leaderboard@1', task, metric, methods: ranked, runs: [...rows] };
}

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '';
}

function pm(s: Spread, digits: number, scale = 1): string {
  const mean = fixed(s.mean / scale, digits);
  return s.std === null ? mean : `${mean} ± ${fixed(s.std / scale, digits)}`;
}

function sig(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : '';
}

export function leaderboardMarkdown(board: Leaderboard): string {
  const m = board.metric;
  const seeds = Math.max(...board.methods.map((s) => s.seeds.length));
  const lines = [
    `# Leaderboard: ${board.task}, test ${m.name} (${m.direction === 'max' ? 'higher' : 'lower'} is better)`,
    '',
    `Mean ± sample standard deviation (n − 1) over ${seeds} seed${seeds === 1 ? '' : 's'} per method; every method had the same task, constraints, proxy-evaluation budget and training protocol.`,
    'Costs apart: pretraining s is the one-off build of the generators a method loads (shared by its runs and by every later task), search s and final training s are per run.',
    '',
    `| rank | method | runs | test ${m.name} | params | MFLOPs | best proxy | proxy evaluations | pretraining s | search s | backend | final training s |`,
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const s of board.methods) {
    const proxy = s.bestProxy === null ? '—' : `${s.fitness} ${s.bestProxy.std === null ? sig(s.bestProxy.mean) : `${sig(s.bestProxy.mean)} ± ${sig(s.bestProxy.std)}`}`;
    lines.push(
      `| ${s.rank} | ${s.method} | ${s.metric.n} | ${pm(s.metric, 4)} | ${pm(s.params, 0)} | ${pm(s.flops, 2, 1e6)} | ${proxy} | ${pm(s.evaluations, 0)} | ${s.pretrainingSeconds === null ? '—' : fixed(s.pretrainingSeconds, 0)} | ${pm(s.searchSeconds, 1)} | ${s.backends.join(', ')} | ${pm(s.trainSeconds, 1)} |`,
    );
  }
  lines.push('', '## Runs', '', `| method | seed | test ${m.name} | params | FLOPs | best proxy | evaluations | search s | training s | run directory |`, '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of board.runs) {
    lines.push(
      `| ${r.method} | ${r.seed} | ${fixed(r.metric.value, 4)} | ${r.params} | ${r.flops} | ${r.bestFitness === null ? '—' : `${r.fitness} ${sig(r.bestFitness)}`} | ${r.evaluations} | ${fixed(r.searchSeconds, 1)} | ${fixed(r.trainSeconds, 1)} | ${r.runDir} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'rank', 'method', 'runs', 'metric', 'direction', 'metric_mean', 'metric_std', 'params_mean', 'params_std', 'flops_mean', 'flops_std',
  'fitness', 'best_proxy_mean', 'best_proxy_std', 'proxy_evaluations_mean', 'search_seconds_mean', 'search_seconds_std', 'backend',
  'train_seconds_mean', 'train_seconds_std', 'pretraining_seconds',
] as const;

function csvCell(x: string | number | null): string {
  if (x === null) return '';
  const text = String(x);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Full-precision numbers; an empty cell where a std is undefined (one seed). */
export function leaderboardCsv(board: Leaderboard): string {
  const rows = board.methods.map((s) => [
    s.rank, s.method, s.metric.n, board.metric.name, board.metric.direction, s.metric.mean, s.metric.std, s.params.mean, s.params.std, s.flops.mean, s.flops.std,
    s.fitness, s.bestProxy?.mean ?? null, s.bestProxy?.std ?? null, s.evaluations.mean, s.searchSeconds.mean, s.searchSeconds.std, s.backends.join(' '),
    s.trainSeconds.mean, s.trainSeconds.std, s.pretrainingSeconds,
  ]);
  return [CSV_COLUMNS.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}
