import { DataFormatError } from './errors.js';
import type { NdArray, NumericArray } from './ndarray.js';

/**
 * Python values as the pickle reader builds them:
 * None → null; bool → boolean; int → number (bigint beyond ±(2^53 − 1)); float → number;
 * str → string (Python 2 byte strings decoded as latin-1, like pickle's encoding='latin1');
 * bytes/bytearray → Uint8Array; list and tuple → array; dict → Map; set/frozenset → Set;
 * NumPy arrays → NdArray; NumPy scalars → number (or string for string scalars).
 */
export type PyKey = string | number | bigint | boolean | null;
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyDict | Set<PyKey> | NdArray;
export type PyDict = Map<PyKey, PyValue>;

export function isNdArray(v: PyValue): v is NdArray {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set) && !(v instanceof Uint8Array);
}

export function describePy(v: PyValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return `a list/tuple of ${v.length}`;
  if (v instanceof Map) return `a dict with keys ${[...v.keys()].slice(0, 8).map(String).join(', ')}`;
  if (v instanceof Set) return 'a set';
  if (v instanceof Uint8Array) return `bytes (${v.length})`;
  if (isNdArray(v)) return `a ${v.kind} array of shape (${v.shape.join(', ')})`;
  return `${typeof v} ${String(v).slice(0, 40)}`;
}

export function expectDict(v: PyValue, file: string, what: string): PyDict {
  if (v instanceof Map) return v;
  throw new DataFormatError(file, `${what} to be a dict`, describePy(v));
}

export function dictEntry(d: PyDict, key: string, file: string): PyValue {
  if (!d.has(key)) throw new DataFormatError(file, `a dict key "${key}"`, `keys ${[...d.keys()].map(String).join(', ') || '(none)'}`);
  return d.get(key) as PyValue;
}

export function expectNumericArray(v: PyValue, file: string, what: string): NumericArray {
  if (isNdArray(v) && v.kind === 'numeric') return v;
  throw new DataFormatError(file, `${what} to be a numeric NumPy array`, describePy(v));
}
