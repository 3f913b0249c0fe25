/**
 * Weight files of a generator checkpoint: float32 in the tfjs weights-manifest layout, read back
 * exactly, and refused with the file named when truncated or holding non-finite values.
 */
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, readWeights, writeWeights } from '../../plugin/generators/checkpoint-io.js';

const TENSORS = [
  { name: 'a/kernel', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-7, -0.25]) },
  { name: 'a/bias', shape: [3], data: Float32Array.from([0.5, 0.125, -8]) },
];

describe('checkpoint weight files', () => {
  it('round-trips names, shapes and values exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-io-'));
    const group = await writeWeights(dir, 'part', TENSORS);
    expect(await readWeights(dir, group, 'part')).toEqual(TENSORS.map((t) => ({ ...t, shape: [...t.shape] })));
  });

  it('refuses a truncated file with the expected and found sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-io-'));
    const group = await writeWeights(dir, 'part', TENSORS);
    truncateSync(join(dir, group.paths[0]!), 20);
    await expect(readWeights(dir, group, 'part')).rejects.toThrow(/expected 9 float32 values \(36 bytes\) for part, found 20 bytes/);
  });

  it('refuses NaN or infinite weights, naming the tensor that holds the first one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-io-'));
    const group = await writeWeights(dir, 'part', TENSORS);
    // Float 7 of the file is the second value of a/bias (6 kernel values come first).
    const values = Float32Array.from([...TENSORS[0]!.data, ...TENSORS[1]!.data]);
    values[7] = Number.NaN;
    writeFileSync(join(dir, group.paths[0]!), Buffer.from(values.buffer));
    const read = readWeights(dir, group, 'part');
    await expect(read).rejects.toThrow(CheckpointError);
    await expect(readWeights(dir, group, 'part')).rejects.toThrow(/part weight a\/bias holds a non-finite value \(NaN\) at float 7/);
    values[7] = 0.125;
    values[0] = Number.POSITIVE_INFINITY;
    writeFileSync(join(dir, group.paths[0]!), Buffer.from(values.buffer));
    await expect(readWeights(dir, group, 'part')).rejects.toThrow(/weight a\/kernel holds a non-finite value \(Infinity\) at float 0/);
  });
});
