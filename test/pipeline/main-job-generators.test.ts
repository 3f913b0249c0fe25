/**
 * A whole run of the hgnas method through runMainJob with deterministic generator doubles on tiny
 * MNIST: the provider is called, proposals and exploitation are recorded with their origins, the
 * refine hook runs, and result.json reports pretraining, search and training costs separately.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GeneratorProvider } from '../../plugin/pipeline/generator-provider.js';
import { runMainJob } from '../../plugin/pipeline/main-job.js';
import { loadRunRecipe } from '../../plugin/pipeline/recipe-checks.js';
import { macroBounds } from '../../plugin/pipeline/space-context.js';
import { createProgress } from '../../plugin/report/progress.js';
import { RunDir } from '../../plugin/report/run-dir.js';
import { FakeCellGenerator, FakeMacroGenerator } from '../search/generator-doubles.js';

describe('runMainJob with a generator provider', () => {
  it('runs hgnas end to end and reports each cost on its own', { timeout: 300_000 }, async () => {
    const sets = [
      'task.split={train: 0.05, val: 0.05, test: 0.9}',
      'search.method=hgnas',
      'search.budget.evaluations=8',
      'search.batch=4',
      'search.topK=1',
      'search.population=4',
      'search.tournament=2',
      'search.hgnas.sequences=2',
      'search.hgnas.perSequence=2',
      'search.hgnas.refine=true',
      'constraints.minParams=null',
      'evaluation.train.epochs=1',
      'output.saveModel=false',
    ];
    const loaded = await loadRunRecipe('recipes/mnist.yaml', sets, { generators: true });
    let refinements = 0;
    let provided = 0;
    const provider: GeneratorProvider = (recipe) => {
      provided++;
      return Promise.resolve({
        cells: new FakeCellGenerator(12),
        macro: new FakeMacroGenerator(12, macroBounds(recipe)),
        describe: { source: 'test-doubles', pretrainingSeconds: 42 },
        refine: () => {
          refinements++;
        },
      });
    };
    const runDir = RunDir.create(join(mkdtempSync(join(tmpdir(), 'hgnas-gen-')), 'run'));
    const result = await runMainJob({ loaded, runDir, progress: createProgress('none'), generators: provider });
    expect(provided).toBe(1);
    expect(result.search.method).toBe('hgnas');
    expect(result.search.fitness).toBe('tcet');
    const origins = readFileSync(runDir.file('candidates.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { origin: string }).origin);
    expect(origins).toHaveLength(8);
    expect(origins.slice(0, 4).every((o) => o.startsWith('proposal:'))).toBe(true); // proposalShare 0.5 of 8
    expect(origins.slice(4).every((o) => o.startsWith('exploit:'))).toBe(true);
    expect(refinements).toBeGreaterThanOrEqual(1);
    expect(result.costs.pretraining).toEqual({ seconds: 42, source: 'test-doubles', builtInThisRun: false });
    // A loaded checkpoint's cost is reported, not charged to this run.
    expect(result.costs.pretrainSeconds).toBe(0);
    expect(result.costs.search.evaluations).toBe(8);
    expect(result.costs.search.backend).toBe(result.backend.name);
    expect(result.costs.training.seconds).toBe(result.training.seconds);
    expect(result.generators).toEqual({ source: 'test-doubles', pretrainingSeconds: 42 });
    const state = JSON.parse(readFileSync(runDir.file('search-state.json'), 'utf8')) as { method: string; state: { format: string } };
    expect(state.method).toBe('hgnas');
    expect(state.state.format).toBe('hgnas/hgnas-state@1');
  });
});
