import type { Evaluation } from './types.js';

/** Best first; failed evaluations never rank; one entry per fingerprint (method.md §14 P16). */
export function topEvaluations(history: readonly Evaluation[], k: number): Evaluation[] {
  const ranked = history
    .filter((e) => e.ok && e.fitness !== null && Number.isFinite(e.fitness))
    .sort((a, b) => b.fitness! - a.fitness! || a.candidate.id - b.candidate.id);
  const seen = new Set<string>();
  const out: Evaluation[] = [];
  for (const e of ranked) {
    if (seen.has(e.candidate.fingerprint)) continue;
    seen.add(e.candidate.fingerprint);
    out.push(e);
    if (out.length === k) break;
  }
  return out;
}
