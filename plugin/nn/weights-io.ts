/**
 * Saves and loads a network's parameters and BN running statistics in the tfjs
 * "model.json + weights.bin" layout: a JSON manifest naming every tensor with its shape and
 * dtype, and one binary file of the tensors concatenated as little-endian float32.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from './tf.js';
import type { Variable } from './tf.js';
import type { Arch } from '../space/types.js';
import type { Network } from './types.js';

export const WEIGHTS_FORMAT = 'hgnas-functional-network';
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface WeightEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32';
}

export interface ModelJson {
  readonly format: string;
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly userDefinedMetadata: { readonly arch: Arch; readonly meta: Record<string, unknown> };
  readonly weightsManifest: ReadonlyArray<{ readonly paths: string[]; readonly weights: WeightEntry[] }>;
}

/** Every tensor that makes up a network's state, in a stable order: parameters, then BN statistics. */
function stateTensors(net: Network): Map<string, Variable> {
  const out = new Map<string, Variable>(net.parameters);
  for (const [id, s] of net.bnRunning) {
    out.set(`${id}.running_mean`, s.mean);
    out.set(`${id}.running_var`, s.variance);
  }
  return out;
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Writes `dir/model.json` and `dir/weights.bin` (creating `dir`); `meta` is stored next to the arch. */
export async function saveNetworkWeights(net: Network, dir: string, meta: Record<string, unknown> = {}): Promise<void> {
  const tensors = stateTensors(net);
  const weights: WeightEntry[] = [];
  let total = 0;
  for (const [name, v] of tensors) {
    weights.push({ name, shape: [...v.shape], dtype: 'float32' });
    total += v.size;
  }
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const v of tensors.values()) {
    const values = v.dataSync();
    for (let i = 0; i < values.length; i++, offset += 4) view.setFloat32(offset, values[i]!, true);
  }
  const model: ModelJson = {
    format: WEIGHTS_FORMAT,
    generatedBy: 'hgnas',
    convertedBy: null,
    userDefinedMetadata: { arch: net.arch, meta },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
  };
  await mkdir(dir, { recursive: true });
  await writeAtomically(join(dir, WEIGHTS_FILE), bytes);
  await writeAtomically(join(dir, MODEL_FILE), `${JSON.stringify(model, null, 2)}\n`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseModelJson(text: string, path: string): ModelJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw new Error(`${path}: expected a JSON object`);
  if (doc.format !== WEIGHTS_FORMAT) {
    throw new Error(`${path}: format must be "${WEIGHTS_FORMAT}", got ${JSON.stringify(doc.format)}`);
  }
  const metadata = doc.userDefinedMetadata;
  if (!isObject(metadata) || !isObject(metadata.arch)) throw new Error(`${path}: userDefinedMetadata.arch is missing`);
  const manifest = doc.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) throw new Error(`${path}: weightsManifest must be a non-empty list`);
  manifest.forEach((group: unknown, g) => {
    const where = `${path}: weightsManifest[${g}]`;
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error(`${where} must have "paths" and "weights" lists`);
    }
    group.paths.forEach((p: unknown) => {
      if (typeof p !== 'string' || p.length === 0 || p.includes('/') || p.includes('\\')) {
        throw new Error(`${where}.paths: expected plain file names next to model.json, got ${JSON.stringify(p)}`);
      }
    });
    group.weights.forEach((w: unknown, i: number) => {
      const ok =
        isObject(w) &&
        typeof w.name === 'string' &&
        w.dtype === 'float32' &&
        Array.isArray(w.shape) &&
        w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0);
      if (!ok) throw new Error(`${where}.weights[${i}]: expected {name, shape, dtype: "float32"}, got ${JSON.stringify(w)}`);
    });
  });
  return doc as unknown as ModelJson;
}

/** Reads `dir/model.json` only: the stored arch (to build the network before loading) and meta. */
export async function readNetworkMetadata(dir: string): Promise<{ arch: Arch; meta: Record<string, unknown> }> {
  const path = join(dir, MODEL_FILE);
  const model = parseModelJson(await readFile(path, 'utf8'), path);
  const meta = model.userDefinedMetadata.meta;
  return { arch: model.userDefinedMetadata.arch, meta: isObject(meta) ? meta : {} };
}

/**
 * Loads `dir` into `net` (parameters and BN statistics). Every tensor of the network must be
 * present with its exact shape, and the weight files must hold exactly the listed values;
 * otherwise nothing is assigned and a clear Error names the first problem.
 */
export async function loadNetworkWeights(net: Network, dir: string): Promise<void> {
  const path = join(dir, MODEL_FILE);
  const model = parseModelJson(await readFile(path, 'utf8'), path);
  const targets = stateTensors(net);
  const values = new Map<string, Float32Array>();
  for (const group of model.weightsManifest) {
    const chunks = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const data = Buffer.concat(chunks);
    const expected = group.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    if (data.length !== expected) {
      throw new Error(`${join(dir, group.paths.join(', '))}: ${data.length} bytes, the manifest lists ${expected} (corrupt or truncated file)`);
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      const target = targets.get(w.name);
      if (target === undefined) throw new Error(`${path}: tensor ${w.name} does not exist in this network`);
      if (values.has(w.name)) throw new Error(`${path}: tensor ${w.name} is listed twice`);
      if (w.shape.length !== target.shape.length || w.shape.some((d, i) => d !== target.shape[i])) {
        throw new Error(`${path}: tensor ${w.name} has shape [${w.shape.join(', ')}], the network expects [${target.shape.join(', ')}]`);
      }
      const out = new Float32Array(target.size);
      for (let i = 0; i < out.length; i++, offset += 4) out[i] = view.getFloat32(offset, true);
      values.set(w.name, out);
    }
  }
  const missing = [...targets.keys()].filter((name) => !values.has(name));
  if (missing.length > 0) {
    throw new Error(`${path}: ${missing.length} tensor(s) of the network are missing, e.g. ${missing.slice(0, 3).join(', ')}`);
  }
  for (const [name, target] of targets) {
    tf.tidy(() => target.assign(tf.tensor(values.get(name)!, target.shape, 'float32')));
  }
}
