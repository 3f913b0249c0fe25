/**
 * CIFAR-10 and CIFAR-100 from the user's copy of the official files (nas-bench-360.md §3.1):
 * the binary version or the python (pickle) version, extracted or as the shipped `.tar.gz` in
 * the data directory. The official test set is the test split; the validation split is the last
 * tenth (CIFAR-10: 5 000 of 50 000) or fifth (CIFAR-100: 10 000 of 50 000, as in the
 * NAS-Bench-360 reference) of the training images by index, unshuffled. Pixels are scaled to
 * [0, 1] and normalised per channel with the CIFAR constants of method.md §5.1.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readCifarBinary, type CifarBatch } from './formats/cifar-binary.js';
import { DataFormatError } from './formats/errors.js';
import { gunzip } from './formats/gzip.js';
import { readPickle } from './formats/pickle.js';
import { bufferSource } from './formats/source.js';
import { TarArchive } from './formats/tar.js';
import { describePy, dictEntry, expectDict, isNdArray, type PyValue } from './formats/pyvalue.js';
import { accuracy } from './metrics.js';
import type { Split, Task } from './types.js';

export type CifarKind = 'cifar10' | 'cifar100';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

/** method.md §5.1 (the final-training constants), used for both CIFAR tasks. */
export const CIFAR_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR_STD = [0.2023, 0.1994, 0.201] as const;

/** Share of the training images held out (from the end) as validation. */
export const CIFAR_VAL_FRACTION: Readonly<Record<CifarKind, number>> = { cifar10: 0.1, cifar100: 0.2 };

/** One way the official files can sit in the data directory. */
interface Layout {
  readonly version: 'binary' | 'python';
  /** Folder the archive extracts to (and the folder name inside the tarball). */
  readonly folder: string;
  readonly tarball: string;
  readonly train: readonly string[];
  readonly test: string;
}

const LAYOUTS: Readonly<Record<CifarKind, readonly Layout[]>> = {
  cifar10: [
    {
      version: 'binary',
      folder: 'cifar-10-batches-bin',
      tarball: 'cifar-10-binary.tar.gz',
      train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
      test: 'test_batch.bin',
    },
    {
      version: 'python',
      folder: 'cifar-10-batches-py',
      tarball: 'cifar-10-python.tar.gz',
      train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`),
      test: 'test_batch',
    },
  ],
  cifar100: [
    { version: 'binary', folder: 'cifar-100-binary', tarball: 'cifar-100-binary.tar.gz', train: ['train.bin'], test: 'test.bin' },
    { version: 'python', folder: 'cifar-100-python', tarball: 'cifar-100-python.tar.gz', train: ['train'], test: 'test' },
  ],
};

/** Named files of one layout, read from a folder on disk or from inside a tarball. */
interface FileSet {
  /** Where the files were found, for messages and the split description. */
  readonly where: string;
  read(name: string): Uint8Array;
}

function folderFiles(dir: string, layout: Layout): FileSet | null {
  const complete = (d: string): boolean => [...layout.train, layout.test].every((f) => existsSync(join(d, f)));
  // The user may point at the extracted folder itself or at its parent.
  for (const candidate of [join(dir, layout.folder), dir]) {
    if (existsSync(candidate) && statSync(candidate).isDirectory() && complete(candidate)) {
      return { where: candidate, read: (name) => new Uint8Array(readFileSync(join(candidate, name))) };
    }
  }
  return null;
}

function tarballFiles(dir: string, layout: Layout): FileSet | null {
  const path = join(dir, layout.tarball);
  if (!existsSync(path)) return null;
  const archive = new TarArchive(bufferSource(gunzip(new Uint8Array(readFileSync(path)), path), path));
  const entry = (name: string): string => `${layout.folder}/${name}`;
  const missing = [...layout.train, layout.test].filter((f) => !archive.has(entry(f)));
  if (missing.length > 0) {
    throw new DataFormatError(path, `the official entries ${missing.map(entry).join(', ')}`, `entries ${archive.names().slice(0, 10).join(', ') || '(none)'}`);
  }
  return { where: path, read: (name) => archive.read(entry(name)) };
}

function expectedFiles(kind: CifarKind): string {
  return LAYOUTS[kind]
    .map((l) => `${l.folder}/{${[...l.train, l.test].join(',')}} or ${l.tarball}`)
    .join('; or ');
}

function locate(kind: CifarKind, dir: string): { layout: Layout; files: FileSet } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(`task.data: ${dir} is not a directory`, `pass --data <dir> with the official ${kind} files: ${expectedFiles(kind)}`);
  }
  for (const layout of LAYOUTS[kind]) {
    const files = folderFiles(dir, layout) ?? tarballFiles(dir, layout);
    if (files) return { layout, files };
  }
  throw new InputError(`task.data: no ${kind} files in ${dir}`, `expected the official files: ${expectedFiles(kind)}`);
}

/** Python-version batch: dict with `data` uint8 (N, 3072) in R, G, B planes and the label list. */
function readPythonBatch(bytes: Uint8Array, file: string, kind: CifarKind): CifarBatch {
  const batch = expectDict(readPickle(bytes, file), file, 'the batch');
  const data = dictEntry(batch, 'data', file);
  if (!isNdArray(data) || data.kind !== 'numeric' || data.dtype !== 'u1' || data.shape.length !== 2 || data.shape[1] !== PIXELS) {
    throw new DataFormatError(file, `"data" as a uint8 array of shape (N, ${PIXELS})`, describePy(data));
  }
  const count = data.shape[0]!;
  const labels = readLabels(dictEntry(batch, kind === 'cifar10' ? 'labels' : 'fine_labels', file), file, count, kind === 'cifar10' ? 9 : 99);
  const pixels = data.data;
  const images = new Float32Array(count * PIXELS);
  for (let n = 0; n < count; n++) {
    const src = n * PIXELS;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < PLANE; p++) images[src + p * 3 + c] = pixels[src + c * PLANE + p]! / 255;
    }
  }
  return { count, images, labels };
}

function readLabels(value: PyValue, file: string, count: number, maxLabel: number): Int32Array {
  const list: ArrayLike<unknown> | null = Array.isArray(value) ? value : isNdArray(value) && value.kind === 'numeric' ? value.data : null;
  if (list === null || list.length !== count) throw new DataFormatError(file, `${count} labels (one per image)`, describePy(value));
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = list[i];
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label > maxLabel) {
      throw new DataFormatError(file, `labels 0..${maxLabel}`, `${String(label)} at image ${i}`);
    }
    labels[i] = label;
  }
  return labels;
}

function readBatches(kind: CifarKind, layout: Layout, files: FileSet, names: readonly string[]): CifarBatch {
  const batches = names.map((name) => {
    const bytes = files.read(name);
    const label = `${files.where}${files.where.endsWith('.tar.gz') ? ':' : '/'}${name}`;
    return layout.version === 'binary' ? readCifarBinary(bytes, label, kind) : readPythonBatch(bytes, label, kind);
  });
  const count = batches.reduce((n, b) => n + b.count, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let offset = 0;
  for (const b of batches) {
    images.set(b.images, offset * PIXELS);
    labels.set(b.labels, offset);
    offset += b.count;
  }
  return { count, images, labels };
}

/** Per-channel normalisation constants and the task id they define. */
export interface CifarVariant {
  readonly id: string;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** In place: the arrays are the size of the dataset, so no second copy is made. */
function normalise(images: Float32Array, mean: readonly number[], std: readonly number[]): void {
  for (let i = 0; i < images.length; i += 3) {
    for (let c = 0; c < 3; c++) images[i + c] = (images[i + c]! - mean[c]!) / std[c]!;
  }
}

function split(batch: CifarBatch, from: number, count: number, indexBase: number): Split {
  return {
    x: batch.images.subarray(from * PIXELS, (from + count) * PIXELS),
    y: batch.labels.subarray(from, from + count),
    count,
    indices: Int32Array.from({ length: count }, (_, i) => indexBase + from + i),
  };
}

/**
 * Loads the task from the directory holding the official files. `dataDir` null (the recipe's
 * `task.data: null`) is an InputError asking for `--data`.
 */
export function loadCifarTask(
  kind: CifarKind,
  dataDir: string | null,
  variant: CifarVariant = { id: kind, mean: CIFAR_MEAN, std: CIFAR_STD },
): Task {
  if (dataDir === null) {
    throw new InputError(
      `task.data: ${kind} needs the official dataset files and the recipe gives no data directory`,
      `pass --data <dir> with the official files (${expectedFiles(kind)})`,
    );
  }
  const { layout, files } = locate(kind, dataDir);
  const train = readBatches(kind, layout, files, layout.train);
  const test = readBatches(kind, layout, files, [layout.test]);
  normalise(train.images, variant.mean, variant.std);
  normalise(test.images, variant.mean, variant.std);
  const nVal = Math.round(CIFAR_VAL_FRACTION[kind] * train.count);
  const nTrain = train.count - nVal;
  if (nTrain < 1 || nVal < 1) {
    throw new InputError(`task.data: ${files.where} holds ${train.count} training images, too few to hold out a validation split`);
  }
  return {
    id: variant.id,
    kind: 'classification',
    inputShape: { height: SIDE, width: SIDE, channels: 3 },
    numClasses: kind === 'cifar10' ? 10 : 100,
    defaultStemStride: 1,
    metric: accuracy,
    normalization: { mean: [...variant.mean], std: [...variant.std] },
    splits: {
      // Canonical order: the training images in file order, then the test images.
      train: split(train, 0, nTrain, 0),
      val: split(train, nTrain, nVal, 0),
      test: split(test, 0, test.count, train.count),
      description: {
        source: `${kind} ${layout.version} version, ${files.where}`,
        total: train.count + test.count,
        train: nTrain,
        val: nVal,
        test: test.count,
        seed: 0,
        method: `official test set as test; the last ${nVal} training images (${CIFAR_VAL_FRACTION[kind] * 100} %, by index, unshuffled) held out as val; no shuffling, the seed is unused`,
      },
    },
  };
}
