import { inflateSync } from 'node:zlib';
import { ByteReader, latin1 } from './bytes.js';
import { DataFormatError, describeBytes } from './errors.js';
import { decodeArray, product, type Dtype, type NumericArray } from './ndarray.js';
import type { ByteSource } from './source.js';

/**
 * The subset of HDF5 that MATLAB v7.3 MAT-files (and h5py with default settings) use, read
 * through a ByteSource so a 1.6 GB file only has its headers and the requested datasets read:
 *
 * - superblock versions 0, 1, 2 and 3, at offset 0, 512, 1024, … (MATLAB puts a 512-byte user
 *   block in front); all addresses are relative to the superblock, as the HDF5 library treats them;
 * - object headers version 1 and 2 with continuation blocks;
 * - groups as symbol tables (v1 B-tree + local heap + SNOD nodes) and as compact link messages;
 *   dense link and attribute storage (fractal heaps: more than 8 links or attributes written with
 *   the latest format) is refused with an error, never skipped silently;
 * - datasets with compact, contiguous and chunked layouts (layout message version 3, and version 4
 *   with the single-chunk and implicit indexes), chunks found through the v1 B-tree, with the
 *   deflate, shuffle and Fletcher-32 filters;
 * - fixed-point (1, 2, 4, 8 bytes), IEEE floating-point (4, 8 bytes) and fixed-length string types.
 *
 * Data come back in HDF5's own (C) dimension order; MAT-file specifics (reversed dimensions,
 * MATLAB_class) live in mat-v73.ts.
 */

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const UNDEFINED = -1;

export type Hdf5Type =
  | { class: 'numeric'; dtype: Dtype; size: number }
  | { class: 'string'; size: number }
  | { class: 'other'; code: number; size: number };

export interface Hdf5Attribute {
  name: string;
  type: Hdf5Type;
  shape: number[];
  /** A string for string types, numbers for numeric ones. */
  value: string | string[] | NumericArray | null;
}

interface Filter {
  id: number;
  name: string;
  optional: boolean;
  values: number[];
}

type Layout =
  | { kind: 'compact'; data: Uint8Array }
  | { kind: 'contiguous'; address: number; size: number }
  | { kind: 'chunked'; index: 'btree1' | 'single' | 'implicit'; address: number; chunk: number[]; singleSize?: number; singleMask?: number };

export interface Hdf5Object {
  address: number;
  /** Links to children by name (groups); empty for datasets. */
  links: Map<string, number>;
  attributes: Map<string, Hdf5Attribute>;
  /** Present for datasets. */
  dataset?: { shape: number[]; type: Hdf5Type; layout: Layout; filters: Filter[] };
}

export class Hdf5File {
  readonly file: string;
  /** Offset of the superblock; every stored address is relative to it. */
  readonly base: number;
  readonly offsetSize: number;
  readonly lengthSize: number;
  readonly rootAddress: number;

  constructor(readonly source: ByteSource) {
    this.file = source.name;
    let at = -1;
    for (let off = 0; off + 8 <= source.size; off = off === 0 ? 512 : off * 2) {
      const sig = source.read(off, 8, 'the HDF5 signature');
      if (SIGNATURE.every((b, i) => sig[i] === b)) {
        at = off;
        break;
      }
    }
    if (at < 0) throw new DataFormatError(this.file, 'an HDF5 file (signature \\x89HDF\\r\\n\\x1a\\n at byte 0, 512, 1024, …)', describeBytes(source.read(0, Math.min(16, source.size), 'the file start')));
    this.base = at;
    const head = this.reader(at + 8, Math.min(source.size - at - 8, 256), 'the HDF5 superblock');
    const version = head.u8('superblock version');
    if (version === 0 || version === 1) {
      head.take(4, 'superblock versions');
      this.offsetSize = head.u8('size of offsets');
      this.lengthSize = head.u8('size of lengths');
      this.checkSizes(at);
      head.take(1 + 4 + 4, 'superblock group K and flags');
      if (version === 1) head.take(4, 'indexed storage K');
      head.take(this.offsetSize * 4, 'superblock addresses');
      // Root group symbol table entry: link name offset, then the object header address.
      head.take(this.offsetSize, 'root link name offset');
      this.rootAddress = this.offset(head, 'root object header address');
    } else if (version === 2 || version === 3) {
      this.offsetSize = head.u8('size of offsets');
      this.lengthSize = head.u8('size of lengths');
      this.checkSizes(at);
      head.take(1 + this.offsetSize * 3, 'superblock addresses');
      this.rootAddress = this.offset(head, 'root object header address');
    } else {
      throw new DataFormatError(this.file, 'HDF5 superblock version 0, 1, 2 or 3', `version ${version}`, at + 8);
    }
    if (this.rootAddress === UNDEFINED) throw new DataFormatError(this.file, 'a root group address in the HDF5 superblock', 'an undefined address', at);
  }

  private checkSizes(at: number): void {
    if (![2, 4, 8].includes(this.offsetSize) || ![2, 4, 8].includes(this.lengthSize)) {
      throw new DataFormatError(this.file, 'HDF5 offset and length sizes of 2, 4 or 8 bytes', `${this.offsetSize} and ${this.lengthSize}`, at);
    }
  }

  /** A reader over `length` bytes at a (relative or absolute, per `absolute`) position. */
  reader(absolute: number, length: number, what: string): ByteReader {
    return new ByteReader(this.source.read(absolute, length, what), this.file);
  }

  at(address: number, length: number, what: string): ByteReader {
    if (address === UNDEFINED) throw new DataFormatError(this.file, `an address for ${what}`, 'an undefined address');
    const abs = this.base + address;
    if (abs + length > this.source.size) {
      throw new DataFormatError(this.file, `${length} bytes of ${what} at address ${address}`, `a file of ${this.source.size} bytes (file truncated?)`, abs);
    }
    return this.reader(abs, length, what);
  }

  /** Reads an address field; all-ones means "undefined". */
  offset(r: ByteReader, what: string): number {
    return this.sized(r, this.offsetSize, what);
  }

  length(r: ByteReader, what: string): number {
    return this.sized(r, this.lengthSize, what);
  }

  private sized(r: ByteReader, size: number, what: string): number {
    const bytes = r.take(size, what);
    if (bytes.every((b) => b === 0xff)) return UNDEFINED;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[i];
    if (v > Number.MAX_SAFE_INTEGER) r.fail(`${what} below 2^53`, describeBytes(bytes), r.pos - size);
    return v;
  }

  /** Reads the object header at `address` and what it describes. */
  object(address: number): Hdf5Object {
    const obj: Hdf5Object = { address, links: new Map(), attributes: new Map() };
    let shape: number[] | undefined;
    let type: Hdf5Type | undefined;
    let layout: Layout | undefined;
    let filters: Filter[] = [];
    for (const m of this.messages(address)) {
      const r = new ByteReader(m.data, this.file);
      switch (m.type) {
        case 0x01:
          shape = this.dataspace(r);
          break;
        case 0x03:
          type = this.datatype(r);
          break;
        case 0x08:
          layout = this.layout(r, m.at);
          break;
        case 0x0b:
          filters = this.filters(r, m.at);
          break;
        case 0x06: {
          const link = this.link(r, m.at);
          if (link) obj.links.set(link.name, link.address);
          break;
        }
        case 0x02:
          this.linkInfo(r, m.at);
          break;
        case 0x15:
          this.attributeInfo(r, m.at);
          break;
        case 0x11:
          this.symbolTable(this.offset(r, 'B-tree address'), this.offset(r, 'local heap address'), obj.links);
          break;
        case 0x0c: {
          const a = this.attribute(r, m.at);
          obj.attributes.set(a.name, a);
          break;
        }
        default:
          break; // fill values, modification times, etc. do not change how data is read
      }
    }
    if (layout) {
      if (!shape || !type) throw new DataFormatError(this.file, 'a dataspace and a datatype message in a dataset header', 'a layout without them', this.base + address);
      obj.dataset = { shape, type, layout, filters };
    }
    return obj;
  }

  /** All messages of an object header, continuation blocks followed. */
  private messages(address: number): { type: number; data: Uint8Array; at: number }[] {
    const out: { type: number; data: Uint8Array; at: number }[] = [];
    const first = this.at(address, Math.min(16, this.source.size - this.base - address), 'an object header');
    const isV2 = latin1(first.bytes.subarray(0, 4)) === 'OHDR';
    const blocks: { address: number; length: number; first: boolean }[] = [];
    let flags = 0;
    if (isV2) {
      first.pos = 4;
      const version = first.u8('object header version');
      if (version !== 2) first.fail('object header version 2 after OHDR', `version ${version}`, this.base + address + 4);
      flags = first.u8('object header flags');
      let pos = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
      const sizeBytes = 1 << (flags & 3);
      const hr = this.at(address + pos, sizeBytes, 'object header chunk size');
      let size = 0;
      for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + hr.bytes[i];
      pos += sizeBytes;
      blocks.push({ address: address + pos, length: size, first: true });
    } else {
      const version = first.u8('object header version');
      if (version !== 1) first.fail('an object header (version 1, or OHDR for version 2)', describeBytes(first.bytes), this.base + address);
      first.pos = 8;
      const size = first.u32('object header size');
      blocks.push({ address: address + 16, length: size, first: true });
    }
    for (let b = 0; b < blocks.length; b++) {
      if (b > 1000) throw new DataFormatError(this.file, 'a finite chain of object header continuations', 'more than 1000 blocks', this.base + address);
      const block = blocks[b];
      const r = this.at(block.address, block.length, 'object header messages');
      let end = block.length;
      if (isV2) {
        if (!block.first) {
          if (latin1(r.take(4, 'OCHK signature')) !== 'OCHK') r.fail('an OCHK continuation block', describeBytes(r.bytes.subarray(0, 4)), this.base + block.address);
        }
        end -= 4; // checksum
      }
      while (r.pos < end) {
        if (isV2 && end - r.pos < 4) break; // gap
        if (!isV2 && end - r.pos < 8) break;
        const at = this.base + block.address + r.pos;
        let type: number;
        let size: number;
        if (isV2) {
          type = r.u8('message type');
          size = r.u16('message size');
          r.u8('message flags');
          if (flags & 0x04) r.u16('message creation order');
        } else {
          type = r.u16('message type');
          size = r.u16('message size');
          r.take(4, 'message flags');
        }
        const data = r.take(size, `object header message type ${type}`);
        if (type === 0x10) {
          const c = new ByteReader(data, this.file);
          blocks.push({ address: this.offset(c, 'continuation address'), length: this.length(c, 'continuation length'), first: false });
        } else if (type !== 0) {
          out.push({ type, data, at });
        }
      }
    }
    return out;
  }

  private dataspace(r: ByteReader): number[] {
    const version = r.u8('dataspace version');
    const rank = r.u8('dataspace rank');
    r.u8('dataspace flags');
    if (version === 1) r.take(5, 'dataspace reserved');
    else if (version === 2) {
      const kind = r.u8('dataspace type');
      if (kind === 2) return []; // null dataspace
    } else r.fail('dataspace message version 1 or 2', `version ${version}`);
    const shape: number[] = [];
    for (let i = 0; i < rank; i++) shape.push(this.length(r, 'dataspace dimension'));
    return shape;
  }

  datatype(r: ByteReader): Hdf5Type {
    const classVersion = r.u8('datatype class');
    const cls = classVersion & 0x0f;
    const bits0 = r.u8('datatype bit field');
    r.take(2, 'datatype bit field');
    const size = r.u32('datatype size');
    const littleEndian = (bits0 & 1) === 0;
    if (cls === 0) {
      const signed = (bits0 & 0x08) !== 0;
      if (![1, 2, 4, 8].includes(size)) r.fail('an integer of 1, 2, 4 or 8 bytes', `${size} bytes`);
      return { class: 'numeric', size, dtype: { kind: signed ? 'i' : 'u', itemSize: size, littleEndian } };
    }
    if (cls === 1) {
      if (size !== 4 && size !== 8) r.fail('a 4- or 8-byte IEEE float', `${size} bytes`);
      if (bits0 & 0x40) r.fail('an IEEE float in little- or big-endian order', 'VAX byte order');
      return { class: 'numeric', size, dtype: { kind: 'f', itemSize: size, littleEndian } };
    }
    if (cls === 3) return { class: 'string', size };
    return { class: 'other', code: cls, size };
  }

  private layout(r: ByteReader, at: number): Layout {
    const version = r.u8('layout version');
    if (version !== 3 && version !== 4) throw new DataFormatError(this.file, 'data layout message version 3 or 4', `version ${version}`, at);
    const cls = r.u8('layout class');
    if (cls === 0) {
      const size = r.u16('compact data size');
      return { kind: 'compact', data: r.take(size, 'compact data') };
    }
    if (cls === 1) return { kind: 'contiguous', address: this.offset(r, 'contiguous data address'), size: this.length(r, 'contiguous data size') };
    if (cls !== 2) throw new DataFormatError(this.file, 'a compact, contiguous or chunked layout', `layout class ${cls}`, at);
    if (version === 3) {
      const rank = r.u8('chunk dimensionality');
      const address = this.offset(r, 'chunk B-tree address');
      const chunk: number[] = [];
      for (let i = 0; i < rank; i++) chunk.push(r.u32('chunk dimension'));
      return { kind: 'chunked', index: 'btree1', address, chunk: chunk.slice(0, -1) };
    }
    const flags = r.u8('chunk flags');
    const rank = r.u8('chunk dimensionality');
    const w = r.u8('chunk dimension size');
    const chunk: number[] = [];
    for (let i = 0; i < rank; i++) {
      const b = r.take(w, 'chunk dimension');
      let v = 0;
      for (let k = w - 1; k >= 0; k--) v = v * 256 + b[k];
      chunk.push(v);
    }
    const index = r.u8('chunk index type');
    if (index === 1) {
      let singleSize: number | undefined;
      let singleMask: number | undefined;
      if (flags & 0x02) {
        singleSize = this.length(r, 'filtered chunk size');
        singleMask = r.u32('filter mask');
      }
      return { kind: 'chunked', index: 'single', address: this.offset(r, 'chunk address'), chunk: chunk.slice(0, -1), singleSize, singleMask };
    }
    if (index === 2) return { kind: 'chunked', index: 'implicit', address: this.offset(r, 'chunk address'), chunk: chunk.slice(0, -1) };
    const names: Record<number, string> = { 3: 'a fixed array', 4: 'an extensible array', 5: 'a version 2 B-tree' };
    throw new DataFormatError(this.file, 'chunks indexed by a v1 B-tree, a single chunk or an implicit index (the layouts MATLAB and h5py write by default)', `chunks indexed by ${names[index] ?? `index type ${index}`}`, at);
  }

  private filters(r: ByteReader, at: number): Filter[] {
    const version = r.u8('filter pipeline version');
    const n = r.u8('number of filters');
    if (version === 1) r.take(6, 'filter pipeline reserved');
    else if (version !== 2) throw new DataFormatError(this.file, 'filter pipeline message version 1 or 2', `version ${version}`, at);
    const out: Filter[] = [];
    for (let i = 0; i < n; i++) {
      const id = r.u16('filter id');
      const nameLength = version === 1 || id >= 256 ? r.u16('filter name length') : 0;
      const flags = r.u16('filter flags');
      const count = r.u16('filter client values');
      const name = nameLength ? latin1(r.take(nameLength, 'filter name')).replace(/\0.*$/s, '') : '';
      const values: number[] = [];
      for (let k = 0; k < count; k++) values.push(r.u32('filter client value'));
      if (version === 1 && count % 2 === 1) r.take(4, 'filter padding');
      out.push({ id, name, optional: (flags & 1) !== 0, values });
    }
    return out;
  }

  private link(r: ByteReader, at: number): { name: string; address: number } | null {
    const version = r.u8('link version');
    if (version !== 1) throw new DataFormatError(this.file, 'link message version 1', `version ${version}`, at);
    const flags = r.u8('link flags');
    const type = flags & 0x08 ? r.u8('link type') : 0;
    if (flags & 0x04) r.take(8, 'link creation order');
    if (flags & 0x10) r.u8('link name charset');
    const w = 1 << (flags & 3);
    const lb = r.take(w, 'link name length');
    let len = 0;
    for (let k = w - 1; k >= 0; k--) len = len * 256 + lb[k];
    const name = Buffer.from(r.take(len, 'link name')).toString('utf8');
    if (type !== 0) return null; // soft and external links point outside what MAT-files use
    return { name, address: this.offset(r, 'link target address') };
  }

  private linkInfo(r: ByteReader, at: number): void {
    r.u8('link info version');
    const flags = r.u8('link info flags');
    if (flags & 1) r.take(8, 'max creation index');
    const heap = this.offset(r, 'fractal heap address');
    if (heap !== UNDEFINED) {
      throw new DataFormatError(this.file, 'group links stored compactly or in a symbol table', 'dense link storage (a fractal heap), which this reader does not decode; re-save the file with MATLAB -v7.3 defaults or h5py libver="earliest"', at);
    }
  }

  private attributeInfo(r: ByteReader, at: number): void {
    r.u8('attribute info version');
    const flags = r.u8('attribute info flags');
    if (flags & 1) r.u16('max creation index');
    const heap = this.offset(r, 'attribute fractal heap address');
    if (heap !== UNDEFINED) {
      throw new DataFormatError(this.file, 'attributes stored in the object header', 'dense attribute storage (a fractal heap, used by the latest file format for more than 8 attributes), which this reader does not decode', at);
    }
  }

  /** Walks a group's v1 B-tree and SNOD nodes, naming entries from the local heap. */
  private symbolTable(btree: number, heapAddress: number, links: Map<string, number>): void {
    const heapHead = this.at(heapAddress, 8 + 2 * this.lengthSize + this.offsetSize, 'a local heap');
    if (latin1(heapHead.take(4, 'HEAP signature')) !== 'HEAP') heapHead.fail('a local heap (HEAP)', describeBytes(heapHead.bytes.subarray(0, 4)), this.base + heapAddress);
    heapHead.take(4, 'local heap version');
    const dataSize = this.length(heapHead, 'local heap size');
    this.length(heapHead, 'free list offset');
    const heapData = this.at(this.offset(heapHead, 'local heap data address'), dataSize, 'local heap data').bytes;
    const nameAt = (off: number): string => {
      const end = heapData.indexOf(0, off);
      if (off >= heapData.length || end < 0) throw new DataFormatError(this.file, 'a NUL-terminated link name in the local heap', `offset ${off} of ${heapData.length}`);
      return Buffer.from(heapData.subarray(off, end)).toString('utf8');
    };
    this.btreeChildren(btree, 0, (child) => {
      const entrySize = 2 * this.offsetSize + 24;
      const head = this.at(child, 8, 'a symbol table node');
      if (latin1(head.take(4, 'SNOD signature')) !== 'SNOD') head.fail('a symbol table node (SNOD)', describeBytes(head.bytes.subarray(0, 4)), this.base + child);
      head.take(2, 'SNOD version');
      const n = head.u16('number of symbols');
      const r = this.at(child + 8, n * entrySize, 'symbol table entries');
      for (let i = 0; i < n; i++) {
        const nameOffset = this.offset(r, 'link name offset');
        const address = this.offset(r, 'object header address');
        r.take(24, 'symbol table entry cache');
        links.set(nameAt(nameOffset), address);
      }
    });
  }

  /**
   * Visits the leaf children of a v1 B-tree of `nodeType` (0 groups, 1 chunks). For chunk trees
   * `visit` also receives the key in front of the child (chunk size, filter mask, offsets).
   */
  btreeChildren(address: number, nodeType: 0 | 1, visit: (child: number, key: ByteReader) => void, rank = 0, depth = 0): void {
    if (depth > 64) throw new DataFormatError(this.file, 'a v1 B-tree of reasonable depth', 'more than 64 levels (a cycle?)', this.base + address);
    const keySize = nodeType === 0 ? this.lengthSize : 8 + 8 * (rank + 1);
    const head = this.at(address, 8 + 2 * this.offsetSize, 'a v1 B-tree node');
    if (latin1(head.take(4, 'TREE signature')) !== 'TREE') head.fail('a v1 B-tree node (TREE)', describeBytes(head.bytes.subarray(0, 4)), this.base + address);
    const type = head.u8('B-tree node type');
    if (type !== nodeType) head.fail(`a B-tree of node type ${nodeType}`, `node type ${type}`, this.base + address + 4);
    const level = head.u8('B-tree node level');
    const used = head.u16('B-tree entries used');
    const body = 8 + 2 * this.offsetSize;
    const r = this.at(address + body, used * (keySize + this.offsetSize) + keySize, 'B-tree keys and children');
    for (let i = 0; i < used; i++) {
      const key = new ByteReader(r.take(keySize, 'B-tree key'), this.file);
      const child = this.offset(r, 'B-tree child address');
      if (level > 0) this.btreeChildren(child, nodeType, visit, rank, depth + 1);
      else visit(child, key);
    }
  }

  private attribute(r: ByteReader, at: number): Hdf5Attribute {
    const version = r.u8('attribute version');
    if (version < 1 || version > 3) throw new DataFormatError(this.file, 'attribute message version 1, 2 or 3', `version ${version}`, at);
    r.u8('attribute flags');
    const nameSize = r.u16('attribute name size');
    const typeSize = r.u16('attribute datatype size');
    const spaceSize = r.u16('attribute dataspace size');
    if (version === 3) r.u8('attribute name charset');
    const pad = (n: number): number => (version === 1 ? (n + 7) & ~7 : n);
    const name = latin1(r.take(pad(nameSize), 'attribute name')).replace(/\0.*$/s, '');
    const typeBytes = r.take(pad(typeSize), 'attribute datatype');
    const spaceBytes = r.take(pad(spaceSize), 'attribute dataspace');
    const type = this.datatype(new ByteReader(typeBytes, this.file));
    const shape = this.dataspace(new ByteReader(spaceBytes, this.file));
    const count = product(shape);
    const raw = r.take(Math.min(r.remaining, count * type.size), 'attribute data');
    let value: Hdf5Attribute['value'] = null;
    if (type.class === 'string') {
      const strings: string[] = [];
      for (let i = 0; i < count; i++) strings.push(latin1(raw.subarray(i * type.size, (i + 1) * type.size)).replace(/[\0 ]+$/, ''));
      value = shape.length === 0 ? strings[0] ?? '' : strings;
    } else if (type.class === 'numeric') {
      value = decodeArray(raw, type.dtype, shape, false, this.file) as NumericArray;
    }
    return { name, type, shape, value };
  }

  /** The raw bytes of a dataset, C order of its HDF5 dimensions, filters undone. */
  datasetBytes(obj: Hdf5Object, what: string): Uint8Array {
    const ds = obj.dataset;
    if (!ds) throw new DataFormatError(this.file, `a dataset for ${what}`, 'a group');
    const itemSize = ds.type.size;
    const total = product(ds.shape) * itemSize;
    const { layout } = ds;
    if (layout.kind === 'compact') {
      if (layout.data.length < total) throw new DataFormatError(this.file, `${total} bytes of compact data for ${what}`, `${layout.data.length}`);
      return layout.data.subarray(0, total);
    }
    if (layout.kind === 'contiguous') {
      if (layout.address === UNDEFINED) return new Uint8Array(total); // never written: the fill value 0
      if (layout.size < total) throw new DataFormatError(this.file, `${total} bytes of contiguous data for ${what}`, `a layout of ${layout.size} bytes`);
      return this.at(layout.address, total, `the data of ${what}`).bytes;
    }
    const out = new Uint8Array(total);
    if (layout.address === UNDEFINED) return out;
    const chunkBytes = product(layout.chunk) * itemSize;
    const place = (offsets: number[], stored: Uint8Array, mask: number, at: number): void => {
      const raw = this.unfilter(stored, ds.filters, mask, itemSize, chunkBytes, `${what} (chunk at byte ${at})`);
      copyChunk(raw, out, offsets, layout.chunk, ds.shape, itemSize);
    };
    if (layout.index === 'single') {
      const size = layout.singleSize ?? chunkBytes;
      place(ds.shape.map(() => 0), this.at(layout.address, size, `the chunk of ${what}`).bytes, layout.singleMask ?? 0, this.base + layout.address);
    } else if (layout.index === 'implicit') {
      const grid = ds.shape.map((n, d) => Math.ceil(n / layout.chunk[d]));
      for (let k = 0; k < product(grid); k++) {
        const offsets: number[] = [];
        let rest = k;
        for (let d = grid.length - 1; d >= 0; d--) {
          offsets[d] = (rest % grid[d]) * layout.chunk[d];
          rest = Math.floor(rest / grid[d]);
        }
        const address = layout.address + k * chunkBytes;
        place(offsets, this.at(address, chunkBytes, `a chunk of ${what}`).bytes, 0, this.base + address);
      }
    } else {
      const rank = ds.shape.length;
      this.btreeChildren(layout.address, 1, (child, key) => {
        const size = key.u32('chunk size');
        const mask = key.u32('filter mask');
        const offsets: number[] = [];
        for (let d = 0; d < rank; d++) offsets.push(key.u64('chunk offset'));
        place(offsets, this.at(child, size, `a chunk of ${what}`).bytes, mask, this.base + child);
      }, rank);
    }
    return out;
  }

  private unfilter(stored: Uint8Array, filters: Filter[], mask: number, itemSize: number, chunkBytes: number, what: string): Uint8Array {
    let data = stored;
    for (let i = filters.length - 1; i >= 0; i--) {
      if (mask & (1 << i)) continue;
      const f = filters[i];
      if (f.id === 1) {
        try {
          data = new Uint8Array(inflateSync(data));
        } catch (err) {
          throw new DataFormatError(this.file, `a zlib (deflate filter) stream in ${what}`, (err as Error).message);
        }
      } else if (f.id === 2) {
        data = unshuffle(data, f.values[0] ?? itemSize);
      } else if (f.id === 3) {
        data = data.subarray(0, data.length - 4);
      } else if (!f.optional) {
        throw new DataFormatError(this.file, `chunks filtered with deflate, shuffle or Fletcher-32 in ${what}`, `filter ${f.id}${f.name ? ` (${f.name})` : ''}`);
      }
    }
    if (data.length < chunkBytes) throw new DataFormatError(this.file, `${chunkBytes} bytes per chunk of ${what}`, `${data.length} bytes after the filters (file corrupt?)`);
    return data;
  }
}

/** Undoes HDF5's byte shuffle: the stored chunk holds byte 0 of every element, then byte 1, … */
function unshuffle(data: Uint8Array, itemSize: number): Uint8Array {
  if (itemSize <= 1) return data;
  const n = Math.floor(data.length / itemSize);
  const out = new Uint8Array(data.length);
  for (let b = 0; b < itemSize; b++) for (let i = 0; i < n; i++) out[i * itemSize + b] = data[b * n + i];
  out.set(data.subarray(n * itemSize), n * itemSize); // trailing bytes stay as they are
  return out;
}

/** Copies the part of a full-size chunk at `offsets` that lies inside the dataset. */
function copyChunk(chunk: Uint8Array, out: Uint8Array, offsets: number[], chunkDims: number[], shape: number[], itemSize: number): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(chunk.subarray(0, itemSize));
    return;
  }
  for (let d = 0; d < rank; d++) if (offsets[d] >= shape[d]) return; // a chunk wholly outside (after a shrink)
  const extent = offsets.map((o, d) => Math.min(chunkDims[d], shape[d] - o));
  const rowBytes = extent[rank - 1] * itemSize;
  const idx = new Array<number>(rank - 1).fill(0);
  for (;;) {
    let src = 0;
    let dst = 0;
    for (let d = 0; d < rank - 1; d++) {
      src = src * chunkDims[d] + idx[d];
      dst = dst * shape[d] + offsets[d] + idx[d];
    }
    src = src * chunkDims[rank - 1] * itemSize;
    dst = (dst * shape[rank - 1] + offsets[rank - 1]) * itemSize;
    out.set(chunk.subarray(src, src + rowBytes), dst);
    let d = rank - 2;
    for (; d >= 0; d--) {
      if (++idx[d] < extent[d]) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

export function openHdf5(source: ByteSource): Hdf5File {
  return new Hdf5File(source);
}

/** A numeric dataset as an array in HDF5 (C) order. */
export function readHdf5Numeric(h5: Hdf5File, obj: Hdf5Object, what: string): NumericArray {
  const ds = obj.dataset;
  if (!ds) throw new DataFormatError(h5.file, `a dataset for ${what}`, 'a group');
  if (ds.type.class !== 'numeric') throw new DataFormatError(h5.file, `a numeric dataset for ${what}`, ds.type.class === 'string' ? 'a string dataset' : `HDF5 datatype class ${ds.type.code}`);
  return decodeArray(h5.datasetBytes(obj, what), ds.type.dtype, ds.shape, false, h5.file) as NumericArray;
}
