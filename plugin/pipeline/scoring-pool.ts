/**
 * The worker pool that scores candidates with zero-cost proxies on a fixed batch of the task's
 * training data, and the search evaluator over it. Shared by `hgnas run` and the benchmarks that
 * run a search without training.
 */
import { WorkerPool } from '../../runners/pool.js';
import type { JobResult } from '../../runners/protocol.js';
import type { Recipe } from '../recipe/types.js';
import type { Evaluator } from '../search/driver.js';
import type { Evaluation } from '../search/types.js';
import { archToJson } from '../space/arch-json.js';
import { firstExamples } from '../tasks/batches.js';
import { taskOutput } from '../tasks/output.js';
import type { Task } from '../tasks/types.js';

/** Proxies computed together with each fitness (they share the same passes). */
const COMPANIONS: Readonly<Record<string, readonly string[]>> = {
  tcet: ['tcet', 'nwot', 'snip-snr'],
  nwot: ['nwot', 'tcet', 'snip-snr'],
  'snip-snr': ['snip-snr', 'tcet', 'nwot'],
};

export function proxiesScoredWith(fitness: string): readonly string[] {
  return COMPANIONS[fitness] ?? [fitness];
}

/** Workers holding the recipe's backend and the first `search.zcBatchSize` training examples. */
export function createScoringPool(recipe: Recipe, task: Task): WorkerPool {
  const zc = firstExamples(task.splits.train, task.inputShape, recipe.search.zcBatchSize);
  const output = taskOutput(task);
  return new WorkerPool({
    workers: recipe.runtime.workers,
    timeoutSeconds: recipe.runtime.jobTimeoutSeconds,
    retries: recipe.runtime.retries,
    setup: {
      backend: recipe.runtime.backend,
      zcBatch: {
        x: zc.x,
        y: zc.y,
        shape: [zc.count, task.inputShape.height, task.inputShape.width, task.inputShape.channels],
        numClasses: task.numClasses,
        // Non-classification tasks: the proxies differentiate the task's own loss.
        ...(zc.targets !== undefined
          ? { task: { loss: output.loss, targets: zc.targets, ...(output.decode ? { decode: output.decode } : {}) } }
          : {}),
      },
    },
  });
}

/** Scores each candidate in the pool; a non-finite fitness is a failed evaluation. */
export function poolEvaluator(pool: WorkerPool, proxies: readonly string[], fitness: string, seed: number): Evaluator {
  return (candidates) =>
    Promise.all(
      candidates.map(async (candidate): Promise<Evaluation> => {
        const result: JobResult = await pool.run({
          kind: 'score',
          arch: archToJson(candidate.arch),
          proxies,
          // A fresh, reproducible initialisation per candidate.
          seed: (seed * 1_000_003 + candidate.id) >>> 0,
        });
        if (!result.ok) return { candidate, ok: false, fitness: null, proxies: {}, reason: result.reason, seconds: result.seconds };
        const value = result.values[fitness];
        if (value === undefined || !Number.isFinite(value)) {
          return { candidate, ok: false, fitness: null, proxies: result.values, reason: `${fitness}: not finite`, seconds: result.seconds };
        }
        return { candidate, ok: true, fitness: value, proxies: result.values, seconds: result.seconds };
      }),
    );
}
