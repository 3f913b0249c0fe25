/**
 * `hgnas worker --optuna <journal>`: an evaluation worker on a shared Optuna journal. It pops
 * WAITING trials exactly the way Optuna's own workers do (write RUNNING, replay, own the trial
 * only if no other worker's RUNNING line came first — harness-protocols.md §1.5), so any number
 * of hgnas workers and Python `study.optimize` workers can drain one queue together and every
 * trial is evaluated once. A trial without `hgnas:arch` was not enqueued by hgnas: it is marked
 * FAIL, never guessed.
 *
 * Scaling out: start one worker per core on as many machines as share the journal's directory.
 * Correctness rests on two file-system operations being atomic across all clients: creating the
 * lock (symlink(2) or open(O_CREAT|O_EXCL)) fails with EEXIST if it exists, and an append
 * written and fsynced under the lock is visible whole to the next lock holder. Local file
 * systems and NFSv3+/v4 with close-to-open consistency give both (NFSv2 did not make O_EXCL
 * atomic; the symlink lock avoids that). Where it stops:
 * - Every op re-reads the journal tail and every write takes one global lock, so throughput is
 *   bounded by lock round trips (milliseconds locally, tens of ms over NFS): fine for proxy
 *   scoring (≥ 0.1 s per trial) and training, not for thousands of tiny trials per second.
 * - NFS attribute caching can delay seeing other clients' appends (a worker may briefly not see
 *   a new WAITING trial; it never double-claims, because ownership is decided by line order in
 *   the file). Clients that cache writes or lack fsync (some SMB/FUSE mounts, object-store
 *   mounts such as s3fs/gcsfuse) can glue or lose lines: do not put the journal there.
 * - A worker killed while holding the lock leaves `<journal>.lock` behind; Optuna 3.1 waits
 *   forever, Optuna ≥ 4.3 and `--lock-grace SECONDS` here break a lock whose journal has not
 *   changed for that long. A worker killed mid-trial leaves a RUNNING trial: fail it and enqueue
 *   its architecture again (§1.8).
 * Optuna's RDB storage (MySQL/PostgreSQL via SQLAlchemy) replaces the file lock with database
 * transactions: no shared file system, row-level concurrency, heartbeats that fail stale
 * RUNNING trials automatically, and many more writers. hgnas only reads RDB studies; to use
 * one, run Python workers against it (or Optuna's gRPC proxy, ≥ 4.2).
 */
import { InputError } from '../../errors.js';
import type { BackendPreference } from '../../nn/backend.js';
import { JournalConflictError, JournalStorage, JournalStudy } from './journal.js';
import { createGenotypeEvaluator, type GenotypeEvaluator } from './evaluate.js';
import { ATTR } from './layout.js';
import type { LockOptions } from './lock.js';
import { TrialState, type Attrs, type JournalTrial } from './types.js';

export interface OptunaWorkerOptions {
  readonly journalFile: string;
  /** Needed when the journal holds more than one study. */
  readonly studyName?: string;
  /** Stop after this many claimed trials (default: no limit). */
  readonly maxTrials?: number;
  /** Proxies to compute; default the study's `hgnas:proxies`, else its fitness, else tcet. */
  readonly proxies?: readonly string[];
  /** Keep polling an empty queue this long before exiting (default 0: exit when it is empty). */
  readonly idleExitSeconds?: number;
  readonly pollSeconds?: number;
  /** Task when the study does not name one (`hgnas:task`). */
  readonly task?: string;
  readonly backend?: BackendPreference;
  readonly seed?: number;
  readonly lock?: LockOptions;
  readonly log?: (line: string) => void;
  /** Replaces the proxy evaluator (tests, or other evaluation backends). */
  readonly createEvaluator?: (task: string, proxies: readonly string[]) => Promise<Pick<GenotypeEvaluator, 'score' | 'dispose'>>;
}

export interface WorkerTrialOutcome {
  readonly trialId: number;
  readonly number: number;
  readonly state: 'COMPLETE' | 'FAIL' | 'LOST';
  readonly value?: number;
  readonly reason?: string;
}

export interface WorkerSummary {
  readonly workerId: string;
  readonly study: string;
  readonly trials: WorkerTrialOutcome[];
}

export async function runOptunaWorker(options: OptunaWorkerOptions): Promise<WorkerSummary> {
  const log = options.log ?? (() => undefined);
  const storage = new JournalStorage(options.journalFile, options.lock ?? {});
  const study = JournalStudy.open(storage, resolveStudyName(storage, options.studyName));
  const attrs = study.userAttrs;
  const task = typeof attrs[ATTR.task] === 'string' ? (attrs[ATTR.task] as string) : options.task;
  const fitness = typeof attrs[ATTR.fitness] === 'string' ? (attrs[ATTR.fitness] as string) : (options.proxies?.[0] ?? 'tcet');
  const studyProxies = Array.isArray(attrs[ATTR.proxies]) ? (attrs[ATTR.proxies] as unknown[]).filter((p): p is string => typeof p === 'string') : null;
  const proxies = [...new Set([fitness, ...(options.proxies ?? studyProxies ?? [])])];
  const maxTrials = options.maxTrials ?? Number.POSITIVE_INFINITY;
  const idleMs = (options.idleExitSeconds ?? 0) * 1000;
  const pollMs = (options.pollSeconds ?? 0.5) * 1000;
  const seed = options.seed ?? 0;
  log(`worker ${storage.workerId} on study ${study.name} (${options.journalFile}): fitness ${fitness}, proxies ${proxies.join(',')}`);

  let evaluator: Pick<GenotypeEvaluator, 'score' | 'dispose'> | null = null;
  const outcomes: WorkerTrialOutcome[] = [];
  let idleSince = Date.now();
  try {
    while (outcomes.length < maxTrials) {
      const trial = study.claimWaiting();
      if (!trial) {
        if (Date.now() - idleSince >= idleMs) break;
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
      const doc = trial.userAttrs[ATTR.arch];
      if (doc === undefined) {
        outcomes.push(finishTrial(study, trial, { ok: false, reason: 'no hgnas:arch user attribute: not enqueued by hgnas' }, log));
        idleSince = Date.now();
        continue;
      }
      if (evaluator === null) {
        if (task === undefined) {
          const reason = `study ${study.name} has no ${ATTR.task} attribute and no --task was given`;
          finishTrial(study, trial, { ok: false, reason }, log);
          throw new InputError(reason, 'pass --task <id> or enqueue with a task');
        }
        evaluator = await (options.createEvaluator ?? ((t, p) => createGenotypeEvaluator({ task: t, proxies: p, ...(options.backend ? { backend: options.backend } : {}) })))(task, proxies);
      }
      const candidateId = trial.userAttrs[ATTR.candidateId];
      // The run's seed rule (main-job poolEvaluator), so a worker reproduces the run's scores.
      const trialSeed = (seed * 1_000_003 + (typeof candidateId === 'number' ? candidateId : trial.number)) >>> 0;
      const outcome = scoreOutcome(evaluator.score(doc, trialSeed), fitness);
      outcomes.push(finishTrial(study, trial, outcome, log, storage.workerId));
      idleSince = Date.now();
    }
  } finally {
    evaluator?.dispose();
  }
  return { workerId: storage.workerId, study: study.name, trials: outcomes };
}

type Outcome = { ok: true; value: number; attrs?: Attrs } | { ok: false; reason: string; attrs?: Attrs };

function scoreOutcome(score: ReturnType<GenotypeEvaluator['score']>, fitness: string): Outcome {
  if (!score.ok) return { ok: false, reason: score.reason, attrs: { [ATTR.seconds]: score.seconds } };
  const attrs: Attrs = { [ATTR.zc]: score.values, [ATTR.params]: score.params, [ATTR.flops]: score.flops, [ATTR.seconds]: score.seconds };
  const value = score.values[fitness];
  // NaN never becomes an objective value (Optuna would turn it into FAIL anyway).
  if (value === undefined || Number.isNaN(value)) return { ok: false, reason: `${fitness}: not a number`, attrs };
  return { ok: true, value, attrs };
}

function finishTrial(study: JournalStudy, trial: JournalTrial, outcome: Outcome, log: (line: string) => void, workerId?: string): WorkerTrialOutcome {
  const attrs: Attrs = { ...(outcome.attrs ?? {}), ...(workerId ? { [ATTR.worker]: workerId } : {}) };
  try {
    if (outcome.ok) {
      study.finish(trial.trialId, TrialState.COMPLETE, [outcome.value], attrs);
      log(`trial ${trial.number}: COMPLETE ${outcome.value}`);
      return { trialId: trial.trialId, number: trial.number, state: 'COMPLETE', value: outcome.value };
    }
    study.finish(trial.trialId, TrialState.FAIL, null, { ...attrs, [ATTR.failReason]: outcome.reason }, { fail_reason: outcome.reason });
    log(`trial ${trial.number}: FAIL ${outcome.reason}`);
    return { trialId: trial.trialId, number: trial.number, state: 'FAIL', reason: outcome.reason };
  } catch (error) {
    // Someone finished it first (e.g. failed it as overdue): our late report is void (§1.8).
    if (!(error instanceof JournalConflictError)) throw error;
    log(`trial ${trial.number}: result discarded, ${error.message}`);
    return { trialId: trial.trialId, number: trial.number, state: 'LOST', reason: error.message };
  }
}

function resolveStudyName(storage: JournalStorage, name: string | undefined): string {
  if (name !== undefined) return name;
  const studies = storage.studies();
  if (studies.length === 1) return studies[0]!.name;
  throw new InputError(
    studies.length === 0 ? `${storage.file} holds no study` : `${storage.file} holds ${studies.length} studies (${studies.map((s) => s.name).join(', ')})`,
    studies.length === 0 ? 'enqueue architectures first (hgnas optuna enqueue)' : 'pass --study NAME',
  );
}
