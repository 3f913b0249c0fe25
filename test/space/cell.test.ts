import { describe, expect, it } from 'vitest';
import {
  canonicalCell,
  cellFingerprint,
  describeCell,
  edgeCount,
  emptyAdjacency,
  isActive,
  predecessors,
  prune,
  successors,
  validateCell,
} from '../../plugin/space/cell.js';
import type { Cell, KernelSize, OpName } from '../../plugin/space/types.js';

type Edge = readonly [number, number];

function adjOf(edges: readonly Edge[]): (0 | 1)[][] {
  const adj = emptyAdjacency();
  for (const [i, j] of edges) adj[i]![j] = 1;
  return adj;
}

const OPS: OpName[] = ['conv', 'sep_conv', 'dil_conv', 'mbconv_e2', 'mbconv_e3', 'mbconv_e6'];
const KS: KernelSize[] = [3, 3, 5, 1, 3, 5];

function cellOf(edges: readonly Edge[], ops: OpName[] = OPS, kernels: KernelSize[] = KS): Cell {
  return { adj: adjOf(edges), ops, kernels };
}

function edgesOf(adj: ReadonlyArray<ReadonlyArray<0 | 1>>): Edge[] {
  const out: Edge[] = [];
  adj.forEach((row, i) => row.forEach((x, j) => { if (x === 1) out.push([i, j]); }));
  return out;
}

describe('neighbourhoods', () => {
  const cell = cellOf([[0, 1], [0, 2], [1, 2], [2, 7], [0, 7]]);
  it('lists predecessors, successors, edges and activity', () => {
    expect(predecessors(cell, 2)).toEqual([0, 1]);
    expect(successors(cell, 0)).toEqual([1, 2, 7]);
    expect(edgeCount(cell)).toBe(5);
    expect(isActive(cell, 1)).toBe(true);
    expect(isActive(cell, 3)).toBe(false);
  });
  it('describes the cell in the §17.3 notation, omitting isolated nodes', () => {
    expect(describeCell(cell)).toBe('n1=conv/k3<-[in]; n2=sep_conv/k3<-[in,n1]; out<-[in,n2]');
  });
});

describe('prune (§2.7)', () => {
  it('removes a node with out-edges but no in-edges', () => {
    // n3 feeds n4 and the output but nothing feeds n3.
    const pruned = prune(adjOf([[0, 1], [1, 7], [3, 4], [3, 7], [0, 4], [4, 7]]));
    expect(edgesOf(pruned)).toEqual([[0, 1], [0, 4], [1, 7], [4, 7]]);
  });

  it('removes a dead chain that needs two passes to vanish', () => {
    // Dead-end chain in -> n5 -> n6 (n6 has no out-edge): the first pass deletes n5 -> n6 when it
    // reaches n6, after n5 was already checked, so in -> n5 survives that pass (the reference's
    // single pass stopped here, §14 P4); the second pass removes it. The headless chain
    // n2 -> n3 -> n4 -> out (nothing enters n2) goes as well.
    const start = adjOf([[0, 1], [1, 7], [2, 3], [3, 4], [4, 7], [0, 5], [5, 6]]);
    const pruned = prune(start);
    expect(edgesOf(pruned)).toEqual([[0, 1], [1, 7]]);
    // Only the dead end alone: still two passes, and the result is the bare in -> n1 -> out path.
    expect(edgesOf(prune(adjOf([[0, 1], [1, 7], [0, 5], [5, 6]])))).toEqual([[0, 1], [1, 7]]);
    expect(prune(pruned)).toEqual(pruned);
  });

  it('leaves a valid cell unchanged', () => {
    const adj = adjOf([[0, 1], [0, 2], [1, 2], [2, 7], [0, 7]]);
    expect(prune(adj)).toEqual(adj);
  });
});

describe('validity rules G1–G7 (§2.6)', () => {
  const valid = cellOf([[0, 1], [1, 2], [2, 7]]);
  const rules = (cell: Cell): string[] => validateCell(cell).map((m) => m.slice(0, 2));

  it('accepts a minimal valid chain', () => {
    expect(validateCell(valid)).toEqual([]);
  });
  it('G1: an edge from a higher to a lower node', () => {
    expect(rules(cellOf([[0, 1], [1, 2], [2, 7], [3, 1]]))).toContain('G1');
  });
  it('G2: no active intermediate node', () => {
    expect(rules(cellOf([[0, 7]]))).toContain('G2');
  });
  it('G3: the input has no out-edge', () => {
    expect(rules(cellOf([[1, 2], [2, 3], [3, 7]]))).toContain('G3');
  });
  it('G4: the output has no in-edge', () => {
    expect(rules(cellOf([[0, 1], [1, 2], [2, 3]]))).toContain('G4');
  });
  it('G5: fewer than three edges (and nothing else wrong)', () => {
    expect(rules(cellOf([[0, 1], [1, 7]]))).toEqual(['G5']);
  });
  it('G6: a dead node that pruning would remove (and nothing else wrong)', () => {
    expect(rules(cellOf([[0, 1], [1, 7], [0, 7], [0, 2]]))).toEqual(['G6']);
  });
  it('G7: an active node with an unknown op or kernel', () => {
    const bad = { ...valid, ops: ['skip', ...OPS.slice(1)] as unknown as OpName[] };
    expect(rules(bad)).toEqual(['G7']);
    const badK = { ...valid, kernels: [7, ...KS.slice(1)] as unknown as KernelSize[] };
    expect(rules(badK)).toEqual(['G7']);
  });
  it('an isolated node may carry any label without breaking G7', () => {
    const bad = { ...valid, ops: [...OPS.slice(0, 5), 'skip'] as unknown as OpName[] };
    expect(validateCell(bad)).toEqual([]);
  });
  it('canonicalCell rejects labels outside the op set and lower-triangular edges', () => {
    expect(() => canonicalCell({ ...valid, ops: ['skip', ...OPS.slice(1)] as unknown as OpName[] })).toThrow(/n1 has unknown op/);
    expect(() => canonicalCell(cellOf([[0, 1], [2, 1], [1, 7]]))).toThrow(/not upper-triangular/);
    expect(canonicalCell(valid)).toEqual(valid);
  });
});

describe('fingerprint (§2.5)', () => {
  // A diamond: in -> n1, in -> n2, n1 -> n3, n2 -> n3, n3 -> out, in -> out.
  const base = cellOf(
    [[0, 1], [0, 2], [1, 3], [2, 3], [3, 7], [0, 7]],
    ['conv', 'mbconv_e3', 'sep_conv', 'avg_pool', 'avg_pool', 'avg_pool'],
    [3, 5, 1, 3, 3, 3],
  );

  it('is invariant under isomorphic relabelling of the intermediate nodes', () => {
    // Swap n1 and n2 (both fed by the input, both feeding n3) ...
    const swapped = cellOf(
      [[0, 1], [0, 2], [1, 3], [2, 3], [3, 7], [0, 7]],
      ['mbconv_e3', 'conv', 'sep_conv', 'avg_pool', 'avg_pool', 'avg_pool'],
      [5, 3, 1, 3, 3, 3],
    );
    // ... or move the whole diamond to nodes n2, n4, n5, n6.
    const moved = cellOf(
      [[0, 2], [0, 4], [2, 6], [4, 6], [6, 7], [0, 7]],
      ['dil_conv', 'conv', 'bconv_e0.5', 'mbconv_e3', 'mbconv_e6', 'sep_conv'],
      [5, 3, 1, 5, 1, 1],
    );
    expect(cellFingerprint(swapped)).toBe(cellFingerprint(base));
    expect(cellFingerprint(moved)).toBe(cellFingerprint(base));
  });

  it('ignores the label of an isolated node', () => {
    const relabelled = { ...base, ops: ['conv', 'mbconv_e3', 'sep_conv', 'mbconv_e6', 'dil_conv', 'conv'] as OpName[], kernels: [3, 5, 1, 5, 1, 5] as KernelSize[] };
    expect(cellFingerprint(relabelled)).toBe(cellFingerprint(base));
  });

  it('changes when an active op, an active kernel or the wiring changes', () => {
    const fp = cellFingerprint(base);
    expect(cellFingerprint({ ...base, ops: ['dil_conv', ...base.ops.slice(1)] })).not.toBe(fp);
    expect(cellFingerprint({ ...base, kernels: [5, ...base.kernels.slice(1)] })).not.toBe(fp);
    const noResidual = cellOf([[0, 1], [0, 2], [1, 3], [2, 3], [3, 7]], [...base.ops], [...base.kernels]);
    expect(cellFingerprint(noResidual)).not.toBe(fp);
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
  });
});
