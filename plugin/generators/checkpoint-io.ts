/**
 * The generator checkpoint directory: `manifest.json` (versions, recipe, normaliser, GMM,
 * configurations, metrics, costs) plus one float32 weight file per model, described the way a
 * tfjs `model.json` describes its weights (`weightsManifest` groups of {name, shape, dtype}), so
 * any tfjs tool can decode them with `tf.io.decodeWeights`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { NamedTensorData } from './types.js';

export const CHECKPOINT_FORMAT = 'hgnas/generators@1';
export const MANIFEST_FILE = 'manifest.json';

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** One entry of a tfjs weights manifest. */
export interface WeightsGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

export class CheckpointError extends InputError {}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Writes `<name>.weights.bin` in `dir` and returns its manifest group. */
export async function writeWeights(dir: string, name: string, tensors: readonly NamedTensorData[]): Promise<WeightsGroup> {
  const total = tensors.reduce((n, t) => n + t.data.length, 0);
  const buffer = new Float32Array(total);
  let offset = 0;
  const weights: WeightSpec[] = [];
  for (const t of tensors) {
    if (t.data.length !== elementCount(t.shape)) {
      throw new Error(`checkpoint: weight ${t.name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    }
    buffer.set(t.data, offset);
    offset += t.data.length;
    weights.push({ name: t.name, shape: [...t.shape], dtype: 'float32' });
  }
  const file = `${name}.weights.bin`;
  await writeFile(join(dir, file), new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  return { paths: [file], weights };
}

function isWeightsGroup(value: unknown): value is WeightsGroup {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { paths?: unknown; weights?: unknown };
  return (
    Array.isArray(v.paths) &&
    v.paths.length === 1 &&
    typeof v.paths[0] === 'string' &&
    Array.isArray(v.weights) &&
    v.weights.every(
      (w: unknown) =>
        typeof w === 'object' &&
        w !== null &&
        typeof (w as WeightSpec).name === 'string' &&
        Array.isArray((w as WeightSpec).shape) &&
        (w as WeightSpec).shape.every((d) => Number.isInteger(d) && d >= 0) &&
        (w as WeightSpec).dtype === 'float32',
    )
  );
}

/** Reads the weights of one manifest group back as named arrays, checking the file's size. */
export async function readWeights(dir: string, group: unknown, what: string): Promise<NamedTensorData[]> {
  if (!isWeightsGroup(group)) {
    throw new CheckpointError(`${join(dir, MANIFEST_FILE)}: ${what}.weights is not a weights group {paths: [file], weights: [{name, shape, dtype: float32}]}`, 'rebuild the checkpoint with `hgnas pretrain`');
  }
  const file = join(dir, group.paths[0]!);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new CheckpointError(`${file}: weight file of ${what} is missing or unreadable`, 'copy the whole checkpoint directory, or rebuild it with `hgnas pretrain`');
  }
  const expected = group.weights.reduce((n, w) => n + elementCount(w.shape), 0);
  if (bytes.byteLength !== expected * 4) {
    throw new CheckpointError(
      `${file}: expected ${expected} float32 values (${expected * 4} bytes) for ${what}, found ${bytes.byteLength} bytes (truncated or from another checkpoint)`,
      'rebuild the checkpoint with `hgnas pretrain`',
    );
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  // A NaN or infinite weight poisons every sample (the search would then find no valid cell and
  // spin), so a corrupt file is refused here with its first bad weight named.
  const bad = all.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) {
    let start = 0;
    const tensor = group.weights.find((w) => (start += elementCount(w.shape)) > bad)!;
    throw new CheckpointError(
      `${file}: ${what} weight ${tensor.name} holds a non-finite value (${all[bad]}) at float ${bad} of the file (corrupt, or written by a diverged training)`,
      'rebuild the checkpoint with `hgnas pretrain`',
    );
  }
  let offset = 0;
  return group.weights.map((w) => {
    const n = elementCount(w.shape);
    const data = all.slice(offset, offset + n);
    offset += n;
    return { name: w.name, shape: [...w.shape], data };
  });
}

/** Writes the manifest last and atomically, so a half-written checkpoint never looks complete. */
export async function writeManifest(dir: string, manifest: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, `${JSON.stringify({ format: CHECKPOINT_FORMAT, ...manifest }, null, 1)}\n`);
  await rename(tmp, join(dir, MANIFEST_FILE));
}

export async function readManifest(dir: string): Promise<Record<string, unknown>> {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) {
    throw new CheckpointError(`${file}: no generator checkpoint here (manifest.json missing)`, 'point generators.checkpoint at a directory written by `hgnas pretrain`, or use builtin');
  }
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CheckpointError(`${file}: not valid JSON (${(error as Error).message})`, 'rebuild the checkpoint with `hgnas pretrain`');
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${file}: format must be "${CHECKPOINT_FORMAT}"`, 'rebuild the checkpoint with this version of hgnas (`hgnas pretrain`)');
  }
  return value as Record<string, unknown>;
}
