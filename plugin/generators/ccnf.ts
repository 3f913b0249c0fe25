/**
 * Conditional continuous normalizing flow p(z | c) (method.md §9). Two chains share the ODE
 * network of concat-squash.ts; the forward direction maps data to the base N(0, I):
 *
 * - likelihood (§9.2–9.5): MovingBN → CNF over [0, T], T = (√T)² trainable → MovingBN;
 * - flow-matching (§9.6, default): fixed standardisation x̃ = (x − mean)/std → CNF over [0, 1].
 *
 * Sampling runs the chain backwards from τ·N(0, I), all samples in one batched solve (dopri5 by
 * default, or fixed-step RK4). The exact log-likelihood integrates the exact trace of ∂f/∂y
 * (D forward-mode JVPs with the basis vectors, batched as D replicas of the batch) with dopri5.
 */
import { InputError } from '../errors.js';
import { tf } from '../nn/tf.js';
import type { Tensor, Variable } from '../nn/tf.js';
import { Rng } from '../util/rng.js';
import { OdeNet, uniqueName, validateConfig } from './concat-squash.js';
import type { CcnfConfig, FieldContext } from './concat-squash.js';
import { MovingBatchNorm } from './moving-bn.js';
import { dopri5, rk4 } from './ode.js';
import type { NamedTensorData } from './types.js';

export type { CcnfConfig } from './concat-squash.js';

const LOG_2PI = Math.log(2 * Math.PI);
/** Initial √T (method.md §9.2): T starts at 0.5. */
export const INITIAL_SQRT_T = Math.sqrt(0.5);
/** RK4 steps of the likelihood training objective (method.md §15.6). */
export const LIKELIHOOD_TRAINING_STEPS = 16;

export interface CcnfSampleOptions {
  /** Base-noise scale τ. */
  readonly temperature: number;
  readonly seed: number;
  /** Default 'dopri5'. */
  readonly solver?: 'dopri5' | 'rk4';
  /** RK4 steps (default 32). */
  readonly steps?: number;
  /** dopri5 tolerances (default 1e-4 each). */
  readonly atol?: number;
  readonly rtol?: number;
  /** dopri5 cap on accepted + rejected steps (default 1000). */
  readonly maxSteps?: number;
  /** Told the solver's effort after a successful solve (RK4: steps and 4·steps evaluations). */
  readonly onSolve?: (stats: SolveStats) => void;
}

export interface SolveStats {
  readonly accepted: number;
  readonly rejected: number;
  readonly evaluations: number;
}

export interface CcnfLikelihoodOptions {
  readonly atol?: number;
  readonly rtol?: number;
  /** Rows per batched solve (samples × latent dimension); default 8192. */
  readonly maxRows?: number;
}

export interface SerializedCcnf {
  readonly config: CcnfConfig;
  readonly state: Record<string, number[] | number>;
  readonly weights: NamedTensorData[];
}

/** Per-dimension standardisation of the flow-matching chain. */
export interface Standardization {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/** The likelihood chain's extra parts. */
interface LikelihoodParts {
  readonly sqrtT: Variable;
  readonly bnIn: MovingBatchNorm;
  readonly bnOut: MovingBatchNorm;
}

function toMatrix(rows: readonly (ArrayLike<number>)[], width: number, what: string): Tensor {
  const data = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.length !== width) throw new InputError(`CCNF: ${what} ${i} has ${row.length} values, expected ${width}`);
    for (let j = 0; j < width; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) throw new InputError(`CCNF: ${what} ${i} has a non-finite value at ${j}`);
      data[i * width + j] = v;
    }
  });
  return tf.tensor2d(data, [rows.length, width]);
}

function floats(value: number[] | number | undefined, length: number, key: string): Float32Array {
  if (!Array.isArray(value) || value.length !== length || !value.every(Number.isFinite)) {
    throw new InputError(`CCNF checkpoint: state ${key} must be an array of ${length} finite numbers`);
  }
  return Float32Array.from(value);
}

export class Ccnf {
  readonly config: CcnfConfig;
  readonly field: OdeNet;
  readonly likelihood: LikelihoodParts | null;
  readonly standardization: Standardization | null;

  private constructor(config: CcnfConfig, field: OdeNet, likelihood: LikelihoodParts | null, standardization: Standardization | null) {
    this.config = config;
    this.field = field;
    this.likelihood = likelihood;
    this.standardization = standardization;
  }

  /**
   * A freshly initialised model. Flow matching needs the standardisation of its training latents
   * (default mean 0, std 1); the likelihood chain starts with MovingBN at m = 0, v = 1, w = β = 0.
   */
  static create(config: CcnfConfig, options: { seed: number; standardization?: Standardization }): Ccnf {
    validateConfig(config);
    const field = OdeNet.create(config, options.seed);
    if (config.objective === 'likelihood') {
      return new Ccnf(config, field, {
        sqrtT: tf.variable(tf.scalar(INITIAL_SQRT_T), true, uniqueName('sqrtT')),
        bnIn: new MovingBatchNorm('bnIn', config.latent),
        bnOut: new MovingBatchNorm('bnOut', config.latent),
      }, null);
    }
    const standardization = options.standardization ?? {
      mean: new Float32Array(config.latent),
      std: new Float32Array(config.latent).fill(1),
    };
    if (standardization.mean.length !== config.latent || standardization.std.length !== config.latent) {
      throw new RangeError(`CCNF: standardisation must have ${config.latent} means and stds`);
    }
    if (!standardization.std.every((s) => s > 0 && Number.isFinite(s))) throw new RangeError('CCNF: standardisation stds must be positive');
    return new Ccnf(config, field, null, { mean: Float32Array.from(standardization.mean), std: Float32Array.from(standardization.std) });
  }

  /** Every trainable variable keyed by checkpoint name. */
  trainableVariables(): Map<string, Variable> {
    const out = new Map(this.field.variables);
    if (this.likelihood !== null) {
      out.set('sqrtT', this.likelihood.sqrtT);
      out.set('bnIn.logScale', this.likelihood.bnIn.logScale);
      out.set('bnIn.bias', this.likelihood.bnIn.bias);
      out.set('bnOut.logScale', this.likelihood.bnOut.logScale);
      out.set('bnOut.bias', this.likelihood.bnOut.bias);
    }
    return out;
  }

  /** Trainable scalars (method.md §17.4: 2 418 689 at paper size with the likelihood chain, 2 417 664 with CFM). */
  parameterCount(): number {
    let n = 0;
    for (const v of this.trainableVariables().values()) n += v.size;
    return n;
  }

  /** Integration horizon T: (√T)² for the likelihood chain, 1 for flow matching. */
  horizon(): number {
    if (this.likelihood === null) return 1;
    const v = this.likelihood.sqrtT.dataSync()[0]!;
    return v * v;
  }

  private conditionTensor(conditions: readonly (readonly number[])[]): Tensor {
    return toMatrix(conditions, this.config.conditionDim, 'condition');
  }

  /** Data → the CNF's input space, with the per-sample log-determinant of that map (a scalar). */
  private toFlowInput(x: Tensor): { y: Tensor; logDet: Tensor } {
    if (this.likelihood !== null) return this.likelihood.bnIn.forward(x);
    const { mean, std } = this.standardization!;
    return tf.tidy(() => ({
      y: tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std)),
      logDet: tf.neg(tf.sum(tf.log(tf.tensor1d(std)))),
    }));
  }

  /**
   * Latents drawn for each condition: base noise τ·N(0, I) (seeded), the chain run backwards.
   * Throws OdeSolveError when the dopri5 solve fails (the caller retries with another seed).
   */
  sample(conditions: readonly (readonly number[])[], options: CcnfSampleOptions): Float32Array[] {
    const n = conditions.length;
    if (n === 0) return [];
    const d = this.config.latent;
    if (!(options.temperature >= 0) || !Number.isFinite(options.temperature)) {
      throw new RangeError(`CCNF.sample: temperature must be a finite number ≥ 0, got ${options.temperature}`);
    }
    const rng = new Rng(options.seed);
    const noise = new Float32Array(n * d);
    for (let i = 0; i < noise.length; i++) noise[i] = options.temperature * rng.normal();
    const solver = options.solver ?? 'dopri5';
    // Filled inside the tidy callback (a holder, so the type checker does not narrow it to null).
    const solve: { stats: SolveStats | null } = { stats: null };
    const result = tf.tidy(() => {
      const context = this.field.prepare(this.conditionTensor(conditions));
      const base = tf.tensor2d(noise, [n, d]);
      const start = this.likelihood !== null ? this.likelihood.bnOut.inverse(base) : base;
      const f = (t: number | Tensor, y: Tensor[]): Tensor[] => [this.field.evaluate(context, t, y[0]!)];
      const T = this.horizon();
      let end: Tensor;
      if (solver === 'rk4') {
        const steps = options.steps ?? 32;
        end = rk4(f, T, 0, [start], steps)[0]!;
        solve.stats = { accepted: steps, rejected: 0, evaluations: 4 * steps };
      } else {
        const solved = dopri5(f, T, 0, [start], { atol: options.atol, rtol: options.rtol, maxSteps: options.maxSteps });
        end = solved.y[0]!;
        solve.stats = { accepted: solved.accepted, rejected: solved.rejected, evaluations: solved.evaluations };
      }
      let x: Tensor;
      if (this.likelihood !== null) x = this.likelihood.bnIn.inverse(end);
      else x = tf.add(tf.mul(end, tf.tensor1d(this.standardization!.std)), tf.tensor1d(this.standardization!.mean));
      return x;
    });
    const data = result.dataSync() as Float32Array;
    result.dispose();
    if (solve.stats !== null) options.onSolve?.(solve.stats);
    return Array.from({ length: n }, (_, i) => data.slice(i * d, (i + 1) * d));
  }

  /**
   * Exact log-likelihood of each latent given its condition, in bits per dimension
   * (−log₂ p(x | c) / D), using the exact trace of ∂f/∂y along a dopri5 solve.
   */
  logLikelihood(
    latents: readonly Float32Array[],
    conditions: readonly (readonly number[])[],
    options: CcnfLikelihoodOptions = {},
  ): Float64Array {
    if (latents.length !== conditions.length) {
      throw new InputError(`CCNF.logLikelihood: ${latents.length} latents but ${conditions.length} conditions`);
    }
    const d = this.config.latent;
    const out = new Float64Array(latents.length);
    const chunk = Math.max(1, Math.floor((options.maxRows ?? 8192) / d));
    for (let start = 0; start < latents.length; start += chunk) {
      const end = Math.min(latents.length, start + chunk);
      const values = this.exactBitsPerDim(latents.slice(start, end), conditions.slice(start, end), options);
      out.set(values, start);
    }
    return out;
  }

  private exactBitsPerDim(
    latents: readonly Float32Array[],
    conditions: readonly (readonly number[])[],
    options: CcnfLikelihoodOptions,
  ): Float64Array {
    const m = latents.length;
    const d = this.config.latent;
    const tensors = tf.tidy(() => {
      const x = toMatrix(latents, d, 'latent');
      const c = this.conditionTensor(conditions);
      const input = this.toFlowInput(x);
      // D replicas of the batch; replica i carries the tangent e_i, so Σ_i (J e_i)_i = tr J.
      const context: FieldContext = this.field.prepare(tf.tile(c, [d, 1]));
      const oneHot = tf.oneHot(tf.tensor1d(Int32Array.from({ length: d * m }, (_, r) => Math.floor(r / m)), 'int32'), d);
      const basis = tf.cast(oneHot, 'float32');
      const f = (t: number | Tensor, state: Tensor[]): Tensor[] => {
        const [value, tangent] = this.field.evaluateWithTangent(context, t, tf.tile(state[0]!, [d, 1]), basis);
        const trace = tf.sum(tf.reshape(tf.sum(tf.mul(tangent, basis), 1), [d, m]), 0);
        return [tf.slice(value, [0, 0], [m, d]), tf.neg(tf.reshape(trace, [m, 1]))];
      };
      const solved = dopri5(f, 0, this.horizon(), [input.y, tf.zeros([m, 1])], { atol: options.atol, rtol: options.rtol }).y;
      let logDetTotal = input.logDet;
      let zT = solved[0]!;
      if (this.likelihood !== null) {
        const outBn = this.likelihood.bnOut.forward(zT);
        zT = outBn.y;
        logDetTotal = tf.add(logDetTotal, outBn.logDet);
      }
      return { z: zT, delta: solved[1]!, logDet: logDetTotal };
    });
    const z = tensors.z.dataSync();
    const delta = tensors.delta.dataSync();
    const logDet = tensors.logDet.dataSync()[0]!;
    tf.dispose([tensors.z, tensors.delta, tensors.logDet]);
    const bits = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let logp = logDet - delta[i]!;
      for (let j = 0; j < d; j++) logp += -0.5 * z[i * d + j]! ** 2 - 0.5 * LOG_2PI;
      bits[i] = -logp / d / Math.LN2;
    }
    return bits;
  }

  serialize(): SerializedCcnf {
    const state: Record<string, number[] | number> = {};
    const weights = this.field.weights();
    if (this.likelihood !== null) {
      const { sqrtT, bnIn, bnOut } = this.likelihood;
      weights.push({ name: 'sqrtT', shape: [], data: new Float32Array(sqrtT.dataSync()) });
      for (const bn of [bnIn, bnOut]) {
        weights.push({ name: `${bn.prefix}.logScale`, shape: [bn.dim], data: new Float32Array(bn.logScale.dataSync()) });
        weights.push({ name: `${bn.prefix}.bias`, shape: [bn.dim], data: new Float32Array(bn.bias.dataSync()) });
        state[`${bn.prefix}.runningMean`] = Array.from(bn.runningMean);
        state[`${bn.prefix}.runningVar`] = Array.from(bn.runningVar);
      }
    } else {
      state['standardization.mean'] = Array.from(this.standardization!.mean);
      state['standardization.std'] = Array.from(this.standardization!.std);
    }
    return { config: { ...this.config }, state, weights };
  }

  static deserialize(s: SerializedCcnf): Ccnf {
    const config = s.config;
    validateConfig(config);
    const d = config.latent;
    const byName = new Map(s.weights.map((w) => [w.name, w]));
    const weight = (name: string, size: number): Float32Array => {
      const w = byName.get(name);
      if (w === undefined || w.data.length !== size) throw new InputError(`CCNF checkpoint: weight ${name} missing or not of size ${size}`);
      return Float32Array.from(w.data);
    };
    // Everything is read and checked before any variable is allocated, so a bad checkpoint leaks nothing.
    if (config.objective === 'likelihood') {
      const sqrtT = weight('sqrtT', 1);
      const bnInit = (prefix: string) => ({
        logScale: weight(`${prefix}.logScale`, d),
        bias: weight(`${prefix}.bias`, d),
        runningMean: floats(s.state[`${prefix}.runningMean`], d, `${prefix}.runningMean`),
        runningVar: floats(s.state[`${prefix}.runningVar`], d, `${prefix}.runningVar`),
      });
      const bnIn = bnInit('bnIn');
      const bnOut = bnInit('bnOut');
      if (!bnIn.runningVar.every((v) => v >= 0) || !bnOut.runningVar.every((v) => v >= 0)) {
        throw new InputError('CCNF checkpoint: running variances must be non-negative');
      }
      const field = OdeNet.fromWeights(config, s.weights);
      return new Ccnf(config, field, {
        sqrtT: tf.variable(tf.scalar(sqrtT[0]!), true, uniqueName('sqrtT')),
        bnIn: new MovingBatchNorm('bnIn', d, bnIn),
        bnOut: new MovingBatchNorm('bnOut', d, bnOut),
      }, null);
    }
    const mean = floats(s.state['standardization.mean'], d, 'standardization.mean');
    const std = floats(s.state['standardization.std'], d, 'standardization.std');
    if (!std.every((v) => v > 0)) throw new InputError('CCNF checkpoint: standardization.std must be positive');
    return new Ccnf(config, OdeNet.fromWeights(config, s.weights), null, { mean, std });
  }

  dispose(): void {
    this.field.dispose();
    if (this.likelihood !== null) {
      this.likelihood.sqrtT.dispose();
      this.likelihood.bnIn.dispose();
      this.likelihood.bnOut.dispose();
    }
  }
}
