import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { Ccnf } from '../../plugin/generators/ccnf.js';
import type { CcnfConfig, SerializedCcnf } from '../../plugin/generators/ccnf.js';
import { likelihoodLoss, trainCcnf } from '../../plugin/generators/ccnf-train.js';
import { OdeSolveError } from '../../plugin/generators/ode.js';
import { Rng } from '../../plugin/util/rng.js';
import { hostField, hostLikelihoodLoss, weightsOf } from './ccnf-host.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const small = (objective: CcnfConfig['objective'], latent = 3): CcnfConfig => ({
  latent,
  conditionDim: 4,
  hidden: 6,
  layers: 3,
  objective,
});

function randomRows(rng: Rng, n: number, d: number, scale = 1): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => scale * rng.normal()));
}

/** A checkpoint written to JSON text and read back, as a file would be. */
function throughJson(s: SerializedCcnf): SerializedCcnf {
  const text = JSON.stringify(s, (_key, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v));
  return JSON.parse(text, (key, v: unknown) => (key === 'data' ? Float32Array.from(v as number[]) : v)) as SerializedCcnf;
}

/** A likelihood model whose MovingBN layers and √T are away from their initial values. */
function perturbedLikelihoodModel(seed: number): SerializedCcnf {
  const model = Ccnf.create(small('likelihood'), { seed });
  const s = model.serialize();
  model.dispose();
  const rng = new Rng(seed + 100);
  const d = s.config.latent;
  return {
    config: s.config,
    state: {
      'bnIn.runningMean': Array.from({ length: d }, () => 0.3 * rng.normal()),
      'bnIn.runningVar': Array.from({ length: d }, () => 0.5 + rng.next()),
      'bnOut.runningMean': Array.from({ length: d }, () => 0.3 * rng.normal()),
      'bnOut.runningVar': Array.from({ length: d }, () => 0.5 + rng.next()),
    },
    weights: s.weights.map((w) =>
      w.name === 'sqrtT'
        ? { ...w, data: Float32Array.of(0.9) }
        : w.name.startsWith('bn')
          ? { ...w, data: Float32Array.from(w.data, () => 0.2 * rng.normal()) }
          : w,
    ),
  };
}

describe('ConcatSquash field and forward-mode JVP (method.md §9.2, §9.4)', () => {
  it('evaluates f as the float64 reference and its JVP matches central differences of f', () => {
    const s = perturbedLikelihoodModel(3);
    const model = Ccnf.deserialize(s);
    const w = weightsOf(s);
    const rng = new Rng(5);
    const y = randomRows(rng, 4, 3);
    const c = randomRows(rng, 4, 4);
    const v = randomRows(rng, 4, 3);
    const t = 0.37;
    const before = tf.memory().numTensors;
    const [value, tangent] = tf.tidy(() => {
      const context = model.field.prepare(tf.tensor2d(c));
      const out = model.field.evaluateWithTangent(context, t, tf.tensor2d(y), tf.tensor2d(v));
      const plain = model.field.evaluate(context, t, tf.tensor2d(y));
      // The tangent pass must not change f itself.
      expect(Array.from(plain.dataSync())).toEqual(Array.from(out[0].dataSync()));
      return out;
    });
    const f = value.arraySync() as number[][];
    const jv = tangent.arraySync() as number[][];
    tf.dispose([value, tangent]);
    expect(tf.memory().numTensors).toBe(before);
    const h = 1e-6;
    for (let i = 0; i < 4; i++) {
      const reference = hostField(w, 3, t, y[i]!, c[i]!);
      const plus = hostField(w, 3, t, y[i]!.map((a, j) => a + h * v[i]![j]!), c[i]!);
      const minus = hostField(w, 3, t, y[i]!.map((a, j) => a - h * v[i]![j]!), c[i]!);
      for (let j = 0; j < 3; j++) {
        expect(f[i]![j]!).toBeCloseTo(reference[j]!, 5);
        expect(jv[i]![j]!).toBeCloseTo((plus[j]! - minus[j]!) / (2 * h), 4);
      }
    }
    model.dispose();
  });

  it('gives parameter gradients of the likelihood loss that match central differences (rel. error < 1e-2)', () => {
    const s = perturbedLikelihoodModel(8);
    const model = Ccnf.deserialize(s);
    const rng = new Rng(9);
    const n = 4;
    const x = randomRows(rng, n, 3, 1.5);
    const c = randomRows(rng, n, 4, 0.5);
    const eps = randomRows(rng, n, 3);
    const params = model.trainableVariables();
    const names = [...params.keys()];
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => likelihoodLoss(model, tf.tensor2d(x), tf.tensor2d(c), tf.tensor2d(eps)).loss) as tf.Scalar,
      [...params.values()],
    );
    const w = weightsOf(s);
    // The tfjs loss and the float64 reference are the same function.
    const hostLoss = hostLikelihoodLoss(s, w, x, c, eps, 16);
    expect(value.dataSync()[0]!).toBeCloseTo(hostLoss, 4);
    let diff = 0;
    let norm = 0;
    for (const name of names) {
      const g = grads[params.get(name)!.name]!.dataSync();
      const p = w.get(name)!;
      for (let k = 0; k < p.length; k++) {
        const original = p[k]!;
        const h = 1e-5;
        p[k] = original + h;
        const up = hostLikelihoodLoss(s, w, x, c, eps, 16);
        p[k] = original - h;
        const down = hostLikelihoodLoss(s, w, x, c, eps, 16);
        p[k] = original;
        const fd = (up - down) / (2 * h);
        diff += (g[k]! - fd) ** 2;
        norm += fd * fd;
      }
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(norm).toBeGreaterThan(1e-4);
    expect(Math.sqrt(diff / norm)).toBeLessThan(1e-2);
    model.dispose();
  });
});

describe('CCNF size (method.md §17.4)', () => {
  it('has the published parameter counts at paper size', () => {
    const paper = { latent: 256, conditionDim: 4, hidden: 512, layers: 10 } as const;
    const likelihood = Ccnf.create({ ...paper, objective: 'likelihood' }, { seed: 0 });
    expect(likelihood.field.parameterCount()).toBe(2_417_664);
    expect(likelihood.parameterCount()).toBe(2_418_689);
    likelihood.dispose();
    const cfm = Ccnf.create({ ...paper, objective: 'flow-matching' }, { seed: 0 });
    expect(cfm.parameterCount()).toBe(2_417_664);
    cfm.dispose();
  });
});

describe('CCNF sampling and checkpoints (method.md §9.8)', () => {
  it('gives identical samples after a serialize/deserialize round trip, for both chains and solvers, without leaks', () => {
    for (const objective of ['flow-matching', 'likelihood'] as const) {
      const model = Ccnf.create(small(objective), { seed: 21 });
      const copy = Ccnf.deserialize(throughJson(model.serialize()));
      const conditions = [
        [0.1, 0.2, 0.3, 0.4],
        [0.9, 0.8, 0.7, 0.6],
        [0.5, 0.5, 0.5, 0.5],
      ];
      const before = tf.memory().numTensors;
      for (const solver of ['dopri5', 'rk4'] as const) {
        const a = model.sample(conditions, { temperature: 0.7, seed: 4, solver });
        const b = copy.sample(conditions, { temperature: 0.7, seed: 4, solver });
        expect(a).toHaveLength(3);
        expect(a.every((x) => x.length === 3 && x.every(Number.isFinite))).toBe(true);
        expect(b).toEqual(a);
        const other = model.sample(conditions, { temperature: 0.7, seed: 5, solver });
        expect(other).not.toEqual(a);
      }
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      copy.dispose();
    }
  });

  it('returns the base noise at temperature 0 for a zero field (identity flow), and reports solver failure', () => {
    const model = Ccnf.create(small('flow-matching'), { seed: 1, standardization: { mean: Float32Array.of(1, 2, 3), std: Float32Array.of(2, 2, 2) } });
    const s = model.serialize();
    model.dispose();
    const zero = Ccnf.deserialize(zeroField(s));
    // x = 0·std + mean when the noise is 0 and the field vanishes.
    const [x] = zero.sample([[0, 0, 0, 0]], { temperature: 0, seed: 1 });
    expect(Array.from(x!)).toEqual([1, 2, 3]);
    zero.dispose();
    // A solve that runs out of steps surfaces as OdeSolveError (one failed try for the caller), leaking nothing.
    const model2 = Ccnf.deserialize(s);
    const before = tf.memory().numTensors;
    expect(() => model2.sample([[0.5, 0.5, 0.5, 0.5]], { temperature: 1, seed: 2, atol: 1e-7, rtol: 1e-7, maxSteps: 3 })).toThrow(
      OdeSolveError,
    );
    expect(tf.memory().numTensors).toBe(before);
    model2.dispose();
  });

  it('rejects a checkpoint with a missing weight or state', () => {
    const model = Ccnf.create(small('likelihood'), { seed: 1 });
    const s = model.serialize();
    model.dispose();
    expect(() => Ccnf.deserialize({ ...s, weights: s.weights.filter((w) => w.name !== 'field.1.bias') })).toThrow(/field.1.bias/);
    expect(() => Ccnf.deserialize({ ...s, state: {} })).toThrow(/bnIn.runningMean/);
  });
});

/** The last layer's weight, bias and shift set to zero: f ≡ 0. */
function zeroField(s: SerializedCcnf): SerializedCcnf {
  const last = s.config.layers - 1;
  const zeroed = new Set([`field.${last}.weight`, `field.${last}.bias`, `field.${last}.shift.weight`]);
  return { ...s, weights: s.weights.map((w) => (zeroed.has(w.name) ? { ...w, data: new Float32Array(w.data.length) } : w)) };
}

describe('exact log-likelihood (method.md §9.5)', () => {
  it('equals the closed-form Gaussian bits/dim under a zero field (likelihood chain: two initial MovingBN)', () => {
    const model = Ccnf.create(small('likelihood'), { seed: 2 });
    const zero = Ccnf.deserialize(zeroField(model.serialize()));
    model.dispose();
    const rng = new Rng(3);
    const latents = randomRows(rng, 5, 3).map((r) => Float32Array.from(r));
    const conditions = randomRows(rng, 5, 4);
    const bits = zero.logLikelihood(latents, conditions);
    latents.forEach((x, i) => {
      // Each MovingBN at m = 0, v = 1, w = β = 0 divides by √(1 + 1e-4) and adds −½ log(1 + 1e-4) per dimension.
      const scale = 1 + 1e-4;
      let logp = 2 * 3 * (-0.5 * Math.log(scale));
      for (const v of x) logp += -0.5 * (v / scale) ** 2 - 0.5 * Math.log(2 * Math.PI);
      expect(bits[i]!).toBeCloseTo(-logp / 3 / Math.LN2, 5);
    });
    zero.dispose();
  });

  it('includes the standardisation log-det for the flow-matching chain', () => {
    const mean = Float32Array.of(0.5, -1, 2);
    const std = Float32Array.of(2, 0.5, 1.5);
    const model = Ccnf.create(small('flow-matching'), { seed: 2, standardization: { mean, std } });
    const zero = Ccnf.deserialize(zeroField(model.serialize()));
    model.dispose();
    const x = Float32Array.of(1, 0, 3);
    const [bits] = zero.logLikelihood([x], [[0, 0, 0, 0]]);
    let logp = 0;
    for (let j = 0; j < 3; j++) logp += -0.5 * ((x[j]! - mean[j]!) / std[j]!) ** 2 - 0.5 * Math.log(2 * Math.PI) - Math.log(std[j]!);
    expect(bits!).toBeCloseTo(-logp / 3 / Math.LN2, 5);
    zero.dispose();
  });

  it('gives a density that integrates to 1 over the plane for a random (nonzero) 2-D field', () => {
    const model = Ccnf.create({ latent: 2, conditionDim: 4, hidden: 8, layers: 3, objective: 'likelihood' }, { seed: 6 });
    const step = 0.25;
    const latents: Float32Array[] = [];
    for (let a = -7; a <= 7; a += step) for (let b = -7; b <= 7; b += step) latents.push(Float32Array.of(a, b));
    const condition = [0.3, 0.6, 0.1, 0.8];
    const before = tf.memory().numTensors;
    const bits = model.logLikelihood(latents, latents.map(() => condition), { maxRows: 16384 });
    expect(tf.memory().numTensors).toBe(before);
    let mass = 0;
    for (const b of bits) mass += 2 ** (-2 * b) * step * step;
    expect(mass).toBeGreaterThan(0.98);
    expect(mass).toBeLessThan(1.02);
    model.dispose();
  });
});

describe('CCNF training (method.md §9.6–9.7)', () => {
  it('learns by flow matching to follow the condition of a toy conditional Gaussian', () => {
    // x = (3·c₀ − 1.5, −2·c₁ + 1) + 0.3·N(0, I), with c uniform in [0, 1]⁴ (c₂, c₃ are irrelevant).
    const rng = new Rng(12);
    const n = 1024;
    const conditions = Array.from({ length: n }, () => [rng.next(), rng.next(), rng.next(), rng.next()]);
    const truth = (c: readonly number[]) => [3 * c[0]! - 1.5, -2 * c[1]! + 1];
    const latents = conditions.map((c) => Float32Array.from(truth(c).map((m) => m + 0.3 * rng.normal())));
    const heldC = conditions.slice(0, 128);
    const heldX = latents.slice(0, 128);
    const epochs: number[] = [];
    const { model, history, bestEpoch } = trainCcnf(latents, conditions, {
      config: { latent: 2, conditionDim: 4, hidden: 32, layers: 3, objective: 'flow-matching' },
      epochs: 40,
      batchSize: 64,
      lr: 3e-3,
      seed: 1,
      heldOut: { latents: heldX, conditions: heldC },
      onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(epochs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(history[history.length - 1]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
    const bestHeld = Math.min(...history.map((h) => h.heldOutLoss!));
    expect(history[bestEpoch - 1]!.heldOutLoss).toBe(bestHeld);
    for (const c of [
      [0.1, 0.9, 0.5, 0.5],
      [0.9, 0.1, 0.5, 0.5],
      [0.5, 0.5, 0.2, 0.9],
    ]) {
      const samples = model.sample(Array.from({ length: 256 }, () => c), { temperature: 1, seed: 3 });
      const mean = [0, 1].map((j) => samples.reduce((s, x) => s + x[j]!, 0) / samples.length);
      const expected = truth(c);
      // The conditional mean moves by 2.4 and 1.6 between the first two conditions; allow 0.3.
      expect(Math.abs(mean[0]! - expected[0]!)).toBeLessThan(0.3);
      expect(Math.abs(mean[1]! - expected[1]!)).toBeLessThan(0.3);
    }
    model.dispose();
  });

  it('trains the likelihood objective (bits/dim falls, MovingBN statistics move, checkpoint restores the best epoch)', () => {
    const rng = new Rng(4);
    const n = 256;
    const conditions = Array.from({ length: n }, () => [rng.next(), rng.next(), rng.next(), rng.next()]);
    const latents = conditions.map((c) => Float32Array.of(2 + 2 * c[0]! + 0.5 * rng.normal(), -1 + 0.5 * rng.normal()));
    const { model, history, bestEpoch } = trainCcnf(latents, conditions, {
      config: { latent: 2, conditionDim: 4, hidden: 16, layers: 2, objective: 'likelihood' },
      epochs: 6,
      batchSize: 64,
      lr: 1e-2,
      seed: 2,
    });
    expect(history[history.length - 1]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
    const bestTrain = Math.min(...history.map((h) => h.trainLoss));
    expect(history[bestEpoch - 1]!.trainLoss).toBe(bestTrain);
    const state = model.serialize().state;
    // After 24 updates with decay 0.1 the running mean of the first dimension approaches the data mean ≈ 3.
    expect((state['bnIn.runningMean'] as number[])[0]!).toBeGreaterThan(2.5);
    expect(model.horizon()).not.toBe(0.5);
    model.dispose();
  });

  it('rejects data that cannot make a batch or does not fit the config', () => {
    const config: CcnfConfig = small('flow-matching', 2);
    const x = [Float32Array.of(1, 2), Float32Array.of(3, 4)];
    const c = [[0, 0, 0, 0], [1, 1, 1, 1]];
    expect(() => trainCcnf(x, c, { config, epochs: 1, batchSize: 4, seed: 0 })).toThrow(/no full batch of 4/);
    expect(() => trainCcnf(x, [[0, 0, 0]], { config, epochs: 1, batchSize: 2, seed: 0 })).toThrow(/2 latents but 1 conditions/);
    expect(() => trainCcnf([Float32Array.of(1), Float32Array.of(2)], c, { config, epochs: 1, batchSize: 2, seed: 0 })).toThrow(/latent 0 has 1 values/);
  });
});
