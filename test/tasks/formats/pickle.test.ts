import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maybeGunzip } from '../../../plugin/tasks/formats/gzip.js';
import type { NdArray } from '../../../plugin/tasks/formats/ndarray.js';
import { PickleGlobalError, readPickle } from '../../../plugin/tasks/formats/pickle.js';
import { isNdArray, type PyDict, type PyValue } from '../../../plugin/tasks/formats/pyvalue.js';
import { expectFormatError, pickleBytes, withPythonFiles } from './helpers.js';

const arr = (v: PyValue | undefined): NdArray => {
  if (v === undefined || !isNdArray(v)) throw new Error('expected an array');
  return v;
};

/** SHORT_BINSTRING, as Python 2 writes a short str. */
const s2 = (s: string): string => `U${String.fromCharCode(s.length)}${s}`;

/**
 * The CIFAR-100 `train` pickle the way Python 2's cPickle (protocol 2) writes it: str keys and the
 * array buffer as BINSTRING, numpy.core.multiarray._reconstruct with a u1 dtype.
 */
function python2CifarPickle(pixels: number[], fine: number[]): Uint8Array {
  const raw = String.fromCharCode(...pixels);
  const len = Buffer.alloc(4);
  len.writeInt32LE(raw.length);
  const minus1 = 'J\xff\xff\xff\xff';
  return pickleBytes(
    '\x80\x02}q\x01(',
    s2('data'),
    'cnumpy.core.multiarray\n_reconstruct\nq\x02cnumpy\nndarray\nq\x03K\x00\x85', s2('b'), '\x87Rq\x04(K\x01K\x02K\x03\x86',
    'cnumpy\ndtype\nq\x05', s2('u1'), 'K\x00K\x01\x87Rq\x06(K\x03', s2('|'), 'NNN', minus1, minus1, 'K\x00tbK\x00',
    'T', [...len], raw, 'tb',
    s2('fine_labels'), ']q\x07(', fine.map((f) => `K${String.fromCharCode(f)}`).join(''), 'e',
    s2('batch_label'), s2('training batch 1 of 1'),
    'u.',
  );
}

describe('pickle: hand-assembled Python 2 CIFAR-100 pickle', () => {
  it('decodes str keys as latin-1 and the BINSTRING buffer as uint8 bytes', () => {
    const pixels = [0, 1, 127, 128, 200, 255];
    const d = readPickle(python2CifarPickle(pixels, [3, 99]), 'train') as PyDict;
    expect([...d.keys()]).toEqual(['data', 'fine_labels', 'batch_label']);
    const data = arr(d.get('data'));
    expect(data.kind).toBe('numeric');
    expect(data.shape).toEqual([2, 3]);
    expect(Array.from(data.data as Uint8Array)).toEqual(pixels);
    expect(d.get('fine_labels')).toEqual([3, 99]);
    expect(d.get('batch_label')).toBe('training batch 1 of 1');
  });
});

describe('pickle: refuses globals outside the allow-list', () => {
  it('GLOBAL os.system is refused by name before anything is called', () => {
    const evil = pickleBytes('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.');
    const e = expectFormatError(() => readPickle(evil, 'evil.pkl'), 'evil.pkl', /os\.system/);
    expect(e).toBeInstanceOf(PickleGlobalError);
    expect((e as PickleGlobalError).globalName).toBe('os.system');
  });

  it('STACK_GLOBAL builtins.eval is refused by name', () => {
    const evil = pickleBytes('\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x041+1\x85R.');
    expectFormatError(() => readPickle(evil, 'evil4.pkl'), 'evil4.pkl', /builtins\.eval/);
  });

  it('class instantiation opcodes and persistent ids are refused', () => {
    expectFormatError(() => readPickle(pickleBytes('\x80\x02cnumpy\ndtype\n)\x81.'), 'n.pkl'), 'n.pkl', /NEWOBJ/);
    expectFormatError(() => readPickle(pickleBytes('\x80\x02X\x01\x00\x00\x00aQ.'), 'p.pkl'), 'p.pkl', /persistent/);
  });

  it('REDUCE on an allow-listed non-callable is refused', () => {
    expectFormatError(() => readPickle(pickleBytes('\x80\x02cnumpy\nndarray\n)R.'), 'r.pkl'), 'r.pkl', /ndarray/);
  });
});

describe('pickle: structural errors', () => {
  it('truncation, unknown opcodes and bad memo references', () => {
    expectFormatError(() => readPickle(pickleBytes('\x80\x02]q\x00(K\x01K\x02'), 't.pkl'), 't.pkl', /truncated/);
    expectFormatError(() => readPickle(pickleBytes('\x80\x02\xff.'), 'o.pkl'), 'o.pkl', /0xff/);
    expectFormatError(() => readPickle(pickleBytes('\x80\x02h\x05.'), 'm.pkl'), 'm.pkl', /memo entry 5/);
    expectFormatError(() => readPickle(pickleBytes('\x80\x02N.N'), 'x.pkl'), 'x.pkl', /after the pickle STOP/);
  });
});

describe('pickle: files written by Python 3 and numpy', () => {
  let py: ReturnType<typeof withPythonFiles>;
  beforeAll(() => {
    py = withPythonFiles(String.raw`
import sys, pickle, gzip, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(0)
sig = [np.arange(n, dtype=np.int16) - 300 for n in (900, 1500, 3000)]
for p in (2, 3, 4, 5):
    for labels in ('fixed', 'object'):
        lab = np.array(['N', 'A', '~']) if labels == 'fixed' else np.array(['N', 'A', '~'], dtype=object)
        obj = {'data': np.array(sig, dtype=object), 'label': lab}
        with open(f'{d}/ecg_p{p}_{labels}.pkl', 'wb') as f:
            pickle.dump(obj, f, protocol=p)
misc = {'ints': [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31, 2**62, -2**70], 'floats': (0.5, -1e300, float('inf')),
        'text': 'héllo ✓', 'raw': b'\x00\xffab', 'none': None, 'flags': [True, False], 'nested': {'t': (1, (2, 3)), 'l': [[], {}]},
        'shared': None, 'big': np.arange(12, dtype='>f8').reshape(3, 4), 'fort': np.asfortranarray(np.arange(6, dtype='<i4').reshape(2, 3)),
        'f32': np.float32(1.5), 'i64': np.int64(-7), 'bools': np.array([True, False, True]), 'empty': np.zeros((0, 3), dtype='<f4'),
        'bytearr': bytearray(b'xyz'), 'set': {1, 2}, 'fs': frozenset(['a'])}
shared = [1, 2]
misc['shared'] = [shared, shared]
for p in (0, 1, 2, 3, 4, 5):
    with open(f'{d}/misc_p{p}.pkl', 'wb') as f:
        pickle.dump(misc, f, protocol=p)
imgs = (np.arange(2 * 3 * 6 * 6) % 251).astype(np.float32).reshape(2, 3, 6, 6) / 250
with gzip.open(d + '/s2_cifar100.gz', 'wb') as f:
    pickle.dump({'train': {'images': imgs, 'labels': np.array([4, 7], dtype=np.int64)}, 'test': {'images': imgs[:1].astype(np.float64), 'labels': np.array([1])}}, f)
feat = {'seq': 'ACDEFGH', 'ss': np.arange(21, dtype=np.float64).reshape(3, 7), 'pssm': np.ones((7, 22), dtype=np.float32), 'ccmpred': np.eye(7)}
with open(d + '/features.pkl', 'wb') as f:
    pickle.dump(feat, f, protocol=pickle.HIGHEST_PROTOCOL)
`);
  });
  afterAll(() => py.cleanup());

  it('ECG layout: object array of int16 signals and N/A/~ labels, protocols 2–5, fixed-width and object labels', () => {
    for (const p of [2, 3, 4, 5]) {
      for (const labels of ['fixed', 'object']) {
        const name = `ecg_p${p}_${labels}.pkl`;
        const d = readPickle(py.read(name), name) as PyDict;
        const data = arr(d.get('data'));
        expect(data.kind).toBe('object');
        expect(data.shape).toEqual([3]);
        const lengths = (data.data as NdArray[]).map((s) => s.shape[0]);
        expect(lengths).toEqual([900, 1500, 3000]);
        const second = data.data[1] as NdArray;
        expect(second.dtype).toBe('i2');
        expect((second.data as Int16Array)[0]).toBe(-300);
        expect((second.data as Int16Array)[1499]).toBe(1199);
        const label = arr(d.get('label'));
        expect(label.kind).toBe(labels === 'fixed' ? 'text' : 'object');
        expect(label.data).toEqual(['N', 'A', '~']);
      }
    }
  });

  it('plain values, numbers at every integer width, memo sharing, numpy scalars and arrays, protocols 0–5', () => {
    for (let p = 0; p <= 5; p++) {
      const name = `misc_p${p}.pkl`;
      const d = readPickle(py.read(name), name) as PyDict;
      expect(d.get('ints')).toEqual([0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31, 2n ** 62n, -(2n ** 70n)]);
      expect(d.get('floats')).toEqual([0.5, -1e300, Infinity]);
      expect(d.get('text')).toBe('héllo ✓');
      expect(Array.from(d.get('raw') as Uint8Array)).toEqual([0, 255, 97, 98]);
      expect(Array.from(d.get('bytearr') as Uint8Array)).toEqual([120, 121, 122]);
      expect(d.get('none')).toBeNull();
      expect(d.get('flags')).toEqual([true, false]);
      expect(d.get('set')).toEqual(new Set([1, 2]));
      expect(d.get('fs')).toEqual(new Set(['a']));
      const nested = d.get('nested') as PyDict;
      expect(nested.get('t')).toEqual([1, [2, 3]]);
      expect(nested.get('l')).toEqual([[], new Map()]);
      const shared = d.get('shared') as PyValue[][];
      expect(shared[0]).toEqual([1, 2]);
      expect(shared[0]).toBe(shared[1]);
      const big = arr(d.get('big'));
      expect(big.shape).toEqual([3, 4]);
      expect(Array.from(big.data as Float64Array)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(Array.from(arr(d.get('fort')).data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Array.from(arr(d.get('bools')).data as Uint8Array)).toEqual([1, 0, 1]);
      expect(arr(d.get('empty')).shape).toEqual([0, 3]);
      expect(d.get('f32')).toBe(1.5);
      expect(d.get('i64')).toBe(-7);
    }
  });

  it('Spherical layout: gzip of a pickled two-level dict', () => {
    const d = readPickle(maybeGunzip(py.read('s2_cifar100.gz'), 's2_cifar100.gz'), 's2_cifar100.gz') as PyDict;
    const train = d.get('train') as PyDict;
    const images = arr(train.get('images'));
    expect(images.shape).toEqual([2, 3, 6, 6]);
    expect(images.dtype).toBe('f4');
    const i = ((1 * 3 + 2) * 6 + 4) * 6 + 5;
    expect((images.data as Float32Array)[i]).toBe(Math.fround(Math.fround(i % 251) / 250));
    expect(Array.from(arr(train.get('labels')).data)).toEqual([4, 7]);
    expect(arr((d.get('test') as PyDict).get('images')).dtype).toBe('f8');
  });

  it('PSICOV feature pickle (highest protocol)', () => {
    const d = readPickle(py.read('features.pkl'), 'features.pkl') as PyDict;
    expect(d.get('seq')).toBe('ACDEFGH');
    const ss = arr(d.get('ss'));
    expect(ss.shape).toEqual([3, 7]);
    expect((ss.data as Float64Array)[2 * 7 + 6]).toBe(20);
    expect(Array.from(arr(d.get('ccmpred')).data.slice(0, 9))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('NumPy 2 module names (numpy._core.multiarray) read the same as NumPy 1 ones', () => {
    // Protocol 2 spells globals as newline-terminated text, so renaming the module keeps the pickle valid.
    const v1 = Buffer.from(py.read('ecg_p2_fixed.pkl')).toString('latin1');
    expect(v1).toContain('numpy.core.multiarray\n_reconstruct');
    const v2 = new Uint8Array(Buffer.from(v1.replaceAll('numpy.core.multiarray\n', 'numpy._core.multiarray\n'), 'latin1'));
    const d = readPickle(v2, 'numpy2.pkl') as PyDict;
    expect(arr(d.get('label')).data).toEqual(['N', 'A', '~']);
  });

  it('a truncated real pickle names the file', () => {
    const b = py.read('ecg_p4_fixed.pkl');
    expectFormatError(() => readPickle(b.subarray(0, b.length - 100), 'challenge2017.pkl'), 'challenge2017.pkl');
  });
});
