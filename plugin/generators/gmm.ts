/**
 * Gaussian mixture with full covariances in the 4-D condition space (method.md §8), fitted by EM
 * on the host in float64: k-means++ initialisation (seeded), at most 200 iterations, stop when the
 * mean log-likelihood improves by less than 1e-3, 1e-6 added to every covariance diagonal.
 * Densities go through a Cholesky factor of each covariance and log-sum-exp over components.
 */
import { InputError } from '../errors.js';
import { Rng } from '../util/rng.js';

export interface GaussianMixture {
  readonly weights: number[];
  readonly means: number[][];
  readonly covariances: number[][][];
}

export interface GmmFit {
  readonly mixture: GaussianMixture;
  /** Mean log-likelihood per point of the returned mixture. */
  readonly logLikelihood: number;
  /** EM iterations run (E- and M-step pairs). */
  readonly iterations: number;
  readonly converged: boolean;
}

export interface GmmOptions {
  readonly components: number;
  readonly seed: number;
  /** Default 200. */
  readonly maxIterations?: number;
  /** Stop when the mean log-likelihood changes by less than this (default 1e-3). */
  readonly tolerance?: number;
  /** Added to every covariance diagonal (default 1e-6). */
  readonly regularization?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Lower-triangular L with L·Lᵀ = a (row-major, dense). Throws on a matrix that is not positive definite. */
function cholesky(a: readonly (readonly number[])[], where: string): Float64Array[] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new InputError(`${where}: covariance is not positive definite (pivot ${i} = ${s})`);
        l[i]![i] = Math.sqrt(s);
      } else {
        l[i]![j] = s / l[j]![j]!;
      }
    }
  }
  return l;
}

/** Per component: log weight, Cholesky factor and log-determinant, so densities cost one triangular solve each. */
interface Prepared {
  readonly logWeights: number[];
  readonly means: readonly (readonly number[])[];
  readonly factors: Float64Array[][];
  readonly logDets: number[];
}

function prepare(m: GaussianMixture): Prepared {
  const factors = m.covariances.map((c, k) => cholesky(c, `GMM component ${k}`));
  return {
    logWeights: m.weights.map((w) => Math.log(w)),
    means: m.means,
    factors,
    logDets: factors.map((l) => 2 * l.reduce((s, row, i) => s + Math.log(row[i]!), 0)),
  };
}

/** log w_k + log N(x; μ_k, Σ_k) for every component k. */
function componentLogDensities(p: Prepared, x: readonly number[]): number[] {
  const d = x.length;
  const z = new Float64Array(d);
  return p.factors.map((l, k) => {
    const mean = p.means[k]!;
    let quad = 0;
    for (let i = 0; i < d; i++) {
      let s = x[i]! - mean[i]!;
      for (let j = 0; j < i; j++) s -= l[i]![j]! * z[j]!;
      z[i] = s / l[i]![i]!;
      quad += z[i]! * z[i]!;
    }
    return p.logWeights[k]! - 0.5 * (d * LOG_2PI + p.logDets[k]! + quad);
  });
}

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const v of values) s += Math.exp(v - max);
  return max + Math.log(s);
}

function checkPoint(m: GaussianMixture, x: readonly number[]): void {
  const d = m.means[0]?.length ?? 0;
  if (x.length !== d) throw new InputError(`GMM: point has ${x.length} dimensions, the mixture has ${d}`);
}

/** log p(x) under the mixture. */
export function logDensity(m: GaussianMixture, x: readonly number[]): number {
  checkPoint(m, x);
  return logSumExp(componentLogDensities(prepare(m), x));
}

/** Posterior responsibilities p(k | x), summing to 1. */
export function responsibilities(m: GaussianMixture, x: readonly number[]): number[] {
  checkPoint(m, x);
  const logs = componentLogDensities(prepare(m), x);
  const total = logSumExp(logs);
  return logs.map((v) => Math.exp(v - total));
}

/** The component with the largest responsibility (the cluster id of method.md §8). */
export function predictCluster(m: GaussianMixture, x: readonly number[]): number {
  checkPoint(m, x);
  const logs = componentLogDensities(prepare(m), x);
  let best = 0;
  for (let k = 1; k < logs.length; k++) if (logs[k]! > logs[best]!) best = k;
  return best;
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** k-means++ seeding: first centre uniform, then each next one with probability ∝ D². */
function kMeansPlusPlus(points: readonly (readonly number[])[], k: number, rng: Rng): number[][] {
  const centres: number[][] = [points[rng.int(0, points.length - 1)]!.slice()];
  const d2 = points.map((p) => squaredDistance(p, centres[0]!));
  while (centres.length < k) {
    const total = d2.reduce((s, v) => s + v, 0);
    let target = rng.next() * total;
    let chosen = -1;
    for (let i = 0; i < points.length; i++) {
      if (d2[i]! <= 0) continue;
      chosen = i;
      target -= d2[i]!;
      if (target < 0) break;
    }
    const centre = points[chosen]!.slice();
    centres.push(centre);
    for (let i = 0; i < points.length; i++) d2[i] = Math.min(d2[i]!, squaredDistance(points[i]!, centre));
  }
  return centres;
}

/** M-step: weights, means and regularised full covariances from responsibilities resp[n][k]. */
function maximise(points: readonly (readonly number[])[], resp: readonly Float64Array[], k: number, reg: number): GaussianMixture {
  const n = points.length;
  const d = points[0]!.length;
  const weights: number[] = [];
  const means: number[][] = [];
  const covariances: number[][][] = [];
  for (let c = 0; c < k; c++) {
    // The tiny floor keeps an empty component finite (its covariance becomes reg·I), as in scikit-learn.
    let nk = 10 * Number.EPSILON;
    const mean = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) {
      const r = resp[i]![c]!;
      nk += r;
      for (let a = 0; a < d; a++) mean[a]! += r * points[i]![a]!;
    }
    for (let a = 0; a < d; a++) mean[a]! /= nk;
    const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < n; i++) {
      const r = resp[i]![c]!;
      if (r === 0) continue;
      for (let a = 0; a < d; a++) {
        const da = points[i]![a]! - mean[a]!;
        for (let b = 0; b <= a; b++) cov[a]![b]! += r * da * (points[i]![b]! - mean[b]!);
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        cov[a]![b]! /= nk;
        cov[b]![a] = cov[a]![b]!;
      }
      cov[a]![a]! += reg;
    }
    weights.push(nk / n);
    means.push(mean);
    covariances.push(cov);
  }
  const total = weights.reduce((s, w) => s + w, 0);
  return { weights: weights.map((w) => w / total), means, covariances };
}

/** E-step: responsibilities and the mean log-likelihood of the points. */
function expect(points: readonly (readonly number[])[], m: GaussianMixture): { resp: Float64Array[]; meanLogLik: number } {
  const p = prepare(m);
  let sum = 0;
  const resp = points.map((x) => {
    const logs = componentLogDensities(p, x);
    const total = logSumExp(logs);
    sum += total;
    return Float64Array.from(logs, (v) => Math.exp(v - total));
  });
  return { resp, meanLogLik: sum / points.length };
}

function validatePoints(points: readonly (readonly number[])[], components: number): number {
  if (!Number.isInteger(components) || components < 1) {
    throw new InputError(`fitGmm: components must be a positive integer, got ${components}`);
  }
  if (points.length === 0) throw new InputError('fitGmm: no points to fit');
  const d = points[0]!.length;
  if (d === 0) throw new InputError('fitGmm: points have no dimensions');
  const distinct = new Set<string>();
  points.forEach((p, i) => {
    if (p.length !== d) throw new InputError(`fitGmm: point ${i} has ${p.length} dimensions, point 0 has ${d}`);
    if (!p.every(Number.isFinite)) throw new InputError(`fitGmm: point ${i} has a non-finite coordinate`);
    distinct.add(p.join(','));
  });
  if (distinct.size < components) {
    throw new InputError(
      `fitGmm: ${distinct.size} distinct points cannot support ${components} components`,
      'provide more distinct points or fit fewer components',
    );
  }
  return d;
}

/** Fits a full-covariance mixture by EM from one seeded k-means++ initialisation. */
export function fitGmm(points: readonly (readonly number[])[], options: GmmOptions): GmmFit {
  const { components, seed } = options;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-3;
  const reg = options.regularization ?? 1e-6;
  validatePoints(points, components);
  const rng = new Rng(seed);
  // Initial responsibilities: hard assignment of every point to its nearest k-means++ centre.
  const centres = kMeansPlusPlus(points, components, rng);
  const hard = points.map((x) => {
    let best = 0;
    let bestD = Infinity;
    centres.forEach((c, k) => {
      const dist = squaredDistance(x, c);
      if (dist < bestD) {
        bestD = dist;
        best = k;
      }
    });
    const r = new Float64Array(components);
    r[best] = 1;
    return r;
  });
  let mixture = maximise(points, hard, components, reg);
  let previous = -Infinity;
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations) {
    const { resp, meanLogLik } = expect(points, mixture);
    if (Math.abs(meanLogLik - previous) < tolerance) {
      converged = true;
      break;
    }
    previous = meanLogLik;
    mixture = maximise(points, resp, components, reg);
    iterations += 1;
  }
  return { mixture, logLikelihood: expect(points, mixture).meanLogLik, iterations, converged };
}

function numberArray(value: unknown, length: number | null, where: string): number[] {
  if (!Array.isArray(value) || (length !== null && value.length !== length)) {
    throw new InputError(`${where}: expected an array of ${length ?? 'some'} numbers`);
  }
  return value.map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${where}[${i}]: expected a finite number`);
    return v;
  });
}

/** Reads a mixture from parsed JSON (a checkpoint), checking shapes, weights and positive-definite covariances. */
export function mixtureFromJson(value: unknown): GaussianMixture {
  const where = 'GMM checkpoint';
  if (typeof value !== 'object' || value === null) throw new InputError(`${where}: expected an object with weights, means, covariances`);
  const record = value as Record<string, unknown>;
  const weights = numberArray(record.weights, null, `${where}.weights`);
  const k = weights.length;
  if (k === 0) throw new InputError(`${where}.weights: empty mixture`);
  if (weights.some((w) => w <= 0)) throw new InputError(`${where}.weights: every weight must be positive`);
  const sum = weights.reduce((s, w) => s + w, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new InputError(`${where}.weights: sum to ${sum}, expected 1`);
  if (!Array.isArray(record.means) || record.means.length !== k) {
    throw new InputError(`${where}.means: expected ${k} mean vectors (one per weight)`);
  }
  const means = record.means.map((m, i) => numberArray(m, null, `${where}.means[${i}]`));
  const d = means[0]!.length;
  if (d === 0 || means.some((m) => m.length !== d)) throw new InputError(`${where}.means: every mean needs the same positive dimension`);
  if (!Array.isArray(record.covariances) || record.covariances.length !== k) {
    throw new InputError(`${where}.covariances: expected ${k} matrices (one per weight)`);
  }
  const covariances = record.covariances.map((c, i) => {
    if (!Array.isArray(c) || c.length !== d) throw new InputError(`${where}.covariances[${i}]: expected ${d} rows`);
    const rows = c.map((row, r) => numberArray(row, d, `${where}.covariances[${i}][${r}]`));
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) {
        if (Math.abs(rows[a]![b]! - rows[b]![a]!) > 1e-9 * (1 + Math.abs(rows[a]![b]!))) {
          throw new InputError(`${where}.covariances[${i}]: not symmetric at (${a}, ${b})`);
        }
      }
    }
    cholesky(rows, `${where}.covariances[${i}]`);
    return rows;
  });
  return { weights, means, covariances };
}
