/**
 * Spherical CIFAR-100 (nas-bench-360.md §3.2): `s2_cifar100.gz`, a gzip of a pickle of
 * {"train": {"images", "labels"}, "test": {...}}, images (N, 3, 60, 60) of any numeric dtype,
 * labels 0..99. Train = the first 80 % of the training arrays, val = the last 20 %, by
 * position; test = the test arrays. No normalisation, no augmentation (as the reference).
 * NCHW → NHWC 60×60×3.
 */
import { join } from 'node:path';
import { gunzip } from '../formats/gzip.js';
import { readPickle } from '../formats/pickle.js';
import { dictEntry, expectDict, expectNumericArray, type PyDict } from '../formats/pyvalue.js';
import { accuracy } from '../metrics/classification.js';
import type { Task } from '../types.js';
import { checkOptions, expectShape, integerLabels, readBytes, requireCounts, rowsSplit, taskFolder, toFloat32, type TaskOptions } from './common.js';

const SIDE = 60;
const CLASSES = 100;
/** The reference's share of the training arrays used for training (the rest is val). */
export const SPHERICAL_TRAIN_FRACTION = 0.8;

function readPart(root: PyDict, part: 'train' | 'test', file: string): { x: Float32Array; y: Int32Array; count: number } {
  const d = expectDict(dictEntry(root, part, file), file, `"${part}" as a dict {images, labels}`);
  const images = expectNumericArray(dictEntry(d, 'images', file), file, `${part} images`);
  expectShape(images, file, `${part} images`, 4, { 1: 3, 2: SIDE, 3: SIDE });
  const count = images.shape[0]!;
  const y = integerLabels(dictEntry(d, 'labels', file), file, count, 0, CLASSES - 1);
  const src = toFloat32(images);
  const plane = SIDE * SIDE;
  const x = new Float32Array(count * 3 * plane);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < plane; p++) x[(n * plane + p) * 3 + c] = src[(n * 3 + c) * plane + p]!;
    }
  }
  return { x, y, count };
}

export function loadSphericalTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('spherical', options, []);
  const dir = taskFolder('spherical', data, 'spherical', 's2_cifar100.gz');
  const file = join(dir, 's2_cifar100.gz');
  const root = expectDict(readPickle(gunzip(readBytes(file), file), file), file, 'a dict {"train", "test"}');
  const full = readPart(root, 'train', file);
  const test = readPart(root, 'test', file);
  const nTrain = Math.floor(SPHERICAL_TRAIN_FRACTION * full.count);
  const nVal = full.count - nTrain;
  requireCounts('spherical', file, { train: nTrain, val: nVal, test: test.count });
  return {
    id: 'spherical',
    kind: 'classification',
    inputShape: { height: SIDE, width: SIDE, channels: 3 },
    numClasses: CLASSES,
    defaultStemStride: 1,
    metric: accuracy,
    normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
    splits: {
      train: rowsSplit(full, 0, nTrain, 0),
      val: rowsSplit(full, nTrain, nVal, 0),
      test: rowsSplit(test, 0, test.count, full.count),
      description: {
        source: `Spherical CIFAR-100 (NAS-Bench-360), ${file}`,
        total: full.count + test.count,
        train: nTrain,
        val: nVal,
        test: test.count,
        seed: 0,
        method: `the test arrays as test; the first 80 % of the training arrays (${nTrain}) as train, the last ${nVal} as val, by position; no normalisation`,
      },
    },
  };
}
