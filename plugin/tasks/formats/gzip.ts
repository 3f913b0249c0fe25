import { gunzipSync } from 'node:zlib';
import { DataFormatError, describeBytes } from './errors.js';

export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Decompresses a whole gzip file (multi-member streams included); errors name the file. */
export function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) throw new DataFormatError(file, 'gzip data (magic 1f 8b)', describeBytes(bytes, 4), 0);
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'Z_BUF_ERROR' ? 'unexpected end of data (file truncated?)' : (err as Error).message;
    throw new DataFormatError(file, 'a complete, valid gzip stream', why);
  }
}

/** Gunzips when the bytes start with the gzip magic, otherwise returns them unchanged. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  return isGzip(bytes) ? gunzip(bytes, file) : bytes;
}
