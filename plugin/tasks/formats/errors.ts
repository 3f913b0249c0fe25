import { InputError } from '../../errors.js';

/**
 * A data file that does not hold what its format promises. It is the user's file to fix (or
 * re-download), so it is an InputError (exit code 2). The message always names the file and what
 * the reader expected; the byte offset is given when it helps to locate the damage.
 */
export class DataFormatError extends InputError {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly found: string,
    readonly offset?: number,
  ) {
    super(`${file}: expected ${expected}, found ${found}${offset === undefined ? '' : ` (at byte ${offset})`}`);
  }
}

/** Short printable form of raw bytes for error messages. */
export function describeBytes(bytes: Uint8Array, max = 16): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length === 0 ? 'no bytes' : `bytes ${shown}${bytes.length > max ? ' …' : ''}`;
}
