import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataFormatError } from './errors.js';

/**
 * Random access to the bytes of a file without loading it whole: the benchmark archives run to
 * gigabytes (FSD50K's zip is 24 GB), so the zip and tar readers pull headers and single entries
 * through this interface. Reads past the end are DataFormatErrors (truncated file).
 */
export interface ByteSource {
  /** Name used in error messages (the path). */
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number, what: string): Uint8Array;
}

export function bufferSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset, length, what) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new DataFormatError(name, `${length} bytes of ${what}`, `only ${Math.max(0, bytes.length - offset)} bytes left (file truncated?)`, offset);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}

export interface FileSource extends ByteSource {
  close(): void;
}

/** A file opened for positional reads; call close() when done. */
export function fileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    name: path,
    size,
    read(offset, length, what) {
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new DataFormatError(path, `${length} bytes of ${what}`, `only ${Math.max(0, size - offset)} bytes left (file truncated?)`, offset);
      }
      const out = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new DataFormatError(path, `${length} bytes of ${what}`, `end of file after ${done}`, offset + done);
        done += n;
      }
      return new Uint8Array(out.buffer, out.byteOffset, length);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Runs `use` on an opened file source and closes it afterwards, even on error. */
export function withFileSource<T>(path: string, use: (source: FileSource) => T): T {
  const source = fileSource(path);
  try {
    return use(source);
  } finally {
    source.close();
  }
}
