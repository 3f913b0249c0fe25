/**
 * HDF5 / MAT v7.3 reader. Two independent sources of files:
 * - test/tasks/hdf5-writer.ts, written from the HDF5 specification (superblock 0, v1 object
 *   headers, symbol-table groups, contiguous and chunked + shuffle + deflate datasets);
 * - h5py (Debian's python3-h5py, linked to the HDF5 C library), when installed: MATLAB-style
 *   files (512-byte user block, transposed arrays, MATLAB_class attributes) in the earliest and
 *   the latest file-format versions. Those tests are skipped when h5py is absent.
 * Expected values come from closed-form patterns, never from the reader.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHdf5 } from '../../../plugin/tasks/formats/hdf5.js';
import { isMatV73, readMat, type MatChar, type MatStruct } from '../../../plugin/tasks/formats/mat.js';
import type { NumericArray } from '../../../plugin/tasks/formats/ndarray.js';
import { bufferSource } from '../../../plugin/tasks/formats/source.js';
import { writeMatV73 } from '../hdf5-writer.js';
import { expectFormatError } from './helpers.js';

const at = (a: NumericArray, idx: number[]): number => a.data[idx.reduce((k, v, d) => k * a.shape[d] + v, 0)];
const coeff = (i: number, y: number, x: number): number => ((x + 2 * y + i) % 7 < 3 ? 3 : 12);
const sol = (i: number, y: number, x: number): number => ((i + 1) * x * (20 - x) * y * (20 - y)) / 1000;
const grid = (n: number, f: (i: number, y: number, x: number) => number): Float64Array => {
  const out = new Float64Array(n * 441);
  let q = 0;
  for (let i = 0; i < n; i++) for (let y = 0; y < 21; y++) for (let x = 0; x < 21; x++) out[q++] = f(i, y, x);
  return out;
};

function darcyFile(): Uint8Array {
  return writeMatV73([
    { name: 'coeff', dims: [6, 21, 21], cOrder: grid(6, coeff), class: 'double', layout: { chunks: [4, 8, 21], deflate: 6, shuffle: true } },
    { name: 'sol', dims: [6, 21, 21], cOrder: grid(6, sol), class: 'single', layout: 'contiguous' },
    { name: 'idx', dims: [3, 5], cOrder: Array.from({ length: 15 }, (_, k) => k * 3 - 20), class: 'int32', layout: { chunks: [2, 2], deflate: 1 } },
    { name: 'small', dims: [2, 3], cOrder: [0, 1, 2, 3, 4, 255], class: 'uint8', layout: 'contiguous' },
  ]);
}

describe('MAT v7.3 through hdf5.ts, files from the spec-written writer', () => {
  it('Darcy layout: coeff chunked (edge chunks, shuffle, deflate) and sol contiguous come back with MATLAB dimensions', () => {
    const src = bufferSource(darcyFile(), 'piececonst_r421_N1024_smooth1.mat');
    expect(isMatV73(src)).toBe(true);
    const vars = readMat(src);
    expect([...vars.keys()].sort()).toEqual(['coeff', 'idx', 'small', 'sol']);
    const c = vars.get('coeff') as NumericArray;
    const s = vars.get('sol') as NumericArray;
    expect([c.dtype, c.shape, s.dtype, s.shape]).toEqual(['f8', [6, 21, 21], 'f4', [6, 21, 21]]);
    for (let i = 0; i < 6; i++) for (let y = 0; y < 21; y++) for (let x = 0; x < 21; x++) {
      expect(at(c, [i, y, x])).toBe(coeff(i, y, x));
      expect(at(s, [i, y, x])).toBe(Math.fround(sol(i, y, x)));
    }
    const idx = vars.get('idx') as NumericArray;
    expect([idx.dtype, idx.shape, Array.from(idx.data)]).toEqual(['i4', [3, 5], Array.from({ length: 15 }, (_, k) => k * 3 - 20)]);
    const small = vars.get('small') as NumericArray;
    expect([small.dtype, Array.from(small.data)]).toEqual(['u1', [0, 1, 2, 3, 4, 255]]);
  });

  it('reads only the variables asked for and names missing ones', () => {
    const src = bufferSource(darcyFile(), 'd.mat');
    expect([...readMat(src, ['sol']).keys()]).toEqual(['sol']);
    expectFormatError(() => readMat(src, ['coef']), 'd.mat', /coef.*variables present: coeff/);
  });

  it('truncation, a damaged chunk and damaged headers are DataFormatErrors naming the file', () => {
    const bytes = darcyFile();
    expectFormatError(() => readMat(bufferSource(bytes.subarray(0, bytes.length - 300), 'cut.mat')), 'cut.mat');
    expectFormatError(() => readMat(bufferSource(bytes.subarray(0, 700), 'cut2.mat')), 'cut2.mat', /truncated/);
    // The first chunk of coeff starts right after the 96-byte superblock (512 + 96).
    const bad = bytes.slice();
    for (let k = 0; k < 16; k++) bad[512 + 96 + 2 + k] ^= 0x5a;
    expectFormatError(() => readMat(bufferSource(bad, 'z.mat'), ['coeff']), 'z.mat', /zlib|bytes per chunk/);
    const noSuper = bytes.slice();
    noSuper[512 + 13] = 3; // size of offsets
    expectFormatError(() => readMat(bufferSource(noSuper, 's.mat')), 's.mat', /offset and length sizes/);
    expectFormatError(() => openHdf5(bufferSource(new Uint8Array(2048), 'x.h5')), 'x.h5', /HDF5 file/);
  });
});

const hasH5py = spawnSync('/usr/bin/python3', ['-c', 'import h5py, numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasH5py)('MAT v7.3 files written by h5py (the HDF5 C library)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hgnas-h5py-'));
    execFileSync('/usr/bin/python3', ['-c', String.raw`
import sys, h5py, numpy as np
d = sys.argv[1]
n, s = 6, 21
i, y, x = np.meshgrid(np.arange(n), np.arange(s), np.arange(s), indexing='ij')
coeff = np.where((x + 2 * y + i) % 7 < 3, 3.0, 12.0)
sol = (i + 1) * x * (s - 1 - x) * y * (s - 1 - y) / 1000.0
header = b'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2026 HDF5 schema 1.00 .'
def mat(path, libver, build):
    with h5py.File(path, 'w', userblock_size=512, libver=libver) as f:
        build(f)
    with open(path, 'r+b') as fh:
        fh.write(header.ljust(116, b' ') + bytes(8) + b'\x00\x02IM')
def put(f, name, arr, cls, **kw):
    ds = f.create_dataset(name, data=np.ascontiguousarray(arr.T), **kw)   # MATLAB: dims reversed
    ds.attrs['MATLAB_class'] = np.bytes_(cls)
def darcy(f):
    put(f, 'coeff', coeff, 'double', chunks=(7, 21, 2), compression='gzip', compression_opts=4, shuffle=True)
    put(f, 'sol', sol.astype(np.float32), 'single')
    for k in range(12): f['coeff'].attrs['note%02d' % k] = np.bytes_('x' * (40 + k))   # overflows the header: continuation blocks
    put(f, 'flag', np.array([[1, 0, 1]], dtype=np.uint8), 'logical')
    put(f, 'name', np.array([[ord(c) for c in 'coeff']], dtype=np.uint16), 'char')
    put(f, 'u16', np.arange(12, dtype=np.uint16).reshape(3, 4) * 1000, 'uint16')
    put(f, 'i64', np.array([[2**40, -3]], dtype=np.int64), 'int64')
    put(f, 'fl', np.arange(6, dtype=np.float64).reshape(2, 3), 'double', fletcher32=True, chunks=(2, 1))
    e = f.create_dataset('empty', data=np.array([0, 3], dtype=np.uint64))
    e.attrs['MATLAB_class'] = np.bytes_('double'); e.attrs['MATLAB_empty'] = np.uint8(1)
    g = f.create_group('opts'); g.attrs['MATLAB_class'] = np.bytes_('struct')
    put(g, 'stride', np.array([[5.0]]), 'double')
    f.create_group('#refs#')
mat(d + '/earliest.mat', 'earliest', darcy)
def latest(f):
    put(f, 'sol', sol, 'double')
    for k in range(6): f['sol'].attrs['note%02d' % k] = np.bytes_('y' * (300 + k))   # OCHK continuation blocks
    put(f, 'one', coeff, 'double', chunks=(21, 21, 6), compression='gzip')
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE); dcpl.set_layout(h5py.h5d.COMPACT)
    tiny = np.ascontiguousarray(np.array([[7, 8]], dtype=np.int16).T)
    h5py.h5d.create(f.id, b'tiny', h5py.h5t.STD_I16LE, h5py.h5s.create_simple(tiny.shape), dcpl=dcpl).write(h5py.h5s.ALL, h5py.h5s.ALL, tiny)
    f['tiny'].attrs['MATLAB_class'] = np.bytes_('int16')
mat(d + '/latest.mat', 'latest', latest)
def fixed(f):
    put(f, 'coeff', coeff, 'double', chunks=(7, 21, 2), compression='gzip')
mat(d + '/latest-chunked.mat', 'latest', fixed)
with h5py.File(d + '/dense.h5', 'w', libver='latest') as f:
    for k in range(12): f.create_dataset('v%02d' % k, data=np.zeros(2))
def many_attrs(f):
    put(f, 'sol', sol, 'double')
    for k in range(12): f['sol'].attrs['a%02d' % k] = k
mat(d + '/dense-attrs.mat', 'latest', many_attrs)
`, dir]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (name: string, names?: string[]) => readMat(bufferSource(new Uint8Array(readFileSync(join(dir, name))), name), names);

  it('earliest format (superblock 0, symbol tables): Darcy fields, classes, char, logical, empty, Fletcher-32, struct', () => {
    const v = read('earliest.mat');
    const h5 = openHdf5(bufferSource(new Uint8Array(readFileSync(join(dir, 'earliest.mat'))), 'earliest.mat'));
    const coeffHeader = h5.object(h5.object(h5.rootAddress).links.get('coeff') ?? -1);
    expect(coeffHeader.attributes.get('note11')?.value).toBe('x'.repeat(51));
    expect([...v.keys()].sort()).toEqual(['coeff', 'empty', 'fl', 'flag', 'i64', 'name', 'opts', 'sol', 'u16']);
    const c = v.get('coeff') as NumericArray;
    const s = v.get('sol') as NumericArray;
    expect([c.dtype, c.shape, s.dtype, s.shape]).toEqual(['f8', [6, 21, 21], 'f4', [6, 21, 21]]);
    for (const [i, y, x] of [[0, 0, 0], [5, 20, 20], [2, 3, 17], [4, 11, 1], [3, 20, 0]]) {
      expect(at(c, [i, y, x])).toBe(coeff(i, y, x));
      expect(at(s, [i, y, x])).toBe(Math.fround(sol(i, y, x)));
    }
    const flag = v.get('flag') as NumericArray;
    expect([flag.dtype, flag.shape, Array.from(flag.data)]).toEqual(['b1', [1, 3], [1, 0, 1]]);
    expect((v.get('name') as MatChar).rows).toEqual(['coeff']);
    const u16 = v.get('u16') as NumericArray;
    expect([u16.dtype, u16.shape, at(u16, [2, 3])]).toEqual(['u2', [3, 4], 11000]);
    expect(Array.from((v.get('i64') as NumericArray).data)).toEqual([2 ** 40, -3]);
    expect(Array.from((v.get('fl') as NumericArray).data)).toEqual([0, 1, 2, 3, 4, 5]);
    const empty = v.get('empty') as NumericArray;
    expect([empty.shape, empty.data.length]).toEqual([[0, 3], 0]);
    const opts = v.get('opts') as MatStruct;
    expect(Array.from((opts.elements[0].get('stride') as NumericArray).data)).toEqual([5]);
  });

  it('latest format (superblock 3, v2 object headers, link messages, layout 4): contiguous, single-chunk and compact data', () => {
    const v = read('latest.mat');
    const h5 = openHdf5(bufferSource(new Uint8Array(readFileSync(join(dir, 'latest.mat'))), 'latest.mat'));
    const solHeader = h5.object(h5.object(h5.rootAddress).links.get('sol') ?? -1);
    expect([solHeader.attributes.get('MATLAB_class')?.value, solHeader.attributes.get('note05')?.value]).toEqual(['double', 'y'.repeat(305)]);
    const s = v.get('sol') as NumericArray;
    const one = v.get('one') as NumericArray;
    expect([s.shape, one.shape]).toEqual([[6, 21, 21], [6, 21, 21]]);
    for (const [i, y, x] of [[0, 0, 0], [5, 20, 20], [2, 3, 17]]) {
      expect(at(s, [i, y, x])).toBe(sol(i, y, x));
      expect(at(one, [i, y, x])).toBe(coeff(i, y, x));
    }
    expect(Array.from((v.get('tiny') as NumericArray).data)).toEqual([7, 8]);
  });

  it('layouts outside the subset are refused by name: fixed-array chunk index, dense link and attribute storage', () => {
    expectFormatError(() => read('latest-chunked.mat'), 'latest-chunked.mat', /fixed array/);
    const dense = openHdf5(bufferSource(new Uint8Array(readFileSync(join(dir, 'dense.h5'))), 'dense.h5'));
    expectFormatError(() => dense.object(dense.rootAddress), 'dense.h5', /dense link storage/);
    expectFormatError(() => read('dense-attrs.mat'), 'dense-attrs.mat', /dense attribute storage/);
  });
});
