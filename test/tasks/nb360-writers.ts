/**
 * Tiny writers for the container formats of NAS-Bench-360, used only to build test fixtures.
 * They are written from the format specifications (NumPy's .npy format, Python's pickle opcodes
 * as `pickle.py` emits them, POSIX ustar, RIFF/WAVE, MATLAB level 5) and share no code with the
 * readers in plugin/tasks/formats/, so a fixture read back by a product reader is an independent
 * check of that reader.
 */
import { deflateSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// Raw little-endian element bytes.

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
export const f64Bytes = (v: ArrayLike<number>): Uint8Array => bytesOf(Float64Array.from(v));
export const f32Bytes = (v: ArrayLike<number>): Uint8Array => bytesOf(Float32Array.from(v));
export const i64Bytes = (v: ArrayLike<number>): Uint8Array => bytesOf(BigInt64Array.from(Array.from(v, (x) => BigInt(x))));
export const i32Bytes = (v: ArrayLike<number>): Uint8Array => bytesOf(Int32Array.from(v));
export const i16Bytes = (v: ArrayLike<number>): Uint8Array => bytesOf(Int16Array.from(v));
export const u8Bytes = (v: ArrayLike<number>): Uint8Array => Uint8Array.from(v);

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

// ---------------------------------------------------------------------------------------------
// NumPy .npy, format 1.0: magic, version, u16 header length, a dict literal padded with spaces
// and a newline so that the data starts at a multiple of 64.

function shapeLiteral(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export function npyBytes(descr: string, shape: readonly number[], data: Uint8Array, fortranOrder = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeLiteral(shape)}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  return concat([head, ascii(header), data]);
}

/** np.save of a non-array object: an object array of shape () whose pickle holds the object. */
export function npyObjectBytes(value: Py): Uint8Array {
  return npyBytes('|O', [], pickle(objArray([], [value]), { protocol: 3 }));
}

// ---------------------------------------------------------------------------------------------
// Python values and a pickler (protocols 2 and 3, the opcodes CPython's pickler emits for them).

export type Py =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  /** Python 2 `str` (a byte string), emitted with the BINSTRING opcodes. */
  | { t: 'str2'; v: string }
  | { t: 'bytes'; v: Uint8Array }
  | { t: 'list'; v: Py[] }
  | { t: 'tuple'; v: Py[] }
  | { t: 'dict'; v: [Py, Py][] }
  | { t: 'array'; descr: string; shape: number[]; raw: Uint8Array }
  | { t: 'objarray'; shape: number[]; items: Py[] };

export const none: Py = { t: 'none' };
export const int = (v: number): Py => ({ t: 'int', v });
export const float = (v: number): Py => ({ t: 'float', v });
export const str = (v: string): Py => ({ t: 'str', v });
export const str2 = (v: string): Py => ({ t: 'str2', v });
export const list = (v: Py[]): Py => ({ t: 'list', v });
export const tuple = (v: Py[]): Py => ({ t: 'tuple', v });
export const dict = (entries: [string, Py][], keyStr: (k: string) => Py = str): Py => ({ t: 'dict', v: entries.map(([k, v]) => [keyStr(k), v]) });
/** A NumPy array; `descr` like '<f8', '|u1', '<U1'; `raw` its C-order element bytes. */
export const array = (descr: string, shape: number[], raw: Uint8Array): Py => ({ t: 'array', descr, shape, raw });
export const objArray = (shape: number[], items: Py[]): Py => ({ t: 'objarray', shape, items });

export interface PickleOptions {
  protocol: 2 | 3;
  /** Python 2 pickles: NumPy's internal strings (dtype codes, the 'b' argument) are byte strings. */
  python2?: boolean;
}

export function pickle(value: Py, options: PickleOptions): Uint8Array {
  const out: Uint8Array[] = [new Uint8Array([0x80, options.protocol])];
  emit(value, options, out);
  out.push(ascii('.'));
  return concat(out);
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function emit(v: Py, o: PickleOptions, out: Uint8Array[]): void {
  const op = (s: string): void => void out.push(ascii(s));
  const raw = (b: Uint8Array): void => void out.push(b);
  const nativeStr = (s: string): Py => (o.python2 ? str2(s) : str(s));
  switch (v.t) {
    case 'none':
      return op('N');
    case 'bool':
      return raw(new Uint8Array([v.v ? 0x88 : 0x89]));
    case 'int': {
      if (!Number.isInteger(v.v) || Math.abs(v.v) >= 2 ** 31) throw new Error(`pickle writer: int ${v.v} out of BININT range`);
      if (v.v >= 0 && v.v < 256) return raw(new Uint8Array([0x4b, v.v]));
      const b = new Uint8Array(5);
      b[0] = 0x4a;
      new DataView(b.buffer).setInt32(1, v.v, true);
      return raw(b);
    }
    case 'float': {
      const b = new Uint8Array(9);
      b[0] = 0x47;
      new DataView(b.buffer).setFloat64(1, v.v, false);
      return raw(b);
    }
    case 'str': {
      const body = new Uint8Array(Buffer.from(v.v, 'utf8'));
      return raw(concat([ascii('X'), u32le(body.length), body]));
    }
    case 'str2': {
      const body = ascii(v.v);
      return body.length < 256 ? raw(concat([new Uint8Array([0x55, body.length]), body])) : raw(concat([ascii('T'), u32le(body.length), body]));
    }
    case 'bytes':
      if (o.protocol >= 3) return raw(concat([ascii('B'), u32le(v.v.length), v.v]));
      if (o.python2) return emit(str2(Buffer.from(v.v).toString('latin1')), o, out);
      // Python 3 at protocol 2: _codecs.encode(text, 'latin1').
      op('c_codecs\nencode\n');
      emit(str(Buffer.from(v.v).toString('latin1')), o, out);
      emit(str('latin1'), o, out);
      return raw(new Uint8Array([0x86, 0x52])); // TUPLE2, REDUCE
    case 'list':
      op(']');
      if (v.v.length) {
        op('(');
        for (const x of v.v) emit(x, o, out);
        op('e');
      }
      return;
    case 'tuple':
      op('(');
      for (const x of v.v) emit(x, o, out);
      return op('t');
    case 'dict':
      op('}');
      if (v.v.length) {
        op('(');
        for (const [k, x] of v.v) {
          emit(k, o, out);
          emit(x, o, out);
        }
        op('u');
      }
      return;
    case 'array':
    case 'objarray': {
      const descr = v.t === 'array' ? v.descr : '|O';
      const order = descr[0] === '|' ? '|' : descr[0];
      const code = descr.slice(1) === 'O' ? 'O8' : descr.slice(1);
      // numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')
      op('cnumpy.core.multiarray\n_reconstruct\n');
      op('cnumpy\nndarray\n');
      emit(tuple([int(0)]), o, out);
      emit({ t: 'bytes', v: ascii('b') }, o, out);
      raw(new Uint8Array([0x87, 0x52])); // TUPLE3, REDUCE
      // state: (1, shape, dtype, is_fortran, data)
      op('(');
      emit(int(1), o, out);
      emit(tuple(v.shape.map(int)), o, out);
      op('cnumpy\ndtype\n');
      emit(nativeStr(code), o, out);
      emit({ t: 'bool', v: false }, o, out);
      emit({ t: 'bool', v: true }, o, out);
      raw(new Uint8Array([0x87, 0x52]));
      // Flexible types carry their element size and alignment in the state; fixed ones −1.
      const text = /^([US])(\d+)$/.exec(code);
      const [elsize, alignment, flags] = !text ? [-1, -1, code === 'O8' ? 63 : 0] : text[1] === 'U' ? [4 * Number(text[2]), 4, 8] : [Number(text[2]), 1, 0];
      emit(tuple([int(3), nativeStr(order), none, none, none, int(elsize), int(alignment), int(flags)]), o, out);
      op('b');
      emit({ t: 'bool', v: false }, o, out);
      if (v.t === 'array') emit({ t: 'bytes', v: v.raw }, o, out);
      else emit(list(v.items), o, out);
      op('t');
      return op('b');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// POSIX ustar archive (regular files; folders are implied by the paths).

export function tarBytes(entries: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.name.length > 100) throw new Error(`tar writer: name longer than 100 bytes: ${e.name}`);
    const h = new Uint8Array(512);
    const put = (s: string, at: number): void => h.set(ascii(s), at);
    put(e.name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(e.data.length.toString(8).padStart(11, '0') + '\0', 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    const sum = h.reduce((a, b) => a + b, 0);
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, e.data, new Uint8Array((512 - (e.data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

// ---------------------------------------------------------------------------------------------
// RIFF/WAVE, mono 16-bit PCM.

export function wavBytes(samples: Int16Array, sampleRate: number): Uint8Array {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + samples.length * 2, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i], 44 + 2 * i);
  return new Uint8Array(b);
}

// ---------------------------------------------------------------------------------------------
// MATLAB level 5 (MAT-File Format, "Level 5 MAT-File Format"): numeric arrays only, which is
// what Darcy Flow holds. `dims` are MATLAB's dimensions; `colMajor` the values in MATLAB's
// (column-major) order.

export interface MatVar {
  name: string;
  dims: number[];
  colMajor: ArrayLike<number>;
  class: 'double' | 'single';
}

function matSub(type: number, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  const v = new DataView(head.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, data.length, true);
  return concat([head, data, new Uint8Array((8 - (data.length % 8)) % 8)]);
}

export function mat5Bytes(vars: MatVar[], compressed: boolean): Uint8Array {
  const header = new Uint8Array(128).fill(0x20);
  header.set(ascii('MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2026'), 0);
  header.set(new Uint8Array(8), 116); // no subsystem data
  new DataView(header.buffer).setUint16(124, 0x0100, true);
  header.set(ascii('IM'), 126);
  const parts: Uint8Array[] = [header];
  for (const m of vars) {
    const flags = new Uint8Array(8);
    new DataView(flags.buffer).setUint32(0, m.class === 'double' ? 6 : 7, true); // mxDOUBLE_CLASS / mxSINGLE_CLASS
    const body = concat([
      matSub(6, flags), // miUINT32 array flags
      matSub(5, i32Bytes(m.dims)), // miINT32 dimensions
      matSub(1, ascii(m.name)), // miINT8 name
      matSub(m.class === 'double' ? 9 : 7, m.class === 'double' ? f64Bytes(m.colMajor) : f32Bytes(m.colMajor)),
    ]);
    const element = matSub(14, body); // miMATRIX
    if (compressed) {
      const z = new Uint8Array(deflateSync(element));
      const head = new Uint8Array(8);
      new DataView(head.buffer).setUint32(0, 15, true); // miCOMPRESSED, unpadded
      new DataView(head.buffer).setUint32(4, z.length, true);
      parts.push(head, z);
    } else parts.push(element);
  }
  return concat(parts);
}

/** C-order values of a logical array (shape `dims`) → MATLAB column-major order. */
export function toColumnMajor(cOrder: ArrayLike<number>, dims: readonly number[]): Float64Array {
  const n = cOrder.length;
  const out = new Float64Array(n);
  const k = dims.length;
  const idx = new Array<number>(k).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let d = k - 1; d >= 0; d--) f = f * dims[d] + idx[d];
    out[f] = cOrder[c];
    for (let d = k - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A deterministic generator (mulberry32) for fixture content that needs to look random. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
