import { describe, expect, it } from 'vitest';
import { cellFingerprint, isValidCell, predecessors } from '../../plugin/space/cell.js';
import { DEFAULT_MACRO_BOUNDS, sampleArch, validateArch, type MacroBounds } from '../../plugin/space/macro.js';
import { applyRepeatsMutation, mutateArch, mutateCell } from '../../plugin/space/mutation.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import type { Cell, Stage } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';

function sameWiring(a: Cell, b: Cell): boolean {
  return a.adj.every((row, i) => row.every((x, j) => x === b.adj[i]![j]));
}

describe('micro mutation (method.md §2.9)', () => {
  it('children are valid, differ by fingerprint, and a label mutation changes exactly one active label', () => {
    const rng = new Rng(11);
    let labelMutations = 0;
    let wiringMutations = 0;
    for (let i = 0; i < 1500; i++) {
      const parent = sampleCell(rng);
      const child = mutateCell(parent, rng);
      expect(child).not.toBeNull();
      expect(isValidCell(child!)).toBe(true);
      expect(cellFingerprint(child!)).not.toBe(cellFingerprint(parent));
      if (sameWiring(parent, child!)) {
        labelMutations++;
        const changed = [1, 2, 3, 4, 5, 6].filter((v) => parent.ops[v - 1] !== child!.ops[v - 1] || parent.kernels[v - 1] !== child!.kernels[v - 1]);
        expect(changed).toHaveLength(1);
        const v = changed[0]!;
        expect(predecessors(parent, v).length).toBeGreaterThan(0);
        // Either the op or the kernel changed, not both.
        expect((parent.ops[v - 1] !== child!.ops[v - 1]) !== (parent.kernels[v - 1] !== child!.kernels[v - 1])).toBe(true);
      } else {
        wiringMutations++;
        expect(child!.ops).toEqual(parent.ops);
        expect(child!.kernels).toEqual(parent.kernels);
      }
    }
    // Both kinds are drawn with probability ½ (wiring children rejected by validity are retried).
    expect(labelMutations).toBeGreaterThan(500);
    expect(wiringMutations).toBeGreaterThan(400);
  });

  it('respects a restricted label set', () => {
    const rng = new Rng(5);
    const labels = { ops: ['conv', 'sep_conv'] as const, kernels: [3, 5] as const };
    for (let i = 0; i < 300; i++) {
      const child = mutateCell(sampleCell(rng, labels), rng, labels);
      expect(child!.ops.every((op) => op === 'conv' || op === 'sep_conv')).toBe(true);
      expect(child!.kernels.every((k) => k === 3 || k === 5)).toBe(true);
    }
  });
});

describe('macro mutation (method.md §10.3)', () => {
  const bounds: MacroBounds = { ...DEFAULT_MACRO_BOUNDS, maxStages: 8, maxTotalCells: 12, minChannels: 16, maxChannels: 256, minHeadWidth: 32, maxHeadWidth: 512, maxDownsamples: 3 };

  it('every non-discarded child of 2 000 mutations lies within the bounds', () => {
    const rng = new Rng(99);
    const resampleCell = (r: Rng): Cell => sampleCell(r);
    let arch = sampleArch(rng, bounds, resampleCell, { height: 32, width: 32, channels: 3 }, 10, 1, false);
    expect(validateArch(arch, bounds)).toEqual([]);
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const child = mutateArch(arch, rng, { resampleCell, bounds });
      if (child === null) continue;
      accepted++;
      expect(validateArch(child, bounds)).toEqual([]);
      const total = child.stages.reduce((s, st) => s + st.repeats, 0);
      expect(total).toBeLessThanOrEqual(12);
      expect(child.stages.filter((s) => s.stride === 2).length).toBeLessThanOrEqual(3);
      for (const s of child.stages) {
        expect(s.channels % 8).toBe(0);
        expect(s.channels).toBeGreaterThanOrEqual(16);
        expect(s.channels).toBeLessThanOrEqual(256);
        expect(s.repeats).toBeLessThanOrEqual(4);
      }
      expect(child.headWidth).toBeGreaterThanOrEqual(32);
      expect(child.headWidth).toBeLessThanOrEqual(512);
      arch = child;
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('P7 split: r_m + d above 4 sets the stage to 4 and inserts a copy with the remainder (§14 P7)', () => {
    const c = sampleCell(new Rng(1));
    const other = sampleCell(new Rng(2));
    const stages: Stage[] = [
      { cell: c, channels: 32, stride: 1, repeats: 3 },
      { cell: other, channels: 64, stride: 2, repeats: 2 },
    ];
    // R = 5, d = +2: 20 − 7 > 0, new = clamp(3 + 2, 0, 13) = 5 > 4 -> [4, copy 1, 2] (the reference gave 3 + 1).
    applyRepeatsMutation(stages, 0, 2, DEFAULT_MACRO_BOUNDS);
    expect(stages.map((s) => [s.channels, s.stride, s.repeats])).toEqual([[32, 1, 4], [32, 1, 1], [64, 2, 2]]);
    expect(stages[1]!.cell).toBe(c);
  });

  it('repeats: reaching 0 deletes the stage unless it is the last one; the 20-cell cap holds', () => {
    const c = sampleCell(new Rng(1));
    const two: Stage[] = [{ cell: c, channels: 32, stride: 1, repeats: 1 }, { cell: c, channels: 64, stride: 1, repeats: 2 }];
    applyRepeatsMutation(two, 0, -1, DEFAULT_MACRO_BOUNDS);
    expect(two.map((s) => s.repeats)).toEqual([2]);
    applyRepeatsMutation(two, 0, -2, DEFAULT_MACRO_BOUNDS);
    expect(two.map((s) => s.repeats)).toEqual([2]);
    // R = 19: d = +1 gives 20 − 20 = 0, not > 0 -> unchanged.
    const full: Stage[] = [4, 4, 4, 4, 3].map((r) => ({ cell: c, channels: 32, stride: 1, repeats: r }));
    applyRepeatsMutation(full, 4, 1, DEFAULT_MACRO_BOUNDS);
    expect(full.map((s) => s.repeats)).toEqual([4, 4, 4, 4, 3]);
  });
});
