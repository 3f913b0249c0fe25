/**
 * The `candidates.jsonl` record: one line per evaluated candidate, written by every run and
 * read back by --resume, the Optuna export and the HTML report. One definition keeps them in step.
 */
import { archFromJson, archToJson } from '../space/arch-json.js';
import { archCost } from '../space/cost.js';
import type { Evaluation } from './types.js';

export interface CandidateRecord {
  readonly id: number;
  readonly fingerprint: string;
  readonly origin: string;
  readonly parentId: number | null;
  readonly ok: boolean;
  readonly fitness: number | null;
  readonly proxies: Readonly<Record<string, number>>;
  readonly reason: string | null;
  readonly params: number;
  readonly flops: number;
  readonly seconds: number;
  /** The genotype as an `hgnas/arch@1` document. */
  readonly arch: unknown;
}

export function evaluationRecord(e: Evaluation): CandidateRecord {
  return {
    id: e.candidate.id,
    fingerprint: e.candidate.fingerprint,
    origin: e.candidate.origin,
    parentId: e.candidate.parentId ?? null,
    ok: e.ok,
    fitness: e.fitness,
    proxies: e.proxies,
    reason: e.reason ?? null,
    params: e.candidate.cost.params,
    flops: e.candidate.cost.flops,
    seconds: Math.round(e.seconds * 1000) / 1000,
    arch: archToJson(e.candidate.arch),
  };
}

/** The evaluation a record stands for (the genotype is re-validated and its cost recomputed). */
export function evaluationFromRecord(r: CandidateRecord): Evaluation {
  const arch = archFromJson(r.arch);
  return {
    candidate: {
      id: r.id,
      arch,
      fingerprint: r.fingerprint,
      cost: archCost(arch),
      origin: r.origin,
      ...(r.parentId !== null ? { parentId: r.parentId } : {}),
    },
    ok: r.ok,
    fitness: r.fitness,
    proxies: r.proxies,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    seconds: r.seconds,
  };
}
