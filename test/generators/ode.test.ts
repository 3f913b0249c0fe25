import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor } from '../../plugin/nn/tf.js';
import { OdeSolveError, dopri5, rk4 } from '../../plugin/generators/ode.js';
import type { OdeTime } from '../../plugin/generators/ode.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function read(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

const linear = (lambda: number) => (_t: OdeTime, y: Tensor[]) => [tf.mul(y[0]!, lambda)];
// Harmonic oscillator x'' = −x as (x, v): x' = v, v' = −x; x(t) = cos t, v(t) = −sin t from (1, 0).
const oscillator = (_t: OdeTime, y: Tensor[]) => [tf.clone(y[1]!), tf.neg(y[0]!)];
// y' = t², y(t) = y(t0) + (t³ − t0³)/3.
const square = (t: OdeTime, y: Tensor[]) => [tf.mul(tf.onesLike(y[0]!), tf.square(t))];

describe('rk4 (method.md §15.6)', () => {
  it('integrates y′ = λy forwards and backwards against e^{λt}', () => {
    const y0 = tf.tensor1d([1, 2]);
    const [forward] = rk4(linear(-0.7), 0, 2, [y0], 40);
    const expected = Math.exp(-1.4);
    expect(read(forward!)[0]).toBeCloseTo(expected, 5);
    expect(read(forward!)[1]).toBeCloseTo(2 * expected, 5);
    // Backwards from t = 2 to 0 undoes it: y(0) = y(2)·e^{−λ·2}.
    const [back] = rk4(linear(-0.7), 2, 0, [forward!], 40);
    expect(read(back!)[0]).toBeCloseTo(1, 5);
    tf.dispose([y0, forward!, back!]);
  });

  it('integrates the harmonic oscillator (two-tensor state)', () => {
    const state = [tf.scalar(1), tf.scalar(0)];
    const [x, v] = rk4(oscillator, 0, Math.PI / 2, state, 50);
    expect(read(x!)[0]).toBeCloseTo(Math.cos(Math.PI / 2), 5);
    expect(read(v!)[0]).toBeCloseTo(-Math.sin(Math.PI / 2), 5);
    tf.dispose([...state, x!, v!]);
  });

  it('is exact for y′ = t² (a cubic), including with tensor times', () => {
    const y0 = tf.scalar(0.5);
    const [y] = rk4(square, 1, 2, [y0], 3);
    expect(read(y!)[0]).toBeCloseTo(0.5 + 7 / 3, 5);
    const t1 = tf.scalar(2);
    const [yT] = rk4(square, 1, t1, [y0], 3);
    expect(read(yT!)[0]).toBeCloseTo(0.5 + 7 / 3, 5);
    tf.dispose([y0, y!, t1, yT!]);
  });

  it('has global error shrinking ~16× when the steps double (fourth order)', () => {
    // y′ = y on [0, 2]; coarse steps keep the error (≈ 5e-3 … 3e-5) well above float32 round-off.
    // Per-step relative errors worked from e^h − (1 + h + h²/2 + h³/6 + h⁴/24) give ratios ≈ 13 and ≈ 14.
    const errors = [4, 8, 16].map((steps) => {
      const y0 = tf.scalar(1);
      const [y] = rk4(linear(1), 0, 2, [y0], steps);
      const e = Math.abs(read(y!)[0]! - Math.exp(2));
      tf.dispose([y0, y!]);
      return e;
    });
    for (let i = 0; i < 2; i++) {
      const ratio = errors[i]! / errors[i + 1]!;
      expect(ratio).toBeGreaterThan(11);
      expect(ratio).toBeLessThan(22);
    }
  });

  it('passes gradients to a tensor end time (d y(T)/dT = λ e^{λT})', () => {
    const sqrtT = tf.variable(tf.scalar(Math.sqrt(0.8)));
    const y0 = tf.scalar(1);
    const { value, grads } = tf.variableGrads(() => {
      const [y] = rk4(linear(0.5), 0, tf.square(sqrtT), [y0], 16);
      return tf.sum(y!) as tf.Scalar;
    }, [sqrtT]);
    // y(T) = e^{0.5 T}, T = s², dy/ds = 0.5·e^{0.5T}·2s.
    expect(read(value)[0]).toBeCloseTo(Math.exp(0.4), 5);
    expect(read(grads[sqrtT.name]!)[0]).toBeCloseTo(0.5 * Math.exp(0.4) * 2 * Math.sqrt(0.8), 4);
    tf.dispose([value, ...Object.values(grads), y0]);
    sqrtT.dispose();
  });

  it('leaks no tensors', () => {
    const y0 = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    const [y] = rk4(linear(0.3), 0, 1, [y0], 8);
    y!.dispose();
    const t1 = tf.scalar(1);
    const [y2] = rk4(square, 0, t1, [y0], 4);
    tf.dispose([y2!, t1]);
    expect(tf.memory().numTensors).toBe(before);
    y0.dispose();
  });
});

describe('dopri5 (method.md §15.6)', () => {
  it('meets its tolerance on y′ = λy forwards and backwards', () => {
    const y0 = tf.tensor1d([1, -3]);
    const result = dopri5(linear(-1.3), 0, 2, [y0]);
    const expected = Math.exp(-2.6);
    const y = read(result.y[0]!);
    // atol = rtol = 1e-4 per step; the global error stays within a small multiple.
    expect(Math.abs(y[0]! - expected)).toBeLessThan(5e-4);
    expect(Math.abs(y[1]! + 3 * expected)).toBeLessThan(1.5e-3);
    const back = dopri5(linear(-1.3), 2, 0, result.y);
    expect(Math.abs(read(back.y[0]!)[0]! - 1)).toBeLessThan(1e-3);
    expect(back.accepted).toBeGreaterThan(0);
    tf.dispose([y0, ...result.y, ...back.y]);
  });

  it('integrates the harmonic oscillator over a full period', () => {
    const state = [tf.scalar(1), tf.scalar(0)];
    const { y, accepted, evaluations } = dopri5(oscillator, 0, 2 * Math.PI, state, { atol: 1e-6, rtol: 1e-6 });
    expect(Math.abs(read(y[0]!)[0]! - 1)).toBeLessThan(1e-4);
    expect(Math.abs(read(y[1]!)[0]!)).toBeLessThan(1e-4);
    // FSAL: 6 new evaluations per step plus the first and the initial-step probe (and rejections).
    expect(evaluations).toBeGreaterThanOrEqual(6 * accepted + 2);
    tf.dispose([...state, ...y]);
  });

  it('lands exactly on t1 for y′ = t² (5th-order method exact on a cubic)', () => {
    const y0 = tf.scalar(0);
    const { y } = dopri5(square, -1, 2, [y0]);
    expect(read(y[0]!)[0]).toBeCloseTo((8 + 1) / 3, 5);
    tf.dispose([y0, ...y]);
  });

  it('uses fewer steps at a looser tolerance and is more accurate at a tighter one', () => {
    const run = (tol: number) => {
      const y0 = tf.scalar(1);
      const r = dopri5(oscillator2, 0, 10, [y0, tf.scalar(0)], { atol: tol, rtol: tol });
      const error = Math.abs(read(r.y[0]!)[0]! - Math.cos(10));
      tf.dispose([y0, ...r.y]);
      return { steps: r.accepted + r.rejected, error };
    };
    const loose = run(1e-3);
    const tight = run(1e-6);
    expect(loose.steps).toBeLessThan(tight.steps);
    expect(tight.error).toBeLessThan(loose.error);
    expect(tight.error).toBeLessThan(2e-4);
  });

  it('throws OdeSolveError when a stiff problem needs more than the step cap, without leaking', () => {
    // y′ = −1e5 (y − cos t): explicit stability limits h to ≈ 3.3e-5, far over 1 000 steps on [0, 1].
    const stiff = (t: OdeTime, y: Tensor[]) => [tf.mul(tf.sub(y[0]!, tf.cos(t)), -1e5)];
    const y0 = tf.scalar(1);
    const before = tf.memory().numTensors;
    expect(() => dopri5(stiff, 0, 1, [y0])).toThrow(OdeSolveError);
    expect(tf.memory().numTensors).toBe(before);
    // A blow-up: y′ = y² from 1 explodes at t = 1.
    const blowUp = (_t: OdeTime, y: Tensor[]) => [tf.square(y[0]!)];
    expect(() => dopri5(blowUp, 0, 2, [y0])).toThrow(OdeSolveError);
    expect(tf.memory().numTensors).toBe(before);
    y0.dispose();
  });

  it('leaks no tensors on success', () => {
    const y0 = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const before = tf.memory().numTensors;
    const r = dopri5(linear(0.4), 0, 1, [y0]);
    tf.dispose(r.y);
    expect(tf.memory().numTensors).toBe(before);
    y0.dispose();
  });
});

// The oscillator with a tensor time argument ignored (same as above, kept separate for clarity of the step test).
function oscillator2(t: OdeTime, y: Tensor[]): Tensor[] {
  return oscillator(t, y);
}
