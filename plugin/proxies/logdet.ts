/**
 * Host-side safe log-determinant (method.md §5.3, §15.5). NWOT kernel matrices are small (B×B,
 * B = 64) with integer entries, so plain float64 LU on the host is exact enough and avoids any
 * float32 tensor linear algebra.
 */

/** Relative pivot threshold below which a matrix counts as singular (§15.5 **chosen**). */
export const SINGULAR_PIVOT_RATIO = 1e-9;

/**
 * log|det A| of an n×n matrix given row-major, by LU with partial pivoting. A singular matrix
 * (a pivot |u_kk| ≤ 1e-9 · max|A_ij|, or an all-zero matrix) gives 0, the reference's safe
 * value; no jitter is added. Non-finite entries give NaN so callers can reject the candidate.
 */
export function safeLogDet(matrix: ArrayLike<number>, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`safeLogDet: bad order ${n}`);
  if (matrix.length !== n * n) {
    throw new RangeError(`safeLogDet: expected ${n * n} entries for a ${n}×${n} matrix, got ${matrix.length}`);
  }
  if (n === 0) return 0;
  const a = Float64Array.from(matrix);
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) return Number.NaN;
    const abs = Math.abs(v);
    if (abs > maxAbs) maxAbs = abs;
  }
  if (maxAbs === 0) return 0;
  const threshold = SINGULAR_PIVOT_RATIO * maxAbs;

  let logDet = 0;
  for (let k = 0; k < n; k++) {
    let pivotRow = k;
    let pivotAbs = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const abs = Math.abs(a[i * n + k]!);
      if (abs > pivotAbs) {
        pivotAbs = abs;
        pivotRow = i;
      }
    }
    if (pivotAbs <= threshold) return 0;
    if (pivotRow !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[pivotRow * n + j]!;
        a[pivotRow * n + j] = t;
      }
    }
    const pivot = a[k * n + k]!;
    logDet += Math.log(pivotAbs);
    for (let i = k + 1; i < n; i++) {
      const factor = a[i * n + k]! / pivot;
      if (factor === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j]! -= factor * a[k * n + j]!;
    }
  }
  return logDet;
}
