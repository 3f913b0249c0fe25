import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../plugin/nn/tf.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { loadNetworkWeights, readNetworkMetadata, saveNetworkWeights } from '../../plugin/nn/weights-io.js';
import type { Arch, Cell } from '../../plugin/space/types.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hgnas-weights-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// in→n1 (conv k3), n1→out, in→out.
const cell: Cell = {
  adj: Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => ((i === 0 && j === 1) || (i === 1 && j === 7) || (i === 0 && j === 7) ? 1 : 0))),
  ops: ['conv', 'conv', 'conv', 'conv', 'conv', 'conv'],
  kernels: [3, 3, 3, 3, 3, 3],
};
const arch = (channels: number): Arch => ({
  input: { height: 6, width: 6, channels: 1 },
  numClasses: 3,
  stemStride: 1,
  se: false,
  stages: [{ cell, channels, stride: 1, repeats: 1 }],
  headWidth: 8,
});

describe('weights I/O in the tfjs model.json + weights.bin layout', () => {
  it('writes a manifest whose listed shapes add up to the little-endian float32 file', async () => {
    const net = buildNetwork(arch(4), { seed: 1 });
    const dir = tempDir();
    await saveNetworkWeights(net, dir, { task: 'unit' });
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(model.format).toBeTypeOf('string');
    expect(model.generatedBy).toBe('hgnas');
    expect(model.userDefinedMetadata.arch).toEqual(arch(4));
    expect(model.userDefinedMetadata.meta).toEqual({ task: 'unit' });
    const [group] = model.weightsManifest;
    expect(group.paths).toEqual(['weights.bin']);
    const weights = group.weights as Array<{ name: string; shape: number[]; dtype: string }>;
    const elements = weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    const bytes = readFileSync(join(dir, 'weights.bin'));
    expect(bytes.length).toBe(4 * elements);
    // stem.conv.weight is [3, 3, 1, 4] and comes first: its first value, read little-endian.
    expect(weights[0]).toEqual({ name: 'stem.conv.weight', shape: [3, 3, 1, 4], dtype: 'float32' });
    expect(bytes.readFloatLE(0)).toBe(net.parameters.get('stem.conv.weight')!.dataSync()[0]);
    expect(weights.some((w) => w.name === 'head.bn.running_var')).toBe(true);
    net.dispose();
  });

  it('round-trips parameters and BN statistics into a network built with another seed', async () => {
    const a = buildNetwork(arch(4), { seed: 1 });
    const stats = a.bnRunning.get('head.bn')!;
    stats.mean.assign(tf.tensor1d([0.5, -1, 2, 3]));
    const dir = tempDir();
    await saveNetworkWeights(a, dir);
    const b = buildNetwork((await readNetworkMetadata(dir)).arch, { seed: 2 });
    await loadNetworkWeights(b, dir);
    for (const [key, v] of a.parameters) expect(Array.from(b.parameters.get(key)!.dataSync()), key).toEqual(Array.from(v.dataSync()));
    expect(Array.from(b.bnRunning.get('head.bn')!.mean.dataSync())).toEqual([0.5, -1, 2, 3]);
    a.dispose();
    b.dispose();
  });

  it('refuses a network of another shape, naming the tensor', async () => {
    const a = buildNetwork(arch(4), { seed: 1 });
    const dir = tempDir();
    await saveNetworkWeights(a, dir);
    const wider = buildNetwork(arch(8), { seed: 1 });
    await expect(loadNetworkWeights(wider, dir)).rejects.toThrow(/stem\.conv\.weight has shape \[3, 3, 1, 4\], the network expects \[3, 3, 1, 8\]/);
    a.dispose();
    wider.dispose();
  });

  it('refuses a truncated weights file and a corrupt manifest', async () => {
    const a = buildNetwork(arch(4), { seed: 1 });
    const dir = tempDir();
    await saveNetworkWeights(a, dir);
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, bin.length - 4));
    await expect(loadNetworkWeights(a, dir)).rejects.toThrow(/corrupt or truncated/);
    writeFileSync(join(dir, 'model.json'), '{ "format": ');
    await expect(loadNetworkWeights(a, dir)).rejects.toThrow(/not valid JSON/);
    a.dispose();
  });
});
