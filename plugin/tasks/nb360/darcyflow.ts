/**
 * Darcy Flow (nas-bench-360.md §3.5): `piececonst_r421_N1024_smooth1.mat` (train + val) and
 * `..._smooth2.mat` (test), MATLAB level 5 (plain or compressed elements), variables `coeff` and
 * `sol` of MATLAB shape (N, 421, 421); v7.3 (HDF5) files are read by the MAT reader too.
 *
 * - Subsample with stride 5 (rows and columns 0, 5, …, 420 → 85×85; option `stride`).
 * - Search mode: samples 0..899 of smooth1 train, 900..999 val; test = the first 100 of smooth2
 *   (options `trainCount`, `valCount`, `testCount`).
 * - Per-grid-point normalisers of the FNO code (UnitGaussianNormalizer: mean and torch.std,
 *   i.e. the n − 1 standard deviation, over the training samples; x ← (x − mean)/(std + 1e-5))
 *   for the coefficient and for the solution, fitted on the 900 training samples in search mode
 *   and refitted on the 1 000 train + val samples for the final retrain (`splits.final`).
 * - Input NHWC (g, g, 3): normalised coefficient, then the coordinate channels of the reference's
 *   meshgrid: x = column/(g − 1), y = row/(g − 1).
 * - Output: the dense head, one value per grid point, the *normalised* solution; it is decoded
 *   (value·(std + 1e-5) + mean) before the relative-L2 loss and the metric, which compare with
 *   the raw solution.
 */
import { join } from 'node:path';
import { DataFormatError } from '../formats/errors.js';
import { readMat } from '../formats/mat.js';
import type { NumericArray } from '../formats/ndarray.js';
import { fileSource } from '../formats/source.js';
import { darcyRelativeL2 } from '../metrics/dense.js';
import { outputMetric } from '../output.js';
import type { Task, TaskOutput } from '../types.js';
import { checkOptions, intOption, requireCounts, rowsSplit, taskFolder, toFloat32, type TaskOptions } from './common.js';

export const DARCY_EPSILON = 1e-5;
const TRAIN_FILE = 'piececonst_r421_N1024_smooth1.mat';
const TEST_FILE = 'piececonst_r421_N1024_smooth2.mat';

function readFields(path: string): { coeff: NumericArray; sol: NumericArray } {
  const source = fileSource(path);
  try {
    // readMat reads level 5 (plain or compressed elements) and routes v7.3 (HDF5) files.
    const vars = readMat(source, ['coeff', 'sol']);
    const field = (name: string): NumericArray => {
      const v = vars.get(name);
      if (v === undefined || !('kind' in v) || v.kind !== 'numeric' || v.shape.length !== 3 || v.shape[1] !== v.shape[2]) {
        throw new DataFormatError(path, `a numeric variable "${name}" of shape (N, s, s)`, v === undefined ? 'no such variable' : 'another value');
      }
      return v;
    };
    const coeff = field('coeff');
    const sol = field('sol');
    if (sol.shape.join() !== coeff.shape.join()) throw new DataFormatError(path, `"sol" of the shape of "coeff" (${coeff.shape.join(', ')})`, `(${sol.shape.join(', ')})`);
    return { coeff, sol };
  } finally {
    source.close();
  }
}

/** Samples 0..count−1 of a (N, s, s) field, subsampled with `stride`, as float32 (count, g, g). */
function subsample(a: NumericArray, count: number, stride: number): { data: Float32Array; grid: number } {
  const s = a.shape[1]!;
  const grid = Math.ceil(s / stride);
  const src = toFloat32(a);
  const out = new Float32Array(count * grid * grid);
  for (let n = 0; n < count; n++) {
    for (let r = 0; r < grid; r++) {
      for (let c = 0; c < grid; c++) out[(n * grid + r) * grid + c] = src[(n * s + r * stride) * s + c * stride]!;
    }
  }
  return { data: out, grid };
}

/** Per-point mean and n − 1 standard deviation over the first `count` samples of (N, points). */
export function pointwiseNormaliser(data: Float32Array, count: number, points: number): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(points);
  const std = new Float32Array(points);
  for (let p = 0; p < points; p++) {
    let m = 0;
    for (let n = 0; n < count; n++) m += data[n * points + p]!;
    m /= count;
    let v = 0;
    for (let n = 0; n < count; n++) v += (data[n * points + p]! - m) ** 2;
    mean[p] = m;
    std[p] = count > 1 ? Math.sqrt(v / (count - 1)) : 0;
  }
  return { mean, std };
}

export function loadDarcyflowTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('darcyflow', options, ['stride', 'trainCount', 'valCount', 'testCount']);
  const dir = taskFolder('darcyflow', data, 'darcyflow', TRAIN_FILE);
  const stride = Math.max(1, intOption('darcyflow', options, 'stride', 5));
  const nTrain = intOption('darcyflow', options, 'trainCount', 900);
  const nVal = intOption('darcyflow', options, 'valCount', 100);
  const trainFields = readFields(join(dir, TRAIN_FILE));
  const testFields = readFields(join(dir, TEST_FILE));
  const nTest = Math.min(intOption('darcyflow', options, 'testCount', 100), testFields.coeff.shape[0]!);
  requireCounts('darcyflow', dir, { train: nTrain, val: nVal, test: nTest });
  if (nTrain + nVal > trainFields.coeff.shape[0]!) {
    throw new DataFormatError(join(dir, TRAIN_FILE), `at least ${nTrain + nVal} samples (train + val)`, `${trainFields.coeff.shape[0]}`);
  }
  if (testFields.coeff.shape[1] !== trainFields.coeff.shape[1]) {
    throw new DataFormatError(join(dir, TEST_FILE), `the grid of ${TRAIN_FILE} (${trainFields.coeff.shape[1]})`, `${testFields.coeff.shape[1]}`);
  }
  const a = subsample(trainFields.coeff, nTrain + nVal, stride);
  const u = subsample(trainFields.sol, nTrain + nVal, stride);
  const aTest = subsample(testFields.coeff, nTest, stride);
  const uTest = subsample(testFields.sol, nTest, stride);
  const grid = a.grid;
  const points = grid * grid;
  /** Inputs, decoding and metric for normalisers fitted on the first `fitCount` samples of smooth1. */
  const mode = (fitCount: number) => {
    const xNorm = pointwiseNormaliser(a.data, fitCount, points);
    const yNorm = pointwiseNormaliser(u.data, fitCount, points);
    const inputs = (coeff: Float32Array, count: number): Float32Array => {
      const x = new Float32Array(count * points * 3);
      for (let n = 0; n < count; n++) {
        for (let p = 0; p < points; p++) {
          const at = (n * points + p) * 3;
          x[at] = (coeff[n * points + p]! - xNorm.mean[p]!) / (xNorm.std[p]! + DARCY_EPSILON);
          x[at + 1] = grid > 1 ? (p % grid) / (grid - 1) : 0;
          x[at + 2] = grid > 1 ? Math.floor(p / grid) / (grid - 1) : 0;
        }
      }
      return x;
    };
    const decode = { scale: Float32Array.from(yNorm.std, (v) => v + DARCY_EPSILON), shift: yNorm.mean };
    const output: TaskOutput = {
      kind: 'dense-regression',
      head: 'dense',
      loss: 'relative-l2',
      size: points,
      decode,
      evaluate: (outputs, split) => {
        const decoded = new Float32Array(outputs.length);
        for (let i = 0; i < outputs.length; i++) decoded[i] = outputs[i]! * decode.scale[i % points]! + decode.shift[i % points]!;
        return darcyRelativeL2(decoded, split.targets!, points);
      },
    };
    return {
      output,
      full: { x: inputs(a.data, nTrain + nVal), targets: u.data, count: nTrain + nVal },
      test: { x: inputs(aTest.data, nTest), targets: uTest.data, count: nTest },
    };
  };
  // Search mode fits on train (900); final mode refits on train + val (1 000), as the reference.
  const search = mode(nTrain);
  const final = mode(nTrain + nVal);
  const testBase = trainFields.coeff.shape[0]!;
  return {
    id: 'darcyflow',
    kind: 'dense-regression',
    output: search.output,
    inputShape: { height: grid, width: grid, channels: 3 },
    numClasses: 1,
    defaultStemStride: 1,
    metric: outputMetric('relative-l2', 'min'),
    normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
    splits: {
      train: rowsSplit(search.full, 0, nTrain, 0),
      val: rowsSplit(search.full, nTrain, nVal, 0),
      test: rowsSplit(search.test, 0, nTest, testBase),
      final: {
        train: rowsSplit(final.full, 0, nTrain + nVal, 0),
        test: rowsSplit(final.test, 0, nTest, testBase),
        output: final.output,
        method: `final mode: normalisers refitted on the ${nTrain + nVal} train + val samples`,
      },
      description: {
        source: `Darcy Flow (NAS-Bench-360), ${dir}`,
        total: nTrain + nVal + nTest,
        train: nTrain,
        val: nVal,
        test: nTest,
        seed: 0,
        method:
          `smooth1 samples 0..${nTrain - 1} train, ${nTrain}..${nTrain + nVal - 1} val; smooth2 samples 0..${nTest - 1} test; stride ${stride} → ${grid}×${grid}; ` +
          `per-point normalisers (n − 1 std, ε 1e-5) fitted on the ${nTrain} training samples (search) and refitted on ${nTrain + nVal} (final)`,
      },
    },
  };
}
