/**
 * Ask/tell through an Optuna study: hgnas proposes (ask) and enqueues the genotypes as WAITING
 * trials; any mix of `hgnas worker` processes and Python Optuna workers evaluates them; hgnas
 * reads the finished trials back (sync) and tells them to its search method.
 */
import type { Candidate } from '../../search/types.js';
import { JournalStorage, JournalStudy } from './journal.js';
import type { ParamValue } from './distributions.js';
import { ATTR, candidateAttrs, HGNAS_DIRECTIONS, trialToEvaluation, type CandidateContext, type SyncedEvaluation } from './layout.js';
import { TrialState, type JournalTrial } from './types.js';

export interface EnqueueOptions extends CandidateContext {
  /**
   * Genuine training hyper-parameters for a Python objective that suggests them (§1.8); they go
   * to `fixed_params`. The architecture itself always travels in `hgnas:arch`.
   */
  readonly fixedParams?: Readonly<Record<string, ParamValue>>;
  /** Fitness proxy a `hgnas worker` should maximise (study attribute, set if not set yet). */
  readonly fitness?: string;
  readonly proxies?: readonly string[];
}

export interface EnqueuedTrial {
  readonly trialId: number;
  readonly number: number;
  readonly candidateId: number;
  readonly fingerprint: string;
}

/** Appends one WAITING trial per candidate (one write); creates the study (maximise) if missing. */
export function enqueueArchitectures(
  journalFile: string,
  studyName: string,
  candidates: readonly Candidate[],
  options: EnqueueOptions = {},
): EnqueuedTrial[] {
  const study = JournalStudy.openOrCreate(new JournalStorage(journalFile), studyName, HGNAS_DIRECTIONS);
  const current = study.userAttrs;
  const facts: Record<string, string | string[] | undefined> = {
    [ATTR.task]: options.task,
    [ATTR.fitness]: options.fitness,
    [ATTR.proxies]: options.proxies ? [...options.proxies] : undefined,
  };
  const missing = Object.fromEntries(Object.entries(facts).filter(([k, v]) => v !== undefined && current[k] === undefined)) as Record<string, string | string[]>;
  if (Object.keys(missing).length > 0) study.setUserAttrs(missing);
  const trials = study.enqueue(
    candidates.map((c) => ({ userAttrs: candidateAttrs(c, options), ...(options.fixedParams ? { fixedParams: options.fixedParams } : {}) })),
  );
  return trials.map((t, i) => ({ trialId: t.trialId, number: t.number, candidateId: candidates[i]!.id, fingerprint: candidates[i]!.fingerprint }));
}

export interface SyncResult {
  /** COMPLETE trials (ok) and, with includeFailed, FAIL/PRUNED ones (not ok), in trial order. */
  readonly evaluations: SyncedEvaluation[];
  readonly counts: Readonly<Record<'waiting' | 'running' | 'complete' | 'failed' | 'pruned', number>>;
  /** Finished trials that carry no usable `hgnas:arch`, with why. */
  readonly foreign: readonly { readonly trialNumber: number; readonly problem: string }[];
  /** Skipped journal lines (unknown op codes, malformed payloads). */
  readonly warnings: readonly string[];
}

export function syncCompleted(journalFile: string, studyName: string, options: { includeFailed?: boolean } = {}): SyncResult {
  const storage = new JournalStorage(journalFile);
  const study = JournalStudy.open(storage, studyName);
  const trials = study.trials();
  const count = (s: TrialState) => trials.filter((t) => t.state === s).length;
  const evaluations: SyncedEvaluation[] = [];
  const foreign: { trialNumber: number; problem: string }[] = [];
  const wanted = (t: JournalTrial) => t.state === TrialState.COMPLETE || (options.includeFailed === true && (t.state === TrialState.FAIL || t.state === TrialState.PRUNED));
  for (const trial of trials.filter(wanted)) {
    const e = trialToEvaluation(trial);
    if ('problem' in e) foreign.push({ trialNumber: trial.number, problem: e.problem });
    else evaluations.push(e);
  }
  return {
    evaluations,
    counts: {
      waiting: count(TrialState.WAITING),
      running: count(TrialState.RUNNING),
      complete: count(TrialState.COMPLETE),
      failed: count(TrialState.FAIL),
      pruned: count(TrialState.PRUNED),
    },
    foreign,
    warnings: storage.warnings,
  };
}
