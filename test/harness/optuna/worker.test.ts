/** The worker loop with a fake evaluator: the contract for trials it did not enqueue, FAIL reasons, --max-trials. */
import { describe, expect, it } from 'vitest';
import { JournalStorage, JournalStudy } from '../../../plugin/harness/optuna/journal.js';
import { enqueueArchitectures } from '../../../plugin/harness/optuna/queue.js';
import { TrialState } from '../../../plugin/harness/optuna/types.js';
import { runOptunaWorker } from '../../../plugin/harness/optuna/worker.js';
import { tempJournal, tinyCandidate } from './helpers/support.js';

describe('runOptunaWorker', () => {
  it('completes hgnas trials, fails foreign and failing ones, and stops at --max-trials', async () => {
    const file = tempJournal();
    enqueueArchitectures(file, 'w', [tinyCandidate(0, 8), tinyCandidate(1, 16)], { task: 'mnist', fitness: 'tcet' });
    const study = JournalStudy.open(new JournalStorage(file), 'w');
    study.enqueue([{ fixedParams: { lr: 0.1 } }]); // an Optuna-style trial without a genotype
    enqueueArchitectures(file, 'w', [tinyCandidate(2, 24)]);
    const seen: unknown[] = [];
    const summary = await runOptunaWorker({
      journalFile: file,
      maxTrials: 3,
      createEvaluator: async (task, proxies) => {
        expect([task, proxies]).toEqual(['mnist', ['tcet']]);
        return {
          score: (doc, seed) => {
            seen.push(seed);
            const ch = (doc as { stages: { channels: number }[] }).stages[0]!.channels;
            return ch === 16 ? { ok: false, reason: 'tcet: NaN', seconds: 0 } : { ok: true, values: { tcet: ch / 2 }, params: 1, flops: 2, seconds: 0 };
          },
          dispose: () => undefined,
        };
      },
    });
    expect(summary.trials.map((t) => [t.number, t.state, t.value ?? t.reason])).toEqual([
      [0, 'COMPLETE', 4],
      [1, 'FAIL', 'tcet: NaN'],
      [2, 'FAIL', 'no hgnas:arch user attribute: not enqueued by hgnas'],
    ]);
    // Seeds follow the run's rule seed·1000003 + candidate id, with seed 0.
    expect(seen).toEqual([0, 1]);
    const trials = study.trials();
    expect(trials.map((t) => t.state)).toEqual([TrialState.COMPLETE, TrialState.FAIL, TrialState.FAIL, TrialState.WAITING]);
    expect(trials[1]!.userAttrs['hgnas:fail_reason']).toBe('tcet: NaN');
  });
});
