import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues } from '../../plugin/proxies/jacobi.js';
import { JACOV_K, jacovFromEigenvalues, rowCorrelation } from '../../plugin/proxies/jacov.js';
import { Rng } from '../../plugin/util/rng.js';
import { matmul, transpose } from './host-math.js';

/** Q of a QR factorisation of a random matrix, by modified Gram–Schmidt: an orthogonal matrix. */
function randomOrthogonal(n: number, rng: Rng): number[][] {
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    let v = Array.from({ length: n }, () => rng.normal());
    for (const q of cols) {
      const d = v.reduce((s, x, i) => s + x * q[i]!, 0);
      v = v.map((x, i) => x - d * q[i]!);
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    cols.push(v.map((x) => x / norm));
  }
  return transpose(cols);
}

describe('symmetric eigenvalues by Jacobi iteration (method.md §5.8, §15.1)', () => {
  it('solves the 3×3 second-difference matrix: 2 − √2, 2, 2 + √2', () => {
    const ev = symmetricEigenvalues([2, -1, 0, -1, 2, -1, 0, -1, 2], 3);
    expect(ev[0]).toBeCloseTo(2 - Math.SQRT2, 13);
    expect(ev[1]).toBeCloseTo(2, 13);
    expect(ev[2]).toBeCloseTo(2 + Math.SQRT2, 13);
  });

  it('finds a repeated eigenvalue and a zero one: [[1,1,0],[1,1,0],[0,0,3]] has 0, 2, 3', () => {
    const ev = symmetricEigenvalues([1, 1, 0, 1, 1, 0, 0, 0, 3], 3);
    expect(Math.abs(ev[0]!)).toBeLessThan(1e-14);
    expect(ev[1]).toBeCloseTo(2, 13);
    expect(ev[2]).toBeCloseTo(3, 13);
  });

  it('recovers the spectrum of a random Q·diag·Qᵀ of order 64, including clustered and tiny values', () => {
    const rng = new Rng(11);
    const n = 64;
    const spectrum = Array.from({ length: n }, (_, i) => (i < 5 ? 1e-6 * i : i % 7 === 0 ? 3 : rng.next() * 10 - 2));
    const q = randomOrthogonal(n, rng);
    const d = spectrum.map((v, i) => spectrum.map((_, j) => (i === j ? v : 0)));
    const a = matmul(matmul(q, d), transpose(q));
    // Symmetrise the float64 round-off of the product.
    const flat = a.flatMap((row, i) => row.map((v, j) => (v + a[j]![i]!) / 2));
    const ev = symmetricEigenvalues(flat, n);
    const want = [...spectrum].sort((x, y) => x - y);
    want.forEach((v, i) => expect(Math.abs(ev[i]! - v)).toBeLessThan(1e-11));
  });

  it('rejects non-symmetric and non-finite input', () => {
    expect(() => symmetricEigenvalues([1, 2, 3, 4], 2)).toThrow(/not symmetric/);
    expect(() => symmetricEigenvalues([1, Number.NaN, Number.NaN, 1], 2)).toThrow(/non-finite/);
    expect(() => symmetricEigenvalues([1, 2, 3], 2)).toThrow(RangeError);
  });
});

describe('jacov host math (method.md §5.8)', () => {
  it('correlates rows as numpy corrcoef does: a row and its affine image correlate ±1', () => {
    const c = rowCorrelation([1, 2, 4, 3, 5, 9, -2, -4, -8], 3);
    // Row 2 = 2·row 1 + 1 and row 3 = −2·row 1 exactly.
    expect(Array.from(c)).toEqual([1, 1, -1, 1, 1, -1, -1, -1, 1].map((v) => expect.closeTo(v, 14)));
    expect(() => rowCorrelation([1, 1, 1, 0, 1, 2], 2)).toThrow(/sample 0 has zero variance/);
  });

  it('scores eigenvalues 1 ± r as −Σ[log(λ + k) + 1/(λ + k)] with k = 1e-5', () => {
    const r = 0.3;
    const k = 1e-5;
    expect(JACOV_K).toBe(k);
    const want = -(Math.log(1 + r + k) + 1 / (1 + r + k) + Math.log(1 - r + k) + 1 / (1 - r + k));
    expect(jacovFromEigenvalues(symmetricEigenvalues([1, r, r, 1], 2))).toBeCloseTo(want, 12);
  });
});
