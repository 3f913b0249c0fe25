import { ByteReader } from './bytes.js';
import { DataFormatError, describeBytes } from './errors.js';
import { maybeGunzip } from './gzip.js';
import { decodeArray, product, type Dtype, type NumericArray } from './ndarray.js';

/**
 * IDX files (the original MNIST distribution), plain or gzipped: two zero bytes, a type code, the
 * number of dimensions, big-endian uint32 dimensions, then big-endian data.
 */
const TYPES: Record<number, Dtype> = {
  0x08: { kind: 'u', itemSize: 1, littleEndian: false },
  0x09: { kind: 'i', itemSize: 1, littleEndian: false },
  0x0b: { kind: 'i', itemSize: 2, littleEndian: false },
  0x0c: { kind: 'i', itemSize: 4, littleEndian: false },
  0x0d: { kind: 'f', itemSize: 4, littleEndian: false },
  0x0e: { kind: 'f', itemSize: 8, littleEndian: false },
};

export function readIdx(bytes: Uint8Array, file: string): NumericArray {
  const raw = maybeGunzip(bytes, file);
  const r = new ByteReader(raw, file);
  const magic = r.take(4, 'the IDX magic number');
  const dtype = TYPES[magic[2]];
  if (magic[0] !== 0 || magic[1] !== 0 || !dtype || magic[3] === 0) {
    throw new DataFormatError(file, 'an IDX magic number 00 00 <type 08/09/0B/0C/0D/0E> <ndim ≥ 1>', describeBytes(magic), 0);
  }
  const shape: number[] = [];
  for (let d = 0; d < magic[3]; d++) shape.push(r.u32(`dimension ${d}`, false));
  const need = product(shape) * dtype.itemSize;
  if (r.remaining !== need) {
    throw new DataFormatError(file, `${need} data bytes for shape (${shape.join(', ')})`, `${r.remaining}${r.remaining < need ? ' (file truncated?)' : ''}`, r.pos);
  }
  return decodeArray(raw.subarray(r.pos), dtype, shape, false, file) as NumericArray;
}
