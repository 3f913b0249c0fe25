import { describe, expect, it } from 'vitest';
import { decodeCell, decodeCellWithReport, probabilitiesFromFlat, repairAdjacency } from '../../plugin/generators/repair.js';
import { isValidCell, validateCell } from '../../plugin/space/cell.js';
import { cellToReference } from '../../plugin/space/encoding.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import type { Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';

/** 9×9 adjacency probabilities, all `low`, with base-indexed edges i→j set to the given values. */
function adjProbs(edges: Record<string, number>, low = 0.1): number[][] {
  const m = Array.from({ length: 9 }, () => new Array<number>(9).fill(low));
  for (const [key, p] of Object.entries(edges)) {
    const [i, j] = key.split('-').map(Number) as [number, number];
    m[i + 1]![j + 1] = p;
  }
  return m;
}

/** Features: every intermediate row prefers op column `op` and kernel column `k` (0..2). */
function featProbs(op = 1, k = 1): number[][] {
  return Array.from({ length: 9 }, () => Array.from({ length: 15 }, (_, c) => (c === op || c === 12 + k ? 0.8 : 0.2)));
}

function edgesOf(cell: Cell): string[] {
  const out: string[] = [];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) if (cell.adj[i]![j] === 1) out.push(`${i}-${j}`);
  return out;
}

describe('decodeCell (method.md §9.9)', () => {
  it('thresholds a clear graph unchanged', () => {
    const cell = decodeCell({ adj: adjProbs({ '0-1': 0.9, '1-7': 0.9, '0-7': 0.8 }), feat: featProbs(2, 2) })!;
    expect(edgesOf(cell)).toEqual(['0-1', '0-7', '1-7']);
    expect(cell.ops).toEqual(Array(6).fill('sep_conv'));
    expect(cell.kernels).toEqual(Array(6).fill(5));
  });

  it('gives a parentless feeder its most probable parent, and that 1 survives the later thresholding', () => {
    // col 7: 2→7 = 1; column 2 has nothing > 0.5, argmax is row 1 (0.4) → 1→2 = 1.
    // col 2: 1→2 survives; node 2 is used downstream, column 1 has nothing > 0.5 → argmax row 0 (0.3) → 0→1.
    const adj = adjProbs({ '2-7': 0.9, '0-2': 0.2, '1-2': 0.4, '0-1': 0.3 }, 0.05);
    const cell = decodeCell({ adj, feat: featProbs() })!;
    expect(edgesOf(cell)).toEqual(['0-1', '1-2', '2-7']);
  });

  it('reads the later column as probabilities: a feeder with a likely parent is not repaired', () => {
    // col 7: 3→7; column 3 holds 0.6 at row 2 (> 0.5) → no repair of node 3.
    // col 3: 2→3 thresholded; node 3 used, column 2 has nothing > 0.5 → argmax row 1 (0.45) → 1→2.
    // col 2: 1→2 survives; column 1 has 0→1 = 0.2 only → argmax row 0 → 0→1.
    const adj = adjProbs({ '3-7': 0.9, '2-3': 0.6, '1-2': 0.45, '0-2': 0.3, '0-1': 0.2 }, 0.05);
    expect(edgesOf(decodeCell({ adj, feat: featProbs() })!)).toEqual(['0-1', '1-2', '2-3', '3-7']);
  });

  it('repairs a shared feeder once: the second consumer sees the 1 set for the first', () => {
    // 3→7 and 3→5, 5→7 likely; column 3 all low with argmax row 1 (0.3); column 1 has 0→1 = 0.9.
    const adj = adjProbs({ '3-7': 0.9, '3-5': 0.9, '5-7': 0.9, '1-3': 0.3, '0-3': 0.2, '0-1': 0.9 }, 0.05);
    const cell = decodeCell({ adj, feat: featProbs() })!;
    expect(edgesOf(cell)).toEqual(['0-1', '1-3', '3-5', '3-7', '5-7']);
  });

  it('only repairs feeders of nodes used downstream; dangling nodes go to the output, then pruning cleans up', () => {
    // 3→5 likely but nothing leaves 5: col 5 is not used downstream, so node 3 gets no parent.
    // Then 5 (in-edge, no out-edge) → 5→7; pruning removes 3 (no in-edge) and then 5.
    // 0→4 likely, nothing leaves 4: 4→7 is added and kept. 0→1, 1→7 keep the cell valid.
    const adj = adjProbs({ '3-5': 0.9, '0-4': 0.9, '0-1': 0.9, '1-7': 0.9, '1-3': 0.4 }, 0.05);
    const raw = repairAdjacency(adj.slice(1).map((row) => Array.from({ length: 8 }, (_, j) => row[j + 1]!)).map((row, i) => row.map((x, j) => (j > i ? x : 0))));
    expect(raw[3]![5]).toBe(1);
    expect(raw[5]![7]).toBe(1);
    expect(raw[1]![3]).toBe(0);
    const cell = decodeCell({ adj, feat: featProbs() })!;
    expect(edgesOf(cell)).toEqual(['0-1', '0-4', '1-7', '4-7']);
  });

  it('masked argmax ignores role columns and follows the label restriction', () => {
    const feat = featProbs(0, 0);
    // Row of node 1: role columns and skip-like zero op part would win an unmasked argmax.
    feat[2] = Array.from({ length: 15 }, (_, c) => [0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.6, 0.1, 0.1, 0.99, 0.99, 0.99, 0.1, 0.2, 0.7][c]!);
    const adj = adjProbs({ '0-1': 0.9, '1-7': 0.9, '0-7': 0.9 });
    const free = decodeCell({ adj, feat })!;
    expect(free.ops[0]).toBe('mbconv_e6');
    expect(free.kernels[0]).toBe(5);
    const restricted = decodeCell({ adj, feat }, { ops: ['avg_pool', 'conv'], kernels: [1, 3] })!;
    expect(restricted.ops[0]).toBe('avg_pool');
    expect(restricted.kernels[0]).toBe(3);
    expect(restricted.ops.every((op) => op === 'avg_pool' || op === 'conv')).toBe(true);
  });

  it('falls back to the most probable missing forward edges when §9.9 leaves too few edges', () => {
    // §9.9 gives 0→1→7 (2 edges, G5 fails). Most probable missing edge is 0→7 (0.45).
    const adj = adjProbs({ '0-1': 0.9, '1-7': 0.9, '0-7': 0.45, '2-7': 0.4 }, 0.05);
    const report = decodeCellWithReport({ adj, feat: featProbs() });
    expect(report.usedFallback).toBe(true);
    expect(report.addedEdges).toEqual([[0, 7]]);
    expect(edgesOf(report.cell!)).toEqual(['0-1', '0-7', '1-7']);
  });

  it('decodes the exact encoding of a cell back to the cell', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 50; t++) {
      const cell = sampleCell(rng);
      const { adj, features } = cellToReference(cell);
      expect(decodeCell({ adj, feat: features })).toEqual(cell);
    }
  });

  it('every decode of 10 000 random probability matrices is valid', () => {
    const rng = new Rng(11);
    let nulls = 0;
    let fallbacks = 0;
    for (let t = 0; t < 10_000; t++) {
      // Mix dense and sparse regimes: probabilities u^s, s in {0.5, 1, 3}.
      const s = [0.5, 1, 3][t % 3]!;
      const adj = Array.from({ length: 81 }, () => rng.next() ** s);
      const feat = Array.from({ length: 135 }, () => rng.next());
      const report = decodeCellWithReport(probabilitiesFromFlat(adj, feat));
      if (report.cell === null) nulls++;
      else expect(validateCell(report.cell)).toEqual([]);
      if (report.usedFallback) fallbacks++;
    }
    console.log(`random decodes: null rate ${nulls / 10_000}, fallback rate ${fallbacks / 10_000}`);
    expect(nulls).toBe(0);
  });

  it('returns null for non-finite probabilities and throws on wrong shapes', () => {
    const adj = adjProbs({ '0-1': Number.NaN });
    expect(decodeCell({ adj, feat: featProbs() })).toBeNull();
    expect(() => decodeCell({ adj: adj.slice(1), feat: featProbs() })).toThrow(/9 rows/);
    expect(isValidCell(decodeCell({ adj: adjProbs({}), feat: featProbs() })!)).toBe(true);
  });
});
