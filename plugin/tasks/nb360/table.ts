/**
 * The NAS-Bench-360 results table from result.json files (nas-bench-360.md §2.2, §6 items 4–5):
 * one row per task, metric and variant (rows of different variants are never merged), with the
 * mean ± population standard deviation (divide by n, as the benchmark's notebooks) of the
 * per-seed table values (lower is better), and the raw metric mean next to them.
 */
import { InputError } from '../../errors.js';

export interface Nb360Run {
  readonly task: string;
  readonly metric: string;
  readonly direction: 'max' | 'min';
  readonly value: number;
  readonly lowerIsBetter: number;
  readonly variant: string;
  readonly trainedOn: string;
  readonly seed: number;
}

export interface Nb360Row {
  readonly task: string;
  readonly metric: string;
  readonly variant: string;
  readonly direction: 'max' | 'min';
  readonly seeds: readonly number[];
  /** Mean and population std of the table values (lower is better). */
  readonly mean: number;
  readonly std: number;
  /** Mean of the raw metric values. */
  readonly rawMean: number;
}

/** The fields of one result.json the table needs; an InputError names what is missing. */
export function nb360Run(json: unknown, file: string): Nb360Run {
  const r = json as { task?: unknown; seed?: unknown; metric?: Record<string, unknown> };
  const m = r?.metric;
  const ok =
    typeof r?.task === 'string' && typeof r.seed === 'number' && m !== undefined && typeof m.name === 'string' &&
    (m.direction === 'max' || m.direction === 'min') && typeof m.value === 'number' && typeof m.lowerIsBetter === 'number' && typeof m.variant === 'string';
  if (!ok) {
    throw new InputError(`${file}: not an hgnas result with metric.lowerIsBetter and metric.variant`, 'pass result.json files of hgnas run (this version or later)');
  }
  return {
    task: r.task as string,
    seed: r.seed as number,
    metric: m!.name as string,
    direction: m!.direction as 'max' | 'min',
    value: m!.value as number,
    lowerIsBetter: m!.lowerIsBetter as number,
    variant: m!.variant as string,
    trainedOn: typeof m!.trainedOn === 'string' ? m!.trainedOn : 'train',
  };
}

export function nb360Table(runs: readonly Nb360Run[]): Nb360Row[] {
  const groups = new Map<string, Nb360Run[]>();
  for (const run of runs) {
    const key = `${run.task}\u0000${run.metric}\u0000${run.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()]
    .map((g) => {
      const values = g.map((r) => r.lowerIsBetter);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      return {
        task: g[0]!.task,
        metric: g[0]!.metric,
        variant: g[0]!.variant,
        direction: g[0]!.direction,
        seeds: g.map((r) => r.seed),
        mean,
        std,
        rawMean: g.reduce((a, r) => a + r.value, 0) / g.length,
      };
    })
    .sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : a.variant < b.variant ? -1 : 1));
}

function figure(x: number): string {
  return Number.isFinite(x) ? (Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3)) : String(x);
}

/** Markdown: task | metric (variant) | table value mean ± std (lower is better) | raw mean | seeds. */
export function formatNb360Table(rows: readonly Nb360Row[]): string {
  const lines = [
    '| Task | Metric (variant) | NB360 table value, mean ± std (↓) | Raw metric mean | Seeds |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.task} | ${r.metric} (${r.variant}) | ${figure(r.mean)} ± ${figure(r.std)} | ${figure(r.rawMean)} ${r.direction === 'max' ? '↑' : '↓'} | ${r.seeds.join(', ')} |`,
    ),
  ];
  return lines.join('\n');
}
