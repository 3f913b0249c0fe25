/**
 * A minimal HDF5 writer for tests, written from the HDF5 File Format Specification (version 2.0
 * document, the "version 0" structures) and independent of plugin/tasks/formats/hdf5.ts. It
 * writes what MATLAB's `save -v7.3` writes for numeric arrays: a 512-byte MAT header (user block),
 * superblock version 0, version-1 object headers, a root group held in a symbol table (v1 B-tree,
 * local heap, one SNOD), and one dataset per variable with a `MATLAB_class` attribute, stored
 * contiguously or in chunks indexed by a v1 B-tree, optionally shuffled and deflated.
 * Files it writes open with h5py (checked in test/tasks/formats/hdf5.test.ts when h5py exists).
 */
import { deflateSync } from 'node:zlib';

export interface H5Var {
  name: string;
  /** MATLAB's dimensions; the HDF5 dataspace lists them reversed. */
  dims: number[];
  /** Values in C order of `dims` (x[i][j][k] of a MATLAB i×j×k array). */
  cOrder: ArrayLike<number>;
  class: 'double' | 'single' | 'uint8' | 'int32';
  /** Contiguous storage, or chunks in MATLAB's dimensions with optional shuffle and deflate. */
  layout: 'contiguous' | { chunks: number[]; deflate?: number; shuffle?: boolean };
}

const UNDEF = 0xffffffffffffffffn;

/** Growable little-endian byte buffer whose offsets are HDF5 addresses (relative to the superblock). */
class Buf {
  private bytes = new Uint8Array(4096);
  length = 0;

  reserve(n: number): number {
    while (this.length + n > this.bytes.length) {
      const b = new Uint8Array(this.bytes.length * 2);
      b.set(this.bytes);
      this.bytes = b;
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  append(data: Uint8Array): number {
    const at = this.reserve(data.length);
    this.bytes.set(data, at);
    return at;
  }

  /** Pads so the next block starts on an 8-byte boundary. */
  align(): void {
    this.reserve((8 - (this.length % 8)) % 8);
  }

  patch(at: number, data: Uint8Array): void {
    this.bytes.set(data, at);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Little-endian field writer. */
class Fields {
  private parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: number | bigint): this {
    let b = BigInt(v);
    for (let i = 0; i < 8; i++) {
      this.parts.push(Number(b & 0xffn));
      b >>= 8n;
    }
    return this;
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.parts.push(bytes[i]);
    return this;
  }
  text(s: string): this {
    return this.raw(Buffer.from(s, 'latin1'));
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.parts.push(0);
    return this;
  }
  pad8(): this {
    return this.zeros((8 - (this.parts.length % 8)) % 8);
  }
  get size(): number {
    return this.parts.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** A version-1 object header: 16-byte prefix, then messages padded to multiples of 8. */
function objectHeader(messages: { type: number; body: Uint8Array }[]): Uint8Array {
  const body = new Fields();
  for (const m of messages) {
    const data = new Fields().raw(m.body).pad8().bytes();
    body.u16(m.type).u16(data.length).u8(0).zeros(3).raw(data);
  }
  return new Fields().u8(1).u8(0).u16(messages.length).u32(1).u32(body.size).zeros(4).raw(body.bytes()).bytes();
}

const TYPES = {
  double: { size: 8, body: () => new Fields().u8(0x11).u8(0x20).u8(63).u8(0).u32(8).u16(0).u16(64).u8(52).u8(11).u8(0).u8(52).u32(1023).bytes() },
  single: { size: 4, body: () => new Fields().u8(0x11).u8(0x20).u8(31).u8(0).u32(4).u16(0).u16(32).u8(23).u8(8).u8(0).u8(23).u32(127).bytes() },
  uint8: { size: 1, body: () => new Fields().u8(0x10).u8(0).u8(0).u8(0).u32(1).u16(0).u16(8).bytes() },
  int32: { size: 4, body: () => new Fields().u8(0x10).u8(0x08).u8(0).u8(0).u32(4).u16(0).u16(32).bytes() },
} as const;

function elementBytes(v: H5Var, colMajor: Float64Array): Uint8Array {
  switch (v.class) {
    case 'double':
      return new Uint8Array(Float64Array.from(colMajor).buffer);
    case 'single':
      return new Uint8Array(Float32Array.from(colMajor).buffer);
    case 'uint8':
      return Uint8Array.from(colMajor);
    case 'int32':
      return new Uint8Array(Int32Array.from(colMajor).buffer);
  }
}

/** C order of MATLAB dims → column-major (which is C order of the reversed HDF5 dims). */
function columnMajor(cOrder: ArrayLike<number>, dims: number[]): Float64Array {
  const out = new Float64Array(cOrder.length);
  const idx = new Array<number>(dims.length).fill(0);
  for (let c = 0; c < cOrder.length; c++) {
    let f = 0;
    for (let d = dims.length - 1; d >= 0; d--) f = f * dims[d] + idx[d];
    out[f] = cOrder[c];
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const dataspace = (shape: number[]): Uint8Array => {
  const f = new Fields().u8(1).u8(shape.length).u8(0).zeros(5);
  for (const n of shape) f.u64(n);
  return f.bytes();
};

function matlabClassAttribute(cls: string): Uint8Array {
  const name = new Fields().text('MATLAB_class').u8(0);
  const nameSize = name.size;
  const type = new Fields().u8(0x13).u8(0x00).u8(0).u8(0).u32(cls.length).bytes(); // string, null-terminated, ASCII
  const space = new Fields().u8(1).u8(0).u8(0).zeros(5).bytes(); // scalar
  return new Fields().u8(1).u8(0).u16(nameSize).u16(type.length).u16(space.length).raw(name.pad8().bytes()).raw(type).raw(space).text(cls).bytes();
}

/** Writes chunked data: each chunk (full size, zero-padded at the edges) then a v1 B-tree over them. */
function writeChunks(buf: Buf, v: H5Var, h5shape: number[], raw: Uint8Array, itemSize: number, layout: { chunks: number[]; deflate?: number; shuffle?: boolean }): { btree: number; chunk: number[] } {
  const chunk = [...layout.chunks].reverse();
  const rank = h5shape.length;
  const grid = h5shape.map((n, d) => Math.ceil(n / chunk[d]));
  const count = grid.reduce((a, b) => a * b, 1);
  if (count > 64) throw new Error('hdf5-writer: at most 64 chunks (one B-tree leaf of 2K = 64 entries)');
  const chunkElems = chunk.reduce((a, b) => a * b, 1);
  const entries: { offsets: number[]; address: number; size: number }[] = [];
  for (let k = 0; k < count; k++) {
    const offsets: number[] = [];
    let rest = k;
    for (let d = rank - 1; d >= 0; d--) {
      offsets[d] = (rest % grid[d]) * chunk[d];
      rest = Math.floor(rest / grid[d]);
    }
    let data = new Uint8Array(chunkElems * itemSize);
    const pos = new Array<number>(rank).fill(0);
    for (let e = 0; e < chunkElems; e++) {
      let inside = true;
      let src = 0;
      for (let d = 0; d < rank; d++) {
        const g = offsets[d] + pos[d];
        if (g >= h5shape[d]) inside = false;
        src = src * h5shape[d] + g;
      }
      if (inside) data.set(raw.subarray(src * itemSize, (src + 1) * itemSize), e * itemSize);
      for (let d = rank - 1; d >= 0; d--) {
        if (++pos[d] < chunk[d]) break;
        pos[d] = 0;
      }
    }
    if (layout.shuffle) {
      const s = new Uint8Array(data.length);
      for (let e = 0; e < chunkElems; e++) for (let b = 0; b < itemSize; b++) s[b * chunkElems + e] = data[e * itemSize + b];
      data = s;
    }
    if (layout.deflate !== undefined) data = new Uint8Array(deflateSync(data, { level: layout.deflate }));
    buf.align();
    entries.push({ offsets, address: buf.append(data), size: data.length });
  }
  const K = 32; // indexed-storage K: superblock v0 does not store it, the library default is 32
  const key = (f: Fields, size: number, offsets: number[]): void => {
    f.u32(size).u32(0);
    for (const o of offsets) f.u64(o);
    f.u64(0); // the element-size dimension
  };
  const node = new Fields().text('TREE').u8(1).u8(0).u16(entries.length).u64(UNDEF).u64(UNDEF);
  for (const e of entries) {
    key(node, e.size, e.offsets);
    node.u64(e.address);
  }
  const last = entries[entries.length - 1];
  key(node, 0, last.offsets.map((o, d) => o + chunk[d]));
  const keySize = 8 + 8 * (rank + 1);
  node.zeros((2 * K - entries.length) * (keySize + 8)); // the library reads whole nodes of 2K entries
  buf.align();
  return { btree: buf.append(node.bytes()), chunk };
}

function dataset(buf: Buf, v: H5Var): number {
  const t = TYPES[v.class];
  const h5shape = [...v.dims].reverse();
  const raw = elementBytes(v, columnMajor(v.cOrder, v.dims));
  const messages: { type: number; body: Uint8Array }[] = [
    { type: 0x01, body: dataspace(h5shape) },
    { type: 0x03, body: t.body() },
  ];
  if (v.layout === 'contiguous') {
    buf.align();
    const address = buf.append(raw);
    messages.push({ type: 0x05, body: new Fields().u8(2).u8(2).u8(2).u8(0).bytes() }); // fill value v2: late allocation, none defined
    messages.push({ type: 0x08, body: new Fields().u8(3).u8(1).u64(address).u64(raw.length).bytes() });
  } else {
    const { btree, chunk } = writeChunks(buf, v, h5shape, raw, t.size, v.layout);
    messages.push({ type: 0x05, body: new Fields().u8(2).u8(3).u8(2).u8(0).bytes() }); // incremental allocation
    const layout = new Fields().u8(3).u8(2).u8(chunk.length + 1).u64(btree);
    for (const c of chunk) layout.u32(c);
    layout.u32(t.size);
    messages.push({ type: 0x08, body: layout.bytes() });
    const filters: { id: number; values: number[] }[] = [];
    if (v.layout.shuffle) filters.push({ id: 2, values: [t.size] });
    if (v.layout.deflate !== undefined) filters.push({ id: 1, values: [v.layout.deflate] });
    if (filters.length) {
      const p = new Fields().u8(1).u8(filters.length).zeros(6);
      for (const f of filters) {
        p.u16(f.id).u16(0).u16(1).u16(f.values.length);
        for (const x of f.values) p.u32(x);
        if (f.values.length % 2 === 1) p.zeros(4);
      }
      messages.push({ type: 0x0b, body: p.bytes() });
    }
  }
  messages.push({ type: 0x0c, body: matlabClassAttribute(v.class) });
  buf.align();
  return buf.append(objectHeader(messages));
}

/** A MAT v7.3 file (user block + HDF5) holding `vars` at the root group. */
export function writeMatV73(vars: H5Var[]): Uint8Array {
  if (vars.length > 8) throw new Error('hdf5-writer: at most 8 variables (one symbol table node of 2·4 entries)');
  const buf = new Buf();
  const SUPERBLOCK = 96;
  buf.reserve(SUPERBLOCK);
  const sorted = [...vars].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // SNOD entries are kept in name order
  const headers = sorted.map((v) => dataset(buf, v));
  // Local heap: offset 0 is the empty name, then each variable name, NUL-terminated, 8-aligned.
  const heapData = new Fields().zeros(8);
  const nameOffsets = sorted.map((v) => {
    const at = heapData.size;
    heapData.text(v.name).u8(0).pad8();
    return at;
  });
  buf.align();
  const heapDataAt = buf.append(heapData.bytes());
  buf.align();
  // No free block: the library encodes that as free-list offset 1 (H5HL_FREE_NULL), not the undefined address.
  const heap = buf.append(new Fields().text('HEAP').u8(0).zeros(3).u64(heapData.size).u64(1).u64(heapDataAt).bytes());
  const snod = new Fields().text('SNOD').u8(1).u8(0).u16(sorted.length);
  sorted.forEach((_, i) => snod.u64(nameOffsets[i]).u64(headers[i]).u32(0).u32(0).zeros(16));
  snod.zeros((8 - sorted.length) * 40);
  buf.align();
  const snodAt = buf.append(snod.bytes());
  const groupK = 16;
  const tree = new Fields().text('TREE').u8(0).u8(0).u16(1).u64(UNDEF).u64(UNDEF).u64(0).u64(snodAt).u64(nameOffsets[nameOffsets.length - 1] ?? 0);
  tree.zeros((2 * groupK - 1) * 16);
  buf.align();
  const btree = buf.append(tree.bytes());
  buf.align();
  const root = buf.append(objectHeader([{ type: 0x11, body: new Fields().u64(btree).u64(heap).bytes() }]));
  const eof = buf.length;
  const sb = new Fields()
    .raw([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])
    .u8(0).u8(0).u8(0).u8(0).u8(0).u8(8).u8(8).u8(0)
    .u16(4).u16(groupK).u32(0)
    .u64(0).u64(UNDEF).u64(eof).u64(UNDEF)
    .u64(0).u64(root).u32(1).u32(0).u64(btree).u64(heap);
  buf.patch(0, sb.bytes());
  const header = new Uint8Array(512).fill(0x20);
  header.set(Buffer.from('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2026 HDF5 schema 1.00 .', 'latin1'));
  header.fill(0, 116, 124);
  header.set([0x00, 0x02, 0x49, 0x4d], 124); // version 0x0200, 'IM'
  header.fill(0, 128);
  const out = new Uint8Array(512 + eof);
  out.set(header);
  out.set(buf.result(), 512);
  return out;
}
