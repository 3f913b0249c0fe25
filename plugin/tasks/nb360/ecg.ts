/**
 * ECG, PhysioNet/CinC 2017 (nas-bench-360.md §3.8): `challenge2017.pkl`, a pickle of
 * {"data": object array of variable-length int16 signals, "label": "N" | "A" | "O" | "~"
 * (fixed-width string or object array)}.
 *
 * 1. Each record z-normalised with its own mean and population std (a constant record becomes
 *    zeros instead of the reference's division by zero).
 * 2. Labels N → 0, A → 1, O → 2, ~ → 3.
 * 3. Records split as scikit-learn's `train_test_split(random_state=0)` does (a bit-exact port of
 *    NumPy's permutation, numpy-permutation.ts): search mode 80/20, the 20 % then 50/50 into val
 *    (the first part) and test; final mode 90/10 (`splits.final`). Records keep the permutation
 *    order. (Inferred from the doc: no stratification, val is the "train" half of the second call.)
 * 4. Windows of 1 000 samples, stride by label N 500, A 83, O 250, ~ 25, starts 0, stride, …
 *    while start < length − 1000 (a record of ≤ 1 000 samples has none and drops out); the same
 *    for val and test. Each window carries its record's index within the split (`groups`).
 *
 * Layout: the reference's `(1, 1000)` as NHWC height 1 × width 1000 × 1 channel (1-D
 * convolutions along time). Height 1 cannot be down-sampled (the architecture rules refuse a
 * stride-2 stem or stage there), so networks keep the 1 000 positions. Metric: record-level macro F1 of the
 * majority vote of window arg-max classes (ties: first seen), `ecgRecordF1`.
 */
import { join } from 'node:path';
import { DataFormatError } from '../formats/errors.js';
import { readPickle } from '../formats/pickle.js';
import { describePy, dictEntry, expectDict, isNdArray, type PyValue } from '../formats/pyvalue.js';
import { argmaxRows } from '../metrics/classification.js';
import { ECG_CLASSES, ecgRecordF1 } from '../metrics/ecg.js';
import { outputMetric } from '../output.js';
import type { Split, Task } from '../types.js';
import { checkOptions, readBytes, requireCounts, taskFolder, zNormaliseRows, type TaskOptions } from './common.js';
import { trainTestSplit } from './numpy-permutation.js';

export const ECG_WINDOW = 1000;
export const ECG_LABELS = ['N', 'A', 'O', '~'] as const;
/** Window stride per class: 500, 500 // 6, 500 // 2, 500 // 20. */
export const ECG_STRIDES = [500, 83, 250, 25] as const;

interface EcgRecord {
  readonly signal: Float32Array;
  readonly label: number;
}

function readRecords(file: string): EcgRecord[] {
  const root = expectDict(readPickle(readBytes(file), file), file, 'a dict {"data", "label"}');
  const data = dictEntry(root, 'data', file);
  const labels = dictEntry(root, 'label', file);
  const signals: PyValue[] = Array.isArray(data) ? data : isNdArray(data) && data.kind === 'object' ? data.data : [];
  const names: PyValue[] = Array.isArray(labels) ? labels : isNdArray(labels) && (labels.kind === 'text' || labels.kind === 'object') ? labels.data : [];
  if (signals.length === 0) throw new DataFormatError(file, '"data" as an object array of 1-D signals', describePy(data));
  if (names.length !== signals.length) throw new DataFormatError(file, `${signals.length} labels (one per record)`, describePy(labels));
  return signals.map((s, r) => {
    if (!isNdArray(s) || s.kind !== 'numeric' || s.shape.length !== 1) throw new DataFormatError(file, `record ${r} as a 1-D numeric array`, describePy(s));
    const name = names[r];
    const label = typeof name === 'string' ? ECG_LABELS.indexOf(name as (typeof ECG_LABELS)[number]) : -1;
    if (label < 0) throw new DataFormatError(file, `label of record ${r} in N, A, O, ~`, describePy(name ?? null));
    const signal = Float32Array.from(s.data as ArrayLike<number>);
    zNormaliseRows(signal, signal.length);
    return { signal, label };
  });
}

/** Window starts of a record: 0, stride, … while start < length − 1000. */
export function windowStarts(length: number, label: number): number[] {
  const stride = ECG_STRIDES[label]!;
  const starts: number[] = [];
  for (let start = 0; start < length - ECG_WINDOW; start += stride) starts.push(start);
  return starts;
}

/** The windows of the given records (in that order), each tagged with its record's position. */
function windows(records: readonly EcgRecord[], ids: Int32Array, indexBase: number): Split {
  const parts = Array.from(ids, (id) => ({ id, starts: windowStarts(records[id]!.signal.length, records[id]!.label) }));
  const count = parts.reduce((n, p) => n + p.starts.length, 0);
  const x = new Float32Array(count * ECG_WINDOW);
  const y = new Int32Array(count);
  const groups = new Int32Array(count);
  const indices = new Int32Array(count);
  let w = 0;
  parts.forEach(({ id, starts }, position) => {
    const { signal, label } = records[id]!;
    for (const start of starts) {
      x.set(signal.subarray(start, start + ECG_WINDOW), w * ECG_WINDOW);
      y[w] = label;
      groups[w] = position;
      // Canonical index: position of the window in the task's window order.
      indices[w] = indexBase + w;
      w++;
    }
  });
  return { x, y, groups, count, indices };
}

export function loadEcgTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('ecg', options, []);
  const dir = taskFolder('ecg', data, 'ecg', 'challenge2017.pkl');
  const file = join(dir, 'challenge2017.pkl');
  const records = readRecords(file);
  const n = records.length;
  const first = trainTestSplit(n, 0.2, 0);
  const second = trainTestSplit(first.test.length, 0.5, 0);
  const valIds = Int32Array.from(second.train, (i) => first.test[i]!);
  const testIds = Int32Array.from(second.test, (i) => first.test[i]!);
  const final = trainTestSplit(n, 0.1, 0);
  const train = windows(records, first.train, 0);
  const val = windows(records, valIds, train.count);
  const test = windows(records, testIds, train.count + val.count);
  const finalTrain = windows(records, final.train, 0);
  const finalTest = windows(records, final.test, finalTrain.count);
  requireCounts('ecg', file, { train: train.count, val: val.count, test: test.count, 'final train': finalTrain.count, 'final test': finalTest.count });
  const evaluate = (outputs: Float32Array, split: Split) => ecgRecordF1(argmaxRows(outputs, ECG_CLASSES), split.y, split.groups!);
  return {
    id: 'ecg',
    kind: 'classification',
    output: { kind: 'classification', head: 'pooled', loss: 'cross-entropy', size: ECG_CLASSES, evaluate },
    inputShape: { height: 1, width: ECG_WINDOW, channels: 1 },
    numClasses: ECG_CLASSES,
    defaultStemStride: 1,
    metric: outputMetric('macro-f1', 'max'),
    normalization: { mean: [0], std: [1] },
    splits: {
      train,
      val,
      test,
      final: {
        train: finalTrain,
        test: finalTest,
        method: `final mode: records split 90/10 (${final.train.length} / ${final.test.length}) by train_test_split(random_state=0); ${finalTrain.count} / ${finalTest.count} windows`,
      },
      description: {
        source: `ECG, PhysioNet/CinC 2017 (NAS-Bench-360), ${file}`,
        total: train.count + val.count + test.count,
        train: train.count,
        val: val.count,
        test: test.count,
        seed: 0,
        method:
          `${n} records split as sklearn train_test_split(random_state=0): 80/20 (${first.train.length} / ${first.test.length}), the 20 % 50/50 into val (${valIds.length}) and test (${testIds.length}); ` +
          `per-record z-normalisation; windows of ${ECG_WINDOW} with label strides 500/83/250/25 (counts are windows); final mode re-splits 90/10 (${final.train.length} / ${final.test.length} records)`,
      },
    },
  };
}
