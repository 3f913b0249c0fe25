/**
 * The NAS-Bench-360 adapters on the fixture files of nb360-fixtures.ts (official names,
 * containers and layout): splits, layouts and preprocessing checked element by element against
 * the fixtures' closed-form patterns and the rules of nas-bench-360.md §3, values worked by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../plugin/errors.js';
import { taskOutput } from '../../plugin/tasks/output.js';
import { loadTask, taskFacts } from '../../plugin/tasks/registry.js';
import type { Task } from '../../plugin/tasks/types.js';
import { numpyPermutation } from '../../plugin/tasks/nb360/numpy-permutation.js';
import { COSMIC_SKY, NB360_FIXTURE_VARIANTS, cifarPixel, cosmicImage, cosmicMask as fixtureMask, darcySol, deepseaBase, ecgLength, satelliteValue, writeNb360Fixture } from './nb360-fixtures.js';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hgnas-nb360-adapters-'));
  for (const task of ['cifar100-permuted', 'spherical', 'ninapro', 'darcyflow', 'satellite', 'deepsea', 'ecg', 'cosmic', 'fsd50k', 'psicov']) await writeNb360Fixture(task, root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const load = (id: string, options = {}): Task => loadTask({ id, data: root, split: { train: 0.7, val: 0.1, test: 0.2 }, options });

/** One-hot outputs of the given classes: a perfect classifier. */
function oneHot(labels: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => (out[i * classes + l] = 1));
  return out;
}

describe('NinaPro', () => {
  it('reads the official three splits and lays each (52, 16) window out as 16 × 52 × 1', () => {
    const task = load('ninapro');
    expect(task.inputShape).toEqual({ height: 16, width: 52, channels: 1 });
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([6, 3, 3]);
    // Fixture value s·1000 + t·16 + ch at NHWC (s, h = ch, w = t).
    const { x } = task.splits.val;
    for (const [s, ch, t] of [[0, 0, 0], [2, 15, 51], [1, 7, 30]] as const) expect(x[(s * 16 + ch) * 52 + t]).toBe(s * 1000 + t * 16 + ch);
    // Labels (g·7) mod 18 with g the global index: val holds g = 6, 7, 8.
    expect([...task.splits.val.y]).toEqual([42 % 18, 49 % 18, 56 % 18]);
    const result = taskOutput(task).evaluate(oneHot(task.splits.test.y, 18), task.splits.test);
    expect(result).toMatchObject({ name: 'accuracy', value: 1, direction: 'max', tableValue: 0 });
  });
});

describe('Satellite', () => {
  it('val = the last |test| training rows, labels − 1, each series z-normalised (population std)', () => {
    const task = load('satellite');
    expect(task.inputShape).toEqual({ height: 1, width: 46, channels: 1 });
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([24, 6, 6]);
    expect([...task.splits.val.y]).toEqual([24, 25, 26, 27, 28, 29].map((r) => r % 24));
    // Row 25 of the training file is val row 1: z-normalise sin(0.3t + 25) + 2.5 by hand.
    const series = Array.from({ length: 46 }, (_, t) => satelliteValue(25, t));
    const mean = series.reduce((a, b) => a + b, 0) / 46;
    const std = Math.sqrt(series.reduce((a, b) => a + (b - mean) ** 2, 0) / 46);
    for (const t of [0, 17, 45]) expect(task.splits.val.x[46 + t]).toBeCloseTo((series[t]! - mean) / std, 5);
    expect(task.splits.description.method).toMatch(/last 6 rows/);
  });
});

describe('DeepSEA', () => {
  it('keeps the (1000, 4) one-hot rows as 1 × 1000 × 4 and reports macro AUROC with the undefined target listed', () => {
    const task = load('deepsea');
    expect(task.kind).toBe('multilabel');
    expect(task.inputShape).toEqual({ height: 1, width: 1000, channels: 4 });
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([5, 2, 6]);
    const { x } = task.splits.train;
    for (const [n, p] of [[1, 0], [1, 48], [3, 999]] as const) {
      const base = deepseaBase(n, p);
      const row = Array.from(x.subarray((n * 1000 + p) * 4, (n * 1000 + p + 1) * 4));
      expect(row).toEqual([0, 1, 2, 3].map((c) => (c === base ? 1 : 0))); // position 48 of row 1 is the all-zero base
    }
    const output = taskOutput(task);
    expect(output).toMatchObject({ head: 'pooled', loss: 'bce-logits', size: 36 });
    // Logits +1 for positives and −1 for negatives rank every target perfectly: AUROC 1 where defined.
    const targets = task.splits.test.targets!;
    const result = output.evaluate(Float32Array.from(targets, (t) => 2 * t - 1), task.splits.test);
    expect(result).toMatchObject({ name: 'macro-auroc', value: 1, tableValue: 0 });
    expect((result as unknown as { undefinedClasses: number[] }).undefinedClasses).toEqual([35]);
  });
});

describe('Darcy Flow', () => {
  const options = { trainCount: 4, valCount: 1, testCount: 2 };

  it('subsamples with stride 5, normalises per grid point and adds the coordinate channels', () => {
    const task = load('darcyflow', options);
    expect(task.kind).toBe('dense-regression');
    expect(task.inputShape).toEqual({ height: 5, width: 5, channels: 3 });
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([4, 1, 2]);
    // Grid point (row 1, col 2) = source (y 5, x 10): coeff over samples 0..3 = 12, 3, 3, 3 →
    // mean 5.25, n − 1 std √(60.75/3) = 4.5; sample 0 normalised (12 − 5.25)/(4.5 + 1e-5).
    const p = 1 * 5 + 2;
    expect(task.splits.train.x[p * 3]).toBeCloseTo(6.75 / 4.50001, 5);
    expect(task.splits.train.x[p * 3 + 1]).toBeCloseTo(2 / 4, 6); // x = column/(g − 1)
    expect(task.splits.train.x[p * 3 + 2]).toBeCloseTo(1 / 4, 6); // y = row/(g − 1)
    // Targets are the raw solution: test sample 1 is smooth2 sample 1 (i = 101) at (y 5, x 10).
    expect(task.splits.test.targets![25 + p]).toBeCloseTo(darcySol(101, 5, 10), 4);
  });

  it('decodes outputs before the metric: the encoded truth × 1.1 has relative L2 0.1', () => {
    const task = load('darcyflow', options);
    const output = taskOutput(task);
    expect(output).toMatchObject({ head: 'dense', loss: 'relative-l2', size: 25 });
    const { scale, shift } = output.decode!;
    const truth = task.splits.test.targets!;
    const encoded = Float32Array.from(truth, (u, i) => (1.1 * u - shift[i % 25]!) / scale[i % 25]!);
    const result = output.evaluate(encoded, task.splits.test);
    expect(result.name).toBe('relative-l2');
    expect(result.direction).toBe('min');
    expect(result.value).toBeCloseTo(0.1, 5);
    expect(result.tableValue).toBe(result.value);
    expect(taskFacts('darcyflow')?.head).toBe('dense');
  });

  it('refits the normalisers on train + val for the final mode', () => {
    const task = load('darcyflow', options);
    const final = task.splits.final!;
    expect([final.train.count, final.test.count]).toEqual([5, 2]);
    // Point (1, 2) over samples 0..4: coeff 12, 3, 3, 3, and sample 4: (24 mod 7 = 3) → 12.
    // Mean 33/5 = 6.6; squared deviations 29.16, 12.96 ×3, 29.16 → 97.2/4 = 24.3 → std 4.929503.
    const p = 1 * 5 + 2;
    expect(final.train.x[p * 3]).toBeCloseTo((12 - 6.6) / (Math.sqrt(24.3) + 1e-5), 5);
    expect(final.output!.decode!.shift[p]).not.toBe(taskOutput(task).decode!.shift[p]);
    // The final output decodes with the final normaliser: encoded truth × 1.1 still gives 0.1.
    const { scale, shift } = final.output!.decode!;
    const truth = final.test.targets!;
    const encoded = Float32Array.from(truth, (v, i) => (1.1 * v - shift[i % 25]!) / scale[i % 25]!);
    expect(final.output!.evaluate(encoded, final.test).value).toBeCloseTo(0.1, 5);
  });

  it('rejects unknown options and too few samples with the option named', () => {
    expect(() => load('darcyflow', { trainCout: 4 })).toThrow(InputError);
    expect(() => load('darcyflow', { trainCout: 4 })).toThrow(/task.options.trainCout/);
    expect(() => load('darcyflow', { trainCount: 6, valCount: 1 })).toThrow(/at least 7 samples/);
  });
});

describe('Spherical CIFAR-100', () => {
  it('splits the training arrays 80/20 by position and transposes NCHW to NHWC', () => {
    const task = load('spherical');
    expect(task.inputShape).toEqual({ height: 60, width: 60, channels: 3 });
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([8, 2, 4]);
    // Val image 1 is training image 9: value (9·13 + c·7 + y + x) mod 256 at NHWC (y, x, c).
    for (const [y, xx, c] of [[0, 0, 0], [59, 1, 2], [10, 20, 1]] as const) {
      expect(task.splits.val.x[((1 * 60 + y) * 60 + xx) * 3 + c]).toBe((9 * 13 + c * 7 + y + xx) % 256);
    }
    expect([...task.splits.test.y]).toEqual([1, 38, 75, 112 % 100]);
  });
});

describe('CIFAR-100 (NAS-Bench-360)', () => {
  it('reads cifar-100/ under the data root, holds out the last fifth and uses the CIFAR-100 constants', () => {
    const task = load('cifar100-permuted');
    expect(task.id).toBe('cifar100-permuted');
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([8, 2, 4]);
    const mean = [0.5071, 0.4867, 0.4408];
    const std = [0.2675, 0.2565, 0.2761];
    for (let c = 0; c < 3; c++) expect(task.splits.train.x[c]).toBeCloseTo((cifarPixel(0, c, 0) / 255 - mean[c]!) / std[c]!, 5);
    expect([...task.splits.test.y]).toEqual([3, 4, 5, 6]);
  });
});

describe('NumPy permutation (scikit-learn train_test_split shuffle)', () => {
  it('matches numpy.random.RandomState(seed).permutation(n) (values printed by NumPy 1.24)', () => {
    expect([...numpyPermutation(10, 0)]).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    expect([...numpyPermutation(20, 0)]).toEqual([18, 1, 19, 8, 10, 17, 6, 13, 4, 2, 5, 14, 9, 7, 16, 11, 3, 0, 15, 12]);
    expect([...numpyPermutation(4, 0)]).toEqual([2, 3, 1, 0]);
    const big = numpyPermutation(8528, 0); // the real record count
    expect([...big.slice(0, 8)]).toEqual([2044, 2916, 274, 6817, 4750, 7086, 3424, 1284]);
    expect([...big.slice(-3)]).toEqual([4859, 3264, 2732]);
    expect([...numpyPermutation(37, 5).slice(0, 8)]).toEqual([32, 18, 3, 19, 22, 5, 0, 23]);
  });
});

describe('ECG', () => {
  it('splits records as train_test_split(random_state=0), windows them by label stride and tags record ids', () => {
    const task = load('ecg');
    // permutation(20) = 18, 1, 19, 8, …: test part of 80/20 = records 18, 1, 19, 8; permutation(4)
    // = 2, 3, 1, 0 → test = positions 2, 3 (records 19, 8), val = positions 1, 0 (records 1, 18).
    // Record r: length 900 + 110r, label r mod 4; windows start at 0, stride, … < length − 1000.
    // val: record 1 (1 010, A, stride 83) → 1 window; record 18 (2 880, O, 250) → 8.
    // test: record 19 (2 990, ~, 25) → 80 windows; record 8 (1 780, N, 500) → 2.
    expect(ecgLength(18)).toBe(2880);
    expect([task.splits.val.count, task.splits.test.count]).toEqual([9, 82]);
    expect([...task.splits.val.groups!]).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect([...task.splits.val.y]).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(task.inputShape).toEqual({ height: 1, width: 1000, channels: 1 });
    // Final mode 90/10: test = records 18, 1 (9 windows), train = the other 18 records.
    expect(task.splits.final!.test.count).toBe(9);
    // Record-level F1: record 19 predicted ~ (right), record 8 predicted A (wrong, true N):
    // F1 per class N 0, A 0, O 0, ~ 1 → macro 0.25.
    const outputs = new Float32Array(82 * 4);
    for (let w = 0; w < 82; w++) outputs[w * 4 + (w < 80 ? 3 : 1)] = 1;
    const result = taskOutput(task).evaluate(outputs, task.splits.test);
    expect(result).toMatchObject({ name: 'macro-f1', direction: 'max', variant: 'record-vote' });
    expect(result.value).toBeCloseTo(0.25, 10);
    expect(result.tableValue).toBeCloseTo(0.75, 10);
    // Each window is the z-normalised record slice: mean over a whole record is 0.
    expect(Math.abs(task.splits.test.x.subarray(0, 1000).reduce((a, b) => a + b, 0) / 1000)).toBeLessThan(1);
  });
});

describe('Cosmic', () => {
  it('keeps f435w GAL fields in sorted order, crops 64..191 and adds one sky offset per image', () => {
    const task = load('cosmic');
    expect(task.kind).toBe('dense-classification');
    expect(task.inputShape).toEqual({ height: 128, width: 128, channels: 1 });
    // Train GAL files sorted: 13804/6/2_0 (train, 90 % of 2 → 1), 14704/1/1_0 (val); test 13804/6/1_1.
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([1, 1, 1]);
    const { x, targets } = task.splits.val; // k = 1: image ((y·7 + x·3 + 1) mod 100)/10 + sky[0]·u
    const offset = x[0]! - cosmicImage(1, 64, 64);
    expect(offset).toBeGreaterThanOrEqual(-0.9 * COSMIC_SKY[0]! - 1e-4);
    expect(offset).toBeLessThan(3 * COSMIC_SKY[0]!);
    for (const [r, c] of [[0, 1], [50, 77], [127, 127]] as const) expect(x[r * 128 + c]! - offset).toBeCloseTo(cosmicImage(1, 64 + r, 64 + c), 4);
    let positives = 0;
    for (let r = 0; r < 128; r++) for (let c = 0; c < 128; c++) {
      expect(targets![r * 128 + c]).toBe(fixtureMask(64 + r, 64 + c));
      positives += targets![r * 128 + c]!;
    }
    // (y·192 + x) mod 997 = 0 holds at 37 pixels, 17 of them with 64 ≤ y, x ≤ 191 (counted independently).
    expect(positives).toBe(17);
  });

  it('reports 1 − AUROC of the hard prediction logit > 0.5 (strict)', () => {
    const task = load('cosmic');
    const output = taskOutput(task);
    expect(output).toMatchObject({ head: 'dense', loss: 'bce-logits', size: 128 * 128 });
    const mask = task.splits.test.targets!;
    const perfect = output.evaluate(Float32Array.from(mask, (m) => (m > 0 ? 1 : 0)), task.splits.test);
    expect(perfect).toMatchObject({ name: '1-auroc', value: 0, direction: 'min', tableValue: 0 });
    // Exactly 0.5 on the positives is not > 0.5: FNR 1, FPR 0 → (1 + 0)/2.
    const atThreshold = output.evaluate(Float32Array.from(mask, (m) => (m > 0 ? 0.5 : 0)), task.splits.test);
    expect(atThreshold.value).toBe(0.5);
  });

  it('takes field types from the options: a GAL field turned "other" leaves its images out', () => {
    // 13804_6 holds the only test image (and a training one); declaring it non-GAL empties splits.
    expect(() => load('cosmic', { otherFields: '13804_6' })).toThrow(/split of cosmic empty/);
    expect(() => load('cosmic', { galFields: 7 })).toThrow(/task.options.galFields/);
  });
});

describe('FSD50K', () => {
  it('computes 96 × 101 dB mel features per chunk and groups chunks into clips by ext', () => {
    const task = load('fsd50k');
    expect(task.kind).toBe('multilabel');
    expect(task.inputShape).toEqual({ height: 96, width: 101, channels: 1 });
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([5, 1, 3]);
    expect([...task.splits.train.groups!]).toEqual([0, 0, 0, 1, 1]);
    // Clip 100001 is Bark + Guitar (indices 0 and 2) on each of its chunks.
    expect([...task.splits.train.targets!.subarray(4, 8)]).toEqual([1, 0, 1, 0]);
    // The silent chunk: −100 dB everywhere, nothing clipped, +75, minus the mean → all zeros.
    expect(task.splits.train.x.subarray(9696, 2 * 9696).every((v) => v === 0)).toBe(true);
    // The 0.75 s chunk has 1 + 16 537 // 220 = 76 frames; frames 76..100 hold its minimum.
    const short = task.splits.train.x.subarray(4 * 9696, 5 * 9696);
    const min = short.reduce((a, b) => Math.min(a, b), Infinity);
    for (const m of [0, 50, 95]) for (const t of [76, 100]) expect(short[m * 101 + t]).toBe(min);
    expect(short[50 * 101 + 75]).not.toBe(min);
    // Val clip 100003 chunk 0, a 660 Hz tone: values from an independent NumPy implementation of
    // the same torchaudio/librosa rules (np.fft.rfft of the Hann-windowed reflect-padded frames).
    const v = task.splits.val.x;
    expect(v[0 * 101 + 0]).toBeCloseTo(46.76683535451783, 3);
    expect(v[17 * 101 + 50]).toBeCloseTo(17.00360525717283, 3);
    expect(v[30 * 101 + 100]).toBeCloseTo(47.19900218570189, 3);
    expect(v[95 * 101 + 7]).toBeCloseTo(-7.714417106288785, 3);
    expect(v.reduce((a, b) => Math.max(a, b), -Infinity)).toBeCloseTo(72.28558289371122, 3);
    expect(v.indexOf(v.reduce((a, b) => Math.max(a, b), -Infinity))).toBe(22 * 101 + 50);
  });

  it('scores clips by sigmoid(mean chunk logits) and reports mAP with the class without positives undefined', () => {
    const task = load('fsd50k');
    // Eval: clip 100004 (2 chunks; Bark, Female speech), clip 100005 (1 chunk; Rain); no Guitar.
    // Mean logits: clip 4 → (1, 1, 0, −2), clip 5 → (−1, −1, 0, −3). Bark and Female speech rank
    // their positive first (AP 1); Rain ranks its positive second of two (AP 1/2); Guitar undefined.
    const outputs = Float32Array.of(2, 2, 0, -2, 0, 0, 0, -2, -1, -1, 0, -3);
    const result = taskOutput(task).evaluate(outputs, task.splits.test);
    expect(result.name).toBe('mAP');
    expect(result.value).toBeCloseTo(2.5 / 3, 10);
    expect(result.tableValue).toBeCloseTo(1 - 2.5 / 3, 10);
    expect((result as unknown as { undefinedClasses: number[] }).undefinedClasses).toEqual([2]);
  });
});

describe('PSICOV', () => {
  const options = { dim: 32, testDim: 64, valCount: 1 };

  it('builds the 57-channel pair features, pads by 5 and tiles the test proteins', () => {
    const task = load('psicov', options);
    expect(task.kind).toBe('dense-regression');
    expect(task.inputShape).toEqual({ height: 32, width: 32, channels: 57 });
    // deepcov 1abcA (val), 2defB + 3ghiC (train); psicov 1aapA, 1bebA at 64 → 4 tiles of 32 each.
    expect([task.splits.train.count, task.splits.val.count, task.splits.test.count]).toEqual([2, 1, 8]);
    // Test protein 1aapA, residues (i, j) = (3, 7) sit at padded (8, 12), inside tile 0.
    const at = (8 * 32 + 12) * 57;
    const x = task.splits.test.x;
    const i = 3;
    const j = 7;
    expect(x[at + 0]).toBe(j % 3 === 0 ? 1 : 0); // ss row 0 at the column residue
    expect(x[at + 1]).toBe(i % 3 === 0 ? 1 : 0); // ss row 0 at the row residue
    for (const a of [0, 5, 21]) {
      expect(x[at + 6 + 2 * a]).toBeCloseTo(((3 * j + a) % 11) / 10, 6);
      expect(x[at + 7 + 2 * a]).toBeCloseTo(((3 * i + a) % 11) / 10, 6);
    }
    expect(x[at + 50]).toBeCloseTo((j % 5) / 4, 6);
    expect(x[at + 53]).toBeCloseTo(1 + (i % 7) / 7, 6);
    expect(x[at + 54]).toBeCloseTo(((i + j) % 13) / 13, 6);
    expect(x[at + 55]).toBeCloseTo(((i * j) % 17) / 17, 6);
    expect(x[at + 56]).toBeCloseTo(-(Math.abs(i - j) % 9) / 9, 6);
    expect(x.subarray(0, 57).every((v) => v === 0)).toBe(true); // padding
    const t = task.splits.test.targets!;
    expect(t[8 * 32 + 12]).toBeCloseTo(2 + 0.2 * 4, 5);
    expect(t[8 * 32 + 8]).toBeCloseTo(2.2, 5); // diagonal: mean of its neighbours 2.2 and 2.2
    expect(t[0]).toBe(100); // padded distance, not clipped at test time
    // Val 1abcA (L 20): padded to 32, distances clipped at 16 Å (padding 100 → 16).
    expect(task.splits.val.targets![(5 + 2) * 32 + 5 + 10]).toBeCloseTo(2 + 0.2 * 8, 5);
    expect(task.splits.val.targets![0]).toBe(16);
  });

  it('stitches the tiles and reports MAE₈ (0.5 for truth + 0.5; 0.25 for +0.5 above and −0.5 below the diagonal)', () => {
    const task = load('psicov', options);
    const output = taskOutput(task);
    const truth = task.splits.test.targets!;
    const shifted = (f: (row: number, col: number) => number): Float32Array =>
      Float32Array.from(truth, (v, e) => {
        const k = Math.floor(e / 1024);
        const tile = k % 4;
        const row = (tile >> 1) * 32 + Math.floor((e % 1024) / 32);
        const col = (tile & 1) * 32 + (e % 32);
        return v + f(row, col);
      });
    const symmetric = output.evaluate(shifted(() => 0.5), task.splits.test);
    expect(symmetric).toMatchObject({ name: 'mae8', direction: 'min', variant: 'sep>=24,d<=8' });
    expect(symmetric.value).toBeCloseTo(0.5, 5);
    // Two-step symmetrisation: ¾ of the lower value + ¼ of the upper: ¾(−0.5) + ¼(0.5) = −0.25.
    const asymmetric = output.evaluate(shifted((r, c) => (r < c ? 0.5 : r > c ? -0.5 : 0)), task.splits.test);
    expect(asymmetric.value).toBeCloseTo(0.25, 5);
    // Search mode (val): plain L1 on the clipped crop.
    const val = output.evaluate(Float32Array.from(task.splits.val.targets!, (v) => v + 1), task.splits.val);
    expect(val).toMatchObject({ name: 'mae-crop' });
    expect(val.value).toBeCloseTo(1, 6);
  });
});

describe('fixture variants (every detail the docs mark inferred or unknown)', () => {
  const options: Record<string, Record<string, number>> = { darcyflow: { trainCount: 4, valCount: 1, testCount: 2 } };
  const cases = Object.entries(NB360_FIXTURE_VARIANTS).flatMap(([task, variants]) => variants.map((variant) => [task, variant] as const));

  it.each(cases)('%s, variant %s, loads into the same splits as the default files', async (task, variant) => {
    const dir = mkdtempSync(join(tmpdir(), `hgnas-nb360-${task}-`));
    try {
      await writeNb360Fixture(task, dir, { variant });
      const load2 = (d: string): Task => loadTask({ id: task, data: d, split: { train: 0.7, val: 0.1, test: 0.2 }, options: options[task] ?? {} });
      const got = load2(dir);
      const want = load2(root);
      for (const part of ['train', 'val', 'test'] as const) {
        const [g, w] = [got.splits[part], want.splits[part]];
        expect(g.count).toBe(w.count);
        expect([...g.y]).toEqual([...w.y]);
        if (w.targets) expect([...g.targets!]).toEqual([...w.targets]);
        if (task === 'satellite' && variant === 'constant-series' && part === 'train') {
          // Training row 3 is the constant 0.5: z-normalised to zeros (the documented policy); the rest agrees.
          expect(g.x.subarray(3 * 46, 4 * 46).every((v) => v === 0)).toBe(true);
          expect([...g.x.subarray(4 * 46)]).toEqual([...w.x.subarray(4 * 46)]);
          expect(got.splits.description.method).toMatch(/1 constant series set to 0/);
        } else {
          // Spherical uint8 included: its values (n·13 + c·7 + y + x) mod 256 fit a byte exactly.
          expect([...g.x]).toEqual([...w.x]);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data directory', () => {
  it('names the expected file when the task folder is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hgnas-nb360-empty-'));
    try {
      expect(() => loadTask({ id: 'ninapro', data: empty, split: { train: 0.7, val: 0.1, test: 0.2 } })).toThrow(/ninapro_train\.npy/);
      expect(() => loadTask({ id: 'deepsea', data: null, split: { train: 0.7, val: 0.1, test: 0.2 } })).toThrow(/needs the NAS-Bench-360 files and the recipe gives no data directory/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
