/**
 * What the NAS-Bench-360 adapters share (nas-bench-360.md §2–3): finding a task's folder under
 * the user's data directory, adapter options with the real constants as defaults, typed-array
 * conversions, per-series z-normalisation and split construction.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { DataFormatError } from '../formats/errors.js';
import type { NumericArray } from '../formats/ndarray.js';
import { describePy, isNdArray, type PyValue } from '../formats/pyvalue.js';
import type { Split } from '../types.js';

/** Adapter options from the recipe's `task.options` (split sizes, grid parameters, variants). */
export type TaskOptions = Readonly<Record<string, number | string | boolean>>;

/**
 * The folder holding a task's files: `<data>/<folder>` (the benchmark's `datasets/` root, §2.3)
 * or `<data>` itself, whichever contains `marker`.
 */
export function taskFolder(task: string, data: string | null, folder: string, marker: string): string {
  if (data === null) {
    throw new InputError(
      `task.data: ${task} needs the NAS-Bench-360 files and the recipe gives no data directory`,
      `pass --data <dir>: the benchmark's datasets/ folder (holding ${folder}/) or ${folder}/ itself, with ${marker}`,
    );
  }
  if (!existsSync(data) || !statSync(data).isDirectory()) {
    throw new InputError(`task.data: ${data} is not a directory`, `pass --data <dir> holding ${folder}/${marker}`);
  }
  for (const candidate of [join(data, folder), data]) {
    if (existsSync(join(candidate, marker))) return candidate;
  }
  throw new InputError(`task.data: no ${task} files in ${data} (looked for ${folder}/${marker} and ${marker})`, `expected ${join(data, folder, marker)} (the benchmark's layout) or ${join(data, marker)}`);
}

export function readBytes(path: string): Uint8Array {
  if (!existsSync(path)) throw new InputError(`task.data: missing file ${path}`, 'the NAS-Bench-360 files must keep their official names');
  return new Uint8Array(readFileSync(path));
}

/** Rejects option keys the adapter does not know (a typo would otherwise be ignored silently). */
export function checkOptions(task: string, options: TaskOptions, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InputError(`task.options.${key}: not an option of task ${task}`, known.length > 0 ? `options of ${task}: ${known.join(', ')}` : `${task} takes no options`);
    }
  }
}

/** A non-negative integer option, or `fallback` (the benchmark's constant) when absent. */
export function intOption(task: string, options: TaskOptions, key: string, fallback: number): number {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new InputError(`task.options.${key}: expected a non-negative integer for task ${task}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Any numeric array as float32 (booleans and integers included), in C order. */
export function toFloat32(a: NumericArray): Float32Array {
  return a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>);
}

export function expectShape(a: NumericArray, file: string, what: string, rank: number, fixed: Readonly<Record<number, number>> = {}): void {
  const ok = a.shape.length === rank && Object.entries(fixed).every(([axis, size]) => a.shape[Number(axis)] === size);
  if (!ok) {
    const want = Array.from({ length: rank }, (_, i) => fixed[i] ?? (i === 0 ? 'N' : '·')).join(', ');
    throw new DataFormatError(file, `${what} of shape (${want})`, `shape (${a.shape.join(', ')})`);
  }
}

/** Integer labels in [min, max] from a numeric array or list, shifted by `shift` (Satellite: −1). */
export function integerLabels(value: PyValue, file: string, count: number, min: number, max: number, shift = 0): Int32Array {
  const list: ArrayLike<unknown> | null = Array.isArray(value) ? value : isNdArray(value) && value.kind === 'numeric' ? value.data : null;
  if (list === null || list.length !== count) throw new DataFormatError(file, `${count} integer labels`, describePy(value));
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = list[i];
    if (typeof label !== 'number' || !Number.isInteger(label) || label < min || label > max) {
      throw new DataFormatError(file, `labels ${min}..${max}`, `${String(label)} at row ${i}`);
    }
    out[i] = label + shift;
  }
  return out;
}

/**
 * Z-normalises each row of `width` values in place with its own mean and population standard
 * deviation (divide by n), as the Satellite and ECG loaders do. A constant row would divide by
 * zero in the reference (NaN); here it becomes all zeros, and the count is returned so the
 * adapter can record the deviation.
 */
export function zNormaliseRows(x: Float32Array, width: number): number {
  let constant = 0;
  for (let start = 0; start < x.length; start += width) {
    let mean = 0;
    for (let i = start; i < start + width; i++) mean += x[i]!;
    mean /= width;
    let variance = 0;
    for (let i = start; i < start + width; i++) variance += (x[i]! - mean) ** 2;
    const std = Math.sqrt(variance / width);
    if (std === 0) constant++;
    for (let i = start; i < start + width; i++) x[i] = std === 0 ? 0 : (x[i]! - mean) / std;
  }
  return constant;
}

/**
 * Rows `from .. from + count − 1` of per-example arrays as a split; `indexBase` places them in the
 * task's canonical order (recorded in result.json so the split is auditable).
 */
export function rowsSplit(
  data: { readonly x: Float32Array; readonly y?: Int32Array; readonly targets?: Float32Array; readonly count: number },
  from: number,
  count: number,
  indexBase: number,
): Split {
  const xPer = data.x.length / data.count;
  const tPer = data.targets ? data.targets.length / data.count : 0;
  return {
    x: data.x.subarray(from * xPer, (from + count) * xPer),
    y: data.y ? data.y.subarray(from, from + count) : new Int32Array(count),
    ...(data.targets ? { targets: data.targets.subarray(from * tPer, (from + count) * tPer) } : {}),
    count,
    indices: Int32Array.from({ length: count }, (_, i) => indexBase + from + i),
  };
}

export function requireCounts(task: string, where: string, parts: Readonly<Record<string, number>>): void {
  for (const [name, n] of Object.entries(parts)) {
    if (!(n >= 1)) throw new InputError(`task.data: ${where} leaves the ${name} split of ${task} empty`, 'check the files, or the split sizes in task.options');
  }
}
