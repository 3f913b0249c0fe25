import { describe, expect, it } from 'vitest';
import { safeLogDet } from '../../plugin/proxies/logdet.js';
import { Rng } from '../../plugin/util/rng.js';

function flat(rows: number[][]): number[] {
  return rows.flat();
}

describe('safeLogDet (method.md §15.5)', () => {
  it('gives Σ log diag for a diagonal matrix', () => {
    const d = [2, 3, 0.5, 7];
    const m = d.map((v, i) => d.map((_, j) => (i === j ? v : 0)));
    expect(safeLogDet(flat(m), 4)).toBeCloseTo(Math.log(2) + Math.log(3) + Math.log(0.5) + Math.log(7), 12);
  });

  it('returns 0 for singular matrices: two identical rows, a row that is the sum of two others, all zeros', () => {
    expect(safeLogDet(flat([[1, 2, 3], [1, 2, 3], [4, 5, 7]]), 3)).toBe(0);
    expect(safeLogDet(flat([[1, 2, 3], [4, 5, 6], [5, 7, 9]]), 3)).toBe(0);
    expect(safeLogDet([0, 0, 0, 0], 2)).toBe(0);
  });

  it('matches 3×3 determinants expanded by cofactors by hand', () => {
    // det [[2,1,0],[1,3,1],[0,1,4]] = 2·(3·4 − 1·1) − 1·(1·4 − 1·0) + 0 = 22 − 4 = 18
    expect(safeLogDet(flat([[2, 1, 0], [1, 3, 1], [0, 1, 4]]), 3)).toBeCloseTo(Math.log(18), 12);
    // det [[0,1,2],[3,0,1],[1,1,0]] = 0·(0 − 1) − 1·(0 − 1) + 2·(3 − 0) = 7 (needs a row swap)
    expect(safeLogDet(flat([[0, 1, 2], [3, 0, 1], [1, 1, 0]]), 3)).toBeCloseTo(Math.log(7), 12);
    // det [[0,2],[3,0]] = −6: log|det|
    expect(safeLogDet([0, 2, 3, 0], 2)).toBeCloseTo(Math.log(6), 12);
  });

  it('gives Σ log λ for a random 64×64 SPD matrix Q·diag(λ)·Qᵀ', () => {
    const n = 64;
    const rng = new Rng(7);
    // Gram–Schmidt on random columns gives an orthonormal Q.
    const q: number[][] = [];
    while (q.length < n) {
      const v = Array.from({ length: n }, () => rng.normal());
      for (const u of q) {
        const dot = u.reduce((s, ui, i) => s + ui * v[i]!, 0);
        for (let i = 0; i < n; i++) v[i]! -= dot * u[i]!;
      }
      const norm = Math.hypot(...v);
      q.push(v.map((vi) => vi / norm));
    }
    const lambda = Array.from({ length: n }, (_, i) => 0.25 + 0.5 * i);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += q[k]![i]! * lambda[k]! * q[k]![j]!;
        a[i * n + j] = s;
      }
    }
    const expected = lambda.reduce((s, l) => s + Math.log(l), 0);
    expect(safeLogDet(a, n)).toBeCloseTo(expected, 8);
  });

  it('returns NaN for non-finite entries and rejects a wrong size', () => {
    expect(safeLogDet([1, Number.NaN, 0, 1], 2)).toBeNaN();
    expect(() => safeLogDet([1, 2, 3], 2)).toThrow(RangeError);
  });
});
