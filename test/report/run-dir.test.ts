import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plugin/errors.js';
import { defaultRunPath, RunDir } from '../../plugin/report/run-dir.js';

describe('run directory', () => {
  it('refuses to reuse a non-empty directory so that nothing already written is lost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-run-'));
    writeFileSync(join(dir, 'result.json'), '{"keep": true}');
    expect(() => RunDir.create(dir)).toThrow(InputError);
    expect(readFileSync(join(dir, 'result.json'), 'utf8')).toBe('{"keep": true}');
    // --resume may reuse a run directory, and only a run directory.
    expect(() => RunDir.create(dir, { resume: true })).toThrow(/not an hgnas run directory/);
    writeFileSync(join(dir, 'search-state.json'), '{}');
    expect(RunDir.create(dir, { resume: true }).path).toBe(dir);
  });

  it('writes JSON atomically and appends JSON lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-run-'));
    const run = RunDir.create(join(dir, 'r'));
    run.writeJson('a.json', { x: 1 });
    run.appendJsonl('c.jsonl', [{ id: 0 }, { id: 1 }]);
    run.appendJsonl('c.jsonl', [{ id: 2 }]);
    expect(JSON.parse(readFileSync(run.file('a.json'), 'utf8'))).toEqual({ x: 1 });
    expect(readFileSync(run.file('c.jsonl'), 'utf8')).toBe('{"id":0}\n{"id":1}\n{"id":2}\n');
    expect(readdirSync(run.path).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('gives runs started at the same moment their own directories', () => {
    const base = join(mkdtempSync(join(tmpdir(), 'hgnas-run-')), 'runs', 'mnist-20261203-170509');
    const a = RunDir.createUnique(base);
    const b = RunDir.createUnique(base);
    expect(a.path).toBe(base);
    expect(b.path).toBe(`${base}-2`);
  });

  it('names default run directories by recipe name and UTC time', () => {
    expect(defaultRunPath('runs', 'mnist-random', new Date('2026-12-03T17:05:09.123Z'))).toBe(join('runs', 'mnist-random-20261203-170509'));
  });
});
