/**
 * The journal lock under contention: writers in separate processes (two hgnas, one Optuna)
 * append long lines at the same time; afterwards every line parses, none is lost, and Optuna
 * replays the same state. Plus the opt-in stale-lock breaking.
 */
import { readFileSync, symlinkSync, utimesSync, existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { JournalStorage, JournalStudy } from '../../../plugin/harness/optuna/journal.js';
import { parsePythonJson } from '../../../plugin/harness/optuna/json.js';
import { JournalFileLock, LockTimeoutError } from '../../../plugin/harness/optuna/lock.js';
import { python, requireOptuna, runTs, tempJournal } from './helpers/support.js';

beforeAll(requireOptuna);

describe('journal lock', () => {
  it('two hgnas processes and one Optuna process append in parallel without lost or torn lines', async () => {
    const file = tempJournal();
    JournalStudy.openOrCreate(new JournalStorage(file), 'locks', [2]);
    const n = 120;
    const results = await Promise.all([
      runTs('helpers/append-lines.ts', [file, '0', 'ts-a', String(n)]),
      runTs('helpers/append-lines.ts', [file, '0', 'ts-b', String(n)]),
      python(['append', file, 'locks', 'py', String(n)]),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);

    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1 + 3 * n);
    const keys = lines.slice(1).map((l) => Object.keys((parsePythonJson(l) as { user_attr: Record<string, string> }).user_attr)[0]);
    for (const tag of ['ts-a', 'ts-b', 'py']) {
      const mine = keys.filter((k) => k!.startsWith(`${tag}-`));
      // Each writer's lines all arrived, in its own order.
      expect(mine).toEqual(Array.from({ length: n }, (_, i) => `${tag}-${i}`));
    }
    const attrs = JournalStudy.open(new JournalStorage(file), 'locks').userAttrs;
    expect(attrs['py-7']).toBe(`py:7:${'y'.repeat(2000)}`);
    expect(attrs['ts-b-9']).toBe(`ts-b:9:${'x'.repeat(2000)}`);
    const dumped = JSON.parse((await python(['dump', file])).stdout) as { user_attrs: Record<string, string> }[];
    expect(Object.keys(dumped[0]!.user_attrs).sort()).toEqual(Object.keys(attrs).sort());
  });

  it('waits on a stale lock unless the grace period is set, then breaks it', () => {
    const file = tempJournal();
    new JournalStorage(file);
    symlinkSync(file, `${file}.lock`); // left behind by a killed writer
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(() => new JournalFileLock(file, { timeoutMs: 50 }).acquire()).toThrow(LockTimeoutError);
    const lock = new JournalFileLock(file, { gracePeriodSeconds: 30, timeoutMs: 5_000 });
    lock.acquire();
    lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('open-lock variant excludes a second holder', () => {
    const file = tempJournal();
    new JournalStorage(file);
    const a = new JournalFileLock(file, { kind: 'open' });
    a.acquire();
    expect(() => new JournalFileLock(file, { kind: 'open', timeoutMs: 30 }).acquire()).toThrow(LockTimeoutError);
    a.release();
    expect(() => a.release()).toThrow(/did not possess/);
  });
});
