/**
 * Synthetic NAS-Bench-360 data in the official containers, file names, keys, dtypes and axis
 * orders (../shared/docs/nas-bench-360.md §3 and §7.2), with few examples. Every file is written
 * by test/tasks/nb360-writers.ts (and the HDF5 writer for MAT v7.3), never by the product's
 * readers or writers, and every value follows a closed-form pattern stated in NB360_FIXTURE_DESCRIPTIONS
 * so that a test can check any element by hand.
 *
 * Layout: `writeNb360Fixture(task, dir)` writes `<dir>/<task folder>/…` with the benchmark's
 * task folder names (cifar-100, spherical, ninapro, audio/data, darcyflow, psicov, cosmic, ecg,
 * satellite, deepsea).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeZip } from './formats/helpers.js';
import { writeMatV73 } from './hdf5-writer.js';
import {
  array, dict, f32Bytes, f64Bytes, i16Bytes, i32Bytes, i64Bytes, int, list, mat5Bytes, npyBytes, npyObjectBytes, objArray, pickle, seeded, str, str2,
  tarBytes, toColumnMajor, u8Bytes, wavBytes, type Py,
} from './nb360-writers.js';

export const NB360_FIXTURE_TASKS = [
  'cifar100-permuted', 'spherical', 'ninapro', 'fsd50k', 'darcyflow', 'psicov', 'cosmic', 'ecg', 'satellite', 'deepsea',
] as const;
export type Nb360FixtureTask = (typeof NB360_FIXTURE_TASKS)[number];

export interface Nb360FixtureOptions {
  /** Seed for the content that is drawn rather than closed-form (ECG signals, FSD50K noise). Default 0. */
  seed?: number;
  /** Darcy Flow container: MAT level 5 plain (default), level 5 with compressed elements, or v7.3 (HDF5). */
  darcyMat?: 'v5' | 'v5-compressed' | 'v7.3';
  /**
   * A variant of the task's files for a detail §3 marks as inferred or unknown (see
   * NB360_FIXTURE_VARIANTS); the default writes the most likely form.
   */
  variant?: string;
}

/** Variants per task (§7.1 "variants for every unknown"); each changes only what its name says. */
export const NB360_FIXTURE_VARIANTS: Record<Nb360FixtureTask, readonly string[]> = {
  'cifar100-permuted': ['python3'], // pickles as Python 3 writes them at protocol 2: str keys, bytes via _codecs.encode
  spherical: ['float64', 'uint8'], // image dtype (float32 by default)
  ninapro: ['float32'], // float32 data, int32 labels, and ninapro_val.npy Fortran-ordered
  fsd50k: [],
  darcyflow: ['v5-compressed', 'v7.3'], // same as the darcyMat option
  psicov: [],
  cosmic: [],
  ecg: ['object-labels'], // label as an object array of str instead of <U1
  satellite: ['constant-series'], // training row 3 is the constant 0.5 (division-by-zero policy)
  deepsea: ['bool', 'deflated'], // x and y as |b1; or the npz entries deflated (savez_compressed)
};

/** Task folder under the fixtures root (the benchmark's download layout, §2.3). */
export const NB360_TASK_FOLDERS: Record<Nb360FixtureTask, string> = {
  'cifar100-permuted': 'cifar-100', spherical: 'spherical', ninapro: 'ninapro', fsd50k: 'audio/data', darcyflow: 'darcyflow',
  psicov: 'psicov', cosmic: 'cosmic', ecg: 'ecg', satellite: 'satellite', deepsea: 'deepsea',
};

/** What each fixture holds, for docs and for tests that check values by hand. */
export const NB360_FIXTURE_DESCRIPTIONS: Record<Nb360FixtureTask, string> = {
  'cifar100-permuted':
    'cifar-100/cifar-100-python.tar.gz with cifar-100-python/{train,test,meta}: Python 2 pickles (protocol 2, byte-string keys). ' +
    'train 10 images, test 4; data uint8 (N, 3072) planar RGB with byte(k, c, p) = (k·7 + c·50 + p) mod 256 (k = index in the file, p = row·32 + col); ' +
    'fine_labels k mod 10 (train) / (k + 3) mod 10 (test), coarse_labels k mod 5; filenames, batch_label; meta: 100 fine and 20 coarse names.',
  spherical:
    'spherical/s2_cifar100.gz: gzip of a Python 3 pickle {"train": {"images", "labels"}, "test": {...}}; images float32 (10, 3, 60, 60) / (4, 3, 60, 60) ' +
    'with value (n·13 + c·7 + y + x) mod 256; labels int64 (n·37) mod 100 (train) and (n·37 + 1) mod 100 (test).',
  ninapro:
    'ninapro/ninapro_{train,val,test}.npy float64 (6|3|3, 52, 16) with value s·1000 + t·16 + ch (s = index in its file, t time, ch channel); ' +
    'label_{train,val,test}.npy int64 (g·7) mod 18, g = global index (train 0..5, val 6..8, test 9..11).',
  fsd50k:
    'audio/data/chunks/{tr,val,eval}.csv (files,labels,ext; labels quoted), lbl_map.json with 4 labels (Bark 0, Female_speech_and_woman_speaking 1, Guitar 2, Rain 3); ' +
    'wavs 22,050 Hz mono 16-bit under audio/data/chunks/<split>/<ext>_<i>.wav, the files column holding that path relative to audio/data. ' +
    'tr: clip 100001 (3 chunks, Bark+Guitar; chunk 1 silent), clip 100002 (2 chunks, Female speech; chunk 1 is 0.75 s); val: clip 100003 (1 chunk, Bark); ' +
    'eval: clip 100004 (2 chunks, Bark+Female speech), clip 100005 (1 chunk, Rain: its only positive anywhere); Guitar has no eval positive. ' +
    'Tones: sample t of chunk i of clip e = round(8000·sin(2π·f·t/22050)), f = 220·(e − 100000) + 55·i Hz. audio/data/noise_22050/noise0.wav: 1 s of seeded white noise.',
  darcyflow:
    'darcyflow/piececonst_r421_N1024_smooth{1,2}.mat, MAT level 5 (option darcyMat: "v5-compressed" for compressed elements, "v7.3" for HDF5 with a 512-byte header: coeff chunked 2×21×21 with shuffle + deflate, sol contiguous), variables coeff and sol, float64, ' +
    'MATLAB dims (6, 21, 21) and (3, 21, 21). With i = sample index (+100 in smooth2): coeff(i, y, x) = 3 if (x + 2y + i) mod 7 < 3 else 12; ' +
    'sol(i, y, x) = (i + 1)·x(20 − x)·y(20 − y)/1000 (0 on the boundary).',
  psicov:
    'psicov/protein.zip (stored): deepcov.lst (1abcA, 2defB, 3ghiC; L = 20, 30, 125), psicov.lst (1aapA, 1bebA; L = 30, 40), ' +
    '{deepcov,psicov}/features/<id>.pkl (Python 3 pickle, protocol 2): seq str, ss (3, L), pssm (L, 22), sa (L,), entropy (L,), ccmpred/freecon/potential (L, L), float64; ' +
    'ss[k, i] = 1 if (i + k) mod 3 = 0 else 0; pssm[i, a] = ((3i + a) mod 11)/10; sa[i] = (i mod 5)/4; entropy[i] = 1 + (i mod 7)/7; ' +
    'ccmpred[i, j] = ((i + j) mod 13)/13; freecon[i, j] = ((i·j) mod 17)/17; potential[i, j] = −(|i − j| mod 9)/9; ' +
    '{…}/distance/<id>-cb.npy: object array (L, seq, cb) of shape (3,), cb float64 with cb[i, j] = 2 + 0.2·|i − j| (0 on the diagonal): ' +
    'pairs at separation 24..30 are ≤ 8 Å, larger separations > 8 Å; L = 20 has no pair at separation ≥ 24.',
  cosmic:
    'cosmic/npy_train and npy_test extracted, plus cosmic/deepCR.ACS-WFC.{train,test}.tar holding the same npy_train/… and npy_test/… entries. ' +
    'npy_train/f435w/14704/1/1_0.npy float32 (3, 192, 192) [image, mask, ignore]; npy_train/f435w/13804/6/2_0.npy float32 (2, 192, 192) [image, mask]; ' +
    'npy_test/f435w/13804/6/1_1.npy float32 (2, 192, 192); to be skipped: npy_train/f435w/10595/2/1_0.npy (non-GAL) and npy_train/f814w/14704/1/1_0.npy ' +
    '(other filter), both (3, 8, 8). Each visit folder has sky.npy float32 (3,) = [10.5, 20.25, 30]. image = ((y·7 + x·3 + k) mod 100)/10 (k = file number); ' +
    'mask = 1 where (y·192 + x) mod 997 = 0 (37 pixels, 21 inside the 64..191 crop); ignore = 1 where y = 100 and x < 10.',
  ecg:
    'ecg/challenge2017.pkl: Python 3 pickle (protocol 3) of {"data": object array (20,) of int16 signals, "label": <U1 array (20,)}; ' +
    'record r has length 900 + 110·r (r = 0 gives no 1,000-sample window), label "NAO~"[r mod 4]; samples = round(300·sin(r + t/20) + 40·(u − 0.5)), u seeded uniform.',
  satellite:
    'satellite/satellite_{train,test}.npy: object .npy (shape ()) holding a dict {"data": float64 (30|6, 46), "label": int64 (30|6,)}; ' +
    'data[r, t] = sin(0.3·t + r) + r/10 (r = row in its file); labels (r mod 24) + 1 in train (all 24 classes), ((5r) mod 24) + 1 in test.',
  deepsea:
    'deepsea/deepsea_filtered.npz (stored): x_{train,val,test} uint8 (5|2|6, 1000, 4) one-hot with base (n·3 + p·7 + p²) mod 4 at position p, ' +
    'except position (37·n + 11) mod 1000 all zero (n = row in its split); y_{…} uint8 (·, 36) with y[n, k] = 1 if (n + k) mod 3 = 0; ' +
    'in y_test target 35 has no positive.',
};

/** Writes the fixture of one NAS-Bench-360 task under `dir` (see NB360_FIXTURE_DESCRIPTIONS). */
export async function writeNb360Fixture(task: string, dir: string, options: Nb360FixtureOptions = {}): Promise<void> {
  const seed = options.seed ?? 0;
  const variant = options.variant;
  const known = NB360_FIXTURE_VARIANTS[task as Nb360FixtureTask];
  if (variant !== undefined && known && !known.includes(variant)) {
    throw new Error(`writeNb360Fixture: task "${task}" has no variant "${variant}"; known: ${known.join(', ') || 'none'}`);
  }
  const root = join(dir, NB360_TASK_FOLDERS[task as Nb360FixtureTask] ?? '');
  const put = (rel: string, bytes: Uint8Array | string): void => {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  };
  switch (task as Nb360FixtureTask) {
    case 'cifar100-permuted':
      return writeCifar100(put, 10, 4, variant !== 'python3');
    case 'spherical':
      return writeSpherical(put, variant === 'float64' ? '<f8' : variant === 'uint8' ? '|u1' : '<f4');
    case 'ninapro':
      return writeNinapro(put, variant === 'float32');
    case 'fsd50k':
      return writeFsd50k(put, seed);
    case 'darcyflow':
      return writeDarcy(put, options.darcyMat ?? (variant as 'v5-compressed' | 'v7.3' | undefined) ?? 'v5');
    case 'psicov':
      return writePsicov(put);
    case 'cosmic':
      return writeCosmic(put);
    case 'ecg':
      return writeEcg(put, seed, variant === 'object-labels');
    case 'satellite':
      return writeSatellite(put, variant === 'constant-series');
    case 'deepsea':
      return writeDeepsea(put, variant === 'bool', variant === 'deflated');
    default:
      throw new Error(`writeNb360Fixture: unknown task "${task}"; known: ${NB360_FIXTURE_TASKS.join(', ')}`);
  }
}

type Put = (rel: string, bytes: Uint8Array | string) => void;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// ---------------------------------------------------------------------------------------------
// CIFAR (shared with writeCifarFixture)

export const cifarPixel = (k: number, c: number, p: number): number => (k * 7 + c * 50 + p) % 256;

function cifarData(count: number): Uint8Array {
  const out = new Uint8Array(count * 3072);
  for (let k = 0; k < count; k++) for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[k * 3072 + c * 1024 + p] = cifarPixel(k, c, p);
  return out;
}

/** A CIFAR batch dict, pickled the Python 2 way (byte strings) or the Python 3 way at protocol 2. */
function py2Batch(count: number, labels: [string, number[]][], batchLabel: string, python2 = true): Uint8Array {
  const text = python2 ? str2 : str;
  const value = dict(
    [
      ['batch_label', text(batchLabel)],
      ...labels.map(([k, v]): [string, Py] => [k, list(v.map(int))]),
      ['data', array('|u1', [count, 3072], cifarData(count))],
      ['filenames', list(range(count).map((k) => text(`img_${k}.png`)))],
    ],
    text,
  );
  return pickle(value, { protocol: 2, python2 });
}

function writeCifar100(put: Put, nTrain = 10, nTest = 4, python2 = true): void {
  const text = python2 ? str2 : str;
  const train = py2Batch(nTrain, [['fine_labels', range(nTrain).map((k) => k % 10)], ['coarse_labels', range(nTrain).map((k) => k % 5)]], 'training batch 1 of 1', python2);
  const test = py2Batch(nTest, [['fine_labels', range(nTest).map((k) => (k + 3) % 10)], ['coarse_labels', range(nTest).map((k) => k % 5)]], 'testing batch 1 of 1', python2);
  const meta = pickle(
    dict([['fine_label_names', list(range(100).map((i) => text(`fine_${i}`)))], ['coarse_label_names', list(range(20).map((i) => text(`coarse_${i}`)))]], text),
    { protocol: 2, python2 },
  );
  const tar = tarBytes([
    { name: 'cifar-100-python/train', data: train },
    { name: 'cifar-100-python/test', data: test },
    { name: 'cifar-100-python/meta', data: meta },
  ]);
  put('cifar-100-python.tar.gz', new Uint8Array(gzipSync(tar)));
}

// ---------------------------------------------------------------------------------------------

function writeSpherical(put: Put, descr: '<f4' | '<f8' | '|u1'): void {
  const split = (n: number, labelShift: number): Py => {
    const img = new Float64Array(n * 3 * 60 * 60);
    let q = 0;
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) for (let y = 0; y < 60; y++) for (let x = 0; x < 60; x++) img[q++] = (i * 13 + c * 7 + y + x) % 256;
    const raw = descr === '<f4' ? f32Bytes(img) : descr === '<f8' ? f64Bytes(img) : u8Bytes(img);
    return dict([
      ['images', array(descr, [n, 3, 60, 60], raw)],
      ['labels', array('<i8', [n], i64Bytes(range(n).map((i) => (i * 37 + labelShift) % 100)))],
    ]);
  };
  const pkl = pickle(dict([['train', split(10, 0)], ['test', split(4, 1)]]), { protocol: 3 });
  put('s2_cifar100.gz', new Uint8Array(gzipSync(pkl)));
}

function writeNinapro(put: Put, float32: boolean): void {
  let g = 0;
  for (const [name, n] of [['train', 6], ['val', 3], ['test', 3]] as const) {
    const data = new Float64Array(n * 52 * 16);
    for (let s = 0; s < n; s++) for (let t = 0; t < 52; t++) for (let ch = 0; ch < 16; ch++) data[(s * 52 + t) * 16 + ch] = s * 1000 + t * 16 + ch;
    const labels = range(n).map(() => (g++ * 7) % 18);
    if (!float32) {
      put(`ninapro_${name}.npy`, npyBytes('<f8', [n, 52, 16], f64Bytes(data)));
      put(`label_${name}.npy`, npyBytes('<i8', [n], i64Bytes(labels)));
      continue;
    }
    const fortran = name === 'val';
    put(`ninapro_${name}.npy`, npyBytes('<f4', [n, 52, 16], f32Bytes(fortran ? toColumnMajor(data, [n, 52, 16]) : data), fortran));
    put(`label_${name}.npy`, npyBytes('<i4', [n], i32Bytes(labels)));
  }
}

// ---------------------------------------------------------------------------------------------

const FSD_LABELS = ['Bark', 'Female_speech_and_woman_speaking', 'Guitar', 'Rain'];

function writeFsd50k(put: Put, seed: number): void {
  const sr = 22050;
  const clips: { split: 'tr' | 'val' | 'eval'; ext: number; labels: string[]; chunks: number }[] = [
    { split: 'tr', ext: 100001, labels: ['Bark', 'Guitar'], chunks: 3 },
    { split: 'tr', ext: 100002, labels: ['Female_speech_and_woman_speaking'], chunks: 2 },
    { split: 'val', ext: 100003, labels: ['Bark'], chunks: 1 },
    { split: 'eval', ext: 100004, labels: ['Bark', 'Female_speech_and_woman_speaking'], chunks: 2 },
    { split: 'eval', ext: 100005, labels: ['Rain'], chunks: 1 },
  ];
  const rows: Record<string, string[]> = { tr: [], val: [], eval: [] };
  for (const clip of clips) {
    for (let i = 0; i < clip.chunks; i++) {
      const silent = clip.ext === 100001 && i === 1;
      const length = clip.ext === 100002 && i === 1 ? Math.floor((sr * 3) / 4) : sr;
      const f = 220 * (clip.ext - 100000) + 55 * i;
      const s = new Int16Array(length);
      if (!silent) for (let t = 0; t < length; t++) s[t] = Math.round(8000 * Math.sin((2 * Math.PI * f * t) / sr));
      const rel = `chunks/${clip.split}/${clip.ext}_${i}.wav`;
      put(rel, wavBytes(s, sr));
      rows[clip.split].push(`${rel},"${clip.labels.join(',')}",${clip.ext}`);
    }
  }
  for (const split of ['tr', 'val', 'eval']) put(`chunks/${split}.csv`, ['files,labels,ext', ...rows[split]].join('\n') + '\n');
  put('chunks/lbl_map.json', JSON.stringify(Object.fromEntries(FSD_LABELS.map((l, i) => [l, i]))));
  const rand = seeded(seed + 17);
  put('noise_22050/noise0.wav', wavBytes(Int16Array.from(range(sr), () => Math.round((rand() - 0.5) * 4000)), sr));
}

// ---------------------------------------------------------------------------------------------

export const darcyCoeff = (i: number, y: number, x: number): number => ((x + 2 * y + i) % 7 < 3 ? 3 : 12);
export const darcySol = (i: number, y: number, x: number): number => ((i + 1) * x * (20 - x) * y * (20 - y)) / 1000;

async function writeDarcy(put: Put, version: 'v5' | 'v5-compressed' | 'v7.3'): Promise<void> {
  for (const [name, n, offset] of [['smooth1', 6, 0], ['smooth2', 3, 100]] as const) {
    const dims = [n, 21, 21];
    const field = (f: (i: number, y: number, x: number) => number): Float64Array => {
      const c = new Float64Array(n * 441);
      let q = 0;
      for (let i = 0; i < n; i++) for (let y = 0; y < 21; y++) for (let x = 0; x < 21; x++) c[q++] = f(i + offset, y, x);
      return c;
    };
    const coeff = field(darcyCoeff);
    const sol = field(darcySol);
    const file = `piececonst_r421_N1024_${name}.mat`;
    if (version === 'v7.3') {
      put(file, writeMatV73([
        { name: 'coeff', dims, cOrder: coeff, class: 'double', layout: { chunks: [2, 21, 21], deflate: 4, shuffle: true } },
        { name: 'sol', dims, cOrder: sol, class: 'double', layout: 'contiguous' },
      ]));
      continue;
    }
    put(file, mat5Bytes([
      { name: 'coeff', dims, colMajor: toColumnMajor(coeff, dims), class: 'double' },
      { name: 'sol', dims, colMajor: toColumnMajor(sol, dims), class: 'double' },
    ], version === 'v5-compressed'));
  }
}

// ---------------------------------------------------------------------------------------------

export const PSICOV_PROTEINS = { deepcov: [['1abcA', 20], ['2defB', 30], ['3ghiC', 125]], psicov: [['1aapA', 30], ['1bebA', 40]] } as const;
const AMINO = 'ACDEFGHIKLMNPQRSTVWY';
export const psicovDistance = (i: number, j: number): number => (i === j ? 0 : 2 + 0.2 * Math.abs(i - j));

function matrix(rows: number, cols: number, f: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = f(i, j);
  return out;
}

function writePsicov(put: Put): void {
  const entries: { name: string; data: Uint8Array }[] = [];
  for (const [set, proteins] of Object.entries(PSICOV_PROTEINS)) {
    entries.push({ name: `${set}.lst`, data: new Uint8Array(Buffer.from(proteins.map(([id]) => id).join('\n') + '\n')) });
    for (const [id, L] of proteins) {
      const seq = range(L).map((i) => AMINO[(i * 7) % 20]).join('');
      const f8 = (shape: number[], v: Float64Array): Py => array('<f8', shape, f64Bytes(v));
      const features = dict([
        ['seq', str(seq)],
        ['ss', f8([3, L], matrix(3, L, (k, i) => ((i + k) % 3 === 0 ? 1 : 0)))],
        ['pssm', f8([L, 22], matrix(L, 22, (i, a) => ((3 * i + a) % 11) / 10))],
        ['sa', f8([L], matrix(1, L, (_, i) => (i % 5) / 4))],
        ['entropy', f8([L], matrix(1, L, (_, i) => 1 + (i % 7) / 7))],
        ['ccmpred', f8([L, L], matrix(L, L, (i, j) => ((i + j) % 13) / 13))],
        ['freecon', f8([L, L], matrix(L, L, (i, j) => ((i * j) % 17) / 17))],
        ['potential', f8([L, L], matrix(L, L, (i, j) => -(Math.abs(i - j) % 9) / 9))],
      ]);
      entries.push({ name: `${set}/features/${id}.pkl`, data: pickle(features, { protocol: 2 }) });
      const cb = array('<f8', [L, L], f64Bytes(matrix(L, L, psicovDistance)));
      entries.push({ name: `${set}/distance/${id}-cb.npy`, data: npyBytes('|O', [3], pickle(objArray([3], [int(L), str(seq), cb]), { protocol: 3 })) });
    }
  }
  put('protein.zip', makeZip(entries));
}

// ---------------------------------------------------------------------------------------------

export const COSMIC_SKY = [10.5, 20.25, 30];
export const cosmicImage = (k: number, y: number, x: number): number => ((y * 7 + x * 3 + k) % 100) / 10;
export const cosmicMask = (y: number, x: number): number => ((y * 192 + x) % 997 === 0 ? 1 : 0);
export const cosmicIgnore = (y: number, x: number): number => (y === 100 && x < 10 ? 1 : 0);

function cosmicFile(k: number, planes: 2 | 3, size = 192): Uint8Array {
  const fs = [(y: number, x: number) => cosmicImage(k, y, x), cosmicMask, cosmicIgnore].slice(0, planes);
  const data = new Float32Array(planes * size * size);
  let q = 0;
  for (const f of fs) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[q++] = f(y, x);
  return npyBytes('<f4', [planes, size, size], f32Bytes(data));
}

function writeCosmic(put: Put): void {
  const sky = npyBytes('<f4', [3], f32Bytes(COSMIC_SKY));
  const files: Record<'train' | 'test', [string, Uint8Array][]> = {
    train: [
      ['npy_train/f435w/14704/1/1_0.npy', cosmicFile(1, 3)],
      ['npy_train/f435w/14704/1/sky.npy', sky],
      ['npy_train/f435w/13804/6/2_0.npy', cosmicFile(2, 2)],
      ['npy_train/f435w/13804/6/sky.npy', sky],
      ['npy_train/f435w/10595/2/1_0.npy', cosmicFile(1, 3, 8)],
      ['npy_train/f435w/10595/2/sky.npy', sky],
      ['npy_train/f814w/14704/1/1_0.npy', cosmicFile(1, 3, 8)],
      ['npy_train/f814w/14704/1/sky.npy', sky],
    ],
    test: [
      ['npy_test/f435w/13804/6/1_1.npy', cosmicFile(1, 2)],
      ['npy_test/f435w/13804/6/sky.npy', sky],
    ],
  };
  for (const part of ['train', 'test'] as const) {
    for (const [name, data] of files[part]) put(name, data);
    put(`deepCR.ACS-WFC.${part}.tar`, tarBytes(files[part].map(([name, data]) => ({ name, data }))));
  }
}

// ---------------------------------------------------------------------------------------------

export const ECG_RECORDS = 20;
export const ecgLength = (r: number): number => 900 + 110 * r;
export const ecgLabel = (r: number): string => 'NAO~'[r % 4];

function writeEcg(put: Put, seed: number, objectLabels: boolean): void {
  const rand = seeded(seed + 2017);
  const signals = range(ECG_RECORDS).map((r) => {
    const s = Int16Array.from(range(ecgLength(r)), (t) => Math.round(300 * Math.sin(r + t / 20) + 40 * (rand() - 0.5)));
    return array('<i2', [s.length], i16Bytes(s));
  });
  const labels = new Uint8Array(ECG_RECORDS * 4);
  for (let r = 0; r < ECG_RECORDS; r++) labels[r * 4] = ecgLabel(r).charCodeAt(0); // <U1: one UTF-32 code unit each
  const value = dict([
    ['data', objArray([ECG_RECORDS], signals)],
    ['label', objectLabels ? objArray([ECG_RECORDS], range(ECG_RECORDS).map((r) => str(ecgLabel(r)))) : array('<U1', [ECG_RECORDS], labels)],
  ]);
  put('challenge2017.pkl', pickle(value, { protocol: 3 }));
}

export const satelliteValue = (r: number, t: number): number => Math.sin(0.3 * t + r) + r / 10;

function writeSatellite(put: Put, constantRow: boolean): void {
  for (const [name, n, label] of [
    ['train', 30, (r: number) => (r % 24) + 1],
    ['test', 6, (r: number) => ((5 * r) % 24) + 1],
  ] as const) {
    const value = dict([
      ['data', array('<f8', [n, 46], f64Bytes(matrix(n, 46, (r, t) => (constantRow && name === 'train' && r === 3 ? 0.5 : satelliteValue(r, t)))))],
      ['label', array('<i8', [n], i64Bytes(range(n).map(label)))],
    ]);
    put(`satellite_${name}.npy`, npyObjectBytes(value));
  }
}

export const deepseaBase = (n: number, p: number): number => (p === (37 * n + 11) % 1000 ? -1 : (n * 3 + p * 7 + p * p) % 4);
export const deepseaTarget = (split: string, n: number, k: number): number => (split === 'test' && k === 35 ? 0 : (n + k) % 3 === 0 ? 1 : 0);

function writeDeepsea(put: Put, bool: boolean, deflate: boolean): void {
  const descr = bool ? '|b1' : '|u1';
  const entries: { name: string; data: Uint8Array }[] = [];
  for (const [split, n] of [['train', 5], ['val', 2], ['test', 6]] as const) {
    const x = new Uint8Array(n * 1000 * 4);
    for (let s = 0; s < n; s++) for (let p = 0; p < 1000; p++) {
      const b = deepseaBase(s, p);
      if (b >= 0) x[(s * 1000 + p) * 4 + b] = 1;
    }
    const y = u8Bytes(matrix(n, 36, (s, k) => deepseaTarget(split, s, k)));
    entries.push({ name: `x_${split}.npy`, data: npyBytes(descr, [n, 1000, 4], x) }, { name: `y_${split}.npy`, data: npyBytes(descr, [n, 36], y) });
  }
  put('deepsea_filtered.npz', makeZip(entries.map((e) => ({ ...e, deflate }))));
}

// ---------------------------------------------------------------------------------------------

export interface CifarFixtureOptions {
  /** Images per training batch file (CIFAR-10 has five batches) or in `train` (CIFAR-100). Default 2 / 10. */
  trainPerBatch?: number;
  test?: number;
}

/**
 * Torchvision-style CIFAR python archives for cifar10/cifar100: `<dir>/cifar-10-python.tar.gz` with
 * cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}, or `<dir>/cifar-100-python.tar.gz`
 * (train, test, meta), Python 2 pickles; pixel byte (k, c, p) = (k·7 + c·50 + p) mod 256 with k the
 * index inside its batch file; CIFAR-10 labels (k + b) mod 10 for batch b (test: b = 0), CIFAR-100
 * fine labels as in the NAS-Bench-360 fixture.
 */
export async function writeCifarFixture(task: 'cifar10' | 'cifar100', dir: string, options: CifarFixtureOptions = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (task === 'cifar100') return writeCifar100((rel, b) => writeFileSync(join(dir, rel), b), options.trainPerBatch ?? 10, options.test ?? 4);
  const per = options.trainPerBatch ?? 2;
  const nTest = options.test ?? 4;
  const entries = [1, 2, 3, 4, 5].map((b) => ({ name: `cifar-10-batches-py/data_batch_${b}`, data: py2Batch(per, [['labels', range(per).map((k) => (k + b) % 10)]], `training batch ${b} of 5`) }));
  entries.push({ name: 'cifar-10-batches-py/test_batch', data: py2Batch(nTest, [['labels', range(nTest).map((k) => k % 10)]], 'testing batch 1 of 1') });
  const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  entries.push({ name: 'cifar-10-batches-py/batches.meta', data: pickle(dict([['num_cases_per_batch', int(per)], ['label_names', list(names.map(str2))], ['num_vis', int(3072)]], str2), { protocol: 2, python2: true }) });
  writeFileSync(join(dir, 'cifar-10-python.tar.gz'), gzipSync(tarBytes(entries)));
}
