import { ByteReader, latin1, utf8 } from './bytes.js';
import { DataFormatError, describeBytes } from './errors.js';
import { decodeArray, parseDtype, product, type NdArray, type NumericArray, type NumericDtype } from './ndarray.js';
import { readPickleAt } from './pickle.js';
import { describePy, isNdArray, type PyValue } from './pyvalue.js';

/**
 * NumPy .npy files, format versions 1.0, 2.0 and 3.0.
 * Numeric and fixed-width string arrays are decoded to C order (see ndarray.ts for the dtype
 * mapping); object arrays ('|O') hold a pickle after the header, read with the allow-listed
 * pickle subset. Nothing in the header is evaluated: it is parsed as a dict literal.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  version: [number, number];
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Offset of the first data byte. */
  dataOffset: number;
}

export function readNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const r = new ByteReader(bytes, file);
  const magic = r.take(6, 'the .npy magic string');
  if (!MAGIC.every((b, i) => magic[i] === b)) throw new DataFormatError(file, 'a NumPy .npy file (magic \\x93NUMPY)', describeBytes(magic), 0);
  const major = r.u8('format major version');
  const minor = r.u8('format minor version');
  if (major < 1 || major > 3) throw new DataFormatError(file, '.npy format version 1.0, 2.0 or 3.0', `version ${major}.${minor}`, 6);
  const len = major === 1 ? r.u16('header length') : r.u32('header length');
  const headerStart = r.pos;
  const raw = r.take(len, 'the .npy header');
  const text = major === 3 ? utf8(raw) : latin1(raw);
  const dict = parseHeaderDict(text, file, headerStart);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw new DataFormatError(file, "a string 'descr' in the .npy header (structured dtypes are not supported)", text.trim(), headerStart);
  if (typeof fortran !== 'boolean') throw new DataFormatError(file, "a boolean 'fortran_order' in the .npy header", text.trim(), headerStart);
  if (!Array.isArray(shape)) throw new DataFormatError(file, "a tuple 'shape' in the .npy header", text.trim(), headerStart);
  return { version: [major, minor], descr, fortranOrder: fortran, shape: shape as number[], dataOffset: r.pos };
}

/** Reads any supported .npy (numeric, string or object array). */
export function readNpy(bytes: Uint8Array, file: string): NdArray {
  const h = readNpyHeader(bytes, file);
  const dtype = parseDtype(h.descr, file);
  if (dtype.kind === 'O') {
    const { value } = readPickleAt(bytes, h.dataOffset, file);
    if (!isNdArray(value)) throw new DataFormatError(file, 'a pickled NumPy array after an object-dtype .npy header', describePy(value), h.dataOffset);
    if (product(value.shape) !== product(h.shape)) {
      throw new DataFormatError(file, `an object array of shape (${h.shape.join(', ')})`, `shape (${value.shape.join(', ')})`, h.dataOffset);
    }
    return value;
  }
  const need = product(h.shape) * dtype.itemSize;
  if (bytes.length - h.dataOffset < need) {
    throw new DataFormatError(file, `${need} data bytes for shape (${h.shape.join(', ')}) of ${h.descr}`, `${bytes.length - h.dataOffset} (file truncated?)`, h.dataOffset);
  }
  return decodeArray(bytes.subarray(h.dataOffset), dtype, h.shape, h.fortranOrder, file);
}

/** Reads a .npy that must hold a numeric array. */
export function readNumericNpy(bytes: Uint8Array, file: string): NumericArray {
  const a = readNpy(bytes, file);
  if (a.kind !== 'numeric') throw new DataFormatError(file, 'a numeric array', `a ${a.kind} array`);
  return a;
}

/**
 * The single Python object stored by np.save(path, obj) for a non-array obj (a dict, a tuple):
 * an object array of shape () whose item is the object, as `np.load(..., allow_pickle=True).item()`.
 */
export function readNpyObject(bytes: Uint8Array, file: string): PyValue {
  const a = readNpy(bytes, file);
  if (a.kind !== 'object' || a.data.length !== 1) throw new DataFormatError(file, 'a .npy holding one pickled object (object array of shape ())', `a ${a.kind} array of shape (${a.shape.join(', ')})`);
  return a.data[0];
}

type HeaderValue = string | boolean | number[] | number | null | HeaderValue[];

/** Parses the Python dict literal of a .npy header: strings, booleans, ints and tuples only. */
function parseHeaderDict(text: string, file: string, offset: number): Map<string, HeaderValue> {
  let i = 0;
  const bad = (what: string): never => {
    throw new DataFormatError(file, `a .npy header dict literal (${what})`, JSON.stringify(text.trim().slice(0, 120)), offset + i);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const parseValue = (): HeaderValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) bad('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: HeaderValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          break;
        }
        items.push(parseValue());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) bad(`"," or "${close}"`);
      }
      return items;
    }
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?\d+L?/.exec(text.slice(i));
    if (!m) return bad('a string, tuple, boolean or integer');
    i += m[0].length;
    return Number(m[0].replace('L', ''));
  };
  const out = new Map<string, HeaderValue>();
  ws();
  if (text[i] !== '{') bad('"{"');
  i++;
  for (;;) {
    ws();
    if (text[i] === '}') break;
    const k = parseValue();
    if (typeof k !== 'string') bad('a string key');
    ws();
    if (text[i] !== ':') bad('":"');
    i++;
    out.set(k as string, parseValue());
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad('"," or "}"');
  }
  const shape = out.get('shape');
  if (Array.isArray(shape) && !shape.every((d) => typeof d === 'number' && d >= 0)) bad('non-negative integer dimensions');
  return out;
}

export interface NpyWriteOptions {
  /** Store the data column-major and say so in the header (the values in `data` stay C order). */
  fortranOrder?: boolean;
}

/**
 * Writes a numeric array as .npy version 1.0, little-endian, the way numpy.save does
 * (header padded with spaces to a multiple of 64 bytes, ending in a newline).
 * Float64Array data with dtype 'i8'/'u8' is written as 64-bit integers.
 */
export function writeNpy(array: { dtype: NumericDtype; shape: readonly number[]; data: ArrayLike<number> }, options: NpyWriteOptions = {}): Uint8Array {
  const { dtype, shape, data } = array;
  const count = product(shape);
  if (data.length !== count) throw new RangeError(`writeNpy: ${data.length} values for shape (${shape.join(', ')})`);
  if (dtype === 'f2') throw new RangeError('writeNpy: half-precision output is not supported');
  const size = Number(dtype.slice(1));
  const descr = `${size === 1 ? '|' : '<'}${dtype}`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new RangeError('writeNpy: header too long for format 1.0');
  const out = new Uint8Array(10 + header.length + count * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const order = options.fortranOrder ? cToFortranIndex(shape) : null;
  let p = 10 + header.length;
  for (let j = 0; j < count; j++, p += size) {
    const v = data[order ? order[j] : j];
    switch (dtype) {
      case 'f4': view.setFloat32(p, v, true); break;
      case 'f8': view.setFloat64(p, v, true); break;
      case 'i1': view.setInt8(p, v); break;
      case 'i2': view.setInt16(p, v, true); break;
      case 'i4': view.setInt32(p, v, true); break;
      case 'i8': view.setBigInt64(p, BigInt(v), true); break;
      case 'u1': view.setUint8(p, v); break;
      case 'u2': view.setUint16(p, v, true); break;
      case 'u4': view.setUint32(p, v, true); break;
      case 'u8': view.setBigUint64(p, BigInt(v), true); break;
      case 'b1': view.setUint8(p, v ? 1 : 0); break;
    }
  }
  return out;
}

/** For each column-major position, the C-order index of the element stored there. */
function cToFortranIndex(shape: readonly number[]): Int32Array {
  const n = product(shape);
  const out = new Int32Array(n);
  const k = shape.length;
  const idx = new Array<number>(k).fill(0);
  for (let f = 0; f < n; f++) {
    let c = 0;
    for (let d = 0; d < k; d++) c = c * shape[d] + idx[d];
    out[f] = c;
    for (let d = 0; d < k; d++) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
