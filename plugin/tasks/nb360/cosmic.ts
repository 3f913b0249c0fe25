/**
 * Cosmic-ray detection in Hubble ACS/WFC images (nas-bench-360.md §3.7): the deepCR data,
 * `npy_train/` and `npy_test/` laid out as `<filter>/<proposal>/<visit>/<k>_<j>.npy` (float
 * (3, H, W) = image, cosmic-ray mask, ignore mask; 2 planes without an ignore mask) plus one
 * `sky.npy` per visit folder; extracted, or inside `deepCR.ACS-WFC.{train,test}.tar`.
 *
 * - Only filter `f435w`, only fields whose type is "GAL" in a table keyed `<proposal>_<visit>`;
 *   the reference fails on a key it does not know, and so does this adapter. The reference
 *   table is not in our docs: the default knows the fields the docs name (14704_1 and 13804_6
 *   GAL, 10595_2 not), and option `galFields` / `otherFields` (comma-separated keys) extend it.
 * - Deviation: paths are sorted (the reference uses the file system's listing order).
 * - Search mode: the first 90 % of the training paths train, the rest val; test = npy_test.
 * - Centre crop rows and columns 64..191 (option `cropStart`, `cropSize`).
 * - Sky offset on every part: image += sky[k − 1] · U(−0.9, 3), k = the file name's leading
 *   integer. The reference's NumPy draws (seed 1) cannot be reproduced; draws here come from a
 *   seeded generator (seed 1) in sorted path order — recorded in the split description.
 * - Input (128, 128, 1): the image. Output: the dense head, one logit per pixel. Loss: BCE with
 *   logits ignoring the ignore mask (targets: mask where not ignored, −1 − mask where ignored).
 * - Metric: the NeurIPS variant, 1 − AUROC of the hard prediction logit > 0.5 on all test pixels
 *   pooled, ignore mask not applied (`cosmicMetrics`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { DataFormatError } from '../formats/errors.js';
import { readNumericNpy } from '../formats/npy.js';
import { fileSource } from '../formats/source.js';
import { TarArchive } from '../formats/tar.js';
import { cosmicMetrics } from '../metrics/dense.js';
import { outputMetric } from '../output.js';
import type { Split, Task } from '../types.js';
import { Rng } from '../../util/rng.js';
import { checkOptions, intOption, requireCounts, taskFolder, toFloat32, type TaskOptions } from './common.js';

export const COSMIC_FILTER = 'f435w';
/** Field types the docs name (nas-bench-360.md §7.2); extend with task.options. */
const KNOWN_FIELDS: Readonly<Record<string, 'GAL' | 'other'>> = { '14704_1': 'GAL', '13804_6': 'GAL', '10595_2': 'other' };
export const COSMIC_THRESHOLD = 0.5;

/** The image files of one part, by path relative to the part folder, readable as bytes. */
interface PartFiles {
  readonly where: string;
  readonly paths: string[];
  read(path: string): Uint8Array;
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, name)).isDirectory() ? walk(join(dir, name), rel) : [rel];
  });
}

function partFiles(dir: string, part: 'train' | 'test'): PartFiles {
  const folder = join(dir, `npy_${part}`);
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    return { where: folder, paths: walk(folder), read: (p) => new Uint8Array(readFileSync(join(folder, p))) };
  }
  const tarPath = join(dir, `deepCR.ACS-WFC.${part}.tar`);
  if (existsSync(tarPath)) {
    const tar = new TarArchive(fileSource(tarPath));
    const prefix = `npy_${part}/`;
    const paths = tar.names().filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
    return { where: tarPath, paths, read: (p) => tar.read(prefix + p) };
  }
  throw new InputError(`task.data: no Cosmic ${part} files in ${dir}`, `expected ${folder}/ or ${tarPath}`);
}

function fieldTable(options: TaskOptions): Map<string, 'GAL' | 'other'> {
  const table = new Map(Object.entries(KNOWN_FIELDS));
  const list = (key: string): string[] => {
    const v = options[key];
    if (v === undefined) return [];
    if (typeof v !== 'string') throw new InputError(`task.options.${key}: expected comma-separated <proposal>_<visit> keys, got ${JSON.stringify(v)}`);
    return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  };
  for (const key of list('galFields')) table.set(key, 'GAL');
  for (const key of list('otherFields')) table.set(key, 'other');
  return table;
}

/** f435w image files of GAL fields, sorted; sky.npy excluded. */
function selectPaths(files: PartFiles, table: Map<string, 'GAL' | 'other'>): string[] {
  const chosen: string[] = [];
  for (const path of files.paths) {
    const parts = path.split('/');
    if (parts.length !== 4 || parts[0] !== COSMIC_FILTER || !parts[3]!.endsWith('.npy') || parts[3] === 'sky.npy') continue;
    const key = `${parts[1]}_${parts[2]}`;
    const type = table.get(key);
    if (type === undefined) {
      throw new InputError(
        `task.data: Cosmic field ${key} (${files.where}/${path}) is not in the field table`,
        `name its type with task.options.galFields or task.options.otherFields (comma-separated <proposal>_<visit> keys)`,
      );
    }
    if (type === 'GAL') chosen.push(path);
  }
  return chosen.sort();
}

interface Loaded {
  readonly x: Float32Array;
  readonly targets: Float32Array;
  readonly count: number;
}

function loadImages(files: PartFiles, paths: readonly string[], crop: { start: number; size: number }, rng: Rng): Loaded {
  const side = crop.size;
  const pixels = side * side;
  const x = new Float32Array(paths.length * pixels);
  const targets = new Float32Array(paths.length * pixels);
  const skies = new Map<string, Float32Array>();
  paths.forEach((path, n) => {
    const file = `${files.where}/${path}`;
    const a = readNumericNpy(files.read(path), file);
    const [planes, h, w] = a.shape as [number, number, number];
    if (a.shape.length !== 3 || (planes !== 2 && planes !== 3) || h < crop.start + side || w < crop.start + side) {
      throw new DataFormatError(file, `an image of shape (2 or 3, ≥ ${crop.start + side}, ≥ ${crop.start + side})`, `shape (${a.shape.join(', ')})`);
    }
    const visit = path.slice(0, path.lastIndexOf('/'));
    let sky = skies.get(visit);
    if (sky === undefined) {
      sky = toFloat32(readNumericNpy(files.read(`${visit}/sky.npy`), `${files.where}/${visit}/sky.npy`));
      skies.set(visit, sky);
    }
    const k = Number.parseInt(path.slice(path.lastIndexOf('/') + 1), 10);
    if (!Number.isInteger(k) || k < 1 || k > sky.length) throw new DataFormatError(file, `a file name <k>_<j>.npy with 1 ≤ k ≤ ${sky.length} (sky.npy entries)`, path);
    const offset = sky[k - 1]! * (-0.9 + 3.9 * rng.next());
    const src = toFloat32(a);
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const at = (crop.start + r) * w + crop.start + c;
        const o = n * pixels + r * side + c;
        x[o] = src[at]! + offset;
        const mask = src[h * w + at]! > 0.5 ? 1 : 0;
        const ignored = planes === 3 && src[2 * h * w + at]! > 0.5;
        targets[o] = ignored ? -1 - mask : mask;
      }
    }
  });
  return { x, targets, count: paths.length };
}

/** The cosmic-ray mask from the encoded targets (ignored pixels keep their mask value). */
export function cosmicMask(targets: Float32Array): Float32Array {
  return Float32Array.from(targets, (t) => (t >= 0 ? t : -1 - t));
}

function split(data: Loaded, from: number, count: number, indexBase: number): Split {
  const per = data.x.length / data.count;
  return {
    x: data.x.subarray(from * per, (from + count) * per),
    y: new Int32Array(count),
    targets: data.targets.subarray(from * per, (from + count) * per),
    count,
    indices: Int32Array.from({ length: count }, (_, i) => indexBase + from + i),
  };
}

export function loadCosmicTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('cosmic', options, ['galFields', 'otherFields', 'cropStart', 'cropSize']);
  const dir = taskFolder('cosmic', data, 'cosmic', existsMarker(data));
  const crop = { start: intOption('cosmic', options, 'cropStart', 64), size: intOption('cosmic', options, 'cropSize', 128) };
  const table = fieldTable(options);
  const trainFiles = partFiles(dir, 'train');
  const testFiles = partFiles(dir, 'test');
  const trainPaths = selectPaths(trainFiles, table);
  const testPaths = selectPaths(testFiles, table);
  const rng = new Rng(1);
  const full = loadImages(trainFiles, trainPaths, crop, rng);
  const test = loadImages(testFiles, testPaths, crop, rng);
  const nTrain = Math.floor(0.9 * full.count);
  const nVal = full.count - nTrain;
  requireCounts('cosmic', dir, { train: nTrain, val: nVal, test: test.count });
  const side = crop.size;
  return {
    id: 'cosmic',
    kind: 'dense-classification',
    output: {
      kind: 'dense-classification',
      head: 'dense',
      loss: 'bce-logits',
      size: side * side,
      evaluate: (outputs, s) => cosmicMetrics(outputs, cosmicMask(s.targets!), COSMIC_THRESHOLD).oneMinusAuroc,
    },
    inputShape: { height: side, width: side, channels: 1 },
    numClasses: 1,
    defaultStemStride: 1,
    metric: outputMetric('1-auroc', 'min'),
    normalization: { mean: [0], std: [1] },
    splits: {
      train: split(full, 0, nTrain, 0),
      val: split(full, nTrain, nVal, 0),
      test: split(test, 0, test.count, full.count),
      description: {
        source: `Cosmic / deepCR ACS-WFC (NAS-Bench-360), ${dir}`,
        total: full.count + test.count,
        train: nTrain,
        val: nVal,
        test: test.count,
        seed: 1,
        method:
          `${COSMIC_FILTER} GAL fields only, paths sorted (deviation: the reference uses the listing order); first 90 % of the training paths train, the rest val; npy_test as test; ` +
          `crop ${crop.start}..${crop.start + side - 1}; sky offset sky[k − 1]·U(−0.9, 3) on all parts drawn from a seeded generator (seed 1; the reference's NumPy draws are not reproducible)`,
      },
    },
  };
}

/** The marker file that identifies the Cosmic folder: the extracted train folder or its tar. */
function existsMarker(data: string | null): string {
  if (data !== null) {
    for (const marker of ['npy_train', 'deepCR.ACS-WFC.train.tar']) {
      if (existsSync(join(data, 'cosmic', marker)) || existsSync(join(data, marker))) return marker;
    }
  }
  return 'npy_train';
}
