import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, readNpyHeader, readNpyObject, readNumericNpy, writeNpy } from '../../../plugin/tasks/formats/npy.js';
import { isNdArray, type PyDict } from '../../../plugin/tasks/formats/pyvalue.js';
import { expectFormatError, withPythonFiles } from './helpers.js';

/** A version-1 .npy built byte by byte: header text exactly as numpy writes it. */
function handMadeNpy(descr: string, shape: string, payload: number[], fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  return new Uint8Array([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8, ...Buffer.from(header, 'latin1'), ...payload]);
}

describe('npy: hand-made bytes', () => {
  it('reads <f4 (2, 3) in C order', () => {
    const values = [1, -2.5, 3, 0.25, 1e-3, 7];
    const payload = [...new Uint8Array(new Float32Array(values).buffer)];
    const a = readNumericNpy(handMadeNpy('<f4', '(2, 3)', payload), 'x.npy');
    expect(a.dtype).toBe('f4');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual(Array.from(new Float32Array(values)));
  });

  it('reorders a Fortran-ordered (2, 3) array: stored column by column', () => {
    // Column-major storage of [[1, 2, 3], [4, 5, 6]] is 1 4 2 5 3 6.
    const a = readNumericNpy(handMadeNpy('|u1', '(2, 3)', [1, 4, 2, 5, 3, 6], true), 'f.npy');
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads big-endian >i2 and |b1', () => {
    expect(Array.from(readNumericNpy(handMadeNpy('>i2', '(2,)', [0x01, 0x02, 0xff, 0xfe]), 'b.npy').data)).toEqual([258, -2]);
    const b = readNumericNpy(handMadeNpy('|b1', '(3,)', [1, 0, 1]), 'bool.npy');
    expect(b.dtype).toBe('b1');
    expect(Array.from(b.data)).toEqual([1, 0, 1]);
  });

  it('reads <f2: 1.0 is 0x3c00, -2 is 0xc000, 65504 is 0x7bff', () => {
    const a = readNumericNpy(handMadeNpy('<f2', '(3,)', [0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b]), 'h.npy');
    expect(Array.from(a.data)).toEqual([1, -2, 65504]);
  });

  it('returns int64 as exact doubles and refuses values beyond 2^53', () => {
    const big = new BigInt64Array([-3n, 2n ** 52n]);
    expect(Array.from(readNumericNpy(handMadeNpy('<i8', '(2,)', [...new Uint8Array(big.buffer)]), 'l.npy').data)).toEqual([-3, 2 ** 52]);
    const tooBig = new BigInt64Array([2n ** 60n]);
    expectFormatError(() => readNpy(handMadeNpy('<i8', '(1,)', [...new Uint8Array(tooBig.buffer)]), 'big.npy'), 'big.npy', /2\^53/);
  });

  it('reads a 0-d array and an empty array', () => {
    const s = readNumericNpy(handMadeNpy('<f8', '()', [...new Uint8Array(new Float64Array([2.5]).buffer)]), 's.npy');
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([2.5]);
    expect(readNumericNpy(handMadeNpy('<f4', '(0, 5)', []), 'e.npy').data.length).toBe(0);
  });
});

describe('npy: writer round trip', () => {
  it('round-trips every numeric dtype, C and Fortran order', () => {
    const shape = [2, 3, 2];
    const cases = {
      f4: [0.5, -1.25, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      f8: [Math.PI, -1e300, 1e-300, 0, 1, 2, 3, 4, 5, 6, 7, 8],
      i1: [-128, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, -9],
      i2: [-32768, 32767, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      i4: [-(2 ** 31), 2 ** 31 - 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      i8: [-(2 ** 53) + 1, 2 ** 53 - 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      u1: [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      u2: [0, 65535, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      u4: [0, 2 ** 32 - 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      u8: [0, 2 ** 53 - 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      b1: [0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0],
    } as const;
    for (const [dtype, values] of Object.entries(cases)) {
      for (const fortranOrder of [false, true]) {
        const bytes = writeNpy({ dtype: dtype as keyof typeof cases, shape, data: values }, { fortranOrder });
        expect((bytes.length - (bytes.length - readNpyHeader(bytes, 'w.npy').dataOffset)) % 64).toBe(0);
        const a = readNumericNpy(bytes, 'w.npy');
        expect(a.shape).toEqual(shape);
        expect(a.dtype).toBe(dtype);
        expect(Array.from(a.data)).toEqual(dtype === 'f4' ? Array.from(new Float32Array(values)) : values);
      }
    }
  });
});

describe('npy: files written by numpy', () => {
  let py: ReturnType<typeof withPythonFiles>;
  beforeAll(() => {
    py = withPythonFiles(String.raw`
import sys, numpy as np
d = sys.argv[1]
s, t, c = np.meshgrid(np.arange(6), np.arange(52), np.arange(16), indexing='ij')
np.save(d + '/ninapro_train.npy', (s * 1000 + t * 16 + c).astype('<f8'))
np.save(d + '/ninapro_f32.npy', (s * 1000 + t * 16 + c).astype('<f4'))
np.save(d + '/fortran.npy', np.asfortranarray((s * 1000 + t * 16 + c).astype('<f8')))
np.save(d + '/label_train.npy', np.array([0, 17, 3, 9, 12, 5], dtype='<i8'))
np.save(d + '/label_i4.npy', np.array([0, 17, 3], dtype='<i4'))
np.save(d + '/big.npy', np.arange(5, dtype='>i4') - 2)
np.save(d + '/half.npy', np.array([0.5, -3, 1024], dtype='<f2'))
np.save(d + '/u2.npy', np.array([[1, 65535]], dtype='<u2'))
np.save(d + '/strings.npy', np.array(['N', 'A', 'O', '~', 'Ab']))
with open(d + '/v2.npy', 'wb') as f:
    np.lib.format.write_array(f, np.arange(4, dtype='<i2'), version=(2, 0))
with open(d + '/v3.npy', 'wb') as f:
    np.lib.format.write_array(f, np.arange(4, dtype='<i2'), version=(3, 0))
rows = np.arange(30 * 46, dtype='<f8').reshape(30, 46) / 7
np.save(d + '/satellite_train.npy', {'data': rows, 'label': np.arange(30) % 24 + 1}, allow_pickle=True)
L = 5
cb = np.abs(np.subtract.outer(np.arange(L), np.arange(L))).astype('<f8') * 3.5
np.save(d + '/2abc-cb.npy', np.array((L, 'ACDEF', cb), dtype=object), allow_pickle=True)
`);
  });
  afterAll(() => py.cleanup());

  it('NinaPro layout: float64 (6, 52, 16) with value = s·1000 + t·16 + c, also float32 and Fortran order', () => {
    for (const name of ['ninapro_train.npy', 'ninapro_f32.npy', 'fortran.npy']) {
      const a = readNumericNpy(py.read(name), name);
      expect(a.shape).toEqual([6, 52, 16]);
      expect(a.dtype).toBe(name === 'ninapro_f32.npy' ? 'f4' : 'f8');
      for (const [s, t, c] of [[0, 0, 0], [5, 51, 15], [3, 7, 11], [1, 40, 2]]) {
        expect(a.data[(s * 52 + t) * 16 + c]).toBe(s * 1000 + t * 16 + c);
      }
    }
    expect(readNpyHeader(py.read('fortran.npy'), 'f').fortranOrder).toBe(true);
  });

  it('labels as int64 and int32; big-endian, half, uint16', () => {
    expect(Array.from(readNumericNpy(py.read('label_train.npy'), 'l').data)).toEqual([0, 17, 3, 9, 12, 5]);
    expect(Array.from(readNumericNpy(py.read('label_i4.npy'), 'l').data)).toEqual([0, 17, 3]);
    expect(Array.from(readNumericNpy(py.read('big.npy'), 'b').data)).toEqual([-2, -1, 0, 1, 2]);
    expect(Array.from(readNumericNpy(py.read('half.npy'), 'h').data)).toEqual([0.5, -3, 1024]);
    expect(Array.from(readNumericNpy(py.read('u2.npy'), 'u').data)).toEqual([1, 65535]);
  });

  it('fixed-width unicode strings and format versions 2.0 and 3.0', () => {
    const s = readNpy(py.read('strings.npy'), 's');
    expect(s.kind).toBe('text');
    expect(s.data).toEqual(['N', 'A', 'O', '~', 'Ab']);
    for (const v of ['v2.npy', 'v3.npy']) {
      const a = readNumericNpy(py.read(v), v);
      expect(Array.from(a.data)).toEqual([0, 1, 2, 3]);
    }
    expect(readNpyHeader(py.read('v3.npy'), 'v3').version).toEqual([3, 0]);
  });

  it('Satellite layout: a dict saved as an object .npy', () => {
    const d = readNpyObject(py.read('satellite_train.npy'), 'satellite_train.npy') as PyDict;
    const data = d.get('data');
    const label = d.get('label');
    if (!isNdArray(data!) || data.kind !== 'numeric' || !isNdArray(label!) || label.kind !== 'numeric') throw new Error('arrays expected');
    expect(data.shape).toEqual([30, 46]);
    expect(data.data[46 * 2 + 5]).toBeCloseTo((46 * 2 + 5) / 7, 12);
    expect(Array.from(label.data.slice(22, 26))).toEqual([23, 24, 1, 2]);
  });

  it('PSICOV distance layout: (L, seq, cb_map) saved as a 3-element object array', () => {
    const arr = readNpy(py.read('2abc-cb.npy'), '2abc-cb.npy');
    expect(arr.kind).toBe('object');
    expect(arr.shape).toEqual([3]);
    const t = arr.data as unknown[];
    expect(t[0]).toBe(5);
    expect(t[1]).toBe('ACDEF');
    const cb = t[2] as { shape: number[]; data: Float64Array };
    expect(cb.shape).toEqual([5, 5]);
    expect(cb.data[0 * 5 + 3]).toBe(10.5);
    expect(cb.data[4 * 5 + 4]).toBe(0);
  });

  it('truncated and corrupt files are DataFormatErrors naming the file', () => {
    const full = py.read('ninapro_train.npy');
    expectFormatError(() => readNpy(full.subarray(0, full.length - 8), 'ninapro_train.npy'), 'ninapro_train.npy', /truncated/);
    expectFormatError(() => readNpy(full.subarray(0, 40), 'ninapro_train.npy'), 'ninapro_train.npy', /header/);
    const badMagic = full.slice();
    badMagic[1] = 0x41;
    expectFormatError(() => readNpy(badMagic, 'bad.npy'), 'bad.npy', /magic/);
    const obj = py.read('satellite_train.npy');
    expectFormatError(() => readNpy(obj.subarray(0, obj.length - 30), 'satellite_train.npy'), 'satellite_train.npy');
  });

  it('an unsupported descr is named in the error', () => {
    expectFormatError(() => readNpy(handMadeNpy('<c16', '(1,)', new Array(16).fill(0)), 'c.npy'), 'c.npy', /c16/);
  });
});
