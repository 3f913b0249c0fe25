import { DataFormatError } from './errors.js';

/**
 * A bounds-checked little-endian cursor over a byte buffer. Every read past the end becomes a
 * DataFormatError naming the file and what was being read, so truncated files never surface as a
 * RangeError or as silently short data.
 */
export class ByteReader {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    start = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw new DataFormatError(this.file, `${n} bytes of ${what}`, `only ${Math.max(0, this.remaining)} bytes left (file truncated?)`, this.pos);
    }
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  u16(what: string, littleEndian = true): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, littleEndian);
    this.pos += 2;
    return v;
  }

  u32(what: string, littleEndian = true): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, littleEndian);
    this.pos += 4;
    return v;
  }

  i32(what: string, littleEndian = true): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, littleEndian);
    this.pos += 4;
    return v;
  }

  /** An unsigned 64-bit value that must fit in a double exactly (sizes and offsets do). */
  u64(what: string, littleEndian = true): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, littleEndian);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DataFormatError(this.file, `${what} below 2^53`, String(v), this.pos);
    }
    this.pos += 8;
    return Number(v);
  }

  f64(what: string, littleEndian = true): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, littleEndian);
    this.pos += 8;
    return v;
  }

  fail(expected: string, found: string, offset = this.pos): never {
    throw new DataFormatError(this.file, expected, found, offset);
  }
}

export const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
export const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
