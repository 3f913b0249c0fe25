/**
 * The search loop: ask → evaluate → tell, until the evaluation budget or the wall-clock cap is
 * spent. Evaluation is injected (the worker pool in a normal run), so the loop itself never
 * touches tensors and every method shares the same budget accounting.
 */
import type { Candidate, Evaluation, SearchMethod } from './types.js';

export type Evaluator = (candidates: readonly Candidate[]) => Promise<Evaluation[]>;

export interface SearchBudget {
  /** Proxy evaluations (over-budget draws rejected before any tensor work do not count). */
  readonly evaluations: number;
  /** Optional wall-clock cap in seconds. */
  readonly seconds: number | null;
  /** Candidates asked per round (the pool evaluates a round concurrently). */
  readonly batch: number;
}

export interface SearchProgress {
  readonly evaluated: number;
  readonly total: number;
  readonly failed: number;
  readonly bestFitness: number | null;
  readonly elapsedSeconds: number;
}

export interface SearchHooks {
  onRound?(results: readonly Evaluation[], progress: SearchProgress): void;
}

export interface SearchOutcome {
  readonly evaluated: number;
  readonly failed: number;
  readonly wallSeconds: number;
  /** Sum of per-candidate worker seconds (the proxy cost, excluding pool overheads). */
  readonly proxySeconds: number;
  readonly stoppedBy: 'evaluations' | 'seconds' | 'space-exhausted';
  readonly failureReasons: Readonly<Record<string, number>>;
}

export async function runSearch(
  method: SearchMethod,
  evaluate: Evaluator,
  budget: SearchBudget,
  hooks: SearchHooks = {},
  already: { evaluated: number; failed: number; proxySeconds: number } = { evaluated: 0, failed: 0, proxySeconds: 0 },
): Promise<SearchOutcome> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let { evaluated, failed, proxySeconds } = already;
  let bestFitness: number | null = method.best(1)[0]?.fitness ?? null;
  const failureReasons: Record<string, number> = {};
  let stoppedBy: SearchOutcome['stoppedBy'] = 'evaluations';

  while (evaluated < budget.evaluations) {
    if (budget.seconds !== null && elapsed() >= budget.seconds) {
      stoppedBy = 'seconds';
      break;
    }
    const candidates = method.ask(Math.min(budget.batch, budget.evaluations - evaluated));
    if (candidates.length === 0) {
      stoppedBy = 'space-exhausted';
      break;
    }
    const results = await evaluate(candidates);
    method.tell(results);
    for (const r of results) {
      evaluated++;
      proxySeconds += r.seconds;
      if (!r.ok) {
        failed++;
        const key = (r.reason ?? 'unknown').split(':')[0]!.slice(0, 60);
        failureReasons[key] = (failureReasons[key] ?? 0) + 1;
      } else if (r.fitness !== null && (bestFitness === null || r.fitness > bestFitness)) {
        bestFitness = r.fitness;
      }
    }
    hooks.onRound?.(results, { evaluated, total: budget.evaluations, failed, bestFitness, elapsedSeconds: elapsed() });
  }
  return { evaluated, failed, wallSeconds: elapsed(), proxySeconds, stoppedBy, failureReasons };
}
