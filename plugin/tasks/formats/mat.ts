import { inflateSync } from 'node:zlib';
import { ByteReader, latin1 } from './bytes.js';
import { DataFormatError } from './errors.js';
import { readMatV73 } from './mat-v73.js';
import { decodeArray, fortranToC, product, type Dtype, type NumericArray, type NumericDtype, type NumericTypedArray } from './ndarray.js';
import type { ByteSource } from './source.js';

/**
 * MATLAB MAT-files, level 5 (the format of `save -v6` and `-v7`, plain or with zlib-compressed
 * elements). Arrays keep MATLAB's dimensions and come back in C order, so `x[i][j][k]` of the
 * result is MATLAB's `x(i+1, j+1, k+1)` — the same view scipy.io.loadmat gives.
 *
 * Version 7.3 files are HDF5 containers behind a 512-byte header; readMat recognises them and reads
 * them through mat-v73.ts (hdf5.ts) with the same result shape. readMatHeader is level-5 only.
 */

export interface MatChar {
  kind: 'char';
  shape: number[];
  /** One string per row of the character matrix. */
  rows: string[];
}
export interface MatStruct {
  kind: 'struct';
  shape: number[];
  fieldNames: string[];
  /** One record per struct element, C order. */
  elements: Map<string, MatValue>[];
}
export interface MatCell {
  kind: 'cell';
  shape: number[];
  data: MatValue[];
}
export type MatValue = NumericArray | MatChar | MatStruct | MatCell;

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16, UTF16: 17, UTF32: 18 } as const;
const MI_STORAGE: Record<number, string> = { 1: 'i1', 2: 'u1', 3: 'i2', 4: 'u2', 5: 'i4', 6: 'u4', 7: 'f4', 9: 'f8', 12: 'i8', 13: 'u8' };
const MX_CLASS: Record<number, NumericDtype> = { 6: 'f8', 7: 'f4', 8: 'i1', 9: 'u1', 10: 'i2', 11: 'u2', 12: 'i4', 13: 'u4', 14: 'i8', 15: 'u8' };
const MX_CELL = 1;
const MX_STRUCT = 2;
const MX_OBJECT = 3;
const MX_CHAR = 4;
const MX_SPARSE = 5;

export interface MatHeader {
  text: string;
  version: number;
  littleEndian: boolean;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the file is a MAT v7.3 (HDF5) file rather than level 5. */
export function isMatV73(source: ByteSource): boolean {
  if (source.size < 520) return false;
  const sig = source.read(512, 8, 'the HDF5 signature');
  return HDF5_SIGNATURE.every((b, i) => sig[i] === b);
}

export function readMatHeader(source: ByteSource): MatHeader {
  const file = source.name;
  if (source.size < 128) throw new DataFormatError(file, 'a 128-byte MAT-file header', `${source.size} bytes`);
  const h = source.read(0, 128, 'the MAT-file header');
  const text = latin1(h.subarray(0, 116)).replace(/[\0 ]+$/, '');
  if (isMatV73(source)) {
    throw new DataFormatError(file, 'a MATLAB level-5 MAT-file header (v6/v7)', 'a v7.3 MAT-file (HDF5 container); read it with readMat, which handles both');
  }
  const endian = latin1(h.subarray(126, 128));
  if (!text.startsWith('MATLAB') || (endian !== 'IM' && endian !== 'MI')) {
    throw new DataFormatError(file, 'a MATLAB 5.0 MAT-file header ("MATLAB …" text and IM/MI endian mark)', JSON.stringify(text.slice(0, 40)), 0);
  }
  const littleEndian = endian === 'IM';
  const version = new DataView(h.buffer, h.byteOffset + 124, 2).getUint16(0, littleEndian);
  if (version !== 0x0100) throw new DataFormatError(file, 'MAT-file version 0x0100', `0x${version.toString(16)}`, 124);
  return { text, version, littleEndian };
}

/**
 * Reads the named variables (all when `names` is omitted). Top-level elements are read one at a
 * time from the source, so only the variables asked for are decoded.
 */
export function readMat(source: ByteSource, names?: readonly string[]): Map<string, MatValue> {
  if (isMatV73(source)) return readMatV73(source, names);
  const file = source.name;
  const { littleEndian: le } = readMatHeader(source);
  const out = new Map<string, MatValue>();
  let pos = 128;
  while (pos < source.size) {
    if (source.size - pos < 8) throw new DataFormatError(file, 'an 8-byte MAT data element tag', `${source.size - pos} trailing bytes (file truncated?)`, pos);
    const tag = new ByteReader(source.read(pos, 8, 'a data element tag'), file);
    const type = tag.u32('element type', le);
    const size = tag.u32('element size', le);
    if (type & 0xffff0000) throw new DataFormatError(file, 'a top-level miMATRIX or miCOMPRESSED element', `a small data element of type ${type & 0xffff}`, pos);
    const body = source.read(pos + 8, size, type === MI.COMPRESSED ? 'a compressed element' : 'a matrix element');
    let element: { type: number; reader: ByteReader; end: number; at: number };
    if (type === MI.COMPRESSED) {
      let inflated: Uint8Array;
      try {
        inflated = inflateSync(body);
      } catch (err) {
        throw new DataFormatError(file, 'a zlib stream in a miCOMPRESSED element', (err as Error).message, pos + 8);
      }
      const r = new ByteReader(inflated, `${file} (compressed element at byte ${pos})`);
      const t = readTag(r, le);
      element = { type: t.type, reader: r, end: r.pos + t.size, at: r.pos };
      pos += 8 + size;
    } else {
      const r = new ByteReader(body, file);
      r.pos = 0;
      element = { type, reader: r, end: size, at: 0 };
      pos += 8 + size + ((8 - (size % 8)) % 8);
    }
    if (element.type !== MI.MATRIX) throw new DataFormatError(element.reader.file, 'a miMATRIX element', `element type ${element.type}`, element.at);
    const name = peekMatrixName(element.reader, le);
    if (!names || names.includes(name)) out.set(name, readMatrixBody(element.reader, element.end, le));
  }
  if (names) {
    const missing = names.filter((n) => !out.has(n));
    if (missing.length) throw new DataFormatError(file, `variables ${names.join(', ')}`, `no ${missing.join(', ')} (variables present: ${[...out.keys()].join(', ') || 'none of those asked for'})`);
  }
  return out;
}

interface Tag {
  type: number;
  size: number;
  /** Offset of the element's data. */
  data: number;
  /** Offset just after the element, padding included. */
  next: number;
}

function readTag(r: ByteReader, le: boolean): Tag {
  const first = r.u32('element tag', le);
  if (first >>> 16 !== 0) {
    // Small data element: size in the upper half, data in the next 4 bytes.
    const data = r.pos;
    r.need(4, 'small data element');
    return { type: first & 0xffff, size: first >>> 16, data, next: data + 4 };
  }
  const size = r.u32('element size', le);
  const data = r.pos;
  return { type: first, size, data, next: data + size + ((8 - (size % 8)) % 8) };
}

/** Reads a sub-element's data as numbers of its stored type (MATLAB narrows types on save). */
function readNumericElement(r: ByteReader, le: boolean, what: string): NumericTypedArray {
  const at = r.pos;
  const t = readTag(r, le);
  const storage = MI_STORAGE[t.type];
  if (!storage) throw new DataFormatError(r.file, `a numeric data element for ${what}`, `element type ${t.type}`, at);
  const dtype: Dtype = { kind: storage[0] as Dtype['kind'], itemSize: Number(storage.slice(1)), littleEndian: le };
  if (t.size % dtype.itemSize !== 0) throw new DataFormatError(r.file, `a whole number of ${storage} values for ${what}`, `${t.size} bytes`, at);
  r.pos = t.data;
  const raw = r.take(t.size, what);
  r.pos = Math.min(t.next, r.bytes.length);
  return decodeArray(raw, dtype, [t.size / dtype.itemSize], false, r.file).data as NumericTypedArray;
}

function readBytesElement(r: ByteReader, le: boolean, what: string): { type: number; bytes: Uint8Array } {
  const t = readTag(r, le);
  r.pos = t.data;
  const bytes = r.take(t.size, what);
  r.pos = Math.min(t.next, r.bytes.length);
  return { type: t.type, bytes };
}

function peekMatrixName(r: ByteReader, le: boolean): string {
  const start = r.pos;
  readNumericElement(r, le, 'array flags');
  readNumericElement(r, le, 'dimensions');
  const name = latin1(readBytesElement(r, le, 'array name').bytes);
  r.pos = start;
  return name;
}

/** Decodes one miMATRIX body (starting at its array-flags sub-element). */
function readMatrixBody(r: ByteReader, end: number, le: boolean): MatValue {
  const at = r.pos;
  if (end === 0) return { kind: 'cell', shape: [0, 0], data: [] }; // MATLAB writes empty cells as zero-length matrices
  const flags = readNumericElement(r, le, 'array flags');
  const cls = flags[0] & 0xff;
  const complex = (flags[0] & 0x800) !== 0;
  const logical = (flags[0] & 0x200) !== 0;
  const shape = Array.from(readNumericElement(r, le, 'dimensions'));
  readBytesElement(r, le, 'array name');
  const count = product(shape);
  const file = r.file;
  if (cls in MX_CLASS) {
    if (complex) throw new DataFormatError(file, 'a real numeric array', 'a complex array', at);
    const values = readNumericElement(r, le, 'real part');
    if (values.length !== count) throw new DataFormatError(file, `${count} values for dimensions ${shape.join('×')}`, `${values.length}`, at);
    const dtype: NumericDtype = logical ? 'b1' : MX_CLASS[cls];
    const target = convertTo(values, dtype);
    r.pos = end;
    return { kind: 'numeric', dtype, shape, data: shape.length > 1 ? fortranToC(target, shape) : target };
  }
  if (cls === MX_CHAR) {
    const { type, bytes } = readBytesElement(r, le, 'character data');
    const chars = decodeChars(type, bytes, le, file, at);
    const rowsN = shape[0] ?? 0;
    const cols = rowsN === 0 ? 0 : count / rowsN;
    const rows: string[] = [];
    for (let i = 0; i < rowsN; i++) {
      let s = '';
      for (let j = 0; j < cols; j++) s += chars[i + j * rowsN] ?? '';
      rows.push(s);
    }
    r.pos = end;
    return { kind: 'char', shape, rows };
  }
  if (cls === MX_STRUCT || cls === MX_OBJECT) {
    if (cls === MX_OBJECT) readBytesElement(r, le, 'class name');
    const nameLen = readNumericElement(r, le, 'field name length')[0];
    const rawNames = readBytesElement(r, le, 'field names').bytes;
    const fieldNames: string[] = [];
    for (let p = 0; p + nameLen <= rawNames.length && nameLen > 0; p += nameLen) fieldNames.push(latin1(rawNames.subarray(p, p + nameLen)).replace(/\0.*$/, ''));
    const colMajor: Map<string, MatValue>[] = [];
    for (let k = 0; k < count; k++) {
      const rec = new Map<string, MatValue>();
      for (const f of fieldNames) rec.set(f, readSubMatrix(r, le));
      colMajor.push(rec);
    }
    r.pos = end;
    return { kind: 'struct', shape, fieldNames, elements: shape.length > 1 ? fortranToC(colMajor, shape, (n) => new Array(n)) : colMajor };
  }
  if (cls === MX_CELL) {
    const colMajor: MatValue[] = [];
    for (let k = 0; k < count; k++) colMajor.push(readSubMatrix(r, le));
    r.pos = end;
    return { kind: 'cell', shape, data: shape.length > 1 ? fortranToC(colMajor, shape, (n) => new Array(n)) : colMajor };
  }
  const what = cls === MX_SPARSE ? 'a sparse matrix' : `array class ${cls}`;
  throw new DataFormatError(file, 'a numeric, char, struct or cell array', what, at);
}

function readSubMatrix(r: ByteReader, le: boolean): MatValue {
  const at = r.pos;
  const t = readTag(r, le);
  if (t.type !== MI.MATRIX) throw new DataFormatError(r.file, 'a miMATRIX sub-element', `element type ${t.type}`, at);
  r.pos = t.data;
  r.need(t.size, 'a nested matrix');
  const v = readMatrixBody(r, t.data + t.size, le);
  r.pos = t.next;
  return v;
}

function convertTo(values: NumericTypedArray, dtype: NumericDtype): NumericTypedArray {
  const ctor = {
    f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, b1: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
    i8: Float64Array, u8: Float64Array, f2: Float32Array,
  }[dtype];
  if (values instanceof ctor) return values;
  const out = new ctor(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

function decodeChars(type: number, bytes: Uint8Array, le: boolean, file: string, at: number): string[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case MI.UTF8:
    case MI.UINT8:
    case MI.INT8:
      return Array.from(Buffer.from(bytes).toString(type === MI.UTF8 ? 'utf8' : 'latin1'));
    case MI.UINT16:
    case MI.UTF16: {
      const out: string[] = [];
      for (let i = 0; i + 1 < bytes.length; i += 2) out.push(String.fromCharCode(v.getUint16(i, le)));
      return out;
    }
    case MI.UTF32:
    case MI.UINT32:
    case MI.INT32: {
      const out: string[] = [];
      for (let i = 0; i + 3 < bytes.length; i += 4) out.push(String.fromCodePoint(v.getUint32(i, le)));
      return out;
    }
    default:
      throw new DataFormatError(file, 'character data (miUTF8/miUINT16/miUTF16/miUTF32)', `element type ${type}`, at);
  }
}
