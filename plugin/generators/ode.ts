/**
 * ODE solvers on tfjs tensors (method.md §15.6). The state is a list of tensors integrated
 * together (e.g. [y, Δ] for the likelihood objective); integration runs forwards (t1 > t0) or
 * backwards (t1 < t0).
 *
 * - rk4: fixed step. Time may be a scalar tensor so that a trainable horizon T receives gradients
 *   through h = (t1 − t0)/steps; each step runs in its own tf.tidy, which the gradient tape
 *   survives (tfjs keeps the tensors a backward pass needs).
 * - dopri5: Dormand–Prince 5(4) with FSAL, an RMS error norm over every component of the state,
 *   step control in [0.2, 10] with safety 0.9, no growth right after a rejection, the Hairer
 *   initial-step heuristic, the last step clipped onto t1, and a cap on accepted + rejected steps.
 *
 * Both return fresh tensors owned by the caller; y0 is never disposed.
 */
import { tf } from '../nn/tf.js';
import type { Tensor } from '../nn/tf.js';

export type OdeTime = number | Tensor;
export type OdeFunction = (t: OdeTime, y: Tensor[]) => Tensor[];

/** A solve that could not finish (step cap, step-size underflow, non-finite state). One failed try for the caller. */
export class OdeSolveError extends Error {
  override readonly name = 'OdeSolveError';
}

function axpy(y: readonly Tensor[], h: OdeTime, k: readonly Tensor[]): Tensor[] {
  return y.map((yi, i) => tf.add(yi, tf.mul(k[i]!, h)));
}

function timeAt(t: OdeTime, offset: OdeTime): OdeTime {
  if (typeof t === 'number' && typeof offset === 'number') return t + offset;
  return tf.add(t, offset);
}

function checkState(name: string, y0: readonly Tensor[]): void {
  if (y0.length === 0) throw new RangeError(`${name}: the state must hold at least one tensor`);
}

/** Classic fourth-order Runge–Kutta with `steps` equal steps from t0 to t1. */
export function rk4(f: OdeFunction, t0: OdeTime, t1: OdeTime, y0: Tensor[], steps: number): Tensor[] {
  checkState('rk4', y0);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`rk4: steps must be a positive integer, got ${steps}`);
  const hTensor = typeof t0 === 'number' && typeof t1 === 'number' ? null : tf.tidy(() => tf.div(tf.sub(t1, t0), steps));
  const h: OdeTime = hTensor ?? ((t1 as number) - (t0 as number)) / steps;
  let y: Tensor[] = y0;
  try {
    for (let i = 0; i < steps; i++) {
      const current = y;
      const next = tf.tidy(() => {
        const t = typeof h === 'number' ? (t0 as number) + i * h : tf.add(t0, tf.mul(h, i));
        const halfH = typeof h === 'number' ? h / 2 : tf.div(h, 2);
        const k1 = f(t, current);
        const k2 = f(timeAt(t, halfH), axpy(current, halfH, k1));
        const k3 = f(timeAt(t, halfH), axpy(current, halfH, k2));
        const k4 = f(timeAt(t, h), axpy(current, h, k3));
        const sixthH = typeof h === 'number' ? h / 6 : tf.div(h, 6);
        return current.map((yi, j) =>
          tf.add(yi, tf.mul(tf.addN([k1[j]!, tf.mul(k2[j]!, 2), tf.mul(k3[j]!, 2), k4[j]!]), sixthH)),
        );
      });
      if (current !== y0) for (const t of current) t.dispose();
      y = next;
    }
  } finally {
    hTensor?.dispose();
  }
  return y;
}

export interface Dopri5Options {
  /** Absolute tolerance (default 1e-4, chosen for float32, method.md §15.1). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-4). */
  readonly rtol?: number;
  /** Cap on accepted + rejected steps (default 1000). */
  readonly maxSteps?: number;
}

export interface Dopri5Result {
  readonly y: Tensor[];
  readonly accepted: number;
  readonly rejected: number;
  /** Calls of f, including the two of the initial-step heuristic. */
  readonly evaluations: number;
}

// Dormand–Prince 5(4) tableau (method.md §15.6).
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A: readonly (readonly number[])[] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const B4 = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];
const E = B5.map((b, i) => b - B4[i]!);

/** y + h·Σ coefficients[j]·k[j], skipping zero coefficients. */
function combine(y: readonly Tensor[], h: number, coefficients: readonly number[], k: readonly Tensor[][]): Tensor[] {
  return y.map((yi, i) => {
    const terms: Tensor[] = [];
    coefficients.forEach((a, j) => {
      if (a !== 0) terms.push(tf.mul(k[j]![i]!, a * h));
    });
    return terms.length === 0 ? tf.clone(yi) : tf.add(yi, terms.length === 1 ? terms[0]! : tf.addN(terms));
  });
}

function totalSize(y: readonly Tensor[]): number {
  return y.reduce((n, t) => n + t.size, 0);
}

/** RMS over all components of v / (atol + rtol·max(|a|, |b|)), read back to the host. */
function scaledRms(v: readonly Tensor[], a: readonly Tensor[], b: readonly Tensor[], atol: number, rtol: number): number {
  const sum = tf.tidy(() =>
    tf.addN(
      v.map((vi, i) => {
        const scale = tf.add(tf.mul(tf.maximum(tf.abs(a[i]!), tf.abs(b[i]!)), rtol), atol);
        return tf.sum(tf.square(tf.div(vi, scale)));
      }),
    ),
  );
  const value = sum.dataSync()[0]!;
  sum.dispose();
  return Math.sqrt(value / totalSize(v));
}

function disposeAll(list: readonly Tensor[]): void {
  for (const t of list) t.dispose();
}

/** Adaptive Dormand–Prince 5(4) from t0 to t1; throws OdeSolveError when the step cap is exceeded. */
export function dopri5(f: OdeFunction, t0: number, t1: number, y0: Tensor[], options: Dopri5Options = {}): Dopri5Result {
  checkState('dopri5', y0);
  const atol = options.atol ?? 1e-4;
  const rtol = options.rtol ?? 1e-4;
  const maxSteps = options.maxSteps ?? 1000;
  if (!(atol > 0) || !(rtol >= 0)) throw new RangeError(`dopri5: need atol > 0 and rtol ≥ 0, got ${atol}, ${rtol}`);
  if (!Number.isFinite(t0) || !Number.isFinite(t1)) throw new RangeError(`dopri5: times must be finite, got ${t0}, ${t1}`);
  const total = t1 - t0;
  if (total === 0) return { y: y0.map((t) => tf.clone(t)), accepted: 0, rejected: 0, evaluations: 0 };
  const direction = Math.sign(total);
  let evaluations = 0;
  const call = (t: number, y: Tensor[]): Tensor[] => {
    evaluations += 1;
    return f(t, y);
  };

  let y: Tensor[] = y0;
  let k1 = tf.tidy(() => call(t0, y0));
  let h = direction * initialStep(call, t0, y0, k1, atol, rtol, direction);
  let t = t0;
  let accepted = 0;
  let rejected = 0;
  let rejectedLast = false;
  try {
    while (direction * (t1 - t) > 0) {
      if (accepted + rejected >= maxSteps) {
        throw new OdeSolveError(
          `dopri5: more than ${maxSteps} steps (accepted ${accepted}, rejected ${rejected}) at t = ${t} on the way to ${t1}; ` +
            'the field is stiff or diverging: retry with another draw or loosen atol/rtol',
        );
      }
      // Clip the last step onto t1.
      if (direction * (t + h - t1) > 0) h = t1 - t;
      if (t + h === t) throw new OdeSolveError(`dopri5: step size underflow at t = ${t} (h = ${h})`);
      const stepH = h;
      const yCurrent = y;
      const k1Current = k1;
      const { yNew, k7, norm } = (() => {
        const k: Tensor[][] = [k1Current];
        const kept = tf.tidy(() => {
          for (let s = 1; s < 7; s++) {
            const ys = combine(yCurrent, stepH, A[s]!, k);
            k.push(call(t + C[s]! * stepH, ys));
          }
          const yNext = combine(yCurrent, stepH, B5, k);
          const err = combine(
            yCurrent.map((yi) => tf.zerosLike(yi)),
            stepH,
            E,
            k,
          );
          return { yNext, k7: k[6]!, err };
        });
        const errNorm = scaledRms(kept.err, yCurrent, kept.yNext, atol, rtol);
        disposeAll(kept.err);
        return { yNew: kept.yNext, k7: kept.k7, norm: errNorm };
      })();
      const finite = Number.isFinite(norm);
      if (finite && norm <= 1) {
        if (yCurrent !== y0) disposeAll(yCurrent);
        disposeAll(k1Current);
        y = yNew;
        k1 = k7; // FSAL: f at the end of an accepted step starts the next one.
        t = direction * (t1 - (t + stepH)) <= 0 ? t1 : t + stepH;
        accepted += 1;
        const factor = Math.min(10, Math.max(0.2, norm === 0 ? 10 : 0.9 * norm ** -0.2));
        h = stepH * (rejectedLast ? Math.min(1, factor) : factor);
        rejectedLast = false;
      } else {
        disposeAll(yNew);
        disposeAll(k7);
        rejected += 1;
        const factor = finite ? Math.min(1, Math.max(0.2, 0.9 * norm ** -0.2)) : 0.2;
        h = stepH * factor;
        rejectedLast = true;
      }
    }
  } catch (error) {
    if (y !== y0) disposeAll(y);
    disposeAll(k1);
    throw error;
  }
  disposeAll(k1);
  return { y: y === y0 ? y0.map((s) => tf.clone(s)) : y, accepted, rejected, evaluations };
}

/** Hairer, Nørsett & Wanner's starting step (method.md §15.6), as a positive magnitude. */
function initialStep(
  call: (t: number, y: Tensor[]) => Tensor[],
  t0: number,
  y0: readonly Tensor[],
  f0: readonly Tensor[],
  atol: number,
  rtol: number,
  direction: number,
): number {
  const d0 = scaledRms(y0, y0, y0, atol, rtol);
  const d1 = scaledRms(f0, y0, y0, atol, rtol);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  const difference = tf.tidy(() => {
    const f1 = call(t0 + direction * h0, axpy(y0, direction * h0, f0));
    return f1.map((fi, i) => tf.sub(fi, f0[i]!));
  });
  const d2 = scaledRms(difference, y0, y0, atol, rtol) / h0;
  disposeAll(difference);
  const dMax = Math.max(d1, d2);
  const h1 = dMax <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / dMax) ** 0.2;
  return Math.min(100 * h0, h1);
}
