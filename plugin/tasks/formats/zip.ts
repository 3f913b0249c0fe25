import { crc32, inflateRawSync } from 'node:zlib';
import { ByteReader, latin1, utf8 } from './bytes.js';
import { DataFormatError } from './errors.js';
import type { ByteSource } from './source.js';

/**
 * A minimal zip reader: central directory (zip64 included), stored and deflated entries, CRC-32
 * check on every read. Encrypted and otherwise-compressed entries are refused with a clear error.
 */

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  isDirectory: boolean;
  encrypted: boolean;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

export class ZipArchive {
  readonly entries: ZipEntry[];
  private readonly byName: Map<string, ZipEntry>;

  constructor(readonly source: ByteSource) {
    this.entries = readCentralDirectory(source);
    this.byName = new Map(this.entries.map((e) => [e.name, e]));
  }

  get file(): string {
    return this.source.name;
  }

  names(): string[] {
    return this.entries.filter((e) => !e.isDirectory).map((e) => e.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): ZipEntry {
    const e = this.byName.get(name);
    if (!e) {
      const some = this.names().slice(0, 10).join(', ');
      throw new DataFormatError(this.file, `a zip entry named "${name}"`, `no such entry (entries: ${some}${this.entries.length > 10 ? ', …' : ''})`);
    }
    return e;
  }

  /** The uncompressed bytes of an entry, CRC-checked. */
  read(name: string): Uint8Array {
    const e = this.entry(name);
    const where = `${this.file}:${e.name}`;
    if (e.encrypted) throw new DataFormatError(where, 'an unencrypted zip entry', 'an encrypted entry');
    const local = new ByteReader(this.source.read(e.localHeaderOffset, 30, 'a zip local file header'), this.file, 0);
    const sig = local.u32('local header signature');
    if (sig !== LOCAL_SIG) throw new DataFormatError(this.file, `a local file header for "${e.name}"`, `signature 0x${sig.toString(16)}`, e.localHeaderOffset);
    local.pos = 26;
    const dataStart = e.localHeaderOffset + 30 + local.u16('name length') + local.u16('extra length');
    const stored = this.source.read(dataStart, e.compressedSize, `the data of zip entry "${e.name}"`);
    let data: Uint8Array;
    if (e.method === 0) data = stored;
    else if (e.method === 8) {
      try {
        const out = inflateRawSync(stored);
        data = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      } catch (err) {
        throw new DataFormatError(where, 'valid deflate data', (err as Error).message, dataStart);
      }
    } else throw new DataFormatError(where, 'a stored (0) or deflated (8) zip entry', `compression method ${e.method}`);
    if (data.length !== e.size) throw new DataFormatError(where, `${e.size} uncompressed bytes`, `${data.length}`, dataStart);
    const crc = crc32(data) >>> 0;
    if (crc !== e.crc32) throw new DataFormatError(where, `CRC-32 0x${e.crc32.toString(16)}`, `0x${crc.toString(16)} (corrupt entry)`, dataStart);
    return data;
  }
}

export function openZip(source: ByteSource): ZipArchive {
  return new ZipArchive(source);
}

function readCentralDirectory(src: ByteSource): ZipEntry[] {
  const file = src.name;
  const tailLen = Math.min(src.size, 22 + 0xffff);
  if (src.size < 22) throw new DataFormatError(file, 'a zip file (at least 22 bytes)', `${src.size} bytes`);
  const tailStart = src.size - tailLen;
  const tail = src.read(tailStart, tailLen, 'the end of the zip file');
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new DataFormatError(file, 'a zip end-of-central-directory record', 'none (not a zip file, or truncated)');
  const er = new ByteReader(tail, file, eocd + 8);
  let count = er.u16('entries on this disk');
  er.u16('total entries');
  let cdSize = er.u32('central directory size');
  let cdOffset = er.u32('central directory offset');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = tailStart + eocd - 20;
    const loc = new ByteReader(src.read(locAt, 20, 'the zip64 end-of-central-directory locator'), file);
    if (loc.u32('zip64 locator signature') !== ZIP64_LOCATOR_SIG) throw new DataFormatError(file, 'a zip64 end-of-central-directory locator', 'another signature', locAt);
    loc.u32('disk');
    const z64At = loc.u64('zip64 end record offset');
    const z = new ByteReader(src.read(z64At, 56, 'the zip64 end-of-central-directory record'), file);
    if (z.u32('zip64 end record signature') !== ZIP64_EOCD_SIG) throw new DataFormatError(file, 'a zip64 end-of-central-directory record', 'another signature', z64At);
    z.pos = 24;
    z.u64('entries on this disk');
    count = z.u64('total entries');
    cdSize = z.u64('central directory size');
    cdOffset = z.u64('central directory offset');
  }
  const cd = new ByteReader(src.read(cdOffset, cdSize, 'the zip central directory'), file);
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    const at = cd.pos;
    const sig = cd.u32('central directory entry signature');
    if (sig !== CENTRAL_SIG) throw new DataFormatError(file, `central directory entry ${k + 1} of ${count}`, `signature 0x${sig.toString(16)}`, cdOffset + at);
    cd.pos += 4; // versions
    const flags = cd.u16('flags');
    const method = cd.u16('method');
    cd.pos += 4; // time, date
    const crc = cd.u32('crc-32');
    let csize = cd.u32('compressed size');
    let usize = cd.u32('uncompressed size');
    const nameLen = cd.u16('name length');
    const extraLen = cd.u16('extra length');
    const commentLen = cd.u16('comment length');
    cd.pos += 8; // disk, internal and external attributes
    let offset = cd.u32('local header offset');
    const nameBytes = cd.take(nameLen, 'entry name');
    const name = flags & 0x800 ? utf8(nameBytes) : latin1(nameBytes);
    const extra = new ByteReader(cd.take(extraLen, 'extra field'), file);
    while (extra.remaining >= 4) {
      const id = extra.u16('extra id');
      const len = extra.u16('extra length');
      const end = extra.pos + len;
      if (id === 0x0001) {
        // Zip64: only the fields that overflowed are present, in this order.
        if (usize === 0xffffffff) usize = extra.u64('zip64 size');
        if (csize === 0xffffffff) csize = extra.u64('zip64 compressed size');
        if (offset === 0xffffffff) offset = extra.u64('zip64 offset');
      }
      extra.pos = end;
    }
    cd.take(commentLen, 'entry comment');
    entries.push({ name, method, compressedSize: csize, size: usize, crc32: crc, localHeaderOffset: offset, isDirectory: name.endsWith('/'), encrypted: (flags & 1) !== 0 });
  }
  return entries;
}
