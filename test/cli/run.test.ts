/**
 * `hgnas run` end to end through the compiled command, on a tiny budget: every artefact of the
 * run directory, the --json output, the Optuna study it mirrors, and an over-tight budget.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JournalStorage, JournalStudy } from '../../plugin/harness/optuna/journal.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist', 'plugin', 'cli', 'main.js');

// 500 training digits, 4 candidates, one epoch: the whole pipeline in seconds.
const tiny = [
  '--set', 'task.split={train: 0.05, val: 0.05, test: 0.9}',
  '--set', 'search.budget.evaluations=4',
  '--set', 'search.batch=4',
  '--set', 'search.topK=2',
  '--set', 'evaluation.train.epochs=1',
  '--set', 'output.progress=plain',
];

function hgnas(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hgnas run', () => {
  it('searches, trains and writes a complete run directory, mirrored as an Optuna study', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-run-')), 'run');
    const journal = join(out, '..', 'study.log');
    const r = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--out', out, '--json', '--optuna', journal]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { runDir: string; metric: { name: string; value: number } };
    expect(printed.runDir).toBe(out);
    for (const file of ['recipe.resolved.yaml', 'candidates.jsonl', 'search-state.json', 'best.arch.json', 'result.json', 'train-history.json', 'report.html', 'model/model.json', 'model/weights.bin']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.metric.name).toBe('accuracy');
    expect(result.metric.direction).toBe('max');
    expect(result.metric.value).toBe(printed.metric.value);
    expect(result.metric.value).toBeGreaterThan(0.1); // better than chance after one epoch
    expect(result.params).toBeLessThanOrEqual(100_000);
    expect(result.params).toBeGreaterThanOrEqual(20_000);
    expect(result.flops).toBeLessThanOrEqual(5_000_000);
    expect(result.search.evaluations).toBe(4);
    expect(result.split).toMatchObject({ total: 10_000, train: 500, val: 500, test: 9_000 });
    expect(result.backend.name).toBe('wasm');
    expect(typeof result.versions.tfjs).toBe('string');
    const lines = readFileSync(join(out, 'candidates.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    const best = JSON.parse(readFileSync(join(out, 'best.arch.json'), 'utf8'));
    expect(best.format).toBe('hgnas/arch@1');
    expect(best.meta.params).toBe(result.params);

    const study = JournalStudy.open(new JournalStorage(journal), 'mnist');
    expect(study.trials()).toHaveLength(4);
  });

  it('refuses to overwrite a finished run directory (exit 2, files intact)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-run-')), 'run');
    expect(hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--out', out]).code).toBe(0);
    const before = readFileSync(join(out, 'result.json'), 'utf8');
    const again = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists and is not empty/);
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(before);
  });

  it('resumes a run: the search continues from candidates.jsonl and search-state.json', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-run-')), 'run');
    expect(hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--out', out]).code).toBe(0);
    const first = readFileSync(join(out, 'candidates.jsonl'), 'utf8').trim().split('\n');
    const r = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--set', 'search.budget.evaluations=8', '--resume', out]);
    expect(r.code, r.stderr).toBe(0);
    const all = readFileSync(join(out, 'candidates.jsonl'), 'utf8').trim().split('\n');
    expect(all).toHaveLength(8);
    expect(all.slice(0, 4)).toEqual(first);
    const ids = all.map((l) => (JSON.parse(l) as { id: number; fingerprint: string }).id);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(all.map((l) => (JSON.parse(l) as { fingerprint: string }).fingerprint)).size).toBe(8);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).search.evaluations).toBe(8);
  });

  it('refuses to resume with a different recipe or to re-run a finished run (exit 2, files intact)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-run-')), 'run');
    expect(hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--out', out]).code).toBe(0);
    const before = readFileSync(join(out, 'result.json'), 'utf8');
    const changed = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--set', 'constraints.params=30k', '--seed', '5', '--set', 'search.budget.evaluations=8', '--resume', out]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/different recipe: .*seed.*constraints\.params|different recipe: .*constraints\.params.*seed/);
    const finished = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--resume', out]);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toMatch(/finished run \(4 candidates evaluated\)/);
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(before);
    const notARun = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--resume', mkdtempSync(join(tmpdir(), 'hgnas-empty-'))]);
    expect(notARun.code).toBe(2);
    expect(notARun.stderr).toMatch(/not an hgnas run directory/);
  });

  it('runs the evolutionary baselines with their own fitness proxy', () => {
    for (const method of ['zen-nas', 'zico']) {
      const out = join(mkdtempSync(join(tmpdir(), 'hgnas-run-')), 'run');
      const r = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--set', `search.method=${method}`, '--set', 'search.population=2', '--set', 'search.tournament=2', '--out', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
      expect(result.search.method).toBe(method);
      expect(result.search.fitness).toBe(method === 'zen-nas' ? 'zen' : 'zico');
    }
  });

  it('stops with exit code 2 when no architecture of the space fits the budget', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-run-')), 'run');
    const r = hgnas(['run', 'recipes/mnist.yaml', ...tiny, '--set', 'constraints.minParams=99k', '--set', 'search.maxSamplingTries=20', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no architecture of this space met the budget in 20 draws/);
  });

  it('a corrupt checkpoint stops the run with exit 2 and leaves no half-made run directory behind', () => {
    const base = mkdtempSync(join(tmpdir(), 'hgnas-run-'));
    const checkpoint = join(base, 'ckpt');
    cpSync(join(root, 'recipes', 'pretrained'), checkpoint, { recursive: true });
    truncateSync(join(checkpoint, 'vae.weights.bin'), 1000);
    const out = join(base, 'run');
    const args = ['run', 'recipes/mnist.yaml', ...tiny, '--set', 'search.method=hgnas', '--set', `generators.checkpoint=${checkpoint}`, '--out', out];
    const first = hgnas(args);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/vae\.weights\.bin: expected 167452 float32 values \(669808 bytes\) for vae, found 1000 bytes/);
    expect(existsSync(out)).toBe(false);
    // The same command again gives the same diagnosis, not "already exists".
    expect(hgnas(args).stderr).toMatch(/vae\.weights\.bin: expected/);
  });
});
