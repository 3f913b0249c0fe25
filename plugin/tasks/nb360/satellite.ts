/**
 * Satellite image time series (nas-bench-360.md §3.9): `satellite_train.npy` and
 * `satellite_test.npy`, each a NumPy save of a dict {data: (N, 46), label: (N,) in 1..24}.
 * Labels − 1; each series z-normalised over its 46 steps (population std); val = the last
 * |test| rows of the training file (100 000 of 900 000), train = the rest. Layout: the
 * reference's `(1, 46)` as NHWC height 1 × width 46 × 1 channel, so the k×k cell ops act as
 * 1-D convolutions along time (only the kernel's middle row meets data; the zero-padded rows
 * contribute nothing) and stride-2 stages never down-sample (the sampler keeps stride 1 at
 * height 1).
 */
import { join } from 'node:path';
import { DataFormatError } from '../formats/errors.js';
import { readNpyObject } from '../formats/npy.js';
import { dictEntry, expectDict, expectNumericArray } from '../formats/pyvalue.js';
import { accuracy } from '../metrics/classification.js';
import type { Task } from '../types.js';
import { checkOptions, expectShape, integerLabels, intOption, readBytes, requireCounts, rowsSplit, taskFolder, toFloat32, zNormaliseRows, type TaskOptions } from './common.js';

const STEPS = 46;
const CLASSES = 24;

function readPart(file: string): { x: Float32Array; y: Int32Array; count: number; constant: number } {
  const dict = expectDict(readNpyObject(readBytes(file), file), file, 'the saved dict {data, label}');
  const data = expectNumericArray(dictEntry(dict, 'data', file), file, '"data"');
  expectShape(data, file, '"data"', 2, { 1: STEPS });
  const count = data.shape[0]!;
  const y = integerLabels(dictEntry(dict, 'label', file), file, count, 1, CLASSES, -1);
  const x = Float32Array.from(toFloat32(data));
  const constant = zNormaliseRows(x, STEPS);
  if (x.some((v) => Number.isNaN(v))) throw new DataFormatError(file, 'finite series values', 'NaN');
  return { x, y, count, constant };
}

export function loadSatelliteTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('satellite', options, ['valCount']);
  const dir = taskFolder('satellite', data, 'satellite', 'satellite_train.npy');
  const full = readPart(join(dir, 'satellite_train.npy'));
  const test = readPart(join(dir, 'satellite_test.npy'));
  const nVal = intOption('satellite', options, 'valCount', test.count);
  const nTrain = full.count - nVal;
  requireCounts('satellite', dir, { train: nTrain, val: nVal, test: test.count });
  const constant = full.constant + test.constant;
  return {
    id: 'satellite',
    kind: 'classification',
    inputShape: { height: 1, width: STEPS, channels: 1 },
    numClasses: CLASSES,
    defaultStemStride: 1,
    metric: accuracy,
    normalization: { mean: [0], std: [1] },
    splits: {
      train: rowsSplit(full, 0, nTrain, 0),
      val: rowsSplit(full, nTrain, nVal, 0),
      test: rowsSplit(test, 0, test.count, full.count),
      description: {
        source: `Satellite (NAS-Bench-360), ${dir}`,
        total: full.count + test.count,
        train: nTrain,
        val: nVal,
        test: test.count,
        seed: 0,
        method:
          `satellite_test.npy as test; the last ${nVal} rows of satellite_train.npy as val (by position); labels − 1; each series z-normalised (population std)` +
          (constant > 0 ? `; ${constant} constant series set to 0 (the reference would divide by zero)` : ''),
      },
    },
  };
}
