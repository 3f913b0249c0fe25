import { DataFormatError } from './errors.js';
import type { PyValue } from './pyvalue.js';

/**
 * Arrays as the readers hand them out: always C (row-major) order, native byte order.
 * Fortran-ordered and big-endian sources are converted on read.
 *
 * 64-bit integers are returned as a Float64Array holding the exact values; a value outside
 * ±(2^53 − 1) is a DataFormatError rather than a silent rounding (labels, ids and counts in the
 * datasets are far inside that range). `dtype` still says 'i8'/'u8' so the origin is visible.
 * Booleans come back as a Uint8Array of 0/1, half floats as a Float32Array.
 */
export type NumericDtype = 'f2' | 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

export type NumericTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

export interface NumericArray {
  kind: 'numeric';
  dtype: NumericDtype;
  shape: number[];
  data: NumericTypedArray;
}

/** Fixed-width NumPy strings: 'U' (UTF-32) and 'S' (bytes, decoded as latin-1), trailing NULs stripped. */
export interface TextArray {
  kind: 'text';
  dtype: 'U' | 'S';
  itemSize: number;
  shape: number[];
  data: string[];
}

/** NumPy object arrays: each element is an unpickled Python value. */
export interface ObjectArray {
  kind: 'object';
  dtype: 'O';
  shape: number[];
  data: PyValue[];
}

export type NdArray = NumericArray | TextArray | ObjectArray;

/** A parsed NumPy type descriptor such as '<f4', '|b1', '>i8', '<U5', '|O'. */
export interface Dtype {
  kind: 'f' | 'i' | 'u' | 'b' | 'U' | 'S' | 'O';
  itemSize: number;
  littleEndian: boolean;
}

const NUMERIC_SIZES: Record<string, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };

/**
 * Parses a descriptor. `orderOverride` is the byte-order character a pickled numpy.dtype carries
 * in its state, which takes precedence over the (order-less) type string.
 */
export function parseDtype(descr: string, file: string, orderOverride?: string): Dtype {
  const m = /^([<>|=]?)([fiubUSO?])(\d*)$/.exec(descr);
  if (!m) throw new DataFormatError(file, 'a NumPy dtype such as <f4, |u1, <U5 or |O', `"${descr}" (structured and other dtypes are not supported)`);
  const order = orderOverride ?? m[1];
  const kind = (m[2] === '?' ? 'b' : m[2]) as Dtype['kind'];
  let size = m[3] === '' ? (kind === 'b' || m[2] === '?' ? 1 : kind === 'O' ? 8 : NaN) : Number(m[3]);
  if (kind === 'U' && m[3] !== '') size = Number(m[3]) * 4;
  if (kind in NUMERIC_SIZES ? !NUMERIC_SIZES[kind].includes(size) : !(size >= 0)) {
    throw new DataFormatError(file, 'a supported item size for NumPy dtype', `"${descr}"`);
  }
  if (order === '>' && size > 1 && (kind === 'O')) throw new DataFormatError(file, 'a little-endian object dtype', `"${descr}"`);
  return { kind, itemSize: size, littleEndian: order !== '>' };
}

export function dtypeName(d: Dtype): string {
  return d.kind === 'U' ? `U${d.itemSize / 4}` : `${d.kind}${d.itemSize}`;
}

export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Raw element bytes (in the stated order) → a C-ordered array. */
export function decodeArray(raw: Uint8Array, dtype: Dtype, shape: number[], fortranOrder: boolean, file: string): NumericArray | TextArray {
  if (dtype.kind === 'O') throw new DataFormatError(file, 'raw numeric or string data', 'object dtype (needs pickle)');
  const count = product(shape);
  const want = count * dtype.itemSize;
  if (raw.length < want) {
    throw new DataFormatError(file, `${want} bytes of array data for shape (${shape.join(', ')}) of ${dtypeName(dtype)}`, `${raw.length} bytes (file truncated?)`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, want);
  const le = dtype.littleEndian;
  let arr: NumericArray | TextArray;
  if (dtype.kind === 'U' || dtype.kind === 'S') {
    const out: string[] = new Array(count);
    const w = dtype.itemSize;
    for (let i = 0; i < count; i++) {
      let s = '';
      if (dtype.kind === 'S') {
        for (let j = 0; j < w; j++) s += String.fromCharCode(raw[i * w + j]);
      } else {
        for (let j = 0; j < w; j += 4) s += String.fromCodePoint(view.getUint32(i * w + j, le));
      }
      out[i] = s.replace(/\0+$/, '');
    }
    arr = { kind: 'text', dtype: dtype.kind, itemSize: dtype.kind === 'U' ? w / 4 : w, shape, data: out };
  } else {
    arr = { kind: 'numeric', dtype: `${dtype.kind}${dtype.itemSize}` as NumericDtype, shape, data: decodeNumbers(view, dtype, count, file) };
  }
  if (fortranOrder && shape.length > 1) arr.data = fortranToC(arr.data, shape) as typeof arr.data;
  return arr;
}

function decodeNumbers(view: DataView, dtype: Dtype, count: number, file: string): NumericTypedArray {
  const le = dtype.littleEndian;
  const key = `${dtype.kind}${dtype.itemSize}`;
  switch (key) {
    case 'f2': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, le));
      return out;
    }
    case 'i8':
    case 'u8': {
      const out = new Float64Array(count);
      const limit = BigInt(Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < count; i++) {
        const v = key === 'i8' ? view.getBigInt64(8 * i, le) : view.getBigUint64(8 * i, le);
        if (v > limit || v < -limit) throw new DataFormatError(file, '64-bit integers within ±(2^53 − 1)', String(v), 8 * i);
        out[i] = Number(v);
      }
      return out;
    }
    case 'b1': {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) === 0 ? 0 : 1;
      return out;
    }
  }
  const ctor = {
    f4: Float32Array, f8: Float64Array, i1: Int8Array, i2: Int16Array, i4: Int32Array, u1: Uint8Array, u2: Uint16Array, u4: Uint32Array,
  }[key];
  if (!ctor) throw new DataFormatError(file, 'a numeric dtype', key);
  const out = new ctor(count);
  const size = dtype.itemSize;
  if (le || size === 1) {
    // Copy into a fresh, aligned buffer; the source offset may not be a multiple of the item size.
    new Uint8Array(out.buffer).set(new Uint8Array(view.buffer, view.byteOffset, count * size));
  } else {
    const get = { f4: 'getFloat32', f8: 'getFloat64', i2: 'getInt16', i4: 'getInt32', u2: 'getUint16', u4: 'getUint32' }[key] as
      'getFloat32' | 'getFloat64' | 'getInt16' | 'getInt32' | 'getUint16' | 'getUint32';
    for (let i = 0; i < count; i++) out[i] = view[get](i * size, false);
  }
  return out;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

interface Indexable<T> {
  length: number;
  [i: number]: T;
}

/**
 * Reorders column-major (Fortran/MATLAB) data to row-major for the same logical shape.
 * Walks the C-order output while keeping the matching column-major index incrementally.
 */
export function fortranToC<T, A extends Indexable<T>>(src: A, shape: readonly number[], make?: (n: number) => A): A {
  const n = product(shape);
  const out = make ? make(n) : (new (src.constructor as new (n: number) => A)(n));
  const k = shape.length;
  const fStride: number[] = new Array(k);
  let s = 1;
  for (let d = 0; d < k; d++) {
    fStride[d] = s;
    s *= shape[d];
  }
  const idx = new Array<number>(k).fill(0);
  let f = 0;
  for (let c = 0; c < n; c++) {
    out[c] = src[f];
    for (let d = k - 1; d >= 0; d--) {
      idx[d]++;
      f += fStride[d];
      if (idx[d] < shape[d]) break;
      f -= fStride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}
