/**
 * Journal format and replay against hand-written lines (harness-protocols.md §1.3–1.5): the
 * expected ids, numbers, states and values below are worked out by hand from the rules, not
 * taken from the code's output.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { categoricalDistribution, floatDistribution, intDistribution, parseDistribution } from '../../../plugin/harness/optuna/distributions.js';
import { JournalFormatError, JournalStorage, JournalStudy, JournalConflictError } from '../../../plugin/harness/optuna/journal.js';
import { parsePythonJson, stringifyPythonJson } from '../../../plugin/harness/optuna/json.js';
import { JournalReplay } from '../../../plugin/harness/optuna/replay.js';
import { TrialState, type JournalLine } from '../../../plugin/harness/optuna/types.js';
import { tempJournal } from './helpers/support.js';

/** The example of §1.3 as Optuna 3.1 writes it (spaced separators), worker ids shortened. */
const DOC_EXAMPLE = [
  '{"op_code": 0, "worker_id": "6f1c-1400", "study_name": "nb360-ninapro", "directions": [1]}',
  '{"op_code": 4, "worker_id": "6f1c-1400", "study_id": 0, "datetime_start": null, "state": 4, "value": null, "values": null, "distributions": {}, "params": {}, "user_attrs": {"hgnas:arch_hash": "c3f9e2", "hgnas:flops": 150000000.0}, "system_attrs": {"fixed_params": {"lr": 0.05}}, "intermediate_values": {}}',
  '{"op_code": 6, "worker_id": "a2d0-7711", "trial_id": 0, "state": 0, "values": null, "datetime_start": "2025-05-01T10:00:00.123456"}',
  '{"op_code": 5, "worker_id": "a2d0-7711", "trial_id": 0, "param_name": "lr", "param_value_internal": 0.05, "distribution": "{\\"name\\": \\"FloatDistribution\\", \\"attributes\\": {\\"step\\": null, \\"low\\": 0.001, \\"high\\": 0.1, \\"log\\": true}}"}',
  '{"op_code": 7, "worker_id": "a2d0-7711", "trial_id": 0, "step": 0, "intermediate_value": 0.41}',
  '{"op_code": 6, "worker_id": "a2d0-7711", "trial_id": 0, "state": 1, "values": [0.0712], "datetime_complete": "2025-05-01T10:42:13.000001"}',
];

function replay(lines: readonly string[], own: string | null = null): JournalReplay {
  const r = new JournalReplay(own);
  for (const l of lines) r.apply(parsePythonJson(l) as JournalLine);
  return r;
}

const line = (o: Record<string, unknown>) => stringifyPythonJson(o);
const study = (w: string, name: string) => line({ op_code: 0, worker_id: w, study_name: name, directions: [2] });
const trial = (w: string, studyId: number, extra: Record<string, unknown> = {}) => line({ op_code: 4, worker_id: w, study_id: studyId, datetime_start: null, ...extra });
const state = (w: string, trialId: number, s: number, values: number[] | null = null) =>
  line({ op_code: 6, worker_id: w, trial_id: trialId, state: s, values, datetime_start: '2025-05-01T10:00:00.000000', datetime_complete: '2025-05-01T10:00:01.000000' });
const param = (w: string, trialId: number, name: string, internal: number, distribution: string) =>
  line({ op_code: 5, worker_id: w, trial_id: trialId, param_name: name, param_value_internal: internal, distribution });

describe('replay of the documented example', () => {
  it('gives one study and one COMPLETE trial with its param, value and intermediate value', () => {
    const r = replay(DOC_EXAMPLE);
    expect([...r.studies.values()].map((s) => [s.studyId, s.name, s.directions])).toEqual([[0, 'nb360-ninapro', [1]]]);
    const t = r.trials[0]!;
    expect(t.number).toBe(0);
    expect(t.state).toBe(TrialState.COMPLETE);
    expect(t.values).toEqual([0.0712]);
    expect(t.params).toEqual({ lr: 0.05 });
    expect(t.distributions.lr).toMatchObject({ kind: 'float', low: 0.001, high: 0.1, step: null, log: true });
    expect(t.intermediateValues).toEqual({ 0: 0.41 });
    expect(t.systemAttrs).toEqual({ fixed_params: { lr: 0.05 } });
    expect(t.userAttrs).toEqual({ 'hgnas:arch_hash': 'c3f9e2', 'hgnas:flops': 150000000 });
    expect(t.owner).toBe('a2d0-7711');
    expect(t.datetimeStart).toBe('2025-05-01T10:00:00.123456');
    expect(t.datetimeComplete).toBe('2025-05-01T10:42:13.000001');
    expect(r.warnings).toEqual([]);
  });
});

describe('replay id assignment (§1.5)', () => {
  // Lines by hand:             study ids      trial ids (number)
  const lines = [
    study('w1', 'a'), //         a → 0
    study('w1', 'b'), //         b → 1
    study('w2', 'a'), //         duplicate: ignored, no id
    trial('w1', 0), //                          t0 (a #0)
    trial('w1', 1), //                          t1 (b #0)
    trial('w1', 0), //                          t2 (a #1)
    line({ op_code: 1, worker_id: 'w1', study_id: 0 }), // delete a (id 0 stays consumed)
    study('w1', 'a'), //         new a → 2
    trial('w1', 0), //                          deleted study: ignored, no id
    trial('w1', 2), //                          t3 (new a #0)
    trial('w1', 1), //                          t4 (b #1)
    trial('w1', 7), //                          unknown study: ignored
    trial('w1', 2), //                          t5 (new a #1)
  ];

  it('counts study ids over applied creates and trial ids globally, numbers per study', () => {
    const r = replay(lines);
    expect([...r.studies.values()].map((s) => [s.studyId, s.name])).toEqual([
      [1, 'b'],
      [2, 'a'],
    ]);
    expect(r.trials.map((t) => [t.trialId, t.studyId, t.number])).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [2, 0, 1],
      [3, 2, 0],
      [4, 1, 1],
      [5, 2, 1],
    ]);
    expect(r.trialsOf(2).map((t) => t.trialId)).toEqual([3, 5]);
  });

  it("reports the ignored ops of its own worker id only", () => {
    expect(replay(lines, 'w2').rejections.map((x) => [x.line, x.reason])).toEqual([[3, 'duplicated study a']]);
    expect(replay(lines, 'w1').rejections.map((x) => x.line)).toEqual([9, 12]);
  });

  it('ignores ops on finished trials', () => {
    const r = replay([study('w', 's'), trial('w', 0), state('w', 0, TrialState.COMPLETE, [1.5]), state('w', 0, TrialState.FAIL), line({ op_code: 8, worker_id: 'w', trial_id: 0, user_attr: { late: 1 } })], 'w');
    expect(r.trials[0]!.state).toBe(TrialState.COMPLETE);
    expect(r.trials[0]!.values).toEqual([1.5]);
    expect(r.trials[0]!.userAttrs).toEqual({});
    expect(r.rejections.map((x) => x.line)).toEqual([4, 5]);
  });

  it('ignores a parameter whose distribution is incompatible with an earlier trial; ranges may differ', () => {
    const cat = (choices: string[]) => JSON.stringify({ name: 'CategoricalDistribution', attributes: { choices } });
    const flt = (low: number, log: boolean) => JSON.stringify({ name: 'FloatDistribution', attributes: { low, high: 1, step: null, log } });
    const r = replay([
      study('w', 's'),
      trial('w', 0),
      trial('w', 0),
      param('w', 0, 'op', 1, cat(['conv', 'pool'])),
      param('w', 0, 'lr', 0.01, flt(0.001, true)),
      param('w', 1, 'op', 0, cat(['conv', 'skip'])), // different choices: ignored
      param('w', 1, 'lr', 0.5, flt(0.1, false)), //     different log flag: ignored
      param('w', 1, 'lr', 0.5, flt(0.1, true)), //      only the range differs: applied
    ]);
    expect(r.trials[0]!.params).toEqual({ op: 'pool', lr: 0.01 });
    expect(r.trials[1]!.params).toEqual({ lr: 0.5 });
  });

  it('gives a WAITING trial to the first RUNNING line; the later claimer sees a lost claim', () => {
    const lines2 = [study('w', 's'), trial('w', 0, { state: TrialState.WAITING }), state('x', 0, TrialState.RUNNING), state('y', 0, TrialState.RUNNING)];
    const r = replay(lines2, 'y');
    expect(r.trials[0]!.state).toBe(TrialState.RUNNING);
    expect(r.trials[0]!.owner).toBe('x');
    expect(r.rejections).toMatchObject([{ line: 4, lostClaim: true, trialId: 0 }]);
  });

  it('reads values: single objective from `value`, multi-objective from `values`', () => {
    const r = replay([
      study('w', 's'),
      trial('w', 0, { state: 1, value: 3, values: null }),
      line({ op_code: 0, worker_id: 'w', study_name: 'm', directions: [1, 2] }),
      trial('w', 1, { state: 1, value: null, values: [1, -2] }),
    ]);
    expect(r.trials.map((t) => t.values)).toEqual([[3], [1, -2]]);
  });
});

describe('distributions and Python JSON tokens', () => {
  it('reads deprecated class names and the abbreviated form', () => {
    const d = (o: unknown) => parseDistribution(JSON.stringify(o));
    expect(d({ name: 'UniformDistribution', attributes: { low: 0, high: 1 } })).toMatchObject({ kind: 'float', log: false, step: null });
    expect(d({ name: 'LogUniformDistribution', attributes: { low: 1e-3, high: 1 } })).toMatchObject({ kind: 'float', log: true });
    expect(d({ name: 'DiscreteUniformDistribution', attributes: { low: 0, high: 1, q: 0.25 } })).toMatchObject({ kind: 'float', step: 0.25 });
    expect(d({ name: 'IntUniformDistribution', attributes: { low: 1, high: 9, step: 2 } })).toMatchObject({ kind: 'int', step: 2, log: false });
    expect(d({ name: 'IntLogUniformDistribution', attributes: { low: 1, high: 64, step: 1 } })).toMatchObject({ kind: 'int', log: true });
    expect(d({ type: 'int', low: 0, high: 4 })).toMatchObject({ kind: 'int', className: 'IntDistribution', step: 1, log: false });
    expect(d({ type: 'categorical', choices: ['a', 1, null] })).toMatchObject({ kind: 'categorical', choices: ['a', 1, null] });
  });

  it('parses NaN, Infinity and -Infinity outside strings only, and writes them back as tokens', () => {
    const v = parsePythonJson('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity"}') as Record<string, unknown>;
    expect(Number.isNaN(v.a)).toBe(true);
    expect(v.b).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(v.c).toBe('NaN Infinity');
    expect(stringifyPythonJson({ v: [Number.NEGATIVE_INFINITY, Number.NaN, 0.5], s: 'x"y' })).toBe('{"v":[-Infinity,NaN,0.5],"s":"x\\"y"}');
    expect(() => parsePythonJson('{"a": Nan}')).toThrow(SyntaxError);
  });
});

describe('tolerant reading of a journal file', () => {
  it('leaves a last line without newline for later and applies it once complete', () => {
    const file = tempJournal();
    const [first, second] = DOC_EXAMPLE;
    writeFileSync(file, `${first}\n${second!.slice(0, 40)}`);
    const storage = new JournalStorage(file);
    expect(storage.studies().map((s) => s.name)).toEqual(['nb360-ninapro']);
    expect(storage.trialsOf(0)).toEqual([]);
    appendFileSync(file, `${second!.slice(40)}\n`);
    storage.sync();
    expect(storage.trialsOf(0).map((t) => t.state)).toEqual([TrialState.WAITING]);
  });

  it('skips an unknown op code (10, DISCARD_TRIALS) with a warning and reads on', () => {
    const file = tempJournal();
    writeFileSync(file, [DOC_EXAMPLE[0], '{"op_code":10,"worker_id":"rust","trial_ids":[0]}', DOC_EXAMPLE[1], ''].join('\n'));
    const storage = new JournalStorage(file);
    expect(storage.studies()).toHaveLength(1);
    expect(storage.trialsOf(0)).toHaveLength(1);
    expect(storage.warnings).toEqual(['line 2: unknown op code 10 skipped']);
  });

  it('refuses a corrupt complete line and names it', () => {
    const file = tempJournal();
    writeFileSync(file, [DOC_EXAMPLE[0], '{"op_code": 4, "worker_id": "x", "study_id"', DOC_EXAMPLE[1], ''].join('\n'));
    const storage = new JournalStorage(file);
    expect(() => storage.sync()).toThrow(JournalFormatError);
    expect(() => storage.sync()).toThrow(/journal\.log:2: not a journal line/);
  });
});

describe('JournalStudy round trip', () => {
  it('writes what Optuna writes and a second reader replays the same trials', () => {
    const file = tempJournal();
    const writer = new JournalStorage(file, { workerId: 'ts-writer' });
    const s = JournalStudy.openOrCreate(writer, 'rt', [2]);
    s.setUserAttrs({ 'hgnas:task': 'mnist' });
    const [done] = s.addTrials([
      {
        state: TrialState.COMPLETE,
        values: [Number.POSITIVE_INFINITY],
        params: {
          lr: { distribution: floatDistribution(1e-3, 1, { log: true }), value: 0.01 },
          depth: { distribution: intDistribution(1, 8), value: 3 },
          op: { distribution: categoricalDistribution(['conv', 'pool']), value: 'pool' },
        },
        userAttrs: { nested: { a: [1, 2] }, bad: Number.NaN },
      },
    ]);
    const [waiting] = s.enqueue([{ fixedParams: { lr: 0.05 }, userAttrs: { 'hgnas:arch_hash': 'abc' } }]);
    expect([done!.trialId, done!.number, waiting!.trialId, waiting!.number]).toEqual([0, 0, 1, 1]);

    // The enqueue line carries exactly the fields of §1.8.
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(parsePythonJson(lines[3]!)).toEqual({
      op_code: 4,
      worker_id: 'ts-writer',
      study_id: 0,
      datetime_start: null,
      state: 4,
      value: null,
      values: null,
      distributions: {},
      params: {},
      user_attrs: { 'hgnas:arch_hash': 'abc' },
      system_attrs: { fixed_params: { lr: 0.05 } },
      intermediate_values: {},
    });
    // Categorical stored as its index, the int as a number (§1.4).
    expect((parsePythonJson(lines[2]!) as { params: unknown }).params).toEqual({ lr: 0.01, depth: 3, op: 1 });

    const reader = JournalStudy.open(new JournalStorage(file), 'rt');
    const [a, b] = reader.trials();
    expect(a!.values).toEqual([Number.POSITIVE_INFINITY]);
    expect(a!.params).toEqual({ lr: 0.01, depth: 3, op: 'pool' });
    expect(Number.isNaN(a!.userAttrs.bad)).toBe(true);
    expect(a!.userAttrs.nested).toEqual({ a: [1, 2] });
    expect(b!.state).toBe(TrialState.WAITING);
    expect(reader.userAttrs).toEqual({ 'hgnas:task': 'mnist' });
  });

  it('claims WAITING trials oldest first and raises when finishing a trial someone else finished', () => {
    const file = tempJournal();
    const s1 = JournalStudy.openOrCreate(new JournalStorage(file, { workerId: 'one' }), 'q', [2]);
    const s2 = JournalStudy.open(new JournalStorage(file, { workerId: 'two' }), 'q');
    s1.enqueue([{}, {}]);
    expect(s2.claimWaiting()!.number).toBe(0);
    expect(s1.claimWaiting()!.number).toBe(1);
    expect(s1.claimWaiting()).toBeNull();
    // A deadline sweep by worker one fails trial 0; worker two's late result is void.
    s1.finish(0, TrialState.FAIL, null);
    expect(() => s2.finish(0, TrialState.COMPLETE, [1])).toThrow(JournalConflictError);
    expect(s1.trials().map((t) => t.state)).toEqual([TrialState.FAIL, TrialState.RUNNING]);
  });

  it('refuses NaN objective values and a study opened with other directions', () => {
    const file = tempJournal();
    const s = JournalStudy.openOrCreate(new JournalStorage(file), 'n', [2]);
    expect(() => s.addTrials([{ state: TrialState.COMPLETE, values: [Number.NaN] }])).toThrow(/FAIL/);
    expect(() => JournalStudy.openOrCreate(new JournalStorage(file), 'n', [1])).toThrow(/directions/);
  });
});
