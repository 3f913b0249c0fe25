/** The NAS-Bench-360 results table: grouping by task and variant, population std, the script. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatNb360Table, nb360Run, nb360Table } from '../../plugin/tasks/nb360/table.js';

const result = (task: string, seed: number, value: number, lowerIsBetter: number, variant = 'top-1', name = 'accuracy', direction = 'max') => ({
  task,
  seed,
  metric: { name, value, direction, split: 'test', lowerIsBetter, variant, trainedOn: 'train+val' },
});

describe('NAS-Bench-360 table', () => {
  it('averages table values per task and variant with the population std (divide by n)', () => {
    const runs = [
      result('ninapro', 0, 0.9, 10), result('ninapro', 1, 0.92, 8), result('ninapro', 2, 0.94, 6),
      result('cosmic', 0, 0.2, 0.2, '1-auroc-hard,logit>0.5', '1-auroc', 'min'),
      result('cosmic', 0, 0.3, 30, 'fnr,logit>0.5', 'fnr', 'min'),
    ].map((r, i) => nb360Run(r, `r${i}`));
    const rows = nb360Table(runs);
    expect(rows.map((r) => `${r.task}/${r.metric}`)).toEqual(['cosmic/1-auroc', 'cosmic/fnr', 'ninapro/accuracy']);
    const nina = rows[2]!;
    // Table values 10, 8, 6: mean 8, population std √((4 + 0 + 4)/3) = 1.63299.
    expect(nina.mean).toBeCloseTo(8, 10);
    expect(nina.std).toBeCloseTo(Math.sqrt(8 / 3), 10);
    expect(nina.rawMean).toBeCloseTo(0.92, 10);
    expect(nina.seeds).toEqual([0, 1, 2]);
    expect(formatNb360Table(rows)).toContain('| ninapro | accuracy (top-1) | 8.00 ± 1.63 | 0.920 ↑ | 0, 1, 2 |');
  });

  it('refuses a result.json without the leaderboard fields', () => {
    expect(() => nb360Run({ task: 'x', seed: 0, metric: { name: 'accuracy', value: 1, direction: 'max' } }, 'old.json')).toThrow(/old.json/);
  });

  it('the script prints the table from files', () => {
    const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-nb360-table-'));
    try {
      const files = [0, 1].map((seed) => {
        const f = join(dir, `r${seed}.json`);
        writeFileSync(f, JSON.stringify(result('darcyflow', seed, 0.1 + seed * 0.02, 0.1 + seed * 0.02, 'per-sample-mean', 'relative-l2', 'min')));
        return f;
      });
      const r = spawnSync(process.execPath, ['scripts/nb360-table.mjs', ...files], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      // 0.10 and 0.12: mean 0.11, population std 0.01.
      expect(r.stdout).toContain('| darcyflow | relative-l2 (per-sample-mean) | 0.110 ± 0.0100 | 0.110 ↓ | 0, 1 |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
