/**
 * DeepSEA (nas-bench-360.md §3.10): `deepsea_filtered.npz` with x_{train,val,test} (N, 1000, 4)
 * one-hot DNA and y_{train,val,test} (N, 36) multi-hot, stored or deflated, uint8 or bool.
 * The official three splits as given (final training uses x_train only: recipe
 * `evaluation.finalData: train`). Layout: the reference's `(4, 1000)` as NHWC height 1 ×
 * width 1000 × 4 channels (A, C, G, T); the source's (1000, 4) rows are already channels-last,
 * so no permutation is needed. The k×k cell ops act as 1-D convolutions along the sequence;
 * height 1 is never down-sampled (the architecture rules refuse stride 2 there).
 * Output: 36 logits, BCE with logits; metric macro AUROC of sigmoid scores (targets without a
 * positive or a negative are left out and listed).
 */
import { join } from 'node:path';
import { fileSource } from '../formats/source.js';
import { NpzArchive } from '../formats/npz.js';
import { deepseaMacroAuroc } from '../metrics/multilabel.js';
import { outputMetric } from '../output.js';
import type { Task } from '../types.js';
import { checkOptions, expectShape, requireCounts, rowsSplit, taskFolder, toFloat32, type TaskOptions } from './common.js';

const LENGTH = 1000;
const BASES = 4;
const TARGETS = 36;

export function loadDeepseaTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('deepsea', options, []);
  const dir = taskFolder('deepsea', data, 'deepsea', 'deepsea_filtered.npz');
  const file = join(dir, 'deepsea_filtered.npz');
  const source = fileSource(file);
  const parts = (() => {
    try {
      const npz = new NpzArchive(source);
      const part = (name: 'train' | 'val' | 'test') => {
        const x = npz.getNumeric(`x_${name}`);
        const y = npz.getNumeric(`y_${name}`);
        expectShape(x, `${file}:x_${name}.npy`, 'one-hot sequences', 3, { 1: LENGTH, 2: BASES });
        expectShape(y, `${file}:y_${name}.npy`, 'multi-hot targets', 2, { 0: x.shape[0]!, 1: TARGETS });
        return { x: Float32Array.from(toFloat32(x)), targets: Float32Array.from(toFloat32(y)), count: x.shape[0]! };
      };
      return { train: part('train'), val: part('val'), test: part('test') };
    } finally {
      source.close();
    }
  })();
  const { train, val, test } = parts;
  requireCounts('deepsea', file, { train: train.count, val: val.count, test: test.count });
  return {
    id: 'deepsea',
    kind: 'multilabel',
    output: {
      kind: 'multilabel',
      head: 'pooled',
      loss: 'bce-logits',
      size: TARGETS,
      evaluate: (outputs, split) => deepseaMacroAuroc(outputs, split.targets!, TARGETS),
    },
    inputShape: { height: 1, width: LENGTH, channels: BASES },
    numClasses: TARGETS,
    defaultStemStride: 1,
    metric: outputMetric('macro-auroc', 'max'),
    normalization: { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] },
    splits: {
      train: rowsSplit(train, 0, train.count, 0),
      val: rowsSplit(val, 0, val.count, train.count),
      test: rowsSplit(test, 0, test.count, train.count + val.count),
      description: {
        source: `DeepSEA (NAS-Bench-360), ${file}`,
        total: train.count + val.count + test.count,
        train: train.count,
        val: val.count,
        test: test.count,
        seed: 0,
        method: 'x/y_{train,val,test} of deepsea_filtered.npz as the three splits; (1000, 4) one-hot as height 1 × width 1000 × 4 channels',
      },
    },
  };
}
