import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMatV73, readMat, type MatCell, type MatChar, type MatStruct } from '../../../plugin/tasks/formats/mat.js';
import type { NumericArray } from '../../../plugin/tasks/formats/ndarray.js';
import { bufferSource } from '../../../plugin/tasks/formats/source.js';
import { expectFormatError, withPythonFiles } from './helpers.js';

let py: ReturnType<typeof withPythonFiles>;
beforeAll(() => {
  py = withPythonFiles(String.raw`
import sys, numpy as np, scipy.io as sio
d = sys.argv[1]
n, s = 6, 21
i, y, x = np.meshgrid(np.arange(n), np.arange(s), np.arange(s), indexing='ij')
coeff = np.where((x + 2 * y + i) % 7 < 3, 3.0, 12.0)
sol = (i + 1) * x * (s - 1 - x) * y * (s - 1 - y) / 1000.0
for comp in (False, True):
    tag = 'compressed' if comp else 'plain'
    sio.savemat(f'{d}/smooth1_{tag}.mat', {'coeff': coeff, 'sol': sol.astype(np.float32)}, do_compression=comp)
sio.savemat(d + '/misc.mat', {'u8': np.arange(6, dtype=np.uint8).reshape(2, 3), 'i16': np.array([[-5, 7]], dtype=np.int16),
    'i64': np.array([[2**40, -3]], dtype=np.int64), 'flag': np.array([[True, False]]), 'name': 'abc',
    's': {'a': np.array([[1.5]]), 'b': 'hi'}, 'c': np.array([np.array([[1.0, 2.0]]), 'x'], dtype=object), 'v': np.arange(4.0)}, do_compression=True)
`);
});
afterAll(() => py.cleanup());

const at = (a: NumericArray, idx: number[]): number => {
  let k = 0;
  for (let d = 0; d < idx.length; d++) k = k * a.shape[d] + idx[d];
  return a.data[k];
};

describe('MAT level 5', () => {
  it('Darcy Flow layout, plain and compressed: coeff (6, 21, 21) float64 with values 3/12, sol float32, indexed like MATLAB', () => {
    for (const tag of ['plain', 'compressed']) {
      const name = `smooth1_${tag}.mat`;
      const vars = readMat(bufferSource(py.read(name), name));
      const coeff = vars.get('coeff') as NumericArray;
      const sol = vars.get('sol') as NumericArray;
      expect(coeff.shape).toEqual([6, 21, 21]);
      expect(coeff.dtype).toBe('f8');
      expect(sol.dtype).toBe('f4');
      for (const [i, y, x] of [[0, 0, 0], [5, 20, 20], [2, 3, 17], [4, 11, 1]]) {
        expect(at(coeff, [i, y, x])).toBe((x + 2 * y + i) % 7 < 3 ? 3 : 12);
        expect(at(sol, [i, y, x])).toBe(Math.fround(((i + 1) * x * (20 - x) * y * (20 - y)) / 1000));
      }
    }
  });

  it('reads only the variables asked for and names missing ones', () => {
    const src = bufferSource(py.read('smooth1_compressed.mat'), 'piececonst_r421_N1024_smooth1.mat');
    expect([...readMat(src, ['sol']).keys()]).toEqual(['sol']);
    expectFormatError(() => readMat(src, ['coef']), 'piececonst_r421_N1024_smooth1.mat', /coef/);
  });

  it('integer classes, logical, int64, char, struct, cell and a 1-D vector (saved as a 1×4 row)', () => {
    const v = readMat(bufferSource(py.read('misc.mat'), 'misc.mat'));
    const u8 = v.get('u8') as NumericArray;
    expect([u8.dtype, u8.shape, Array.from(u8.data)]).toEqual(['u1', [2, 3], [0, 1, 2, 3, 4, 5]]);
    expect(Array.from((v.get('i16') as NumericArray).data)).toEqual([-5, 7]);
    expect(Array.from((v.get('i64') as NumericArray).data)).toEqual([2 ** 40, -3]);
    const flag = v.get('flag') as NumericArray;
    expect([flag.dtype, Array.from(flag.data)]).toEqual(['b1', [1, 0]]);
    expect((v.get('name') as MatChar).rows).toEqual(['abc']);
    const s = v.get('s') as MatStruct;
    expect(s.fieldNames).toEqual(['a', 'b']);
    expect(Array.from((s.elements[0].get('a') as NumericArray).data)).toEqual([1.5]);
    expect((s.elements[0].get('b') as MatChar).rows).toEqual(['hi']);
    const c = v.get('c') as MatCell;
    expect(c.shape).toEqual([1, 2]);
    expect(Array.from((c.data[0] as NumericArray).data)).toEqual([1, 2]);
    expect((c.data[1] as MatChar).rows).toEqual(['x']);
    const vec = v.get('v') as NumericArray;
    expect([vec.shape, Array.from(vec.data)]).toEqual([[1, 4], [0, 1, 2, 3]]);
  });

  it('truncated files, corrupt compressed elements and non-MAT files are named', () => {
    const plain = py.read('smooth1_plain.mat');
    expectFormatError(() => readMat(bufferSource(plain.subarray(0, plain.length - 50), 'cut.mat')), 'cut.mat', /truncated/);
    const comp = py.read('smooth1_compressed.mat').slice();
    comp[128 + 8 + 20] ^= 0xff;
    expectFormatError(() => readMat(bufferSource(comp, 'z.mat')), 'z.mat');
    expectFormatError(() => readMat(bufferSource(new Uint8Array(200), 'zero.mat')), 'zero.mat', /MATLAB 5\.0/);
  });

  it('a v7.3 (HDF5) file is recognised and routed to the HDF5 reader, whose errors name the file', () => {
    const bytes = new Uint8Array(1024);
    bytes.set(Buffer.from('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .'));
    bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 512);
    const src = bufferSource(bytes, 'v73.mat');
    expect(isMatV73(src)).toBe(true);
    expectFormatError(() => readMat(src), 'v73.mat', /HDF5 offset and length sizes/);
  });
});
