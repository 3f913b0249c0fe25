/**
 * Replays journal lines into studies and trials with Optuna's id rules (harness-protocols.md
 * §1.5, the same in 3.1 and current): study ids count applied CREATE_STUDY lines, trial ids are
 * global and count every applied CREATE_TRIAL (deleted studies' trials included), trial numbers
 * count per study, and an op on a finished, unknown or incompatible target is ignored.
 *
 * Ignored ops written by this reader's own worker id are collected as `rejections`, so the
 * writer can raise exactly where Python would; a lost race for a WAITING trial (someone else's
 * RUNNING line came first) is reported as `lostClaim`, not as an error.
 */
import { DistributionError, incompatibility, parseDistribution, toExternal, type Distribution } from './distributions.js';
import type { JsonValue } from './json.js';
import {
  isFinished,
  OpCode,
  TrialState,
  type Attrs,
  type JournalLine,
  type JournalStudyState,
  type JournalTrial,
  type StudyDirection,
} from './types.js';

export interface Rejection {
  /** 1-based line number in the journal. */
  readonly line: number;
  readonly opCode: number;
  readonly reason: string;
  /** True for a RUNNING line that lost the race for a WAITING trial. */
  readonly lostClaim: boolean;
  readonly trialId?: number;
}

export class JournalReplay {
  /** Live studies by id (deleted ones removed; their ids stay consumed). */
  readonly studies = new Map<number, JournalStudyState>();
  /** Every applied trial, index = trial id. */
  readonly trials: JournalTrial[] = [];
  /** Lines applied or skipped so far. */
  lines = 0;
  /** Unknown op codes and malformed payloads that were skipped, with their line numbers. */
  readonly warnings: string[] = [];
  /** Ignored ops written by `ownWorkerId`. */
  readonly rejections: Rejection[] = [];
  private nextStudyId = 0;

  constructor(private readonly ownWorkerId: string | null = null) {}

  studyByName(name: string): JournalStudyState | undefined {
    for (const s of this.studies.values()) if (s.name === name) return s;
    return undefined;
  }

  trialsOf(studyId: number): JournalTrial[] {
    const study = this.studies.get(studyId);
    return study ? study.trialIds.map((id) => this.trials[id]!) : [];
  }

  apply(line: JournalLine): void {
    this.lines++;
    const n = this.lines;
    try {
      this.dispatch(line, n);
    } catch (error) {
      if (error instanceof PayloadError || error instanceof DistributionError) {
        this.warnings.push(`line ${n}: op ${line.op_code} skipped: ${error.message}`);
        return;
      }
      throw error;
    }
  }

  private dispatch(log: JournalLine, n: number): void {
    switch (log.op_code) {
      case OpCode.CREATE_STUDY: {
        const name = str(log, 'study_name');
        const directions = list(log, 'directions').map((d) => d as StudyDirection);
        if (this.studyByName(name)) return this.reject(log, n, `duplicated study ${name}`);
        const studyId = this.nextStudyId++;
        this.studies.set(studyId, { studyId, name, directions, userAttrs: {}, systemAttrs: {}, trialIds: [] });
        return;
      }
      case OpCode.DELETE_STUDY: {
        const study = this.study(log, n);
        if (study) this.studies.delete(study.studyId);
        return;
      }
      case OpCode.SET_STUDY_USER_ATTR:
      case OpCode.SET_STUDY_SYSTEM_ATTR: {
        const study = this.study(log, n);
        if (!study) return;
        const isUser = log.op_code === OpCode.SET_STUDY_USER_ATTR;
        Object.assign(isUser ? study.userAttrs : study.systemAttrs, attrs(log, isUser ? 'user_attr' : 'system_attr'));
        return;
      }
      case OpCode.CREATE_TRIAL:
        return this.createTrial(log, n);
      case OpCode.SET_TRIAL_PARAM: {
        const trial = this.updatableTrial(log, n);
        if (!trial) return;
        const name = str(log, 'param_name');
        const internal = num(log, 'param_value_internal');
        const distribution = parseDistribution(str(log, 'distribution'));
        for (const other of this.trialsOf(trial.studyId)) {
          const previous = other.distributions[name];
          if (previous === undefined) continue;
          const problem = incompatibility(previous, distribution);
          if (problem) return this.reject(log, n, `parameter ${name}: ${problem}`, trial.trialId);
          break;
        }
        trial.params = { ...trial.params, [name]: toExternal(distribution, internal) };
        trial.distributions = { ...trial.distributions, [name]: distribution };
        return;
      }
      case OpCode.SET_TRIAL_STATE_VALUES: {
        const trialId = int(log, 'trial_id');
        const state = int(log, 'state') as TrialState;
        const current = this.trials[trialId];
        if (current && state === TrialState.RUNNING && current.state === TrialState.RUNNING) {
          if (log.worker_id === this.ownWorkerId) {
            this.rejections.push({ line: n, opCode: log.op_code, reason: `trial ${trialId} already taken by ${current.owner}`, lostClaim: true, trialId });
          }
          return;
        }
        const trial = this.updatableTrial(log, n);
        if (!trial) return;
        if (state === TrialState.RUNNING) {
          trial.datetimeStart = optionalStr(log, 'datetime_start');
          trial.owner = log.worker_id;
        }
        if (isFinished(state)) trial.datetimeComplete = optionalStr(log, 'datetime_complete');
        trial.state = state;
        const values = log.values;
        if (values !== null && values !== undefined) trial.values = numbers(values, 'values');
        return;
      }
      case OpCode.SET_TRIAL_INTERMEDIATE_VALUE: {
        const trial = this.updatableTrial(log, n);
        if (trial) trial.intermediateValues = { ...trial.intermediateValues, [int(log, 'step')]: num(log, 'intermediate_value') };
        return;
      }
      case OpCode.SET_TRIAL_USER_ATTR:
      case OpCode.SET_TRIAL_SYSTEM_ATTR: {
        const trial = this.updatableTrial(log, n);
        if (!trial) return;
        const isUser = log.op_code === OpCode.SET_TRIAL_USER_ATTR;
        if (isUser) trial.userAttrs = { ...trial.userAttrs, ...attrs(log, 'user_attr') };
        else trial.systemAttrs = { ...trial.systemAttrs, ...attrs(log, 'system_attr') };
        return;
      }
      default:
        // Op 10 (DISCARD_TRIALS, Optuna 5 dev) and anything newer: read past it like current Python does.
        this.warnings.push(`line ${n}: unknown op code ${log.op_code} skipped`);
    }
  }

  private createTrial(log: JournalLine, n: number): void {
    const study = this.study(log, n);
    if (!study) return;
    const distributions: Record<string, Distribution> = {};
    for (const [name, d] of Object.entries(obj(log, 'distributions'))) distributions[name] = parseDistribution(d);
    const params: JournalTrial['params'] = {};
    for (const [name, internal] of Object.entries(obj(log, 'params'))) {
      const d = distributions[name];
      if (!d) throw new PayloadError(`param ${name} has no distribution`);
      if (typeof internal !== 'number') throw new PayloadError(`param ${name}: internal value must be a number`);
      params[name] = toExternal(d, internal);
    }
    const intermediateValues: Record<number, number> = {};
    for (const [step, v] of Object.entries(obj(log, 'intermediate_values'))) {
      if (typeof v !== 'number') throw new PayloadError(`intermediate value at step ${step} must be a number`);
      intermediateValues[Number(step)] = v;
    }
    if (!('datetime_start' in log)) throw new PayloadError('datetime_start is required');
    const value = log.value;
    const values = log.values;
    const trialId = this.trials.length;
    const trial: JournalTrial = {
      trialId,
      number: study.trialIds.length,
      studyId: study.studyId,
      state: (log.state === undefined ? TrialState.RUNNING : int(log, 'state')) as TrialState,
      values: values !== null && values !== undefined ? numbers(values, 'values') : typeof value === 'number' ? [value] : null,
      params,
      distributions,
      userAttrs: { ...obj(log, 'user_attrs') },
      systemAttrs: { ...obj(log, 'system_attrs') },
      intermediateValues,
      datetimeStart: optionalStr(log, 'datetime_start'),
      datetimeComplete: optionalStr(log, 'datetime_complete'),
      owner: null,
      creator: log.worker_id,
      line: n,
    };
    if (trial.state === TrialState.RUNNING) trial.owner = log.worker_id;
    this.trials.push(trial);
    study.trialIds.push(trialId);
  }

  private study(log: JournalLine, n: number): JournalStudyState | undefined {
    const studyId = int(log, 'study_id');
    const study = this.studies.get(studyId);
    if (!study) this.reject(log, n, `study ${studyId} does not exist`);
    return study;
  }

  private updatableTrial(log: JournalLine, n: number): JournalTrial | undefined {
    const trialId = int(log, 'trial_id');
    const trial = this.trials[trialId];
    if (!trial) {
      this.reject(log, n, `trial ${trialId} does not exist`, trialId);
      return undefined;
    }
    if (isFinished(trial.state)) {
      this.reject(log, n, `trial ${trialId} is already finished`, trialId);
      return undefined;
    }
    return trial;
  }

  private reject(log: JournalLine, n: number, reason: string, trialId?: number): void {
    if (log.worker_id !== this.ownWorkerId) return;
    this.rejections.push({ line: n, opCode: log.op_code, reason, lostClaim: false, ...(trialId === undefined ? {} : { trialId }) });
  }
}

class PayloadError extends Error {}

function field(log: JournalLine, key: string): JsonValue {
  const v = log[key];
  if (v === undefined) throw new PayloadError(`${key} is required`);
  return v;
}

function str(log: JournalLine, key: string): string {
  const v = field(log, key);
  if (typeof v !== 'string') throw new PayloadError(`${key} must be a string`);
  return v;
}

function optionalStr(log: JournalLine, key: string): string | null {
  const v = log[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new PayloadError(`${key} must be a string or null`);
  return v;
}

function num(log: JournalLine, key: string): number {
  const v = field(log, key);
  if (typeof v !== 'number') throw new PayloadError(`${key} must be a number`);
  return v;
}

function int(log: JournalLine, key: string): number {
  const v = num(log, key);
  if (!Number.isInteger(v)) throw new PayloadError(`${key} must be an integer`);
  return v;
}

function list(log: JournalLine, key: string): JsonValue[] {
  const v = field(log, key);
  if (!Array.isArray(v)) throw new PayloadError(`${key} must be a list`);
  return v;
}

function numbers(v: JsonValue, key: string): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new PayloadError(`${key} must be a list of numbers`);
  return v as number[];
}

function obj(log: JournalLine, key: string): Attrs {
  const v = log[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new PayloadError(`${key} must be an object`);
  return v;
}

function attrs(log: JournalLine, key: string): Attrs {
  const v = obj(log, key);
  if (Object.keys(v).length !== 1) throw new PayloadError(`${key} must hold exactly one key`);
  return v;
}
