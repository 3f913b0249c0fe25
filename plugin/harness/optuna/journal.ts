/**
 * An Optuna JournalStorage file, read and written from TypeScript so that Python Optuna (≥ 3.1)
 * and hgnas share one study (harness-protocols.md §1). `JournalStorage` is the file: tolerant
 * incremental reading, replay, and batched appends under the file lock. `JournalStudy` is one
 * study in it: what hgnas needs to export runs, enqueue architectures and evaluate them.
 *
 * Writing rules (§1.6): one worker id per storage object; every batch is one write of complete
 * lines under the lock, then fsync; ids are learned by replaying up to our own lines; ops Optuna
 * would ignore because they came too late (a finished trial, a duplicate study) raise here like
 * they raise in Python. Reading rules (§1.2): a trailing fragment without `\n` is left for the
 * next read; a complete line that is not JSON is an error naming its line; unknown op codes are
 * skipped with a warning.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { distributionToJson, toInternal, type Distribution, type ParamValue } from './distributions.js';
import { parsePythonJson, stringifyPythonJson, type JsonValue } from './json.js';
import { JournalFileLock, type LockOptions } from './lock.js';
import { JournalReplay, type Rejection } from './replay.js';
import { journalTimestamp } from './timestamps.js';
import {
  isFinished,
  MAX_WRITTEN_OP_CODE,
  OpCode,
  TrialState,
  type Attrs,
  type JournalLine,
  type JournalStudyState,
  type JournalTrial,
  type StudyDirection,
} from './types.js';

export interface JournalOptions extends LockOptions {
  /** Defaults to `<uuid4>-<pid>` (Python uses `<uuid4>-<thread id>`). */
  readonly workerId?: string;
}

/** A complete line that is not JSON: Python fails on it too, so nothing after it is trusted. */
export class JournalFormatError extends Error {
  override readonly name = 'JournalFormatError';
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}:${line}: not a journal line (${detail})`);
  }
}

/** One of our own ops was ignored by the replay (what Python raises for the same line). */
export class JournalConflictError extends Error {
  override readonly name = 'JournalConflictError';
  constructor(readonly rejections: readonly Rejection[]) {
    super(rejections.map((r) => `line ${r.line} (op ${r.opCode}): ${r.reason}`).join('; '));
  }
}

export type JournalOp = { readonly op_code: number } & Readonly<Record<string, unknown>>;

export class JournalStorage {
  readonly workerId: string;
  private readonly replay: JournalReplay;
  private readonly lock: JournalFileLock;
  /** Byte offset just after the last complete line read. */
  private offset = 0;

  constructor(readonly file: string, options: JournalOptions = {}) {
    this.workerId = options.workerId ?? `${randomUUID()}-${process.pid}`;
    this.replay = new JournalReplay(this.workerId);
    this.lock = new JournalFileLock(file, options);
    // Create the file if missing (Python does the same on open) without truncating it.
    closeSync(openSync(file, 'a'));
  }

  /** Skipped unknown ops and malformed payloads so far. */
  get warnings(): readonly string[] {
    return this.replay.warnings;
  }

  /** Reads and applies every complete line appended since the last call. */
  sync(): void {
    const fd = openSync(this.file, 'r');
    let chunk: Buffer;
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      chunk = Buffer.alloc(size - this.offset);
      let read = 0;
      while (read < chunk.length) {
        const n = readSync(fd, chunk, read, chunk.length - read, this.offset + read);
        if (n === 0) break;
        read += n;
      }
      chunk = chunk.subarray(0, read);
    } finally {
      closeSync(fd);
    }
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) return;
    const text = chunk.subarray(0, end).toString('utf8');
    for (const raw of text.split('\n')) {
      const lineNumber = this.replay.lines + 1;
      if (raw.trim() === '') {
        this.replay.lines++;
        this.replay.warnings.push(`line ${lineNumber}: empty line skipped`);
        continue;
      }
      let parsed: JsonValue;
      try {
        parsed = parsePythonJson(raw);
      } catch (error) {
        throw new JournalFormatError(this.file, lineNumber, (error as Error).message);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || typeof parsed.op_code !== 'number') {
        throw new JournalFormatError(this.file, lineNumber, 'a journal line is an object with an integer op_code');
      }
      this.replay.apply({ ...parsed, worker_id: typeof parsed.worker_id === 'string' ? parsed.worker_id : '' } as JournalLine);
      // Advance past this line only once it has been applied, so a failure can be retried.
      this.offset += Buffer.byteLength(raw, 'utf8') + 1;
    }
  }

  /**
   * Appends the ops as one write under the lock, fsyncs, then replays through them. Returns the
   * rejections of this batch that are lost claims; throws JournalConflictError for any other.
   */
  append(ops: readonly JournalOp[]): Rejection[] {
    if (ops.length === 0) return [];
    for (const op of ops) {
      if (!Number.isInteger(op.op_code) || op.op_code < 0 || op.op_code > MAX_WRITTEN_OP_CODE) throw new RangeError(`refusing to write op code ${op.op_code}`);
    }
    const text = ops.map(({ op_code, ...payload }) => stringifyPythonJson({ op_code, worker_id: this.workerId, ...payload })).join('\n') + '\n';
    const bytes = Buffer.from(text, 'utf8');
    this.lock.with(() => {
      const fd = openSync(this.file, 'a');
      try {
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    });
    const before = this.replay.rejections.length;
    this.sync();
    const mine = this.replay.rejections.slice(before);
    const errors = mine.filter((r) => !r.lostClaim);
    if (errors.length > 0) throw new JournalConflictError(errors);
    return mine;
  }

  studyByName(name: string): JournalStudyState | undefined {
    this.sync();
    return this.replay.studyByName(name);
  }

  studies(): JournalStudyState[] {
    this.sync();
    return [...this.replay.studies.values()];
  }

  trialsOf(studyId: number): JournalTrial[] {
    return this.replay.trialsOf(studyId);
  }

  trial(trialId: number): JournalTrial | undefined {
    return this.replay.trials[trialId];
  }

  /** Trials created by this worker's CREATE_TRIAL lines after journal line `afterLine`, oldest first. */
  createdByMe(studyId: number, afterLine: number): JournalTrial[] {
    return this.replay.trialsOf(studyId).filter((t) => t.creator === this.workerId && t.line > afterLine);
  }

  get linesRead(): number {
    return this.replay.lines;
  }
}

export class StudyMismatchError extends Error {
  override readonly name = 'StudyMismatchError';
}

export interface TrialParam {
  readonly distribution: Distribution;
  /** External value: the choice itself for categoricals. */
  readonly value: ParamValue;
}

/** Everything a new trial carries in its CREATE_TRIAL line (what Optuna's add_trial writes). */
export interface TrialTemplate {
  readonly state: TrialState;
  /** One per objective for COMPLETE (±Infinity allowed, NaN not: write FAIL instead). */
  readonly values?: readonly number[] | null;
  readonly params?: Readonly<Record<string, TrialParam>>;
  readonly userAttrs?: Attrs;
  readonly systemAttrs?: Attrs;
  readonly intermediateValues?: Readonly<Record<number, number>>;
  readonly datetimeStart?: string | null;
  readonly datetimeComplete?: string | null;
}

/** One study in a journal file. Every read syncs first, so it sees other writers' lines. */
export class JournalStudy {
  private constructor(readonly storage: JournalStorage, readonly id: number, readonly name: string) {}

  /** Opens the study; creates it with `directions` when missing. An existing study must have the same directions. */
  static openOrCreate(storage: JournalStorage, name: string, directions: readonly StudyDirection[]): JournalStudy {
    const existing = storage.studyByName(name);
    if (existing) {
      const same = existing.directions.length === directions.length && existing.directions.every((d, i) => d === directions[i]);
      if (!same) {
        throw new StudyMismatchError(`study ${name} in ${storage.file} has directions [${existing.directions}], expected [${directions}]`);
      }
      return new JournalStudy(storage, existing.studyId, name);
    }
    try {
      storage.append([{ op_code: OpCode.CREATE_STUDY, study_name: name, directions: [...directions] }]);
    } catch (error) {
      // Another writer created it between our read and our write: theirs is the study.
      if (!(error instanceof JournalConflictError)) throw error;
      return JournalStudy.openOrCreate(storage, name, directions);
    }
    return new JournalStudy(storage, storage.studyByName(name)!.studyId, name);
  }

  static open(storage: JournalStorage, name: string): JournalStudy {
    const existing = storage.studyByName(name);
    if (!existing) {
      const names = storage.studies().map((s) => s.name);
      throw new StudyMismatchError(`no study ${name} in ${storage.file}${names.length ? ` (it has: ${names.join(', ')})` : ' (it has no study)'}`);
    }
    return new JournalStudy(storage, existing.studyId, name);
  }

  private get state(): JournalStudyState {
    this.storage.sync();
    const s = this.storage.studies().find((x) => x.studyId === this.id);
    if (!s) throw new StudyMismatchError(`study ${this.name} was deleted from ${this.storage.file}`);
    return s;
  }

  get directions(): readonly StudyDirection[] {
    return this.state.directions;
  }

  get userAttrs(): Readonly<Attrs> {
    return this.state.userAttrs;
  }

  /** One SET_STUDY_USER_ATTR line per key (Optuna's layout), all in one write. */
  setUserAttrs(attrs: Attrs): void {
    this.storage.append(Object.entries(attrs).map(([key, value]) => ({ op_code: OpCode.SET_STUDY_USER_ATTR, study_id: this.id, user_attr: { [key]: value } })));
  }

  trials(states?: readonly TrialState[]): JournalTrial[] {
    const all = this.storage.trialsOf(this.state.studyId);
    return states ? all.filter((t) => states.includes(t.state)) : all;
  }

  /** Adds finished or waiting trials in one write; returns them with their ids and numbers. */
  addTrials(templates: readonly TrialTemplate[]): JournalTrial[] {
    if (templates.length === 0) return [];
    const objectives = this.directions.length;
    const ops = templates.map((t) => this.createTrialOp(t, objectives));
    this.storage.sync();
    const before = this.storage.linesRead;
    this.storage.append(ops);
    const created = this.storage.createdByMe(this.id, before);
    if (created.length !== templates.length) throw new Error(`expected ${templates.length} new trials in ${this.storage.file}, replay found ${created.length}`);
    return created;
  }

  /** Optuna's enqueue_trial: WAITING, `fixed_params` in the system attributes. */
  enqueue(items: readonly { readonly fixedParams?: Readonly<Record<string, ParamValue>>; readonly userAttrs?: Attrs }[]): JournalTrial[] {
    return this.addTrials(
      items.map((item) => ({ state: TrialState.WAITING, userAttrs: item.userAttrs ?? {}, systemAttrs: { fixed_params: { ...(item.fixedParams ?? {}) } } })),
    );
  }

  /**
   * Takes the oldest WAITING trial the way Optuna workers do (§1.5): write RUNNING, replay, and
   * own it only if no other worker's RUNNING line came first; on a lost race try the next one.
   * Null when no WAITING trial is left.
   */
  claimWaiting(): JournalTrial | null {
    for (;;) {
      const waiting = this.trials([TrialState.WAITING]);
      if (waiting.length === 0) return null;
      const candidate = waiting[0]!;
      this.storage.append([
        { op_code: OpCode.SET_TRIAL_STATE_VALUES, trial_id: candidate.trialId, state: TrialState.RUNNING, values: null, datetime_start: journalTimestamp() },
      ]);
      const trial = this.storage.trial(candidate.trialId)!;
      if (trial.state === TrialState.RUNNING && trial.owner === this.storage.workerId) return trial;
    }
  }

  /** Finishes a trial: its user attributes, then the state line, in one write. */
  finish(trialId: number, state: TrialState, values: readonly number[] | null, userAttrs: Attrs = {}, systemAttrs: Attrs = {}): void {
    if (!isFinished(state)) throw new RangeError(`finish needs COMPLETE, PRUNED or FAIL, got ${state}`);
    if (state === TrialState.COMPLETE) this.checkValues(values);
    this.storage.append([
      ...Object.entries(userAttrs).map(([key, value]) => ({ op_code: OpCode.SET_TRIAL_USER_ATTR, trial_id: trialId, user_attr: { [key]: value } })),
      ...Object.entries(systemAttrs).map(([key, value]) => ({ op_code: OpCode.SET_TRIAL_SYSTEM_ATTR, trial_id: trialId, system_attr: { [key]: value } })),
      { op_code: OpCode.SET_TRIAL_STATE_VALUES, trial_id: trialId, state, values: values ? [...values] : null, datetime_complete: journalTimestamp() },
    ]);
  }

  setTrialUserAttrs(trialId: number, attrs: Attrs): void {
    this.storage.append(Object.entries(attrs).map(([key, value]) => ({ op_code: OpCode.SET_TRIAL_USER_ATTR, trial_id: trialId, user_attr: { [key]: value } })));
  }

  private checkValues(values: readonly number[] | null | undefined): void {
    const n = this.directions.length;
    if (!values || values.length !== n) throw new RangeError(`a COMPLETE trial of ${this.name} needs ${n} value(s)`);
    if (values.some((v) => Number.isNaN(v))) throw new RangeError('NaN objective value: write the trial as FAIL instead');
  }

  private createTrialOp(t: TrialTemplate, objectives: number): JournalOp {
    if (t.state === TrialState.COMPLETE) this.checkValues(t.values);
    const values = t.values ? [...t.values] : null;
    const distributions: Record<string, string> = {};
    const params: Record<string, number> = {};
    for (const [name, p] of Object.entries(t.params ?? {})) {
      distributions[name] = distributionToJson(p.distribution);
      params[name] = toInternal(p.distribution, p.value);
    }
    const finished = isFinished(t.state);
    const now = journalTimestamp();
    return {
      op_code: OpCode.CREATE_TRIAL,
      study_id: this.id,
      datetime_start: t.datetimeStart !== undefined ? t.datetimeStart : t.state === TrialState.WAITING ? null : now,
      ...(finished ? { datetime_complete: t.datetimeComplete ?? now } : {}),
      state: t.state,
      // Single objective: `value` set and `values` null; multi-objective the other way round (§1.3).
      value: objectives === 1 && values ? values[0] : null,
      values: objectives === 1 ? null : values,
      distributions,
      params,
      user_attrs: t.userAttrs ?? {},
      system_attrs: t.systemAttrs ?? {},
      intermediate_values: Object.fromEntries(Object.entries(t.intermediateValues ?? {}).map(([k, v]) => [String(k), v])),
    };
  }
}
