/**
 * `hgnas compare` through the library on a tiny MNIST recipe (500 training digits, 4 proxy
 * evaluations, one epoch): two methods × two seeds, the three leaderboard files checked against
 * the per-run result.json values, then resuming (finished runs reused, an interrupted one
 * continued without re-scoring a candidate) and a changed recipe refused.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plugin/errors.js';
import { runCompare, type CompareOptions } from '../../plugin/pipeline/compare.js';
import { createProgress } from '../../plugin/report/progress.js';

const tiny = [
  'task.split={train: 0.05, val: 0.05, test: 0.9}',
  'search.budget.evaluations=4',
  'search.batch=4',
  'search.population=4',
  'search.tournament=2',
  'search.topK=1',
  'evaluation.train.epochs=1',
  'output.saveModel=false',
];

interface ResultFile {
  metric: { value: number; direction: string };
  params: number;
  flops: number;
  search: { bestFitness: number; fitness: string; evaluations: number };
  costs: { pretraining: unknown; search: { seconds: number; evaluations: number; backend: string }; training: { seconds: number } };
}

const readResult = (dir: string): ResultFile => JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultFile;
const lines = (file: string): string[] => readFileSync(file, 'utf8').trim().split('\n');

describe('runCompare', () => {
  it('ranks methods over seeds, resumes without recomputation and refuses a changed recipe', { timeout: 600_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-compare-')), 'cmp');
    const messages: string[] = [];
    const progress = { ...createProgress('none'), log: (m: string) => messages.push(m) };
    const options: CompareOptions = { recipePath: 'recipes/mnist.yaml', methods: ['random', 'zen-nas'], seeds: 2, out, overrides: tiny, progress };
    const first = await runCompare(options);
    expect(first.runs.map((r) => `${r.method}/${r.seed}/${r.status}`)).toEqual(['random/0/ran', 'zen-nas/0/ran', 'random/1/ran', 'zen-nas/1/ran']);
    expect(messages.filter((m) => /^\[\d\/4\] .* done:/.test(m))).toHaveLength(4);
    for (const f of ['compare.json', 'leaderboard.md', 'leaderboard.csv', 'leaderboard.json']) expect(existsSync(join(out, f)), f).toBe(true);

    // Mean and sample std of two values by hand: (a + b)/2 and |a − b|/√2.
    const board = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8')) as {
      metric: { name: string; direction: string };
      methods: { method: string; rank: number; metric: { mean: number; std: number }; params: { mean: number; std: number }; flops: { mean: number }; fitness: string; bestProxy: { mean: number; std: number }; evaluations: { mean: number }; searchSeconds: { mean: number }; trainSeconds: { mean: number }; backends: string[] }[];
    };
    expect(board.metric).toEqual({ name: 'accuracy', direction: 'max' });
    const csv = lines(join(out, 'leaderboard.csv')).map((l) => l.split(','));
    const header = csv[0]!;
    const col = (row: string[], name: string) => Number(row[header.indexOf(name)]);
    for (const method of ['random', 'zen-nas']) {
      const [a, b] = [0, 1].map((seed) => readResult(join(out, `${method}-seed${seed}`)));
      const entry = board.methods.find((m) => m.method === method)!;
      expect(entry.metric.mean).toBeCloseTo((a!.metric.value + b!.metric.value) / 2, 12);
      expect(entry.metric.std).toBeCloseTo(Math.abs(a!.metric.value - b!.metric.value) / Math.SQRT2, 12);
      expect(entry.params.mean).toBeCloseTo((a!.params + b!.params) / 2, 9);
      expect(entry.params.std).toBeCloseTo(Math.abs(a!.params - b!.params) / Math.SQRT2, 9);
      expect(entry.flops.mean).toBeCloseTo((a!.flops + b!.flops) / 2, 6);
      expect(entry.bestProxy.mean).toBeCloseTo((a!.search.bestFitness + b!.search.bestFitness) / 2, 9);
      expect(entry.fitness).toBe(method === 'zen-nas' ? 'zen' : 'tcet');
      expect(entry.evaluations.mean).toBe(4);
      expect(entry.searchSeconds.mean).toBeCloseTo((a!.costs.search.seconds + b!.costs.search.seconds) / 2, 9);
      expect(entry.trainSeconds.mean).toBeCloseTo((a!.costs.training.seconds + b!.costs.training.seconds) / 2, 9);
      expect(entry.backends).toEqual([a!.costs.search.backend]);
      // Search cost accounting in result.json: reported separately, no generators here.
      for (const r of [a!, b!]) {
        expect(r.costs.pretraining).toBeNull();
        expect(r.costs.search.evaluations).toBe(4);
        expect(r.costs.training.seconds).toBeGreaterThan(0);
      }
      const row = csv.find((r) => r[1] === method)!;
      expect(col(row, 'metric_mean')).toBeCloseTo(entry.metric.mean, 12);
      expect(col(row, 'metric_std')).toBeCloseTo(entry.metric.std, 12);
      expect(col(row, 'rank')).toBe(entry.rank);
    }
    const [r, z] = ['random', 'zen-nas'].map((m) => board.methods.find((x) => x.method === m)!.metric.mean);
    const expectedFirst = r! > z! ? 'random' : z! > r! ? 'zen-nas' : null;
    if (expectedFirst) expect(board.methods[0]!.method).toBe(expectedFirst);
    expect(readFileSync(join(out, 'leaderboard.md'), 'utf8')).toMatch(/\| 1 \| (random|zen-nas) \| 2 \| \d\.\d{4} ± \d\.\d{4} \|/);

    // Resume: nothing to do when everything finished.
    const stamp = (m: string, s: number) => statSync(join(out, `${m}-seed${s}`, 'result.json')).mtimeMs;
    const before = stamp('random', 1);
    const again = await runCompare(options);
    expect(again.runs.every((x) => x.status === 'reused')).toBe(true);
    expect(stamp('random', 1)).toBe(before);

    // An interrupted run (search done, training not): continued, its candidates not re-scored.
    const cut = join(out, 'zen-nas-seed1');
    const candidates = readFileSync(join(cut, 'candidates.jsonl'), 'utf8');
    rmSync(join(cut, 'result.json'));
    // One stopped before its first search round (only its resolved recipe written): run again.
    const early = join(out, 'random-seed0');
    const winner = JSON.parse(readFileSync(join(early, 'best.arch.json'), 'utf8')).meta.fingerprint as string;
    for (const f of readdirSync(early)) if (f !== 'recipe.resolved.yaml') rmSync(join(early, f), { recursive: true });
    const resumed = await runCompare(options);
    expect(resumed.runs.map((x) => x.status)).toEqual(['restarted', 'reused', 'reused', 'resumed']);
    expect(JSON.parse(readFileSync(join(early, 'best.arch.json'), 'utf8')).meta.fingerprint).toBe(winner); // same seed, same search
    expect(readFileSync(join(cut, 'candidates.jsonl'), 'utf8')).toBe(candidates);
    expect(stamp('random', 1)).toBe(before);
    expect(readResult(cut).search.evaluations).toBe(4);

    // A different recipe is refused before any work.
    const changed = await runCompare({ ...options, overrides: [...tiny, 'constraints.params=90k'] }).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(InputError);
    expect((changed as InputError).message).toMatch(/different recipe: constraints\.params/);
  });

  it('rejects unknown methods and a seed count below 1, naming the fix', async () => {
    const progress = createProgress('none');
    const bad = (methods: string[], seeds: number): Promise<InputError> =>
      runCompare({ recipePath: 'recipes/mnist.yaml', methods, seeds, overrides: tiny, progress }).then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e as InputError,
      );
    const unknown = await bad(['random', 'nope'], 1);
    expect(unknown).toBeInstanceOf(InputError);
    expect(unknown.message).toMatch(/'nope' is not available/);
    expect(unknown.hint).toMatch(/random, zen-nas, zico, tcet-ea/);
    const hgnas = await bad(['hgnas'], 1);
    expect(hgnas.message).toMatch(/'hgnas' is not available/);
    const seeds = await bad(['random'], 0);
    expect(seeds.message).toMatch(/--seeds: must be an integer ≥ 1/);
  });

  it('loads the generators before any run, so a bad checkpoint stops the comparison before the baselines train', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-compare-')), 'never-written');
    let asked = 0;
    const failing = async () => {
      asked++;
      throw new InputError('/ckpt/vae.weights.bin: expected 167452 float32 values', 'rebuild the checkpoint with `hgnas pretrain`');
    };
    const error = await runCompare({ recipePath: 'recipes/mnist.yaml', methods: ['random', 'hgnas'], seeds: 1, overrides: tiny, out, progress: createProgress('none'), generators: failing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/vae\.weights\.bin/);
    expect(asked).toBe(1);
    expect(existsSync(out)).toBe(false); // nothing written, random never ran
  });
});
