/**
 * Every task adapter end to end through the compiled `hgnas run`: the fixture files of
 * test/tasks/nb360-fixtures.ts (official names, containers and layout) → recipes/nb360/<task>.yaml
 * (and recipes/cifar10.yaml, cifar100.yaml) with a tiny budget → result.json with the task's
 * official metric, direction, NAS-Bench-360 table value and variant.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCifarFixture, writeNb360Fixture } from './nb360-fixtures.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist', 'plugin', 'cli', 'main.js');

/** Two candidates of a narrow space, one epoch on a handful of examples. */
const tiny = [
  '--set', 'search.budget.evaluations=2',
  '--set', 'search.batch=2',
  '--set', 'search.topK=1',
  '--set', 'evaluation.rerank.topK=1',
  '--set', 'evaluation.train.epochs=1',
  '--set', 'evaluation.train.batchSize=16',
  '--set', 'search.zcBatchSize=8',
  '--set', 'space.channels={min: 8, max: 16}',
  '--set', 'space.headWidth={min: 8, max: 16}',
  '--set', 'space.totalCells={max: 2}',
  '--set', 'constraints.params=200k',
  '--set', 'constraints.minParams=null',
  '--set', 'runtime.workers=1',
  '--set', 'output.progress=plain',
  '--set', 'output.saveModel=false',
];

interface Case {
  /** recipes/nb360/<recipe>.yaml, or a path under recipes/ when it contains a slash. */
  readonly recipe: string;
  /** writeNb360Fixture task, or cifar10 / cifar100 for writeCifarFixture. */
  readonly fixture: string;
  readonly metric: string;
  readonly direction: 'max' | 'min';
  /** The NAS-Bench-360 table value as a function of the raw value (nas-bench-360.md §4). */
  readonly table: (v: number) => number;
  readonly split: Partial<Record<'train' | 'val' | 'test', number>>;
  readonly trainedOn: 'train' | 'train+val';
  readonly extra?: readonly string[];
}

const CASES: readonly Case[] = [
  // The two CIFAR tasks of hgnas's own recipes (method.md protocol: train, monitored on val).
  { recipe: 'recipes/cifar10.yaml', fixture: 'cifar10', metric: 'accuracy', direction: 'max', table: (v) => 100 * (1 - v), split: { train: 9, val: 1, test: 4 }, trainedOn: 'train' },
  { recipe: 'recipes/cifar100.yaml', fixture: 'cifar100', metric: 'accuracy', direction: 'max', table: (v) => 100 * (1 - v), split: { train: 8, val: 2, test: 4 }, trainedOn: 'train' },
  { recipe: 'cifar100', fixture: 'cifar100-permuted', metric: 'accuracy', direction: 'max', table: (v) => 100 * (1 - v), split: { train: 8, val: 2, test: 4 }, trainedOn: 'train+val' },
  { recipe: 'spherical', fixture: 'spherical', metric: 'accuracy', direction: 'max', table: (v) => 100 * (1 - v), split: { train: 8, val: 2, test: 4 }, trainedOn: 'train+val' },
  { recipe: 'ninapro', fixture: 'ninapro', metric: 'accuracy', direction: 'max', table: (v) => 100 * (1 - v), split: { train: 6, val: 3, test: 3 }, trainedOn: 'train+val' },
  {
    recipe: 'darcyflow', fixture: 'darcyflow', metric: 'relative-l2', direction: 'min', table: (v) => v, split: { train: 4, val: 1, test: 2 }, trainedOn: 'train+val',
    extra: ['--set', 'task.options={trainCount: 4, valCount: 1, testCount: 2}'],
  },
  // The fixture has 2 GAL training images (train 1, val 1): TCET needs a batch of 2, so the
  // search scores with synflow here (the dense task loss in proxies is exercised by darcyflow).
  {
    recipe: 'cosmic', fixture: 'cosmic', metric: '1-auroc', direction: 'min', table: (v) => v, split: { train: 1, val: 1, test: 1 }, trainedOn: 'train+val',
    extra: ['--set', 'search.fitness=synflow'],
  },
  { recipe: 'fsd50k', fixture: 'fsd50k', metric: 'mAP', direction: 'max', table: (v) => 1 - v, split: { train: 5, val: 1, test: 3 }, trainedOn: 'train' },
  {
    recipe: 'psicov', fixture: 'psicov', metric: 'mae8', direction: 'min', table: (v) => v, split: { train: 2, val: 1, test: 8 }, trainedOn: 'train+val',
    extra: ['--set', 'task.options={dim: 32, testDim: 64, valCount: 1}'],
  },
  { recipe: 'satellite', fixture: 'satellite', metric: 'accuracy', direction: 'max', table: (v) => 100 * (1 - v), split: { train: 24, val: 6, test: 6 }, trainedOn: 'train+val' },
  // ~ records give a window every 25 samples: hundreds of 1×1000 windows, so a smaller network.
  {
    recipe: 'ecg', fixture: 'ecg', metric: 'macro-f1', direction: 'max', table: (v) => 1 - v, split: { val: 9, test: 82 }, trainedOn: 'train+val',
    extra: ['--set', 'constraints.flops=4M'],
  },
  { recipe: 'deepsea', fixture: 'deepsea', metric: 'macro-auroc', direction: 'max', table: (v) => 1 - v, split: { train: 5, val: 2, test: 6 }, trainedOn: 'train' },
];

let data: string;
beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'hgnas-nb360-run-'));
  for (const c of CASES) {
    if (c.fixture === 'cifar10' || c.fixture === 'cifar100') await writeCifarFixture(c.fixture, join(data, c.fixture));
    else await writeNb360Fixture(c.fixture, data);
  }
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('hgnas run on NAS-Bench-360 fixtures', () => {
  for (const c of CASES) {
    it(`${c.recipe}: completes and reports ${c.metric}`, () => {
      const out = join(mkdtempSync(join(tmpdir(), `hgnas-${c.fixture}-`)), 'run');
      const recipe = c.recipe.includes('/') ? c.recipe : `recipes/nb360/${c.recipe}.yaml`;
      const dataDir = c.fixture === 'cifar10' || c.fixture === 'cifar100' ? join(data, c.fixture) : data;
      const r = spawnSync(process.execPath, [cli, 'run', recipe, '--data', dataDir, ...tiny, ...(c.extra ?? []), '--out', out], {
        cwd: root,
        encoding: 'utf8',
        timeout: 240_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(out, 'result.json'))).toBe(true);
      const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
      expect(result.metric.name).toBe(c.metric);
      expect(result.metric.direction).toBe(c.direction);
      expect(result.metric.split).toBe('test');
      expect(result.metric.trainedOn).toBe(c.trainedOn);
      expect(typeof result.metric.variant).toBe('string');
      expect(Number.isFinite(result.metric.value)).toBe(true);
      expect(result.metric.lowerIsBetter).toBeCloseTo(c.table(result.metric.value), 10);
      expect(result.split).toMatchObject(c.split);
      expect(result.search.evaluations).toBe(2);
      rmSync(join(out, '..'), { recursive: true, force: true });
    }, 300_000);
  }
});
