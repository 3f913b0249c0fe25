import { latin1, utf8 } from './bytes.js';
import { DataFormatError } from './errors.js';
import type { ByteSource } from './source.js';

/**
 * Tar archives (POSIX ustar, GNU long names, pax path records): an index of the entries built by
 * reading only the 512-byte headers, then single entries read by name. Header checksums are
 * verified. Compressed tarballs are gunzipped first (see gzip.ts) and passed as a buffer source.
 */

export interface TarEntry {
  name: string;
  size: number;
  /** Offset of the entry's data in the archive. */
  dataOffset: number;
  type: 'file' | 'directory' | 'other';
}

const BLOCK = 512;

export class TarArchive {
  readonly entries: TarEntry[];
  private readonly byName = new Map<string, TarEntry>();

  constructor(readonly source: ByteSource) {
    this.entries = scan(source);
    for (const e of this.entries) if (e.type === 'file') this.byName.set(e.name, e);
  }

  /** Regular-file names in archive order. */
  names(): string[] {
    return this.entries.filter((e) => e.type === 'file').map((e) => e.name);
  }

  has(name: string): boolean {
    return this.byName.has(normalise(name));
  }

  read(name: string): Uint8Array {
    const e = this.byName.get(normalise(name));
    if (!e) throw new DataFormatError(this.source.name, `a tar entry named "${name}"`, `no such regular file (entries: ${this.names().slice(0, 10).join(', ')}${this.names().length > 10 ? ', …' : ''})`);
    return this.source.read(e.dataOffset, e.size, `the data of tar entry "${e.name}"`);
  }
}

export function openTar(source: ByteSource): TarArchive {
  return new TarArchive(source);
}

const normalise = (name: string): string => name.replace(/^\.\//, '').replace(/\/+$/, '');

function scan(src: ByteSource): TarEntry[] {
  const file = src.name;
  const out: TarEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  while (pos + BLOCK <= src.size) {
    const h = src.read(pos, BLOCK, 'a tar header');
    if (h.every((b) => b === 0)) return out; // end-of-archive marker
    checkChecksum(h, file, pos);
    const size = parseNumber(h.subarray(124, 136), file, pos + 124, 'entry size');
    const type = String.fromCharCode(h[156] || 0x30);
    const dataOffset = pos + BLOCK;
    if (dataOffset + size > src.size) throw new DataFormatError(file, `${size} bytes of tar entry data`, `only ${src.size - dataOffset} left (archive truncated?)`, dataOffset);
    const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(src.read(dataOffset, size, 'a GNU long name'));
    } else if (type === 'x') {
      paxPath = paxRecords(src.read(dataOffset, size, 'a pax header'), file, dataOffset).get('path') ?? null;
    } else if (type === 'g' || type === 'K') {
      // Global pax headers and GNU long link names do not name a file.
    } else {
      const magic = latin1(h.subarray(257, 263));
      const prefix = magic.startsWith('ustar\0') ? cString(h.subarray(345, 500)) : '';
      const plain = cString(h.subarray(0, 100));
      const name = paxPath ?? longName ?? (prefix ? `${prefix}/${plain}` : plain);
      const kind: TarEntry['type'] = type === '0' || type === '7' ? 'file' : type === '5' ? 'directory' : 'other';
      out.push({ name: normalise(name), size, dataOffset, type: kind });
      longName = null;
      paxPath = null;
    }
    pos = next;
  }
  if (pos !== src.size) throw new DataFormatError(file, 'a whole 512-byte tar header', `${src.size - pos} bytes (archive truncated?)`, pos);
  return out;
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return utf8(end < 0 ? b : b.subarray(0, end));
}

/** Octal, NUL/space padded; GNU base-256 when the top bit of the first byte is set. */
function parseNumber(field: Uint8Array, file: string, at: number, what: string): number {
  if (field[0] & 0x80) {
    let v = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i];
    return v;
  }
  const text = latin1(field).replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]*$/.test(text)) throw new DataFormatError(file, `an octal tar ${what}`, JSON.stringify(text), at);
  return text === '' ? 0 : parseInt(text, 8);
}

function checkChecksum(h: Uint8Array, file: string, at: number): void {
  const stored = parseNumber(h.subarray(148, 156), file, at + 148, 'header checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  if (sum !== stored) throw new DataFormatError(file, `a tar header with checksum ${stored}`, `checksum ${sum} (corrupt header or not a tar file)`, at);
}

function paxRecords(b: Uint8Array, file: string, at: number): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < b.length) {
    const space = b.indexOf(0x20, p);
    const len = Number(latin1(b.subarray(p, space)));
    if (space < 0 || !Number.isInteger(len) || len <= 0 || p + len > b.length) throw new DataFormatError(file, 'a pax record "<length> <key>=<value>\\n"', 'malformed record', at + p);
    const rec = utf8(b.subarray(space + 1, p + len - 1));
    const eq = rec.indexOf('=');
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    p += len;
  }
  return out;
}
