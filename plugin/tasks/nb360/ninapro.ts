/**
 * NinaPro DB5 (nas-bench-360.md §3.3): `ninapro_{train,val,test}.npy` of shape (N, 52, 16)
 * (time × sEMG channel) and `label_{train,val,test}.npy` with gestures 0..17. Each sample is
 * transposed to (16, 52), the reference's `(1, 16, 52)`: here NHWC height 16 (channels of the
 * two armbands), width 52 (time steps), 1 channel, so the cell ops convolve over time and
 * neighbouring electrodes. No normalisation or augmentation; the official splits as given.
 */
import { join } from 'node:path';
import { readNumericNpy } from '../formats/npy.js';
import { accuracy } from '../metrics/classification.js';
import type { Task } from '../types.js';
import { checkOptions, expectShape, integerLabels, readBytes, requireCounts, rowsSplit, taskFolder, toFloat32, type TaskOptions } from './common.js';

const TIME = 52;
const ELECTRODES = 16;
const CLASSES = 18;

function readPart(dir: string, part: 'train' | 'val' | 'test'): { x: Float32Array; y: Int32Array; count: number } {
  const dataFile = join(dir, `ninapro_${part}.npy`);
  const labelFile = join(dir, `label_${part}.npy`);
  const data = readNumericNpy(readBytes(dataFile), dataFile);
  expectShape(data, dataFile, 'sEMG windows', 3, { 1: TIME, 2: ELECTRODES });
  const count = data.shape[0]!;
  const labels = readNumericNpy(readBytes(labelFile), labelFile);
  const y = integerLabels(labels, labelFile, count, 0, CLASSES - 1);
  const src = toFloat32(data);
  const x = new Float32Array(count * TIME * ELECTRODES);
  // (s, t, c) → NHWC (s, h = c, w = t, 0).
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < TIME; t++) {
      for (let c = 0; c < ELECTRODES; c++) x[(s * ELECTRODES + c) * TIME + t] = src[(s * TIME + t) * ELECTRODES + c]!;
    }
  }
  return { x, y, count };
}

export function loadNinaproTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('ninapro', options, []);
  const dir = taskFolder('ninapro', data, 'ninapro', 'ninapro_train.npy');
  const train = readPart(dir, 'train');
  const val = readPart(dir, 'val');
  const test = readPart(dir, 'test');
  requireCounts('ninapro', dir, { train: train.count, val: val.count, test: test.count });
  return {
    id: 'ninapro',
    kind: 'classification',
    inputShape: { height: ELECTRODES, width: TIME, channels: 1 },
    numClasses: CLASSES,
    defaultStemStride: 1,
    metric: accuracy,
    normalization: { mean: [0], std: [1] },
    splits: {
      train: rowsSplit(train, 0, train.count, 0),
      val: rowsSplit(val, 0, val.count, train.count),
      test: rowsSplit(test, 0, test.count, train.count + val.count),
      description: {
        source: `NinaPro DB5 (NAS-Bench-360), ${dir}`,
        total: train.count + val.count + test.count,
        train: train.count,
        val: val.count,
        test: test.count,
        seed: 0,
        method: 'the official ninapro_{train,val,test}.npy files as the three splits; sample (52, 16) transposed to height 16 (electrodes) × width 52 (time); no normalisation',
      },
    },
  };
}
