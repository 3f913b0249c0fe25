/**
 * PSICOV inter-residue distances (nas-bench-360.md §3.6): `protein.zip` with `deepcov.lst`,
 * `psicov.lst`, `{deepcov,psicov}/features/<id>.pkl` (seq, ss (3, L), pssm (L, 22), sa (L,),
 * entropy (L,), ccmpred / freecon / potential (L, L)) and `{…}/distance/<id>-cb.npy` (an object
 * array (L, seq, cb_map)).
 *
 * - 57 input channels: each per-residue feature f (ss rows, pssm columns, sa, entropy) twice,
 *   first broadcast along rows (channel value f[column]) then along columns (f[row]), in that
 *   order (6 + 44 + 2 + 2 = 54), then ccmpred, freecon, potential. The order follows the doc's
 *   listing (inferred, not checked against the reference code).
 * - Distances clamped ≥ 1 Å; the diagonal filled with the mean of its row neighbours (inferred).
 * - Pad 5 per side (inputs 0, distances 100); larger than `dim` → a `dim` × `dim` crop at
 *   seeded random row and column offsets (deviation: fixed at load time, the reference re-draws
 *   per epoch); smaller → padded to `dim`. NaN → 0.
 * - Train: deepcov ids from `valCount` (100) on, val: the first `valCount`; `dim` 128, distances
 *   clipped at 16 Å. Test: the psicov ids at `testDim` 512, no clipping, cut into
 *   non-overlapping `dim` tiles (the test split's examples, in protein then row-major tile order)
 *   and stitched back for the metric.
 * - Layout NHWC (dim, dim, 57); dense head, one distance per pair; loss MSE.
 * - Metric on test: MAE₈ (two-step symmetrisation, clamp ≥ 0.01, unpad, separation ≥ 24 and
 *   d ≤ 8 Å, mean per protein, proteins without pairs skipped). On val (search mode): the
 *   reference's plain L1 on the clipped crops, `mae-crop`.
 */
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { DataFormatError } from '../formats/errors.js';
import { readNpy } from '../formats/npy.js';
import { readPickle } from '../formats/pickle.js';
import { describePy, dictEntry, expectDict, expectNumericArray, isNdArray, type PyDict, type PyValue } from '../formats/pyvalue.js';
import { fileSource } from '../formats/source.js';
import { ZipArchive } from '../formats/zip.js';
import { psicovMae, type PsicovProtein } from '../metrics/dense.js';
import type { MetricResult } from '../metrics/result.js';
import { lowerIsBetter } from '../metrics/table.js';
import { outputMetric } from '../output.js';
import type { Split, Task } from '../types.js';
import { Rng } from '../../util/rng.js';
import { checkOptions, intOption, requireCounts, taskFolder, toFloat32, type TaskOptions } from './common.js';

export const PSICOV_CHANNELS = 57;
export const PSICOV_PAD = 5;
const PAD_DISTANCE = 100;
const TRAIN_CLIP = 16;

interface Protein {
  readonly id: string;
  readonly length: number;
  /** (L, L, 57) channels-last features. */
  readonly features: Float32Array;
  /** (L, L) cleaned distances in Å. */
  readonly distances: Float32Array;
}

function numeric(d: PyDict, key: string, file: string, shape: readonly number[]): Float32Array {
  const a = expectNumericArray(dictEntry(d, key, file), file, `"${key}"`);
  if (a.shape.length !== shape.length || a.shape.some((s, i) => s !== shape[i])) {
    throw new DataFormatError(file, `"${key}" of shape (${shape.join(', ')})`, `(${a.shape.join(', ')})`);
  }
  return toFloat32(a);
}

/** The 57-channel (L, L) feature tensor of one protein, channels-last. */
export function psicovFeatures(d: PyDict, file: string): { length: number; features: Float32Array } {
  const seq = dictEntry(d, 'seq', file);
  if (typeof seq !== 'string') throw new DataFormatError(file, '"seq" as a string', describePy(seq));
  const L = seq.length;
  const ss = numeric(d, 'ss', file, [3, L]);
  const pssm = numeric(d, 'pssm', file, [L, 22]);
  const perResidue: Array<(i: number) => number> = [
    ...[0, 1, 2].map((k) => (i: number) => ss[k * L + i]!),
    ...Array.from({ length: 22 }, (_, a) => (i: number) => pssm[i * 22 + a]!),
  ];
  for (const key of ['sa', 'entropy']) {
    const v = numeric(d, key, file, [L]);
    perResidue.push((i) => v[i]!);
  }
  const pairs = ['ccmpred', 'freecon', 'potential'].map((key) => numeric(d, key, file, [L, L]));
  const out = new Float32Array(L * L * PSICOV_CHANNELS);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const at = (i * L + j) * PSICOV_CHANNELS;
      perResidue.forEach((f, k) => {
        out[at + 2 * k] = f(j);
        out[at + 2 * k + 1] = f(i);
      });
      pairs.forEach((p, k) => (out[at + 54 + k] = p[i * L + j]!));
    }
  }
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i])) out[i] = 0;
  return { length: L, features: out };
}

/** Clamp ≥ 1 Å and fill the diagonal with the mean of its row neighbours. */
export function cleanDistances(raw: Float32Array, L: number): Float32Array {
  const d = Float32Array.from(raw, (v) => (Number.isNaN(v) ? 0 : Math.max(v, 1)));
  for (let i = 0; i < L; i++) {
    const nb = [i > 0 ? d[i * L + i - 1]! : null, i < L - 1 ? d[i * L + i + 1]! : null].filter((v): v is number => v !== null);
    if (nb.length > 0) d[i * L + i] = nb.reduce((a, b) => a + b, 0) / nb.length;
  }
  return d;
}

function distanceMap(value: PyValue, file: string, L: number): Float32Array {
  const items: PyValue[] | null = Array.isArray(value) ? value : isNdArray(value) && value.kind === 'object' ? (value.data.length === 1 && Array.isArray(value.data[0]) ? (value.data[0] as PyValue[]) : value.data) : null;
  const cb = items?.[2];
  if (!items || items.length !== 3 || cb === undefined || !isNdArray(cb) || cb.kind !== 'numeric' || cb.shape.join() !== `${L},${L}`) {
    throw new DataFormatError(file, `a saved (L, seq, cb_map) with cb_map of shape (${L}, ${L})`, items ? describePy(cb ?? null) : describePy(value));
  }
  return cleanDistances(toFloat32(cb), L);
}

function readProtein(zip: ZipArchive, set: string, id: string): Protein {
  const featFile = `${set}/features/${id}.pkl`;
  const distFile = `${set}/distance/${id}-cb.npy`;
  const where = (name: string): string => `${zip.file}:${name}`;
  const d = expectDict(readPickle(zip.read(featFile), where(featFile)), where(featFile), 'a feature dict');
  const { length, features } = psicovFeatures(d, where(featFile));
  const raw = readNpy(zip.read(distFile), where(distFile));
  return { id, length, features, distances: distanceMap(raw as PyValue, where(distFile), length) };
}

/**
 * One `dim` × `dim` sample of a protein: padded by 5, then cropped at (rowOffset, colOffset) or
 * padded to `dim`. Writes NHWC features and distances (clipped at `clip`) into the outputs.
 */
function place(p: Protein, dim: number, rowOffset: number, colOffset: number, clip: number, x: Float32Array, t: Float32Array): void {
  const L = p.length;
  t.fill(Math.min(PAD_DISTANCE, clip));
  x.fill(0);
  for (let r = 0; r < dim; r++) {
    const i = r + rowOffset - PSICOV_PAD;
    if (i < 0 || i >= L) continue;
    for (let c = 0; c < dim; c++) {
      const j = c + colOffset - PSICOV_PAD;
      if (j < 0 || j >= L) continue;
      x.set(p.features.subarray((i * L + j) * PSICOV_CHANNELS, (i * L + j + 1) * PSICOV_CHANNELS), (r * dim + c) * PSICOV_CHANNELS);
      t[r * dim + c] = Math.min(p.distances[i * L + j]!, clip);
    }
  }
}

function cropSplit(proteins: readonly Protein[], dim: number, rng: Rng, indexBase: number): Split {
  const per = dim * dim;
  const x = new Float32Array(proteins.length * per * PSICOV_CHANNELS);
  const targets = new Float32Array(proteins.length * per);
  proteins.forEach((p, n) => {
    const padded = p.length + 2 * PSICOV_PAD;
    const [ro, co] = padded > dim ? [rng.int(0, padded - dim), rng.int(0, padded - dim)] : [0, 0];
    place(p, dim, ro, co, TRAIN_CLIP, x.subarray(n * per * PSICOV_CHANNELS, (n + 1) * per * PSICOV_CHANNELS), targets.subarray(n * per, (n + 1) * per));
  });
  return { x, y: new Int32Array(proteins.length), targets, count: proteins.length, indices: Int32Array.from({ length: proteins.length }, (_, i) => indexBase + i) };
}

/** Test proteins at `testDim`, cut into (testDim/dim)² tiles each, protein by protein, row-major. */
function tileSplit(proteins: readonly Protein[], dim: number, testDim: number, indexBase: number): Split {
  const side = testDim / dim;
  const tiles = proteins.length * side * side;
  const per = dim * dim;
  const x = new Float32Array(tiles * per * PSICOV_CHANNELS);
  const targets = new Float32Array(tiles * per);
  const groups = new Int32Array(tiles);
  const full = new Float32Array(testDim * testDim * PSICOV_CHANNELS);
  const fullT = new Float32Array(testDim * testDim);
  let k = 0;
  proteins.forEach((p, n) => {
    place(p, testDim, 0, 0, Infinity, full, fullT);
    for (let tr = 0; tr < side; tr++) {
      for (let tc = 0; tc < side; tc++, k++) {
        groups[k] = n;
        for (let r = 0; r < dim; r++) {
          const src = (tr * dim + r) * testDim + tc * dim;
          x.set(full.subarray(src * PSICOV_CHANNELS, (src + dim) * PSICOV_CHANNELS), (k * per + r * dim) * PSICOV_CHANNELS);
          targets.set(fullT.subarray(src, src + dim), k * per + r * dim);
        }
      }
    }
  });
  return { x, y: new Int32Array(tiles), targets, groups, count: tiles, indices: Int32Array.from({ length: tiles }, (_, i) => indexBase + i) };
}

/** Stitches the tiles of protein `n` (outputs row-major per tile) back into a testDim² map. */
function stitch(outputs: Float32Array, first: number, dim: number, testDim: number): Float32Array {
  const side = testDim / dim;
  const out = new Float32Array(testDim * testDim);
  for (let tr = 0; tr < side; tr++) {
    for (let tc = 0; tc < side; tc++) {
      const tile = first + tr * side + tc;
      for (let r = 0; r < dim; r++) out.set(outputs.subarray(tile * dim * dim + r * dim, tile * dim * dim + (r + 1) * dim), (tr * dim + r) * testDim + tc * dim);
    }
  }
  return out;
}

function cropL1(outputs: Float32Array, targets: Float32Array): MetricResult {
  let sum = 0;
  for (let i = 0; i < outputs.length; i++) sum += Math.abs(outputs[i]! - targets[i]!);
  const value = outputs.length === 0 ? Number.NaN : sum / outputs.length;
  const name = 'mae-crop';
  return { name, value, direction: 'min', tableValue: lowerIsBetter({ name, direction: 'min' }, value), variant: 'search-mode L1 on clipped crops' };
}

function readList(zip: ZipArchive, name: string): string[] {
  return new TextDecoder().decode(zip.read(name)).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
}

export function loadPsicovTask(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('psicov', options, ['dim', 'testDim', 'valCount']);
  const dir = taskFolder('psicov', data, 'psicov', 'protein.zip');
  const dim = intOption('psicov', options, 'dim', 128);
  const testDim = intOption('psicov', options, 'testDim', 512);
  const valCount = intOption('psicov', options, 'valCount', 100);
  if (dim < 1 || testDim % dim !== 0) throw new InputError(`task.options: psicov testDim (${testDim}) must be a multiple of dim (${dim})`);
  const source = fileSource(join(dir, 'protein.zip'));
  let deepcov: Protein[];
  let psicov: Protein[];
  try {
    const zip = new ZipArchive(source);
    deepcov = readList(zip, 'deepcov.lst').map((id) => readProtein(zip, 'deepcov', id));
    psicov = readList(zip, 'psicov.lst').map((id) => readProtein(zip, 'psicov', id));
  } finally {
    source.close();
  }
  const tooLong = psicov.find((p) => p.length + 2 * PSICOV_PAD > testDim);
  if (tooLong) throw new InputError(`task.options.testDim: psicov protein ${tooLong.id} (L = ${tooLong.length}) does not fit in ${testDim} with the padding of 5 per side`);
  const rng = new Rng(0);
  const val = cropSplit(deepcov.slice(0, valCount), dim, rng, 0);
  const train = cropSplit(deepcov.slice(valCount), dim, rng, valCount);
  const test = tileSplit(psicov, dim, testDim, deepcov.length);
  requireCounts('psicov', dir, { train: train.count, val: val.count, test: test.count });
  const tilesPer = (testDim / dim) ** 2;
  const evaluate = (outputs: Float32Array, split: Split): MetricResult => {
    if (split.groups === undefined) return cropL1(outputs, split.targets!);
    const proteins: PsicovProtein[] = psicov.map((p, n) => ({
      prediction: stitch(outputs, n * tilesPer, dim, testDim),
      truth: stitch(split.targets!, n * tilesPer, dim, testDim),
      dim: testDim,
      length: p.length,
    }));
    return psicovMae(proteins, { padOffset: PSICOV_PAD });
  };
  return {
    id: 'psicov',
    kind: 'dense-regression',
    output: { kind: 'dense-regression', head: 'dense', loss: 'mse', size: dim * dim, evaluate },
    inputShape: { height: dim, width: dim, channels: PSICOV_CHANNELS },
    numClasses: 1,
    defaultStemStride: 1,
    metric: outputMetric('mae8', 'min'),
    normalization: { mean: new Array<number>(PSICOV_CHANNELS).fill(0), std: new Array<number>(PSICOV_CHANNELS).fill(1) },
    splits: {
      train,
      val,
      test,
      description: {
        source: `PSICOV (NAS-Bench-360), ${join(dir, 'protein.zip')}`,
        total: train.count + val.count + test.count,
        train: train.count,
        val: val.count,
        test: test.count,
        seed: 0,
        method:
          `deepcov ids ${valCount}.. train, the first ${valCount} val (one ${dim}×${dim} sample each, distances clipped at 16 Å; crops of long proteins drawn once at load, seed 0); ` +
          `${psicov.length} psicov proteins at ${testDim}×${testDim} cut into ${tilesPer} tiles each (test counts tiles)`,
      },
    },
  };
}
