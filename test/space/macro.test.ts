import { describe, expect, it } from 'vitest';
import { emptyAdjacency } from '../../plugin/space/cell.js';
import { archFromReference } from '../../plugin/space/encoding.js';
import { DEFAULT_MACRO_BOUNDS, archFingerprint, sampleArch, validateArch, type MacroBounds } from '../../plugin/space/macro.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import type { Arch, Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';
import { fixture, fixtureSet } from './fixture.js';

const MNIST = { height: 28, width: 28, channels: 1 };

describe('validateArch (method.md §10.2)', () => {
  it('accepts all 20 fixture networks under the default bounds', () => {
    for (const set of fixture.sets) set.architectures.forEach((_, row) => expect(validateArch(archFromReference(set, row))).toEqual([]));
  });

  it('names each broken domain rule', () => {
    const base = archFromReference(fixtureSet('cifar-1m-params'), 0);
    const bad: Arch = {
      ...base,
      headWidth: 12,
      stages: [
        { ...base.stages[0]!, channels: 1032 },
        { ...base.stages[1]!, repeats: 5 },
        ...base.stages.slice(2),
      ],
    };
    const problems = validateArch(bad);
    expect(problems).toContain('headWidth: expected a multiple of 8 in [8, 1024], got 12');
    expect(problems).toContain('stages[0].channels: expected a multiple of 8 in [8, 1024], got 1032');
    expect(problems).toContain('stages[1].repeats: expected an integer in 1..4, got 5');
  });

  it('rejects more than 19 cells and an invalid cell, naming the stage', () => {
    const base = archFromReference(fixtureSet('cifar-1m-params'), 0); // 18 cells
    const more: Arch = { ...base, stages: [...base.stages, { ...base.stages[0]!, repeats: 2 }] };
    expect(validateArch(more)).toContain('stages: 20 cells in total, at most 19 allowed');
    const broken: Cell = { ...base.stages[0]!.cell, adj: emptyAdjacency() };
    const withBroken: Arch = { ...base, stages: [{ ...base.stages[0]!, cell: broken }, ...base.stages.slice(1)] };
    expect(validateArch(withBroken).some((p) => p.startsWith('stages[0].cell: G2'))).toBe(true);
  });

  it('rejects a stride 2 applied to a 1-pixel feature map', () => {
    // 4×4 input: stem s2 -> 2, stage s2 -> 1, a further s2 stage would see 1×1.
    const c = sampleCell(new Rng(4));
    const arch: Arch = {
      input: { height: 4, width: 4, channels: 3 }, numClasses: 10, stemStride: 2, se: false, headWidth: 16,
      stages: [{ cell: c, channels: 8, stride: 2, repeats: 1 }, { cell: c, channels: 8, stride: 2, repeats: 1 }],
    };
    expect(validateArch(arch)).toEqual(['stages[1].stride: stride 2 applied to a 1×1 feature map (nothing left to down-sample)']);
    expect(validateArch({ ...arch, stages: arch.stages.slice(0, 1) })).toEqual([]);
  });
});

describe('sampleArch (method.md §10.4 within bounds)', () => {
  const bounds: MacroBounds = { ...DEFAULT_MACRO_BOUNDS, minStages: 2, maxStages: 7, maxTotalCells: 10, minChannels: 8, maxChannels: 64, minHeadWidth: 16, maxHeadWidth: 128 };

  it('draws valid networks covering the stage-count range, never down-sampling a 1-pixel map', () => {
    const rng = new Rng(2024);
    const stageCounts = new Set<number>();
    let maxDown = 0;
    for (let i = 0; i < 400; i++) {
      const arch = sampleArch(rng, bounds, (r) => sampleCell(r), MNIST, 10, 1, false);
      expect(validateArch(arch, bounds)).toEqual([]);
      stageCounts.add(arch.stages.length);
      maxDown = Math.max(maxDown, arch.stages.filter((s) => s.stride === 2).length);
      expect(arch.input).toEqual(MNIST);
    }
    expect([...stageCounts].sort()).toEqual([2, 3, 4, 5, 6, 7]);
    // 28 -> 14 -> 7 -> 4 -> 2 -> 1: at most 5 useful halvings.
    expect(maxDown).toBeLessThanOrEqual(5);
  });

  it('honours maxDownsamples and a stride set of {1}', () => {
    const rng = new Rng(8);
    for (let i = 0; i < 100; i++) {
      const a = sampleArch(rng, { ...bounds, maxDownsamples: 1 }, (r) => sampleCell(r), MNIST, 10, 1, false);
      expect(a.stages.filter((s) => s.stride === 2).length).toBeLessThanOrEqual(1);
      const b = sampleArch(rng, { ...bounds, strides: [1] }, (r) => sampleCell(r), MNIST, 10, 1, false);
      expect(b.stages.every((s) => s.stride === 1)).toBe(true);
    }
  });
});

describe('archFingerprint (§2.5)', () => {
  it('identical genotypes in the released lists hash equally (§17.9 duplicates), different ones do not', () => {
    const cifar = fixtureSet('cifar-1m-params');
    const imagenet = fixtureSet('imagenet-450m-flops');
    const fp = (set: typeof cifar, row: number): string => archFingerprint(archFromReference(set, row));
    expect(fp(cifar, 1)).toBe(fp(cifar, 3));
    expect(fp(cifar, 4)).toBe(fp(cifar, 9));
    expect(fp(imagenet, 0)).toBe(fp(imagenet, 8));
    const all = fixture.sets.flatMap((s) => s.architectures.map((_, r) => fp(s, r)));
    expect(new Set(all).size).toBe(17);
  });

  it('depends on head width and SE', () => {
    const a = archFromReference(fixtureSet('cifar-1m-params'), 0);
    expect(archFingerprint({ ...a, headWidth: 48 })).not.toBe(archFingerprint(a));
    expect(archFingerprint({ ...a, se: true })).not.toBe(archFingerprint(a));
  });
});
