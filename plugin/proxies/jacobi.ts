/**
 * Eigenvalues of a real symmetric matrix by the cyclic Jacobi method, on the host in float64
 * (method.md §15.1: the jacov correlation matrix is at most 64×64, where Jacobi converges in a
 * handful of sweeps and needs no library).
 */

export interface JacobiOptions {
  /** Stop when the off-diagonal Frobenius norm is at most this fraction of the matrix's. */
  readonly tolerance?: number;
  readonly maxSweeps?: number;
}

/**
 * The eigenvalues of the n×n symmetric matrix given row-major, ascending. Throws for a
 * non-symmetric or non-finite matrix, or if the sweeps do not converge.
 */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number, options: JacobiOptions = {}): Float64Array {
  const tolerance = options.tolerance ?? 1e-14;
  const maxSweeps = options.maxSweeps ?? 100;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`symmetricEigenvalues: bad order ${n}`);
  if (matrix.length !== n * n) {
    throw new RangeError(`symmetricEigenvalues: expected ${n * n} entries for a ${n}×${n} matrix, got ${matrix.length}`);
  }
  const a = Float64Array.from(matrix);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new RangeError('symmetricEigenvalues: non-finite entry');
    total += a[i]! * a[i]!;
  }
  const scale = Math.sqrt(total);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(a[i * n + j]! - a[j * n + i]!) > 1e-12 * scale) {
        throw new RangeError(`symmetricEigenvalues: matrix is not symmetric at (${i}, ${j})`);
      }
    }
  }

  const offNorm = (): number => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += 2 * a[i * n + j]! * a[i * n + j]!;
    return Math.sqrt(s);
  };

  let converged = scale === 0 || offNorm() <= tolerance * scale;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // Rotation angle that zeroes a_pq (Numerical Recipes §11.1), t = tan φ with |φ| ≤ π/4.
        const theta = (aqq - app) / (2 * apq);
        const t =
          Math.abs(theta) > 1e150 ? 1 / (2 * theta) : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue;
          const arp = a[r * n + p]!;
          const arq = a[r * n + q]!;
          const newRp = c * arp - s * arq;
          const newRq = s * arp + c * arq;
          a[r * n + p] = newRp;
          a[p * n + r] = newRp;
          a[r * n + q] = newRq;
          a[q * n + r] = newRq;
        }
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
      }
    }
    converged = offNorm() <= tolerance * scale;
  }
  if (!converged) throw new Error(`symmetricEigenvalues: no convergence after ${maxSweeps} sweeps`);
  const eigenvalues = new Float64Array(n);
  for (let i = 0; i < n; i++) eigenvalues[i] = a[i * n + i]!;
  return eigenvalues.sort();
}
