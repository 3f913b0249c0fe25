/**
 * FSD50K audio tagging, 200 classes, multi-label (nas-bench-360.md §3.4): the unpacked
 * `audio.zip` as `audio/data/chunks/{tr,val,eval}.csv` (columns files, labels, ext; labels are
 * comma-separated label names), `chunks/lbl_map.json` (name → index) and 1 s wav chunks at
 * 22 050 Hz. The `files` column is resolved against `audio/data` (absolute paths that exist are
 * used as they are).
 *
 * - Features per chunk: 96 × 101 dB mel spectrogram (mel.ts), laid out as NHWC height 96 (mel
 *   band) × width 101 (frame) × 1; chunks shorter than 1 s are padded with their minimum to 101
 *   frames (the reference's evaluation rule).
 * - Splits: tr / val / eval manifests; chunks grouped into clips by `ext` (`groups`). Final
 *   training uses the train manifest only (recipe `evaluation.finalData: train`).
 * - Targets: the clip's multi-hot vector on every chunk; loss BCE with logits.
 * - Metric: mAP over classes of the clip scores sigmoid(mean of the clip's chunk logits), float32,
 *   classes without a positive listed as undefined.
 * - Deviations (recorded in the split description): training sees every chunk of every clip
 *   (the reference draws one random chunk per clip per epoch) and none of the reference's
 *   training augmentations (wrap padding, SpecAugment, background-noise mixing).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../../errors.js';
import { parseCsvRecords } from '../formats/csv.js';
import { DataFormatError } from '../formats/errors.js';
import { parseLabelMap } from '../formats/json.js';
import { readWav } from '../formats/wav.js';
import { fsd50kClipScores, fsd50kMeanAveragePrecision } from '../metrics/multilabel.js';
import { outputMetric } from '../output.js';
import type { Split, Task } from '../types.js';
import { FSD50K_MEL, fsd50kFeatures } from './mel.js';
import { checkOptions, requireCounts, taskFolder, type TaskOptions } from './common.js';

export const FSD50K_FRAMES = 101;
const MELS = FSD50K_MEL.nMels;

function readManifest(dir: string, name: string, labels: Map<string, number>, indexBase: number): Split & { clips: number } {
  const file = join(dir, 'chunks', `${name}.csv`);
  if (!existsSync(file)) throw new InputError(`task.data: missing FSD50K manifest ${file}`);
  const rows = parseCsvRecords(readFileSync(file, 'utf8'), file, ['files', 'labels', 'ext']);
  const classes = labels.size;
  const per = MELS * FSD50K_FRAMES;
  const x = new Float32Array(rows.length * per);
  const targets = new Float32Array(rows.length * classes);
  const groups = new Int32Array(rows.length);
  const clipOf = new Map<string, number>();
  rows.forEach((row, i) => {
    const clip = clipOf.get(row.ext!) ?? clipOf.size;
    clipOf.set(row.ext!, clip);
    groups[i] = clip;
    for (const name of row.labels!.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const k = labels.get(name);
      if (k === undefined) throw new DataFormatError(file, `label names of lbl_map.json`, `"${name}" in row ${i + 2}`);
      targets[i * classes + k] = 1;
    }
    const wavPath = isAbsolute(row.files!) && existsSync(row.files!) ? row.files! : join(dir, row.files!);
    if (!existsSync(wavPath)) throw new InputError(`task.data: ${file} row ${i + 2} names ${row.files}, not found as ${wavPath}`);
    const audio = readWav(new Uint8Array(readFileSync(wavPath)), wavPath);
    if (audio.sampleRate !== FSD50K_MEL.sampleRate) throw new DataFormatError(wavPath, `${FSD50K_MEL.sampleRate} Hz audio`, `${audio.sampleRate} Hz`);
    const samples = audio.channels[0]!;
    if (samples.length > FSD50K_MEL.sampleRate) throw new DataFormatError(wavPath, 'a chunk of at most 1 s', `${samples.length} samples`);
    x.set(fsd50kFeatures(samples, FSD50K_FRAMES), i * per);
  });
  return { x, y: new Int32Array(rows.length), targets, groups, count: rows.length, indices: Int32Array.from({ length: rows.length }, (_, i) => indexBase + i), clips: clipOf.size };
}

/** mAP of the clip scores (sigmoid of the mean chunk logits) against the clips' targets. */
export function fsd50kSplitMetric(outputs: Float32Array, split: Split, classes: number) {
  const groups = split.groups!;
  const clips = groups.reduce((m, g) => Math.max(m, g + 1), 0);
  const clipTargets = new Float32Array(clips * classes);
  groups.forEach((clip, chunk) => clipTargets.set(split.targets!.subarray(chunk * classes, (chunk + 1) * classes), clip * classes));
  return fsd50kMeanAveragePrecision(fsd50kClipScores(outputs, groups, classes, clips), clipTargets, classes);
}

export function loadFsd50kTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('fsd50k', options, []);
  const dir = taskFolder('fsd50k', data, join('audio', 'data'), join('chunks', 'tr.csv'));
  const mapFile = join(dir, 'chunks', 'lbl_map.json');
  if (!existsSync(mapFile)) throw new InputError(`task.data: missing FSD50K label map ${mapFile}`);
  const labels = parseLabelMap(readFileSync(mapFile, 'utf8'), mapFile);
  const classes = labels.size;
  const train = readManifest(dir, 'tr', labels, 0);
  const val = readManifest(dir, 'val', labels, train.count);
  const test = readManifest(dir, 'eval', labels, train.count + val.count);
  requireCounts('fsd50k', dir, { train: train.count, val: val.count, test: test.count });
  return {
    id: 'fsd50k',
    kind: 'multilabel',
    output: { kind: 'multilabel', head: 'pooled', loss: 'bce-logits', size: classes, evaluate: (outputs, split) => fsd50kSplitMetric(outputs, split, classes) },
    inputShape: { height: MELS, width: FSD50K_FRAMES, channels: 1 },
    numClasses: classes,
    defaultStemStride: 1,
    metric: outputMetric('mAP', 'max'),
    normalization: { mean: [0], std: [1] },
    splits: {
      train,
      val,
      test,
      description: {
        source: `FSD50K (NAS-Bench-360), ${dir}`,
        total: train.count + val.count + test.count,
        train: train.count,
        val: val.count,
        test: test.count,
        seed: 0,
        method:
          `chunks of the tr / val / eval manifests (${train.clips} / ${val.clips} / ${test.clips} clips; counts are chunks); 96×101 dB mel features; ` +
          'deviations: every chunk is a training example (the reference draws one chunk per clip per epoch), no training augmentation (wrap padding, SpecAugment, noise mixing)',
      },
    },
  };
}
