import { describe, expect, it } from 'vitest';
import { activeIntermediates, cellFingerprint, edgeCount, isValidCell } from '../../plugin/space/cell.js';
import { sampleCell, sampleUniqueCells } from '../../plugin/space/sampler.js';
import { INPUT_NODE, KERNEL_SIZES, OP_NAMES, OUTPUT_NODE } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';

describe('random cell sampler statistics (method.md §17.5)', () => {
  const DRAWS = 10_000;
  const rng = new Rng(20240721);
  const cells = Array.from({ length: DRAWS }, () => sampleCell(rng));

  it('every sample is generally valid', () => {
    expect(cells.every(isValidCell)).toBe(true);
  });

  it('active-node shares within ±1.5 pp of 1.06/5.88/8.49/13.03/23.27/48.27 %', () => {
    const expected = [1.06, 5.88, 8.49, 13.03, 23.27, 48.27];
    const counts = new Array(6).fill(0);
    for (const c of cells) counts[activeIntermediates(c).length - 1]++;
    counts.forEach((n, i) => expect(Math.abs((100 * n) / DRAWS - expected[i]!)).toBeLessThanOrEqual(1.5));
  });

  it('about 58.4 % have an input -> output edge (±1.5 pp), edge counts within 3..28', () => {
    const residual = cells.filter((c) => c.adj[INPUT_NODE]![OUTPUT_NODE] === 1).length;
    expect(Math.abs((100 * residual) / DRAWS - 58.4)).toBeLessThanOrEqual(1.5);
    const edges = cells.map(edgeCount).sort((a, b) => a - b);
    expect(edges[0]).toBeGreaterThanOrEqual(3);
    expect(edges[edges.length - 1]).toBeLessThanOrEqual(28);
    expect(Math.abs(edges[DRAWS / 2]! - 15)).toBeLessThanOrEqual(1);
  });

  it('ops (1/9) and kernels (1/3) are uniform over all 60 000 slots', () => {
    const slots = DRAWS * 6;
    const opCounts = new Map<string, number>();
    const kCounts = new Map<number, number>();
    for (const c of cells) {
      c.ops.forEach((op) => opCounts.set(op, (opCounts.get(op) ?? 0) + 1));
      c.kernels.forEach((k) => kCounts.set(k, (kCounts.get(k) ?? 0) + 1));
    }
    // Binomial sd of a 1/9 share over 60 000 slots is 0.13 pp; allow 0.6 pp.
    for (const op of OP_NAMES) expect(Math.abs((opCounts.get(op) ?? 0) / slots - 1 / 9)).toBeLessThan(0.006);
    for (const k of KERNEL_SIZES) expect(Math.abs((kCounts.get(k) ?? 0) / slots - 1 / 3)).toBeLessThan(0.008);
  });
});

describe('sampler options and de-duplication', () => {
  it('restricts labels to the given ops and kernels', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const c = sampleCell(rng, { ops: ['conv', 'mbconv_e6'], kernels: [3] });
      expect(c.ops.every((op) => op === 'conv' || op === 'mbconv_e6')).toBe(true);
      expect(c.kernels.every((k) => k === 3)).toBe(true);
    }
  });

  it('sampleUniqueCells returns cells with distinct fingerprints, reproducibly per seed', () => {
    const a = sampleUniqueCells(new Rng(3), 300, { ops: ['conv'], kernels: [3] });
    expect(new Set(a.map(cellFingerprint)).size).toBe(300);
    const b = sampleUniqueCells(new Rng(3), 300, { ops: ['conv'], kernels: [3] });
    expect(b).toEqual(a);
  });
});
