/**
 * A run as an Optuna study (harness-protocols.md §1.8 layout): one trial per evaluated
 * candidate, COMPLETE with the fitness proxy as the (maximised) objective or FAIL with the
 * reason, so `optuna-dashboard <journal>` and any Optuna script can browse hgnas runs.
 *
 * Two ways in: `exportRunToJournal` after the fact (from a run directory), and
 * `createJournalRecorder` live from `hgnas run` (one batch per search round). Both skip
 * candidates already in the study (same run id and candidate id), so exporting a run that was
 * recorded live only fills what is missing.
 *
 * Where the final test metric goes: a finished trial cannot be changed (Optuna ignores ops on
 * it), so the export puts `hgnas:test_<metric>` into the winner's trial when it creates it, and
 * the live recorder — whose winner trial is already COMPLETE by then — puts it into the study
 * user attributes together with the winner's trial number (`hgnas:winner_trial`).
 */
import type { Evaluation } from '../../search/types.js';
import { JournalStorage, JournalStudy, type TrialTemplate } from './journal.js';
import type { JsonValue } from './json.js';
import { ATTR, candidateAttrs, HGNAS_DIRECTIONS, testMetricKey } from './layout.js';
import { readRunRecords, type CandidateRecord, type RunResultSummary } from './run-records.js';
import { TrialState, type Attrs } from './types.js';

/** Trials per journal write: keeps each append (and the lock hold) short. */
const BATCH = 100;

export interface ExportSummary {
  readonly studyName: string;
  readonly added: number;
  readonly skipped: number;
  readonly complete: number;
  readonly failed: number;
  /** Trial number of the winner, when result.json named one. */
  readonly winnerTrial: number | null;
}

export function exportRunToJournal(runDir: string, journalFile: string, options: { studyName?: string } = {}): ExportSummary {
  const run = readRunRecords(runDir);
  const studyName = options.studyName ?? run.runId;
  const study = JournalStudy.openOrCreate(new JournalStorage(journalFile), studyName, HGNAS_DIRECTIONS);
  setStudyFacts(study, { [ATTR.runId]: run.runId, [ATTR.task]: run.task, [ATTR.fitness]: run.fitness, [ATTR.method]: run.method });
  const done = exportedCandidateIds(study, run.runId);
  const fresh = run.candidates.filter((c) => !done.has(c.id));
  const winnerId = run.result?.search.winnerCandidateId ?? null;
  let complete = 0;
  for (let i = 0; i < fresh.length; i += BATCH) {
    const templates = fresh.slice(i, i + BATCH).map((record) => {
      const extra: Attrs = {};
      if (run.result && record.id === winnerId) extra[testMetricKey(run.result.metric.name)] = run.result.metric.value;
      const t = recordTemplate(record, { runId: run.runId, task: run.task }, extra);
      if (t.state === TrialState.COMPLETE) complete++;
      return t;
    });
    study.addTrials(templates);
  }
  let winnerTrial: number | null = null;
  if (run.result) {
    winnerTrial = study.trials().find((t) => t.userAttrs[ATTR.runId] === run.runId && t.userAttrs[ATTR.candidateId] === winnerId)?.number ?? null;
    recordResult(study, run.result, winnerTrial);
  }
  return { studyName, added: fresh.length, skipped: run.candidates.length - fresh.length, complete, failed: fresh.length - complete, winnerTrial };
}

export interface JournalRecorder {
  /** Appends one trial per evaluation (one journal write). Call it from the search's onRound. */
  record(evaluations: readonly Evaluation[]): void;
  /** Puts the final test metric and the winner into the study user attributes. */
  finish(result: RunResultSummary): void;
}

export interface RecorderContext {
  readonly runId?: string;
  readonly task?: string;
  readonly fitness?: string;
  readonly method?: string;
}

export function createJournalRecorder(journalFile: string, studyName: string, context: RecorderContext = {}): JournalRecorder {
  const study = JournalStudy.openOrCreate(new JournalStorage(journalFile), studyName, HGNAS_DIRECTIONS);
  setStudyFacts(study, { [ATTR.runId]: context.runId ?? null, [ATTR.task]: context.task ?? null, [ATTR.fitness]: context.fitness ?? null, [ATTR.method]: context.method ?? null });
  const candidateTrial = new Map<number, number>();
  return {
    record(evaluations) {
      for (let i = 0; i < evaluations.length; i += BATCH) {
        const batch = evaluations.slice(i, i + BATCH);
        const trials = study.addTrials(batch.map((e) => evaluationTemplate(e, context)));
        trials.forEach((t, j) => candidateTrial.set(batch[j]!.candidate.id, t.number));
      }
    },
    finish(result) {
      recordResult(study, result, candidateTrial.get(result.search.winnerCandidateId) ?? null);
    },
  };
}

function recordResult(study: JournalStudy, result: RunResultSummary, winnerTrial: number | null): void {
  const attrs: Attrs = { [testMetricKey(result.metric.name)]: result.metric.value, 'hgnas:winner_candidate': result.search.winnerCandidateId };
  if (winnerTrial !== null) attrs['hgnas:winner_trial'] = winnerTrial;
  study.setUserAttrs(attrs);
}

/** Sets the facts that are known and not yet set (a study shared by several runs keeps the first). */
function setStudyFacts(study: JournalStudy, facts: Record<string, string | null>): void {
  const current = study.userAttrs;
  const missing: Attrs = {};
  for (const [key, value] of Object.entries(facts)) if (value !== null && current[key] === undefined) missing[key] = value;
  if (Object.keys(missing).length > 0) study.setUserAttrs(missing);
}

function exportedCandidateIds(study: JournalStudy, runId: string): Set<number> {
  const ids = new Set<number>();
  for (const t of study.trials()) {
    const id = t.userAttrs[ATTR.candidateId];
    if (t.userAttrs[ATTR.runId] === runId && typeof id === 'number') ids.add(id);
  }
  return ids;
}

function outcomeTemplate(
  ok: boolean,
  fitness: number | null,
  reason: string | null | undefined,
  attrs: Attrs,
  proxies: Readonly<Record<string, number>>,
  seconds: number,
): TrialTemplate {
  const userAttrs: Attrs = { ...attrs, [ATTR.zc]: { ...proxies } as Record<string, JsonValue>, [ATTR.seconds]: seconds };
  // NaN is never written as an objective (Optuna turns it into FAIL): record FAIL directly.
  if (ok && fitness !== null && !Number.isNaN(fitness)) return { state: TrialState.COMPLETE, values: [fitness], userAttrs };
  const why = reason ?? (ok ? 'fitness is NaN' : 'failed');
  return { state: TrialState.FAIL, values: null, userAttrs: { ...userAttrs, [ATTR.failReason]: why }, systemAttrs: { fail_reason: why } };
}

function recordTemplate(r: CandidateRecord, context: { runId: string; task: string | null }, extra: Attrs): TrialTemplate {
  const attrs: Attrs = {
    [ATTR.arch]: r.arch as JsonValue,
    [ATTR.archHash]: r.fingerprint,
    [ATTR.params]: r.params,
    [ATTR.flops]: r.flops,
    [ATTR.candidateId]: r.id,
    [ATTR.origin]: r.origin,
    [ATTR.runId]: context.runId,
    ...(r.parentId !== null && r.parentId !== undefined ? { [ATTR.parentId]: r.parentId } : {}),
    ...(context.task !== null ? { [ATTR.task]: context.task } : {}),
    ...extra,
  };
  return outcomeTemplate(r.ok, r.fitness, r.reason, attrs, r.proxies ?? {}, r.seconds ?? 0);
}

function evaluationTemplate(e: Evaluation, context: RecorderContext): TrialTemplate {
  return outcomeTemplate(e.ok, e.fitness, e.reason, candidateAttrs(e.candidate, context), e.proxies, e.seconds);
}
