import { DataFormatError } from './errors.js';
import type { NdArray, NumericArray } from './ndarray.js';
import { readNpy } from './npy.js';
import type { ByteSource } from './source.js';
import { ZipArchive } from './zip.js';

/**
 * NumPy .npz archives (np.savez and np.savez_compressed): a zip of "<key>.npy" entries.
 * Arrays are read on demand, one at a time, so a large archive is never decoded whole.
 */
export class NpzArchive {
  private readonly zip: ZipArchive;

  constructor(source: ByteSource) {
    this.zip = new ZipArchive(source);
    for (const name of this.zip.names()) {
      if (!name.endsWith('.npy')) throw new DataFormatError(source.name, 'only .npy entries in an .npz archive', `an entry "${name}"`);
    }
  }

  /** Array names without the .npy suffix, in archive order. */
  keys(): string[] {
    return this.zip.names().map((n) => n.slice(0, -4));
  }

  has(key: string): boolean {
    return this.zip.has(`${key}.npy`);
  }

  get(key: string): NdArray {
    if (!this.has(key)) throw new DataFormatError(this.zip.file, `an array "${key}" in the .npz`, `keys ${this.keys().join(', ') || '(none)'}`);
    return readNpy(this.zip.read(`${key}.npy`), `${this.zip.file}:${key}.npy`);
  }

  getNumeric(key: string): NumericArray {
    const a = this.get(key);
    if (a.kind !== 'numeric') throw new DataFormatError(`${this.zip.file}:${key}.npy`, 'a numeric array', `a ${a.kind} array`);
    return a;
  }
}

export function openNpz(source: ByteSource): NpzArchive {
  return new NpzArchive(source);
}
