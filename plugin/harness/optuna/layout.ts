/**
 * How hgnas lays its data out in an Optuna study (harness-protocols.md §1.8): the architecture
 * travels in trial user attributes under `hgnas:` keys (never in params: a genotype is not a
 * primitive, and per-trial categorical choices would be incompatible across trials); study-level
 * facts (task, fitness proxy, run id) are study user attributes. Objective: the fitness proxy,
 * maximised.
 */
import type { Candidate, Evaluation } from '../../search/types.js';
import { archFromJson, archToJson } from '../../space/arch-json.js';
import { archCost } from '../../space/cost.js';
import { archFingerprint } from '../../space/macro.js';
import { parseJournalTimestamp } from './timestamps.js';
import { StudyDirection, TrialState, type Attrs, type JournalTrial } from './types.js';
import type { JsonValue } from './json.js';

export const ATTR = {
  /** The `hgnas/arch@1` genotype document. */
  arch: 'hgnas:arch',
  /** Macro fingerprint (space/macro.ts). */
  archHash: 'hgnas:arch_hash',
  task: 'hgnas:task',
  flops: 'hgnas:flops',
  /** Trainable parameter count. */
  params: 'hgnas:params',
  /** Proxy name → score. */
  zc: 'hgnas:zc',
  runId: 'hgnas:run_id',
  candidateId: 'hgnas:candidate_id',
  origin: 'hgnas:origin',
  parentId: 'hgnas:parent_id',
  seconds: 'hgnas:seconds',
  failReason: 'hgnas:fail_reason',
  /** The worker id that evaluated the trial. */
  worker: 'hgnas:worker',
  /** Study: the proxy whose value is the objective. */
  fitness: 'hgnas:fitness',
  /** Study: proxies a worker computes (the fitness among them). */
  proxies: 'hgnas:proxies',
  method: 'hgnas:method',
} as const;

/** Study user attribute / winner trial attribute holding the final test metric, e.g. `hgnas:test_accuracy`. */
export function testMetricKey(metric: string): string {
  return `hgnas:test_${metric}`;
}

/** Proxy scores are maximised (the fitness of every search method is "higher is better"). */
export const HGNAS_DIRECTIONS: readonly StudyDirection[] = [StudyDirection.MAXIMIZE];

export interface CandidateContext {
  readonly task?: string;
  readonly runId?: string;
}

/** The user attributes that describe a candidate (everything a worker needs to evaluate it). */
export function candidateAttrs(candidate: Candidate, context: CandidateContext = {}): Attrs {
  const attrs: Attrs = {
    [ATTR.arch]: archToJson(candidate.arch) as unknown as JsonValue,
    [ATTR.archHash]: candidate.fingerprint,
    [ATTR.params]: candidate.cost.params,
    [ATTR.flops]: candidate.cost.flops,
    [ATTR.candidateId]: candidate.id,
    [ATTR.origin]: candidate.origin,
  };
  if (candidate.parentId !== undefined) attrs[ATTR.parentId] = candidate.parentId;
  if (context.task !== undefined) attrs[ATTR.task] = context.task;
  if (context.runId !== undefined) attrs[ATTR.runId] = context.runId;
  return attrs;
}

/** An Evaluation read back from a finished trial, with where it came from. */
export interface SyncedEvaluation extends Evaluation {
  readonly trialId: number;
  readonly trialNumber: number;
  readonly state: TrialState;
}

/**
 * The evaluation a finished trial holds, or a reason why it is not an hgnas trial (no or an
 * invalid `hgnas:arch`). COMPLETE → ok with values[0] as fitness; FAIL and PRUNED → not ok.
 */
export function trialToEvaluation(trial: JournalTrial): SyncedEvaluation | { readonly problem: string } {
  const doc = trial.userAttrs[ATTR.arch];
  if (doc === undefined) return { problem: 'no hgnas:arch user attribute (not an hgnas trial)' };
  let arch;
  try {
    arch = archFromJson(doc);
  } catch (error) {
    return { problem: `invalid hgnas:arch: ${(error as Error).message.split('\n')[0]}` };
  }
  const a = trial.userAttrs;
  const candidate: Candidate = {
    id: typeof a[ATTR.candidateId] === 'number' ? (a[ATTR.candidateId] as number) : trial.number,
    arch,
    fingerprint: archFingerprint(arch),
    cost: archCost(arch),
    origin: typeof a[ATTR.origin] === 'string' ? (a[ATTR.origin] as string) : 'optuna',
    ...(typeof a[ATTR.parentId] === 'number' ? { parentId: a[ATTR.parentId] as number } : {}),
  };
  const proxies: Record<string, number> = {};
  const zc = a[ATTR.zc];
  if (zc !== null && typeof zc === 'object' && !Array.isArray(zc)) {
    for (const [name, v] of Object.entries(zc)) if (typeof v === 'number') proxies[name] = v;
  }
  const value = trial.values?.[0];
  const ok = trial.state === TrialState.COMPLETE && typeof value === 'number' && Number.isFinite(value);
  const reason = ok
    ? undefined
    : typeof a[ATTR.failReason] === 'string'
      ? (a[ATTR.failReason] as string)
      : trial.state === TrialState.COMPLETE
        ? `objective ${value} is not finite`
        : trial.state === TrialState.PRUNED
          ? 'pruned'
          : typeof trial.systemAttrs.fail_reason === 'string'
            ? trial.systemAttrs.fail_reason
            : 'failed';
  return {
    candidate,
    ok,
    fitness: ok ? value! : null,
    proxies,
    ...(reason === undefined ? {} : { reason }),
    seconds: trialSeconds(trial),
    trialId: trial.trialId,
    trialNumber: trial.number,
    state: trial.state,
  };
}

function trialSeconds(trial: JournalTrial): number {
  const recorded = trial.userAttrs[ATTR.seconds];
  if (typeof recorded === 'number') return recorded;
  if (trial.datetimeStart === null || trial.datetimeComplete === null) return 0;
  const s = (parseJournalTimestamp(trial.datetimeComplete) - parseJournalTimestamp(trial.datetimeStart)) / 1000;
  return Number.isFinite(s) && s >= 0 ? s : 0;
}
