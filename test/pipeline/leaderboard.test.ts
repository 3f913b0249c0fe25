import { describe, expect, it } from 'vitest';
import { buildLeaderboard, leaderboardCsv, leaderboardMarkdown, spread, type RunRow } from '../../plugin/pipeline/leaderboard.js';

function row(method: string, seed: number, value: number, direction: 'max' | 'min' = 'max'): RunRow {
  return {
    method, seed, runDir: `/c/${method}-seed${seed}`, metric: { name: 'accuracy', value, direction },
    params: 1000 * (seed + 1), flops: 2e6, fitness: 'tcet', bestFitness: 10 + seed, evaluations: 4, searchSeconds: 2 + seed, backend: 'wasm', trainSeconds: 30, pretrainingSeconds: null,
  };
}

describe('leaderboard', () => {
  it('mean and sample standard deviation (n − 1), by hand', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32, sample variance 32/7.
    const s = spread([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(spread([0.3])).toEqual({ mean: 0.3, std: null, n: 1 });
  });

  it('ranks by the metric direction; equal means share a rank', () => {
    // Binary fractions, so the tie between a and c is exact in floating point.
    const rows = [row('a', 0, 0.875), row('a', 1, 0.625), row('b', 0, 0.5), row('b', 1, 0.875), row('c', 0, 0.75), row('c', 1, 0.75)];
    const board = buildLeaderboard('mnist', ['a', 'b', 'c'], rows);
    // a: 0.75 ± |0.875 − 0.625|/√2; b: 0.6875; c: 0.75 ± 0.
    expect(board.methods.map((m) => [m.method, m.rank])).toEqual([['a', 1], ['c', 1], ['b', 3]]);
    expect(board.methods[0]!.metric.std).toBeCloseTo(0.25 / Math.SQRT2, 12);
    expect(board.methods[1]!.metric.std).toBe(0);
    expect(board.methods[0]!.params.mean).toBe(1500);
    expect(board.methods[0]!.params.std).toBeCloseTo(1000 / Math.SQRT2, 9);
    const low = buildLeaderboard('darcyflow', ['a', 'b'], [row('a', 0, 0.2, 'min'), row('b', 0, 0.1, 'min')]);
    expect(low.methods.map((m) => m.method)).toEqual(['b', 'a']);
  });

  it('writes a CSV with an empty std for one seed and a Markdown table per method and run', () => {
    const board = buildLeaderboard('mnist', ['a', 'b'], [row('a', 0, 0.9), row('b', 0, 0.8)]);
    const csv = leaderboardCsv(board).trim().split('\n').map((l) => l.split(','));
    expect(csv[0]!.slice(0, 7)).toEqual(['rank', 'method', 'runs', 'metric', 'direction', 'metric_mean', 'metric_std']);
    expect(csv[1]!.slice(0, 7)).toEqual(['1', 'a', '1', 'accuracy', 'max', '0.9', '']);
    const md = leaderboardMarkdown(board);
    expect(md).toContain('| 1 | a | 1 | 0.9000 | 1000 | 2.00 | tcet 10.00 | 4 | — | 2.0 | wasm | 30.0 |');
    expect(md).toContain('| b | 0 | 0.8000 |');
  });

  it('reports the generators\' one-off pretraining cost apart from search and training', () => {
    const withGenerators = (seed: number): RunRow => ({ ...row('hgnas', seed, 0.9), pretrainingSeconds: 1500 });
    const board = buildLeaderboard('mnist', ['hgnas', 'random'], [withGenerators(0), withGenerators(1), row('random', 0, 0.8)]);
    expect(board.methods.map((m) => [m.method, m.pretrainingSeconds])).toEqual([['hgnas', 1500], ['random', null]]);
    const md = leaderboardMarkdown(board);
    // hgnas: 2 runs, mean 0.9 ± 0, params 1500 ± 707, search 2.5 ± 0.7 s; pretraining counted once, not per run.
    expect(md).toContain('| 1 | hgnas | 2 | 0.9000 ± 0.0000 | 1500 ± 707 | 2.00 ± 0.00 | tcet 10.50 ± 0.7071 | 4 ± 0 | 1500 | 2.5 ± 0.7 | wasm | 30.0 ± 0.0 |');
    const csv = leaderboardCsv(board).trim().split('\n').map((l) => l.split(','));
    const column = csv[0]!.indexOf('pretraining_seconds');
    expect(csv[1]![column]).toBe('1500');
    expect(csv[2]![column]).toBe('');
  });
});
