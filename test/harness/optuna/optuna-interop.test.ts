/**
 * Acceptance: hgnas and REAL Optuna (Debian's python3-optuna, /usr/bin/python3) on one journal.
 * (a) hgnas writes (export, live recorder) → Optuna reads; (b) Optuna workers complete
 * hgnas-enqueued WAITING trials → hgnas syncs; (c) two `hgnas worker` processes and one Optuna
 * worker drain one queue: every trial is evaluated exactly once. Missing Optuna fails the suite.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJournalRecorder, exportRunToJournal } from '../../../plugin/harness/optuna/export.js';
import { JournalStorage, JournalStudy } from '../../../plugin/harness/optuna/journal.js';
import { parsePythonJson } from '../../../plugin/harness/optuna/json.js';
import { enqueueArchitectures, syncCompleted } from '../../../plugin/harness/optuna/queue.js';
import { TrialState } from '../../../plugin/harness/optuna/types.js';
import { archToJson, type ArchJson } from '../../../plugin/space/arch-json.js';
import { hgnasOptuna, python, pythonObjective, requireOptuna, tempJournal, tinyArchJson, tinyCandidate } from './helpers/support.js';

interface PyTrial {
  number: number;
  state: string;
  values: number[] | null;
  params: Record<string, unknown>;
  user_attrs: Record<string, unknown>;
  system_attrs: Record<string, unknown>;
  has_start: boolean;
  has_complete: boolean;
}
interface PyStudy {
  name: string;
  directions: string[];
  user_attrs: Record<string, unknown>;
  trials: PyTrial[];
}

async function optunaView(file: string): Promise<PyStudy[]> {
  const r = await python(['dump', file]);
  expect(r.code, r.stderr).toBe(0);
  return parsePythonJson(r.stdout) as unknown as PyStudy[];
}

beforeAll(requireOptuna);

describe('(a) hgnas writes, Optuna reads', () => {
  it('exports a run directory: COMPLETE/FAIL trials, objective, genotype and attributes, test metric on the winner', async () => {
    const run = mkdtempSync(join(tmpdir(), 'hgnas-run-'));
    const arch = [tinyArchJson(8), tinyArchJson(16), tinyArchJson(24, 5)];
    const records = [
      { id: 0, fingerprint: 'f0', origin: 'random', parentId: null, ok: true, fitness: 1.5, proxies: { tcet: 1.5, nwot: 7 }, reason: null, params: 111, flops: 2222, seconds: 0.25, arch: arch[0] },
      { id: 1, fingerprint: 'f1', origin: 'mutation', parentId: 0, ok: false, fitness: null, proxies: {}, reason: 'tcet: NaN', params: 333, flops: 4444, seconds: 0.5, arch: arch[1] },
      { id: 2, fingerprint: 'f2', origin: 'mutation', parentId: 0, ok: true, fitness: 2.5, proxies: { tcet: 2.5 }, reason: null, params: 555, flops: 6666, seconds: 0.75, arch: arch[2] },
    ];
    writeFileSync(join(run, 'candidates.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(run, 'result.json'), JSON.stringify({ task: 'mnist', metric: { name: 'accuracy', value: 0.91 }, search: { method: 'random', fitness: 'tcet', winnerCandidateId: 2 } }));
    const file = tempJournal();
    const summary = exportRunToJournal(run, file, { studyName: 'exported' });
    expect(summary).toMatchObject({ studyName: 'exported', added: 3, complete: 2, failed: 1, winnerTrial: 2 });
    // Exporting again adds nothing.
    expect(exportRunToJournal(run, file, { studyName: 'exported' }).added).toBe(0);

    const [study] = await optunaView(file);
    expect(study!.name).toBe('exported');
    expect(study!.directions).toEqual(['MAXIMIZE']);
    expect(study!.user_attrs).toMatchObject({ 'hgnas:task': 'mnist', 'hgnas:fitness': 'tcet', 'hgnas:test_accuracy': 0.91, 'hgnas:winner_trial': 2 });
    expect(study!.trials.map((t) => [t.number, t.state, t.values])).toEqual([
      [0, 'COMPLETE', [1.5]],
      [1, 'FAIL', null],
      [2, 'COMPLETE', [2.5]],
    ]);
    const [t0, t1, t2] = study!.trials;
    expect(t0!.user_attrs).toMatchObject({ 'hgnas:arch': arch[0], 'hgnas:arch_hash': 'f0', 'hgnas:params': 111, 'hgnas:flops': 2222, 'hgnas:zc': { tcet: 1.5, nwot: 7 }, 'hgnas:candidate_id': 0 });
    expect(t1!.user_attrs).toMatchObject({ 'hgnas:fail_reason': 'tcet: NaN', 'hgnas:parent_id': 0 });
    expect(t1!.system_attrs).toEqual({ fail_reason: 'tcet: NaN' });
    expect(t2!.user_attrs['hgnas:test_accuracy']).toBe(0.91);
    expect(t0!.user_attrs['hgnas:test_accuracy']).toBeUndefined();
    expect(study!.trials.every((t) => t.has_start && t.has_complete)).toBe(true);
  });

  it('records live from a run: one trial per evaluation, the result in the study attributes', async () => {
    const file = tempJournal();
    const recorder = createJournalRecorder(file, 'live', { task: 'mnist', fitness: 'tcet', runId: 'run-1' });
    const c0 = tinyCandidate(0, 8);
    const c1 = tinyCandidate(1, 16);
    recorder.record([{ candidate: c0, ok: true, fitness: Number.POSITIVE_INFINITY, proxies: { tcet: Number.POSITIVE_INFINITY }, seconds: 0.1 }]);
    recorder.record([{ candidate: c1, ok: true, fitness: -3, proxies: { tcet: -3 }, seconds: 0.2 }]);
    recorder.finish({ task: 'mnist', metric: { name: 'accuracy', value: 0.5 }, search: { method: 'random', fitness: 'tcet', winnerCandidateId: 1 } });
    const [study] = await optunaView(file);
    expect(study!.trials.map((t) => [t.state, t.values])).toEqual([
      ['COMPLETE', [Number.POSITIVE_INFINITY]],
      ['COMPLETE', [-3]],
    ]);
    expect(study!.trials[1]!.user_attrs).toMatchObject({ 'hgnas:arch': archToJson(c1.arch), 'hgnas:arch_hash': c1.fingerprint, 'hgnas:run_id': 'run-1', 'hgnas:task': 'mnist' });
    expect(study!.user_attrs).toMatchObject({ 'hgnas:test_accuracy': 0.5, 'hgnas:winner_trial': 1, 'hgnas:run_id': 'run-1' });
  });
});

describe('(b) Optuna workers complete hgnas-enqueued trials', () => {
  it('Python study.optimize pops the WAITING trials; hgnas syncs their values back', async () => {
    const file = tempJournal();
    const candidates = [tinyCandidate(0, 8), tinyCandidate(1, 16, 1), tinyCandidate(2, 24, 5), tinyCandidate(3, 32)];
    const enqueued = enqueueArchitectures(file, 'queue', candidates, { task: 'mnist', fixedParams: { lr: 0.01 } });
    expect(enqueued.map((t) => t.number)).toEqual([0, 1, 2, 3]);

    const py = await python(['optimize', file, 'queue', '4']);
    expect(py.code, py.stderr).toBe(0);
    expect(JSON.parse(py.stdout).evaluated).toEqual([0, 1, 2, 3]);

    const synced = syncCompleted(file, 'queue');
    expect(synced.counts).toEqual({ waiting: 0, running: 0, complete: 4, failed: 0, pruned: 0 });
    expect(synced.evaluations.map((e) => [e.trialNumber, e.candidate.id, e.candidate.fingerprint])).toEqual(candidates.map((c, i) => [i, c.id, c.fingerprint]));
    // Σ channels + head width (16) + the fixed lr, as the Python objective computes it.
    expect(synced.evaluations.map((e) => e.fitness)).toEqual([8, 16, 24, 32].map((ch) => ch + 16 + 0.01));
    // The param the objective suggested is back in external form, from the fixed value.
    const trials = JournalStudy.open(new JournalStorage(file), 'queue').trials();
    expect(trials.map((t) => t.params)).toEqual(Array(4).fill({ lr: 0.01 }));
    expect(trials).toHaveLength(4);
  });
});

describe('(c) two hgnas workers and one Optuna worker race on one queue', () => {
  it('evaluates every trial exactly once', async () => {
    const file = tempJournal();
    const n = 12;
    const docs: ArchJson[] = [];
    const candidates = Array.from({ length: n }, (_, i) => {
      const c = tinyCandidate(i, 8 * (1 + (i % 6)), i < 6 ? 3 : 1);
      docs.push(archToJson(c.arch));
      return c;
    });
    enqueueArchitectures(file, 'race', candidates, { task: 'mnist', fitness: 'tcet' });

    const workerArgs = ['worker', '--optuna', file, '--study', 'race', '--backend', 'wasm', '--json'];
    const hgnasRuns = [hgnasOptuna(workerArgs), hgnasOptuna(workerArgs)];
    // Start Optuna once both hgnas workers hold a trial, so all three are in the race.
    const storage = new JournalStorage(file);
    const study = JournalStudy.open(storage, 'race');
    for (let i = 0; i < 600 && study.trials([TrialState.RUNNING]).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const pyRun = python(['race', file, 'race', '0.3']);
    const [h1, h2, py] = await Promise.all([...hgnasRuns, pyRun]);
    for (const r of [h1!, h2!, py!]) expect(r.code, r.stderr).toBe(0);

    const byHgnas = [h1!, h2!].map((r) => (JSON.parse(r.stdout) as { workerId: string; trials: { number: number; state: string; value: number }[] }));
    const byPython = (JSON.parse(py!.stdout) as { evaluated: number[] }).evaluated;
    const all = [...byHgnas.flatMap((w) => w.trials.map((t) => t.number)), ...byPython].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(byHgnas.every((w) => w.trials.length >= 1 && w.trials.every((t) => t.state === 'COMPLETE'))).toBe(true);

    // Optuna's own replay agrees: the enqueued trials are COMPLETE, valued by whoever took them.
    const [view] = await optunaView(file);
    for (let i = 0; i < n; i++) {
      const t = view!.trials[i]!;
      expect(t.state).toBe('COMPLETE');
      if (byPython.includes(i)) expect(t.values).toEqual([pythonObjective(docs[i]!)]);
      else {
        const w = byHgnas.find((x) => x.trials.some((y) => y.number === i))!;
        expect(t.user_attrs['hgnas:worker']).toBe(w.workerId);
        expect(t.values).toEqual([w.trials.find((y) => y.number === i)!.value]);
        expect(Object.keys(t.user_attrs['hgnas:zc'] as object)).toEqual(['tcet']);
      }
    }
    // A trial Optuna created after losing the last pop carries no genotype and ends FAIL.
    expect(view!.trials.slice(n).every((t) => t.state === 'FAIL' && t.user_attrs['hgnas:arch'] === undefined)).toBe(true);
  });
});

describe('hgnas optuna sync (command)', () => {
  it('prints the finished trials and appends them to a run for --resume', async () => {
    const file = tempJournal();
    const c = [tinyCandidate(0, 8), tinyCandidate(1, 16)];
    enqueueArchitectures(file, 's', c, { task: 'mnist' });
    const study = JournalStudy.open(new JournalStorage(file), 's');
    const t0 = study.claimWaiting()!;
    study.finish(t0.trialId, TrialState.COMPLETE, [4.25], { 'hgnas:zc': { tcet: 4.25 } });
    const run = mkdtempSync(join(tmpdir(), 'hgnas-run-'));
    writeFileSync(join(run, 'search-state.json'), '{"method": "random", "state": {}}');
    writeFileSync(join(run, 'candidates.jsonl'), `${JSON.stringify({ id: 7, fingerprint: 'other', origin: 'random', parentId: null, ok: true, fitness: 1, proxies: {}, reason: null, params: 1, flops: 1, seconds: 0, arch: tinyArchJson(40) })}\n`);
    const r = await hgnasOptuna(['optuna', 'sync', file, '--run-dir', run, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.counts).toEqual({ waiting: 1, running: 0, complete: 1, failed: 0, pruned: 0 });
    expect(out.trials).toMatchObject([{ number: 0, state: 'COMPLETE', fitness: 4.25, fingerprint: c[0]!.fingerprint }]);
    expect(out.imported.appended).toBe(1);
    const lines = readFileSync(join(run, 'candidates.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1]).toMatchObject({ id: 8, origin: 'optuna:s#0', ok: true, fitness: 4.25, proxies: { tcet: 4.25 }, fingerprint: c[0]!.fingerprint });
    // Bad input exits with 2.
    expect((await hgnasOptuna(['optuna', 'sync', file, '--study', 'nope'])).code).toBe(2);
    expect((await hgnasOptuna(['worker', '--optuna', join(run, 'missing.log')])).code).toBe(2);
  });
});
