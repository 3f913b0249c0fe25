import { describe, expect, it } from 'vitest';
import { fitGmm, logDensity, mixtureFromJson, predictCluster, responsibilities } from '../../plugin/generators/gmm.js';
import type { GaussianMixture } from '../../plugin/generators/gmm.js';
import { Rng } from '../../plugin/util/rng.js';

/** Draws from a known mixture with diagonal-scaled unit covariance around each mean. */
function draw(means: number[][], weights: number[], sd: number, n: number, seed: number): { points: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const points: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    let u = rng.next();
    let k = 0;
    while (k < weights.length - 1 && u >= weights[k]!) {
      u -= weights[k]!;
      k++;
    }
    labels.push(k);
    points.push(means[k]!.map((m) => m + sd * rng.normal()));
  }
  return { points, labels };
}

function closestMatch(found: number[][], mean: number[]): number {
  let best = 0;
  let bestD = Infinity;
  found.forEach((m, i) => {
    const d = m.reduce((s, v, j) => s + (v - mean[j]!) ** 2, 0);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

describe('Gaussian mixture (method.md §8)', () => {
  it('recovers the means and weights of a well-separated 2-D mixture', () => {
    const means = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const weights = [0.5, 0.3, 0.2];
    const { points } = draw(means, weights, 1, 3000, 7);
    const fit = fitGmm(points, { components: 3, seed: 1 });
    expect(fit.converged).toBe(true);
    means.forEach((m, k) => {
      const j = closestMatch(fit.mixture.means, m);
      // Standard error of a mean of ~600–1500 unit-variance points is ≲ 0.05.
      fit.mixture.means[j]!.forEach((v, a) => expect(Math.abs(v - m[a]!)).toBeLessThan(0.15));
      expect(Math.abs(fit.mixture.weights[j]! - weights[k]!)).toBeLessThan(0.03);
      // Unit covariance within sampling error.
      expect(fit.mixture.covariances[j]![0]![0]).toBeCloseTo(1, 0);
      expect(Math.abs(fit.mixture.covariances[j]![0]![1]!)).toBeLessThan(0.15);
    });
    // The mean log-likelihood of unit Gaussians, well separated: −log 2π − 1 + Σ w log w (≈ entropy term).
    const expected = -Math.log(2 * Math.PI) - 1 + weights.reduce((s, w) => s + w * Math.log(w), 0);
    expect(Math.abs(fit.logLikelihood - expected)).toBeLessThan(0.08);
  });

  it('recovers a 4-D mixture and assigns points to their generating component', () => {
    const means = [
      [0, 0, 0, 0],
      [6, 6, 0, 0],
      [0, 6, 6, 6],
      [6, 0, 6, 0],
    ];
    const weights = [0.25, 0.25, 0.25, 0.25];
    const { points, labels } = draw(means, weights, 0.5, 1200, 11);
    const fit = fitGmm(points, { components: 4, seed: 3 });
    const mapping = means.map((m) => closestMatch(fit.mixture.means, m));
    expect(new Set(mapping).size).toBe(4);
    means.forEach((m, k) => fit.mixture.means[mapping[k]!]!.forEach((v, a) => expect(Math.abs(v - m[a]!)).toBeLessThan(0.1)));
    const agree = points.filter((p, i) => predictCluster(fit.mixture, p) === mapping[labels[i]!]).length;
    expect(agree).toBe(points.length);
  });

  it('gives the closed-form log-density of a single Gaussian (worked by hand)', () => {
    // Σ = [[2, 1], [1, 2]]: det 3, Σ⁻¹ = [[2, −1], [−1, 2]]/3. x − μ = (1, −1): quad = (2 + 2 + 2)/3 = 2.
    const m: GaussianMixture = { weights: [1], means: [[1, 2]], covariances: [[[2, 1], [1, 2]]] };
    const expected = -Math.log(2 * Math.PI) - 0.5 * Math.log(3) - 0.5 * 2;
    expect(logDensity(m, [2, 1])).toBeCloseTo(expected, 12);
    // At the mean: quad = 0.
    expect(logDensity(m, [1, 2])).toBeCloseTo(-Math.log(2 * Math.PI) - 0.5 * Math.log(3), 12);
  });

  it('mixes two 1-D components by hand and responsibilities sum to 1', () => {
    // 0.3·N(x; 0, 1) + 0.7·N(x; 2, 4) at x = 1.
    const m: GaussianMixture = { weights: [0.3, 0.7], means: [[0], [2]], covariances: [[[1]], [[4]]] };
    const n1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    const n2 = Math.exp(-1 / 8) / Math.sqrt(2 * Math.PI * 4);
    const p = 0.3 * n1 + 0.7 * n2;
    expect(logDensity(m, [1])).toBeCloseTo(Math.log(p), 12);
    const r = responsibilities(m, [1]);
    expect(r[0]).toBeCloseTo((0.3 * n1) / p, 12);
    expect(r[0]! + r[1]!).toBeCloseTo(1, 14);
    expect(predictCluster(m, [1])).toBe(0.3 * n1 > 0.7 * n2 ? 0 : 1);
    const fit = fitGmm(draw([[0, 0], [5, 5]], [0.5, 0.5], 1, 200, 2).points, { components: 2, seed: 5 });
    for (const x of [[0, 0], [2.5, 2.5], [9, -3]]) {
      expect(responsibilities(fit.mixture, x).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    }
  });

  it('is deterministic for a seed', () => {
    const { points } = draw([[0, 0], [3, 3], [0, 4]], [0.4, 0.3, 0.3], 1, 300, 9);
    const a = fitGmm(points, { components: 5, seed: 42 });
    const b = fitGmm(points, { components: 5, seed: 42 });
    expect(b).toEqual(a);
  });

  it('rejects too few distinct points and bad checkpoints with clear errors', () => {
    expect(() => fitGmm([[1, 1], [1, 1], [2, 2]], { components: 3, seed: 0 })).toThrow(/2 distinct points cannot support 3 components/);
    expect(() => fitGmm([[1, 1], [1]], { components: 1, seed: 0 })).toThrow(/point 1 has 1 dimensions/);
    const good = { weights: [0.5, 0.5], means: [[0], [1]], covariances: [[[1]], [[2]]] };
    expect(mixtureFromJson(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(() => mixtureFromJson({ ...good, weights: [0.5, 0.6] })).toThrow(/sum to/);
    expect(() => mixtureFromJson({ ...good, means: [[0]] })).toThrow(/expected 2 mean vectors/);
    expect(() => mixtureFromJson({ ...good, covariances: [[[1]], [[-1]]] })).toThrow(/not positive definite/);
    expect(() => mixtureFromJson({ ...good, covariances: [[[1]], [['x']]] })).toThrow(/covariances\[1\]\[0\]\[0\]/);
    expect(() => mixtureFromJson(null)).toThrow(/expected an object/);
  });
});
