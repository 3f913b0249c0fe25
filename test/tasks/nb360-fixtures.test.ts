/**
 * Smoke tests of the NAS-Bench-360 fixtures: each task's files are read back with the product's
 * format readers and checked against the shapes, dtypes, keys and layouts that
 * ../shared/docs/nas-bench-360.md §3 gives for the official files, and a few elements against the
 * closed-form patterns the fixtures promise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bufferSource, dictEntry, expectDict, expectNumericArray, gunzip, isNdArray, openNpz, openTar, openZip, parseCsvRecords, parseLabelMap, readMat, readNpy,
  readNpyObject, readNumericNpy, readPickle, readWav, type NumericArray, type PyDict, type PyValue,
} from '../../plugin/tasks/formats/index.js';
import {
  COSMIC_SKY, NB360_FIXTURE_DESCRIPTIONS, NB360_FIXTURE_TASKS, NB360_FIXTURE_VARIANTS, NB360_TASK_FOLDERS, PSICOV_PROTEINS, cifarPixel, cosmicImage, cosmicMask, darcyCoeff, darcySol,
  deepseaBase, ecgLabel, ecgLength, psicovDistance, satelliteValue, writeCifarFixture, writeNb360Fixture,
} from './nb360-fixtures.js';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hgnas-nb360-'));
  for (const task of NB360_FIXTURE_TASKS) await writeNb360Fixture(task, root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const file = (task: keyof typeof NB360_TASK_FOLDERS, rel: string): { bytes: Uint8Array; name: string } => {
  const name = join(root, NB360_TASK_FOLDERS[task], rel);
  return { bytes: new Uint8Array(readFileSync(name)), name };
};
const numeric = (v: PyValue | undefined, what: string): NumericArray => expectNumericArray(v ?? null, what, what);
const entry = (d: PyDict, key: string): PyValue => dictEntry(d, key, 'fixture');
const at = (a: NumericArray, idx: number[]): number => a.data[idx.reduce((k, v, d) => k * a.shape[d] + v, 0)];

function folderSize(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((s, f) => s + folderSize(join(path, f)), 0) : st.size;
}

describe('NAS-Bench-360 fixtures', () => {
  it('every task is listed, described and small (< 2.1 MB)', () => {
    expect(NB360_FIXTURE_TASKS).toHaveLength(10);
    for (const task of NB360_FIXTURE_TASKS) {
      expect(NB360_FIXTURE_DESCRIPTIONS[task].length).toBeGreaterThan(50);
      expect(folderSize(join(root, NB360_TASK_FOLDERS[task]))).toBeLessThan(2.1e6);
    }
  });

  it('cifar100-permuted: tarball of Python 2 pickles with uint8 (N, 3072) planar data and fine labels', () => {
    const { bytes, name } = file('cifar100-permuted', 'cifar-100-python.tar.gz');
    const tar = openTar(bufferSource(gunzip(bytes, name), name));
    const train = expectDict(readPickle(tar.read('cifar-100-python/train'), 'train'), 'train', 'batch');
    const data = numeric(entry(train, 'data'), 'data');
    expect([data.dtype, data.shape]).toEqual(['u1', [10, 3072]]);
    expect(at(data, [3, 1024 * 2 + 33])).toBe(cifarPixel(3, 2, 33));
    expect(entry(train, 'fine_labels')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const test = expectDict(readPickle(tar.read('cifar-100-python/test'), 'test'), 'test', 'batch');
    expect(numeric(entry(test, 'data'), 'data').shape).toEqual([4, 3072]);
    const meta = expectDict(readPickle(tar.read('cifar-100-python/meta'), 'meta'), 'meta', 'meta');
    expect((entry(meta, 'fine_label_names') as unknown[]).length).toBe(100);
  });

  it('spherical: gzip of a pickle {train, test} × {images (N, 3, 60, 60), labels}', () => {
    const { bytes, name } = file('spherical', 's2_cifar100.gz');
    const d = expectDict(readPickle(gunzip(bytes, name), name), name, 'root');
    for (const [split, n] of [['train', 10], ['test', 4]] as const) {
      const s = expectDict(entry(d, split), name, split);
      const images = numeric(entry(s, 'images'), 'images');
      expect([images.dtype, images.shape]).toEqual(['f4', [n, 3, 60, 60]]);
      expect(at(images, [1, 2, 59, 3])).toBe((13 + 14 + 59 + 3) % 256);
      expect(numeric(entry(s, 'labels'), 'labels').shape).toEqual([n]);
    }
  });

  it('ninapro: float64 (N, 52, 16) windows and integer labels in 0..17', () => {
    for (const [split, n] of [['train', 6], ['val', 3], ['test', 3]] as const) {
      const x = file('ninapro', `ninapro_${split}.npy`);
      const a = readNumericNpy(x.bytes, x.name);
      expect([a.dtype, a.shape]).toEqual(['f8', [n, 52, 16]]);
      expect(at(a, [n - 1, 51, 15])).toBe((n - 1) * 1000 + 51 * 16 + 15);
      const y = file('ninapro', `label_${split}.npy`);
      const l = readNumericNpy(y.bytes, y.name);
      expect(l.shape).toEqual([n]);
      for (const v of l.data) expect(v >= 0 && v < 18).toBe(true);
    }
  });

  it('fsd50k: manifests with quoted label lists, a 4-label map, 22,050 Hz 16-bit mono chunks (one 0.75 s, one silent)', () => {
    const map = parseLabelMap(Buffer.from(file('fsd50k', 'chunks/lbl_map.json').bytes).toString(), 'lbl_map.json');
    expect(map.size).toBe(4);
    const rows = (split: string) => parseCsvRecords(Buffer.from(file('fsd50k', `chunks/${split}.csv`).bytes).toString(), split, ['files', 'labels', 'ext']);
    const tr = rows('tr');
    expect(tr.map((r) => r.ext)).toEqual(['100001', '100001', '100001', '100002', '100002']);
    expect(tr[0].labels).toBe('Bark,Guitar');
    const evalRows = rows('eval');
    const evalLabels = new Set(evalRows.flatMap((r) => r.labels.split(',')));
    expect(evalLabels.has('Guitar')).toBe(false);
    expect(evalLabels.has('Rain')).toBe(true);
    expect([...tr, ...rows('val')].some((r) => r.labels.includes('Rain'))).toBe(false);
    for (const r of [...tr, ...rows('val'), ...evalRows]) {
      const w = readWav(file('fsd50k', r.files).bytes, r.files);
      expect(w.sampleRate).toBe(22050);
      expect(w.channels.length).toBe(1);
      const expectedLength = r.files === 'chunks/tr/100002_1.wav' ? 16537.5 : 22050;
      expect(w.channels[0].length).toBe(Math.floor(expectedLength));
      const peak = w.channels[0].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      if (r.files === 'chunks/tr/100001_1.wav') expect(peak).toBe(0);
      else expect(peak).toBeCloseTo(8000 / 32768, 3);
    }
    expect(readWav(file('fsd50k', 'noise_22050/noise0.wav').bytes, 'noise0.wav').channels[0].length).toBe(22050);
  });

  it('darcyflow: MAT level 5 plain and compressed, and v7.3; coeff and sol (N, 21, 21) float64 with MATLAB indexing', async () => {
    for (const variant of ['v5', 'v5-compressed', 'v7.3'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'hgnas-darcy-'));
      try {
        await writeNb360Fixture('darcyflow', dir, { darcyMat: variant });
        for (const [name, n, offset] of [['smooth1', 6, 0], ['smooth2', 3, 100]] as const) {
          const path = join(dir, 'darcyflow', `piececonst_r421_N1024_${name}.mat`);
          const vars = readMat(bufferSource(new Uint8Array(readFileSync(path)), path));
          const coeff = vars.get('coeff') as NumericArray;
          const sol = vars.get('sol') as NumericArray;
          expect([coeff.dtype, coeff.shape, sol.dtype, sol.shape]).toEqual(['f8', [n, 21, 21], 'f8', [n, 21, 21]]);
          for (const [i, y, x] of [[0, 0, 0], [n - 1, 20, 20], [1, 3, 17], [2, 11, 1]]) {
            expect(at(coeff, [i, y, x])).toBe(darcyCoeff(i + offset, y, x));
            expect(at(sol, [i, y, x])).toBe(darcySol(i + offset, y, x));
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('psicov: protein.zip with id lists, feature pickles (real keys and shapes) and object .npy distance tuples', () => {
    const { bytes, name } = file('psicov', 'protein.zip');
    const zip = openZip(bufferSource(bytes, name));
    for (const [set, proteins] of Object.entries(PSICOV_PROTEINS)) {
      expect(Buffer.from(zip.read(`${set}.lst`)).toString().trim().split('\n')).toEqual(proteins.map(([id]) => id));
      for (const [id, L] of proteins) {
        const f = expectDict(readPickle(zip.read(`${set}/features/${id}.pkl`), id), id, 'features');
        expect((entry(f, 'seq') as string).length).toBe(L);
        const shapes = Object.fromEntries(['ss', 'pssm', 'sa', 'entropy', 'ccmpred', 'freecon', 'potential'].map((k) => [k, numeric(entry(f, k), k).shape]));
        expect(shapes).toEqual({ ss: [3, L], pssm: [L, 22], sa: [L], entropy: [L], ccmpred: [L, L], freecon: [L, L], potential: [L, L] });
        const dist = readNpy(zip.read(`${set}/distance/${id}-cb.npy`), id);
        expect([dist.kind, dist.shape]).toEqual(['object', [3]]);
        const [len, seq, cb] = dist.data as PyValue[];
        expect([len, seq]).toEqual([L, entry(f, 'seq')]);
        const cbArr = numeric(cb, 'cb');
        expect(cbArr.shape).toEqual([L, L]);
        expect(at(cbArr, [2, 17])).toBeCloseTo(psicovDistance(2, 17), 12);
        expect(at(cbArr, [5, 5])).toBe(0);
      }
    }
  });

  it('cosmic: GAL and skipped fields, 3- and 2-plane float32 (·, 192, 192) images, sky.npy, identical tar archives', () => {
    const a = file('cosmic', 'npy_train/f435w/14704/1/1_0.npy');
    const img = readNumericNpy(a.bytes, a.name);
    expect([img.dtype, img.shape]).toEqual(['f4', [3, 192, 192]]);
    expect(at(img, [0, 70, 80])).toBe(Math.fround(cosmicImage(1, 70, 80)));
    let inCrop = 0;
    for (let y = 64; y < 192; y++) for (let x = 64; x < 192; x++) inCrop += at(img, [1, y, x]);
    let expected = 0;
    for (let y = 64; y < 192; y++) for (let x = 64; x < 192; x++) expected += cosmicMask(y, x);
    expect(inCrop).toBe(expected);
    expect(expected).toBeGreaterThan(0);
    expect(readNumericNpy(file('cosmic', 'npy_train/f435w/13804/6/2_0.npy').bytes, '2_0').shape).toEqual([2, 192, 192]);
    expect(Array.from(readNumericNpy(file('cosmic', 'npy_train/f435w/13804/6/sky.npy').bytes, 'sky').data)).toEqual(COSMIC_SKY);
    for (const part of ['train', 'test']) {
      const t = file('cosmic', `deepCR.ACS-WFC.${part}.tar`);
      const tar = openTar(bufferSource(t.bytes, t.name));
      const names = tar.entries.map((e) => e.name).filter((n) => n.endsWith('.npy'));
      expect(names.length).toBeGreaterThan(1);
      for (const n of names) expect(Buffer.from(tar.read(n)).equals(file('cosmic', n).bytes)).toBe(true);
    }
  });

  it('ecg: pickle of {data: object array of int16 signals, label: <U1 array} with all four classes', () => {
    const { bytes, name } = file('ecg', 'challenge2017.pkl');
    const d = expectDict(readPickle(bytes, name), name, 'root');
    const data = entry(d, 'data');
    const label = entry(d, 'label');
    if (!isNdArray(data) || data.kind !== 'object' || !isNdArray(label) || label.kind !== 'text') throw new Error('object data and text labels expected');
    expect(data.shape).toEqual([20]);
    data.data.forEach((s, r) => {
      const sig = numeric(s, 'signal');
      expect([sig.dtype, sig.shape]).toEqual(['i2', [ecgLength(r)]]);
    });
    expect(label.data).toEqual(Array.from({ length: 20 }, (_, r) => ecgLabel(r)));
    expect(new Set(label.data)).toEqual(new Set(['N', 'A', 'O', '~']));
  });

  it('satellite: object .npy of a dict {data (N, 46) float64, label 1..24}', () => {
    for (const [split, n] of [['train', 30], ['test', 6]] as const) {
      const f = file('satellite', `satellite_${split}.npy`);
      const d = expectDict(readNpyObject(f.bytes, f.name), f.name, 'root');
      const data = numeric(entry(d, 'data'), 'data');
      expect([data.dtype, data.shape]).toEqual(['f8', [n, 46]]);
      expect(at(data, [n - 1, 45])).toBe(satelliteValue(n - 1, 45));
      const label = numeric(entry(d, 'label'), 'label');
      expect(label.shape).toEqual([n]);
      for (const v of label.data) expect(v >= 1 && v <= 24).toBe(true);
      if (split === 'train') expect(new Set(label.data).size).toBe(24);
    }
  });

  it('deepsea: stored npz with uint8 x (N, 1000, 4) one-hot and y (N, 36); one y_test target without positives', () => {
    const { bytes, name } = file('deepsea', 'deepsea_filtered.npz');
    const npz = openNpz(bufferSource(bytes, name));
    for (const [split, n] of [['train', 5], ['val', 2], ['test', 6]] as const) {
      const x = npz.getNumeric(`x_${split}`);
      const y = npz.getNumeric(`y_${split}`);
      expect([x.dtype, x.shape, y.dtype, y.shape]).toEqual(['u1', [n, 1000, 4], 'u1', [n, 36]]);
      for (const p of [0, 11, 48, 999]) {
        const b = deepseaBase(1, p);
        for (let c = 0; c < 4; c++) expect(at(x, [1, p, c])).toBe(c === b ? 1 : 0);
      }
      if (split === 'test') {
        for (let k = 0; k < 36; k++) {
          let pos = 0;
          for (let s = 0; s < n; s++) pos += at(y, [s, k]);
          expect(pos > 0 && pos < n).toBe(k !== 35);
        }
      }
    }
  });

  it('variants change only the detail they name, and unknown variants are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-nb360-variants-'));
    const read = (task: keyof typeof NB360_TASK_FOLDERS, rel: string): Uint8Array => new Uint8Array(readFileSync(join(dir, NB360_TASK_FOLDERS[task], rel)));
    try {
      await writeNb360Fixture('cifar100-permuted', dir, { variant: 'python3' });
      const tarName = 'cifar-100-python.tar.gz';
      const tar = openTar(bufferSource(gunzip(read('cifar100-permuted', tarName), tarName), tarName));
      const train = expectDict(readPickle(tar.read('cifar-100-python/train'), 'train'), 'train', 'batch');
      const data = numeric(entry(train, 'data'), 'data');
      expect([data.dtype, data.shape, at(data, [9, 1023])]).toEqual(['u1', [10, 3072], cifarPixel(9, 0, 1023)]);
      expect(Buffer.from(tar.read('cifar-100-python/train')).includes(Buffer.from('_codecs'))).toBe(true);

      for (const [variant, dtype] of [['float64', 'f8'], ['uint8', 'u1']] as const) {
        await writeNb360Fixture('spherical', dir, { variant });
        const d = expectDict(readPickle(gunzip(read('spherical', 's2_cifar100.gz'), 's2'), 's2'), 's2', 'root');
        const images = numeric(entry(expectDict(entry(d, 'test'), 's2', 'test'), 'images'), 'images');
        expect([images.dtype, images.shape, at(images, [3, 1, 7, 9])]).toEqual([dtype, [4, 3, 60, 60], (39 + 7 + 7 + 9) % 256]);
      }

      await writeNb360Fixture('ninapro', dir, { variant: 'float32' });
      for (const split of ['train', 'val']) {
        const a = readNumericNpy(read('ninapro', `ninapro_${split}.npy`), split);
        expect([a.dtype, at(a, [2, 40, 9])]).toEqual(['f4', 2 * 1000 + 40 * 16 + 9]);
        expect(readNumericNpy(read('ninapro', `label_${split}.npy`), split).dtype).toBe('i4');
      }
      expect(Buffer.from(read('ninapro', 'ninapro_val.npy').subarray(0, 128)).toString('latin1')).toContain("'fortran_order': True");

      await writeNb360Fixture('ecg', dir, { variant: 'object-labels' });
      const ecg = expectDict(readPickle(read('ecg', 'challenge2017.pkl'), 'ecg'), 'ecg', 'root');
      const labels = entry(ecg, 'label');
      if (!isNdArray(labels) || labels.kind !== 'object') throw new Error('object labels expected');
      expect(labels.data.slice(0, 5)).toEqual(['N', 'A', 'O', '~', 'N']);

      await writeNb360Fixture('satellite', dir, { variant: 'constant-series' });
      const sat = expectDict(readNpyObject(read('satellite', 'satellite_train.npy'), 'sat'), 'sat', 'root');
      const rows = numeric(entry(sat, 'data'), 'data');
      expect(new Set(Array.from(rows.data.subarray(3 * 46, 4 * 46)))).toEqual(new Set([0.5]));
      expect(at(rows, [4, 0])).toBe(satelliteValue(4, 0));

      for (const variant of ['bool', 'deflated'] as const) {
        await writeNb360Fixture('deepsea', dir, { variant });
        const npz = openNpz(bufferSource(read('deepsea', 'deepsea_filtered.npz'), 'npz'));
        const x = npz.getNumeric('x_val');
        expect([x.dtype, x.shape, at(x, [1, 0, deepseaBase(1, 0)])]).toEqual([variant === 'bool' ? 'b1' : 'u1', [2, 1000, 4], 1]);
      }

      await expect(writeNb360Fixture('ecg', dir, { variant: 'float16' })).rejects.toThrow(/object-labels/);
      await expect(writeNb360Fixture('mnist', dir)).rejects.toThrow(/unknown task/);
      expect(Object.keys(NB360_FIXTURE_VARIANTS).sort()).toEqual([...NB360_FIXTURE_TASKS].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writeCifarFixture: CIFAR-10 python tarball with five batches, a test batch and label names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-cifar10-'));
    try {
      await writeCifarFixture('cifar10', dir);
      const name = join(dir, 'cifar-10-python.tar.gz');
      const tar = openTar(bufferSource(gunzip(new Uint8Array(readFileSync(name)), name), name));
      const b3 = expectDict(readPickle(tar.read('cifar-10-batches-py/data_batch_3'), 'b3'), 'b3', 'batch');
      expect(numeric(entry(b3, 'data'), 'data').shape).toEqual([2, 3072]);
      expect(entry(b3, 'labels')).toEqual([3, 4]);
      const meta = expectDict(readPickle(tar.read('cifar-10-batches-py/batches.meta'), 'meta'), 'meta', 'meta');
      expect((entry(meta, 'label_names') as unknown[]).length).toBe(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The same fixtures opened with the tools that wrote the real files (numpy, pickle, scipy.io,
 * tarfile, zipfile, wave), so a misconception shared by the fixture writers and the product
 * readers would show here. Skipped when Debian's python3-numpy/python3-scipy are absent.
 */
const hasPython = spawnSync('/usr/bin/python3', ['-c', 'import numpy, scipy'], { stdio: 'ignore' }).status === 0;
const PYTHON_CHECK = String.raw`
import sys, os, json, gzip, pickle, tarfile, zipfile, io, wave, numpy as np, scipy.io as sio
r = sys.argv[1]; out = {}
def desc(a): return [str(a.dtype), list(a.shape)]
with tarfile.open(f'{r}/cifar-100/cifar-100-python.tar.gz') as t:
    d = pickle.load(t.extractfile('cifar-100-python/train'), encoding='bytes')
    out['cifar'] = desc(d[b'data']) + [int(d[b'data'][3, 2048 + 33]), d[b'fine_labels']]
s = pickle.load(gzip.open(f'{r}/spherical/s2_cifar100.gz'))
out['spherical'] = desc(s['train']['images']) + desc(s['test']['labels'])
out['ninapro'] = desc(np.load(f'{r}/ninapro/ninapro_train.npy')) + desc(np.load(f'{r}/ninapro/label_test.npy'))
m = sio.loadmat(f'{r}/darcyflow/piececonst_r421_N1024_smooth1.mat')
out['darcy'] = desc(m['coeff']) + [float(m['coeff'][2, 3, 17]), float(m['sol'][1, 5, 7])]
with zipfile.ZipFile(f'{r}/psicov/protein.zip') as z:
    f = pickle.load(z.open('deepcov/features/3ghiC.pkl'))
    cb = np.load(io.BytesIO(z.read('deepcov/distance/3ghiC-cb.npy')), allow_pickle=True)
    out['psicov'] = [sorted(f.keys()), desc(f['pssm']), int(cb[0]), desc(cb[2])]
a = np.load(f'{r}/cosmic/npy_train/f435w/14704/1/1_0.npy')
with tarfile.open(f'{r}/cosmic/deepCR.ACS-WFC.test.tar') as t: names = t.getnames()
out['cosmic'] = desc(a) + [int(a[1, 64:, 64:].sum()), names]
e = pickle.load(open(f'{r}/ecg/challenge2017.pkl', 'rb'))
out['ecg'] = [str(e['data'].dtype), desc(e['data'][5]), desc(e['label']), list(e['label'][:4])]
sat = np.load(f'{r}/satellite/satellite_train.npy', allow_pickle=True).item()
out['satellite'] = desc(sat['data']) + desc(sat['label']) + [int(sat['label'].max())]
z = np.load(f'{r}/deepsea/deepsea_filtered.npz')
out['deepsea'] = desc(z['x_test']) + desc(z['y_test']) + [int(z['y_test'][:, 35].sum()), int(z['x_train'].sum())]
w = wave.open(f'{r}/audio/data/chunks/tr/100002_1.wav')
out['fsd50k'] = [w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()]
print(json.dumps(out))
`;

describe.skipIf(!hasPython)('NAS-Bench-360 fixtures opened by Python', () => {
  it('numpy/pickle/scipy/tarfile/zipfile/wave see the official dtypes, shapes, keys and values', () => {
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PYTHON_CHECK, root]).toString()) as Record<string, unknown>;
    let maskInCrop = 0;
    for (let y = 64; y < 192; y++) for (let x = 64; x < 192; x++) maskInCrop += cosmicMask(y, x);
    expect(out).toEqual({
      cifar: ['uint8', [10, 3072], (3 * 7 + 2 * 50 + 33) % 256, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      spherical: ['float32', [10, 3, 60, 60], 'int64', [4]],
      ninapro: ['float64', [6, 52, 16], 'int64', [3]],
      darcy: ['float64', [6, 21, 21], 12, (2 * 7 * 13 * 5 * 15) / 1000],
      psicov: [['ccmpred', 'entropy', 'freecon', 'potential', 'pssm', 'sa', 'seq', 'ss'], ['float64', [125, 22]], 125, ['float64', [125, 125]]],
      cosmic: ['float32', [3, 192, 192], maskInCrop, ['npy_test/f435w/13804/6/1_1.npy', 'npy_test/f435w/13804/6/sky.npy']],
      ecg: ['object', ['int16', [1450]], ['<U1', [20]], ['N', 'A', 'O', '~']],
      satellite: ['float64', [30, 46], 'int64', [30], 24],
      deepsea: ['uint8', [6, 1000, 4], 'uint8', [6, 36], 0, 5 * 999],
      fsd50k: [22050, 1, 2, 16537],
    });
  });
});
