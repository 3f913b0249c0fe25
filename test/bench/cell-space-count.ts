/**
 * Exhaustive count of the cell wiring space (method.md §2.10, §17.6): all 2^28 upper-triangular
 * 8-node DAGs, kept when they satisfy G2–G6. Expected 25 098 488 patterns; by number of active
 * intermediate nodes 1..6: 6 / 150 / 2 440 / 50 190 / 1 176 492 / 23 869 210; labelled bound
 * 9 264 329 105 697 756. Slow (2.7·10^8 graphs), so it lives with the benchmarks, not the tests.
 *
 * Run: `node dist/test/bench/cell-space-count.js` after `npm run build`.
 *
 * The enumeration walks the parent set of every node as a bit mask. With edges only i → j (i < j),
 * pruning leaves a graph unchanged (G6) exactly when every intermediate node has an in-edge iff it
 * has an out-edge: an edge u → v then always starts at the input or at a node with an in-edge, and
 * every node with an out-edge eventually reaches the output. That turns the check into bit tests.
 */
import { pathToFileURL } from 'node:url';

export interface CellSpaceCount {
  readonly total: number;
  /** byActive[k − 1] = patterns with k active intermediate nodes. */
  readonly byActive: readonly number[];
  /** Σ_k byActive[k] · 27^k (9 ops × 3 kernels per active node). */
  readonly labelled: bigint;
}

export function countWiringPatterns(): CellSpaceCount {
  const byActive = [0, 0, 0, 0, 0, 0];
  // parents[v] is a mask over 0..v−1; outs accumulates, per source node u, whether u has an out-edge.
  const parents = new Array<number>(8).fill(0);
  const recurse = (v: number, outMask: number, edges: number): void => {
    if (v === 7) {
      for (let p7 = 1; p7 < 128; p7++) {
        // G4 holds (p7 ≥ 1); G3 needs an out-edge of the input.
        const out = outMask | p7;
        if ((out & 1) === 0) continue;
        let active = 0;
        let ok = true;
        for (let u = 1; u <= 6; u++) {
          const hasIn = parents[u] !== 0;
          const hasOut = (out >> u) & 1;
          if (hasIn !== (hasOut === 1)) { ok = false; break; }
          if (hasIn) active++;
        }
        if (!ok || active === 0) continue; // G6, G2
        if (edges + popcount(p7) < 3) continue; // G5
        byActive[active - 1]!++;
      }
      return;
    }
    for (let p = 0; p < 1 << v; p++) {
      parents[v] = p;
      recurse(v + 1, outMask | p, edges + popcount(p));
    }
  };
  recurse(1, 0, 0);
  const total = byActive.reduce((a, b) => a + b, 0);
  const labelled = byActive.reduce((sum, n, i) => sum + BigInt(n) * 27n ** BigInt(i + 1), 0n);
  return { total, byActive, labelled };
}

function popcount(x: number): number {
  let n = 0;
  while (x) { x &= x - 1; n++; }
  return n;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const start = process.hrtime.bigint();
  const result = countWiringPatterns();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`wiring patterns: ${result.total} (expected 25098488)`);
  console.log(`by active nodes 1..6: ${result.byActive.join(' / ')} (expected 6 / 150 / 2440 / 50190 / 1176492 / 23869210)`);
  console.log(`labelled cells: ${result.labelled} (expected 9264329105697756)`);
  console.log(`enumerated 2^28 graphs in ${seconds.toFixed(1)} s`);
}
