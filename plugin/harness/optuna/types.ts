/**
 * Optuna's journal vocabulary (harness-protocols.md §1.3–1.4): op codes, trial states, study
 * directions, and the replayed view of studies and trials. Numbers are the ones on the wire.
 */
import type { Distribution, ParamValue } from './distributions.js';
import type { JsonValue } from './json.js';

export const OpCode = {
  CREATE_STUDY: 0,
  DELETE_STUDY: 1,
  SET_STUDY_USER_ATTR: 2,
  SET_STUDY_SYSTEM_ATTR: 3,
  CREATE_TRIAL: 4,
  SET_TRIAL_PARAM: 5,
  SET_TRIAL_STATE_VALUES: 6,
  SET_TRIAL_INTERMEDIATE_VALUE: 7,
  SET_TRIAL_USER_ATTR: 8,
  SET_TRIAL_SYSTEM_ATTR: 9,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];
/** The highest op code hgnas writes: 10 (DISCARD_TRIALS) would break Optuna 3.1 readers. */
export const MAX_WRITTEN_OP_CODE = 9;

export const TrialState = { RUNNING: 0, COMPLETE: 1, PRUNED: 2, FAIL: 3, WAITING: 4 } as const;
export type TrialState = (typeof TrialState)[keyof typeof TrialState];
export const TRIAL_STATE_NAMES: Readonly<Record<TrialState, string>> = { 0: 'RUNNING', 1: 'COMPLETE', 2: 'PRUNED', 3: 'FAIL', 4: 'WAITING' };

export function isFinished(state: TrialState): boolean {
  return state === TrialState.COMPLETE || state === TrialState.PRUNED || state === TrialState.FAIL;
}

export const StudyDirection = { NOT_SET: 0, MINIMIZE: 1, MAXIMIZE: 2 } as const;
export type StudyDirection = (typeof StudyDirection)[keyof typeof StudyDirection];

export type Attrs = Record<string, JsonValue>;

/** One decoded journal line: `op_code`, `worker_id` and the op's payload fields. */
export type JournalLine = { readonly op_code: number; readonly worker_id: string } & Readonly<Record<string, JsonValue>>;

export interface JournalStudyState {
  readonly studyId: number;
  readonly name: string;
  readonly directions: readonly StudyDirection[];
  readonly userAttrs: Attrs;
  readonly systemAttrs: Attrs;
  /** Trial ids of this study, in creation order (index = trial number). */
  readonly trialIds: number[];
}

export interface JournalTrial {
  /** Global across studies, from 0 (replay order). */
  readonly trialId: number;
  /** Per study, from 0. */
  readonly number: number;
  readonly studyId: number;
  state: TrialState;
  /** One number per objective; null while unfinished or for FAIL. */
  values: number[] | null;
  /** External representation (categorical choices, ints as numbers). */
  params: Record<string, ParamValue>;
  distributions: Record<string, Distribution>;
  userAttrs: Attrs;
  systemAttrs: Attrs;
  intermediateValues: Record<number, number>;
  /** As written: naive local ISO time (3.1) or with an offset (5.0). */
  datetimeStart: string | null;
  datetimeComplete: string | null;
  /** The worker that created it RUNNING or moved it to RUNNING (who owns it). */
  owner: string | null;
  /** The worker id on its CREATE_TRIAL line. */
  readonly creator: string;
  /** 1-based journal line of its CREATE_TRIAL. */
  readonly line: number;
}
