/**
 * CIFAR-10/100 adapter on tiny files in the official formats: binary batches written here, python
 * pickles (NumPy uint8 `data`) and tarballs written by Debian's python3. Pixel values follow a
 * formula on the official planar layout, so every loaded NHWC value is checked by hand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../plugin/errors.js';
import { loadCifarTask } from '../../plugin/tasks/cifar.js';
import { DataFormatError } from '../../plugin/tasks/formats/errors.js';
import { loadTask, taskFacts } from '../../plugin/tasks/registry.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist', 'plugin', 'cli', 'main.js');

const MEAN = [0.4914, 0.4822, 0.4465];
const STD = [0.2023, 0.1994, 0.201];

/** Byte of image `k` (global index), channel c, pixel p = row·32 + col, in the file's planar layout. */
const pixel = (k: number, c: number, p: number): number => (k * 7 + c * 50 + p) % 256;
const label10 = (k: number): number => (k * 3) % 10;
const label100 = (k: number): number => (k * 37) % 100;

/** Official binary records of images first..first+count−1. */
function binaryBatch(first: number, count: number, kind: 'cifar10' | 'cifar100'): Uint8Array {
  const lead = kind === 'cifar10' ? 1 : 2;
  const out = new Uint8Array(count * (lead + 3072));
  for (let i = 0; i < count; i++) {
    const k = first + i;
    const base = i * (lead + 3072);
    if (kind === 'cifar10') out[base] = label10(k);
    else {
      out[base] = k % 20;
      out[base + 1] = label100(k);
    }
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[base + lead + c * 1024 + p] = pixel(k, c, p);
  }
  return out;
}

/** The same formula in Python, writing pickles (optionally tarred and gzipped) like the official ones. */
const PYTHON = `
import sys, os, pickle, tarfile, numpy as np
kind, out, folder, tarball = sys.argv[1:5]
def batch(first, count):
    k = np.arange(first, first + count)[:, None, None]
    c = np.arange(3)[None, :, None]
    p = np.arange(1024)[None, None, :]
    data = ((k * 7 + c * 50 + p) % 256).astype(np.uint8).reshape(count, 3072)
    ks = list(range(first, first + count))
    if kind == 'cifar10':
        return {'batch_label': 'x', 'labels': [(x * 3) % 10 for x in ks], 'data': data, 'filenames': ['f'] * count}
    return {'filenames': ['f'] * count, 'batch_label': 'x', 'fine_labels': [(x * 37) % 100 for x in ks], 'coarse_labels': [x % 20 for x in ks], 'data': data}
files = {}
if kind == 'cifar10':
    for i in range(5):
        files['data_batch_%d' % (i + 1)] = batch(i * 4, 4)
    files['test_batch'] = batch(20, 3)
else:
    files['train'] = batch(0, 10)
    files['test'] = batch(10, 3)
os.makedirs(os.path.join(out, folder), exist_ok=True)
for name, value in files.items():
    with open(os.path.join(out, folder, name), 'wb') as f:
        pickle.dump(value, f, protocol=2)
if tarball != '-':
    with tarfile.open(os.path.join(out, tarball), 'w:gz') as t:
        t.add(os.path.join(out, folder), arcname=folder)
    for name in files:
        os.remove(os.path.join(out, folder, name))
    os.rmdir(os.path.join(out, folder))
`;

function python(kind: string, out: string, folder: string, tarball: string): void {
  execFileSync('/usr/bin/python3', ['-c', PYTHON, kind, out, folder, tarball]);
}

let dirs: { bin10: string; pyTar10: string; py100: string; bin100: string; empty: string };

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'hgnas-cifar-'));
  dirs = { bin10: join(base, 'bin10'), pyTar10: join(base, 'pytar10'), py100: join(base, 'py100'), bin100: join(base, 'bin100'), empty: join(base, 'empty') };
  // CIFAR-10 binary, extracted: 5 training batches of 4 images (global indices 0..19), 3 test images (20..22).
  mkdirSync(join(dirs.bin10, 'cifar-10-batches-bin'), { recursive: true });
  for (let b = 0; b < 5; b++) writeFileSync(join(dirs.bin10, 'cifar-10-batches-bin', `data_batch_${b + 1}.bin`), binaryBatch(b * 4, 4, 'cifar10'));
  writeFileSync(join(dirs.bin10, 'cifar-10-batches-bin', 'test_batch.bin'), binaryBatch(20, 3, 'cifar10'));
  // CIFAR-100 binary, extracted: 10 training images, 3 test images.
  mkdirSync(join(dirs.bin100, 'cifar-100-binary'), { recursive: true });
  writeFileSync(join(dirs.bin100, 'cifar-100-binary', 'train.bin'), binaryBatch(0, 10, 'cifar100'));
  writeFileSync(join(dirs.bin100, 'cifar-100-binary', 'test.bin'), binaryBatch(10, 3, 'cifar100'));
  python('cifar10', dirs.pyTar10, 'cifar-10-batches-py', 'cifar-10-python.tar.gz');
  python('cifar100', dirs.py100, 'cifar-100-python', '-');
  mkdirSync(dirs.empty);
});

/** Normalised value the loader must produce for image k at (row, col, channel). */
const expected = (k: number, row: number, col: number, c: number): number => (pixel(k, c, row * 32 + col) / 255 - MEAN[c]!) / STD[c]!;

function checkImages(x: Float32Array, globalIndices: number[]): void {
  globalIndices.forEach((k, i) => {
    for (const [row, col] of [[0, 0], [0, 31], [5, 17], [31, 0], [31, 31]] as const) {
      for (let c = 0; c < 3; c++) expect(x[i * 3072 + (row * 32 + col) * 3 + c]).toBeCloseTo(expected(k, row, col, c), 5);
    }
  });
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('CIFAR-10 adapter', () => {
  it('reads the binary batches: NHWC, normalised, the last tenth of the training images as val', () => {
    const task = loadCifarTask('cifar10', dirs.bin10);
    expect(task.inputShape).toEqual({ height: 32, width: 32, channels: 3 });
    expect([task.numClasses, task.defaultStemStride, task.metric.name]).toEqual([10, 1, 'accuracy']);
    // 20 training images: 18 train + 2 val (10 %, as 5 000 of 50 000); 3 test.
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([18, 2, 3]);
    expect(task.splits.description).toMatchObject({ total: 23, train: 18, val: 2, test: 3 });
    expect(task.splits.description.method).toContain('last 2 training images');
    expect(Array.from(task.splits.val.indices)).toEqual([18, 19]);
    expect(Array.from(task.splits.test.indices)).toEqual([20, 21, 22]);
    expect(Array.from(task.splits.train.y)).toEqual(range(0, 18).map(label10));
    expect(Array.from(task.splits.val.y)).toEqual([18, 19].map(label10));
    expect(Array.from(task.splits.test.y)).toEqual([20, 21, 22].map(label10));
    checkImages(task.splits.train.x, range(0, 18));
    checkImages(task.splits.val.x, [18, 19]);
    checkImages(task.splits.test.x, [20, 21, 22]);
    // One value worked by hand: image 1, pixel (0, 0), green: byte 7 + 50 = 57.
    expect(task.splits.train.x[3072 + 1]).toBeCloseTo((57 / 255 - 0.4822) / 0.1994, 5);
  });

  it('reads the python pickles from the shipped .tar.gz with the same values', () => {
    const task = loadTask({ id: 'cifar10', data: dirs.pyTar10, split: { train: 0.7, val: 0.1, test: 0.2 } });
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([18, 2, 3]);
    expect(task.splits.description.source).toContain('python');
    expect(Array.from(task.splits.test.y)).toEqual([20, 21, 22].map(label10));
    checkImages(task.splits.train.x, range(0, 18));
    checkImages(task.splits.test.x, [20, 21, 22]);
  });
});

describe('CIFAR-100 adapter', () => {
  it('reads the python pickles (fine labels) and holds out the last fifth as val', () => {
    const task = loadCifarTask('cifar100', dirs.py100);
    expect(task.numClasses).toBe(100);
    // 10 training images: 8 train + 2 val (20 %, as 10 000 of 50 000 in NAS-Bench-360); 3 test.
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([8, 2, 3]);
    expect(Array.from(task.splits.train.y)).toEqual(range(0, 8).map(label100));
    expect(Array.from(task.splits.val.y)).toEqual([8, 9].map(label100));
    checkImages(task.splits.val.x, [8, 9]);
    checkImages(task.splits.test.x, [10, 11, 12]);
  });

  it('reads the binary version (fine label, second byte of each record)', () => {
    const task = loadCifarTask('cifar100', dirs.bin100);
    expect(Array.from(task.splits.test.y)).toEqual([10, 11, 12].map(label100));
    checkImages(task.splits.train.x, range(0, 8));
  });

  it('registers both tasks with their facts', () => {
    expect(taskFacts('cifar10')).toEqual({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10, defaultStemStride: 1, needsData: true });
    expect(taskFacts('cifar100')).toEqual({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 100, defaultStemStride: 1, needsData: true });
  });
});

describe('CIFAR data errors', () => {
  it('asks for --data when the recipe gives none', () => {
    expect(() => loadCifarTask('cifar10', null)).toThrow(InputError);
    expect(() => loadCifarTask('cifar10', null)).toThrow(/task\.data/);
    try {
      loadCifarTask('cifar10', null);
    } catch (error) {
      expect((error as InputError).hint).toMatch(/--data <dir>/);
    }
  });

  it('names the directory and the expected files when they are missing', () => {
    try {
      loadCifarTask('cifar100', dirs.empty);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toContain(dirs.empty);
      expect((error as InputError).hint).toContain('cifar-100-python.tar.gz');
      expect((error as InputError).hint).toContain('train.bin');
    }
  });

  it('reports a truncated binary batch as a DataFormatError naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-cifar-bad-'));
    mkdirSync(join(dir, 'cifar-10-batches-bin'));
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, 'cifar-10-batches-bin', `data_batch_${b}.bin`), binaryBatch(0, 2, 'cifar10'));
    writeFileSync(join(dir, 'cifar-10-batches-bin', 'test_batch.bin'), binaryBatch(0, 2, 'cifar10').subarray(0, 4000));
    expect(() => loadCifarTask('cifar10', dir)).toThrow(DataFormatError);
    expect(() => loadCifarTask('cifar10', dir)).toThrow(/test_batch\.bin/);
  });
});

describe('hgnas run on CIFAR-10', () => {
  const hgnas = (args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const tiny = [
    '--set', 'search.budget.evaluations=2',
    '--set', 'search.batch=2',
    '--set', 'search.topK=1',
    '--set', 'search.zcBatchSize=8',
    '--set', 'evaluation.train.epochs=1',
    '--set', 'evaluation.train.batchSize=8',
    '--set', 'output.progress=none',
    '--set', 'output.saveModel=false',
    '--set', 'space.totalCells.max=2',
    '--set', 'space.channels={min: 16, max: 32}',
    '--set', 'space.headWidth={min: 32, max: 64}',
    '--set', 'constraints={params: 1M, flops: 20M, minParams: null}',
  ];

  it('searches and trains on the files given by --data and reports accuracy', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-cifar-run-')), 'run');
    const r = hgnas(['run', 'recipes/cifar10.yaml', '--data', dirs.bin10, ...tiny, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { metric: { name: string; value: number }; split: { test: number } };
    expect(result.metric.name).toBe('accuracy');
    expect(result.metric.value).toBeGreaterThanOrEqual(0);
    expect(result.metric.value).toBeLessThanOrEqual(1);
  });

  it('validate --data sets task.data, resolved against the working directory', () => {
    const r = spawnSync(process.execPath, [cli, 'validate', 'recipes/cifar100.yaml', '--data', 'recipes', '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { recipe: { task: { data: string } } }).recipe.task.data).toBe(join(root, 'recipes'));
  });

  it('exits 2 with a --data hint when no data directory is given', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-cifar-run-')), 'run');
    const r = hgnas(['run', 'recipes/cifar10.yaml', ...tiny, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--data <dir>');
  });
});
