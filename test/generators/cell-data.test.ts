import { mkdtempSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../plugin/errors.js';
import { describe, expect, it } from 'vitest';
import {
  denormaliseCondition, fitNormaliser, labelledCells, labelledDataset, normaliseCondition, splitHeldOut, STREAM_FILE,
  unlabelledCells, type CellReaOptions, type CellScore,
} from '../../plugin/generators/cell-data.js';
import { cellFingerprint } from '../../plugin/space/cell.js';
import { proxyNetworkCost } from '../../plugin/space/cost.js';
import { sampleUniqueCells } from '../../plugin/space/sampler.js';
import type { Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';

describe('condition normaliser (method.md §6.3)', () => {
  it('maps min to 0 and max to 1 per dimension, round-trips, survives JSON', () => {
    const raw = [[1, 10, 100, 5], [3, 30, 300, 5], [2, 20, 200, 5]];
    const n = JSON.parse(JSON.stringify(fitNormaliser(raw)));
    expect(n).toEqual({ min: [1, 10, 100, 5], max: [3, 30, 300, 5] });
    expect(normaliseCondition([2, 30, 100, 5], n)).toEqual([0.5, 1, 0, 0]); // constant dimension → 0
    expect(denormaliseCondition([0.5, 1, 0, 0.3], n)).toEqual([2, 30, 100, 5]);
  });
});

describe('splits and unlabelled cells (method.md §6.1, §6.4)', () => {
  it('holds out ⌈5 %⌉ by a seeded shuffle, disjoint and complete', () => {
    const items = Array.from({ length: 101 }, (_, i) => i);
    const a = splitHeldOut(items);
    expect(a.heldOut).toHaveLength(6);
    expect([...a.train, ...a.heldOut].sort((x, y) => x - y)).toEqual(items);
    expect(splitHeldOut(items)).toEqual(a);
    expect(splitHeldOut(items, { seed: 1 }).heldOut).not.toEqual(a.heldOut);
  });

  it('unlabelled cells are the sampler’s unique draws', () => {
    const cells = unlabelledCells({ count: 50, seed: 4 });
    expect(cells).toEqual(sampleUniqueCells(new Rng(4), 50));
    expect(new Set(cells.map(cellFingerprint)).size).toBe(50);
  });
});

/** Deterministic fake scorer from the fingerprint; fails for fingerprints starting with '0'. */
function fakeScore(cell: Cell): CellScore | null {
  const fp = cellFingerprint(cell);
  if (fp.startsWith('0')) return null;
  const cost = proxyNetworkCost(cell);
  return { snipSnr: parseInt(fp.slice(0, 6), 16) / 1e6, nwot: parseInt(fp.slice(6, 12), 16) / 1e6, params: cost.params, flops: cost.flops };
}

function scorer(counter: { n: number }, failAfter = Infinity) {
  return async (cells: Cell[]): Promise<(CellScore | null)[]> => {
    if (counter.n + cells.length > failAfter) throw new Error('interrupted');
    counter.n += cells.length;
    return cells.map(fakeScore);
  };
}

const small = (directory: string, extra: Partial<CellReaOptions> = {}): CellReaOptions => ({
  directory, seed: 3, initial: 40, population: 10, history: 90, maxParams: 600_000, scoreBatch: 4, ...extra,
});

describe('labelled cells: cell REA streamed to disk (method.md §6.2)', () => {
  it('produces unique cells within the limit; the initial phase is the sampler’s draws in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rea-'));
    const counter = { n: 0 };
    const progress: number[] = [];
    const history = await labelledCells(scorer(counter), small(dir, { onProgress: (p) => progress.push(p.history) }));
    expect(history).toHaveLength(90);
    expect(new Set(history.map((h) => cellFingerprint(h.cell))).size).toBe(90);
    expect(history.every((h) => proxyNetworkCost(h.cell).params <= 600_000)).toBe(true);
    const initial = sampleUniqueCells(new Rng(3), 40).filter((c) => proxyNetworkCost(c).params <= 600_000 && fakeScore(c) !== null);
    expect(history.slice(0, initial.length).map((h) => h.cell)).toEqual(initial);
    expect(progress.at(-1)).toBe(90);
    // One header line plus one line per scored cell (failures included).
    expect(readFileSync(join(dir, STREAM_FILE), 'utf8').trim().split('\n')).toHaveLength(1 + counter.n);
  });

  for (const [name, k, batch] of [['in the initial phase', 9, 1], ['in the evolution', 55, 1], ['in batched evolution', 61, 3]] as const) {
    it(`resumes after an interruption ${name} and ends with the same set`, async () => {
      const reference = await labelledCells(scorer({ n: 0 }), small(mkdtempSync(join(tmpdir(), 'rea-')), { evolutionBatch: batch }));
      const dir = mkdtempSync(join(tmpdir(), 'rea-'));
      const first = { n: 0 };
      await expect(labelledCells(scorer(first, k), small(dir, { evolutionBatch: batch }))).rejects.toThrow('interrupted');
      // A crash mid-write leaves half a line behind.
      appendFileSync(join(dir, STREAM_FILE), '{"fingerprint":"ab');
      const second = { n: 0 };
      const resumed = await labelledCells(scorer(second), small(dir, { evolutionBatch: batch }));
      expect(resumed).toEqual(reference);
      const total = readFileSync(join(dir, STREAM_FILE), 'utf8').trim().split('\n').length - 1;
      expect(first.n + second.n).toBe(total); // nothing scored twice
      expect(first.n).toBeGreaterThan(0);
    });
  }

  it('says which recipe field to raise when no cell fits the parameter limit, or every scoring fails', async () => {
    const smallest = Math.min(...sampleUniqueCells(new Rng(3), 40).map((c) => proxyNetworkCost(c).params));
    const tooSmall = labelledCells(scorer({ n: 0 }), small(mkdtempSync(join(tmpdir(), 'rea-')), { maxParams: 10 }));
    await expect(tooSmall).rejects.toThrow(InputError);
    await expect(labelledCells(scorer({ n: 0 }), small(mkdtempSync(join(tmpdir(), 'rea-')), { maxParams: 10 }))).rejects.toThrow(
      new RegExp(`pretrain\\.cells\\.maxProxyParams: none of the 40 initial cells fits under 10 parameters .*smallest needs ${smallest}`),
    );
    const allFail = labelledCells(async (cells) => cells.map(() => null), small(mkdtempSync(join(tmpdir(), 'rea-'))));
    await expect(allFail).rejects.toThrow(/pretrain\.cells: scoring failed for every one of the/);
  });

  it('refuses a stream written with other options, and builds the normalised split', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rea-'));
    const history = await labelledCells(scorer({ n: 0 }), small(dir));
    await expect(labelledCells(scorer({ n: 0 }), small(dir, { seed: 4 }))).rejects.toThrow(/written with other options: seed 3 \(now 4\)$/);
    writeFileSync(join(dir, STREAM_FILE), readFileSync(join(dir, STREAM_FILE), 'utf8').replace(/\n[^\n]*\n$/, '\nnot json\n'));
    await expect(labelledCells(scorer({ n: 0 }), small(dir))).rejects.toThrow(/not valid JSON/);
    const data = labelledDataset(history);
    expect(data.heldOut.cells).toHaveLength(5);
    expect(data.train.cells).toHaveLength(85);
    const all = [...data.train.conditions, ...data.heldOut.conditions];
    for (let d = 0; d < 4; d++) {
      expect(Math.min(...all.map((c) => c[d]!))).toBe(0);
      expect(Math.max(...all.map((c) => c[d]!))).toBe(1);
    }
  });
});
