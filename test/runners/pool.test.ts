/**
 * The pool against real worker threads (the compiled dist/runners/worker.js): scoring works,
 * failures are retried once and then reported, and nothing hangs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../runners/pool.js';
import { archToJson } from '../../plugin/space/arch-json.js';
import type { Arch, Cell, KernelSize, OpName } from '../../plugin/space/types.js';

function chainCell(op: OpName, kernel: KernelSize): Cell {
  const adj: (0 | 1)[][] = Array.from({ length: 8 }, () => Array<0 | 1>(8).fill(0));
  adj[0]![1] = 1;
  adj[1]![2] = 1;
  adj[2]![7] = 1;
  adj[0]![7] = 1;
  return { adj, ops: Array<OpName>(6).fill(op), kernels: Array<KernelSize>(6).fill(kernel) };
}

const arch: Arch = {
  input: { height: 8, width: 8, channels: 1 },
  numClasses: 4,
  stemStride: 1,
  se: false,
  headWidth: 16,
  stages: [{ cell: chainCell('conv', 3), channels: 8, stride: 2, repeats: 1 }],
};

const batch = 8;
const x = new Float32Array(batch * 64).map((_, i) => Math.sin(i * 0.37));
const y = Int32Array.from({ length: batch }, (_, i) => i % 4);

let pool: WorkerPool;

beforeAll(() => {
  pool = new WorkerPool({
    workers: 2,
    timeoutSeconds: 20,
    retries: 1,
    setup: { backend: 'cpu', zcBatch: { x, y, shape: [batch, 8, 8, 1], numClasses: 4 } },
  });
});

afterAll(async () => {
  await pool.close();
});

describe('worker pool', () => {
  it('scores a genotype in a worker thread, identically for the same seed', async () => {
    const job = { kind: 'score' as const, arch: archToJson(arch), proxies: ['tcet', 'nwot', 'snip-snr'], seed: 7 };
    const [a, b] = await Promise.all([pool.run(job), pool.run(job)]);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(Number.isFinite(a.values.tcet)).toBe(true);
    expect(a.values).toEqual(b.values);
  });

  it('reports an invalid genotype as a failed candidate, not a crash', async () => {
    const broken = { ...archToJson(arch), headWidth: 'wide' };
    const result = await pool.run({ kind: 'score', arch: broken, proxies: ['tcet'], seed: 0 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/invalid genotype/);
  });

  it('retries a throwing job once, then reports it failed', async () => {
    const result = await pool.run({ kind: 'score', arch: archToJson(arch), proxies: ['tcet'], seed: 0, fault: 'throw' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.attempts).toBe(2);
      expect(result.reason).toMatch(/injected fault/);
    }
  });

  it('survives a worker thread that exits, and keeps serving jobs', async () => {
    const crashed = await pool.run({ kind: 'score', arch: archToJson(arch), proxies: ['tcet'], seed: 0, fault: 'crash' });
    expect(crashed.ok).toBe(false);
    const after = await pool.run({ kind: 'score', arch: archToJson(arch), proxies: ['nwot'], seed: 1 });
    expect(after.ok).toBe(true);
  });

  it('times out a hanging job, retries it once and never hangs the caller', async () => {
    const short = new WorkerPool({
      workers: 1,
      timeoutSeconds: 2,
      retries: 1,
      setup: { backend: 'cpu', zcBatch: { x, y, shape: [batch, 8, 8, 1], numClasses: 4 } },
    });
    try {
      const result = await short.run({ kind: 'score', arch: archToJson(arch), proxies: ['tcet'], seed: 0, fault: 'hang' });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.attempts).toBe(2);
        expect(result.reason).toMatch(/timed out after 2s/);
      }
    } finally {
      await short.close();
    }
  });
});
