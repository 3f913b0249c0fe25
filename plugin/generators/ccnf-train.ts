/**
 * CCNF training (method.md §9.5–9.7, §15.7): Adam (AdamW with no decay), learning rate 1e-3,
 * gradient-norm clipping at 5, shuffled batches without the last partial one, and the best epoch
 * kept (lowest held-out loss when a held-out set is given, else lowest training loss).
 *
 * - flow-matching: loss = mean ‖f(s, x_s, c) − (ε₀ − x̃)‖², x_s = (1 − s)x̃ + s·ε₀, s ~ U(0, 1).
 * - likelihood: bits/dim through MovingBN → RK4 (16 steps over [0, T]) → MovingBN, with the
 *   Hutchinson divergence εᵀ(J ε) from the forward-mode JVP (ε drawn once per solve), so the
 *   loss needs first-order gradients only. MovingBN statistics update after each batch.
 *
 * All noise comes from the seeded Rng on the host, so a run is reproducible on any backend.
 */
import { InputError } from '../errors.js';
import { tf } from '../nn/tf.js';
import type { Tensor, Variable } from '../nn/tf.js';
import { adamW } from '../nn/optim.js';
import { Rng } from '../util/rng.js';
import { Ccnf, LIKELIHOOD_TRAINING_STEPS } from './ccnf.js';
import type { CcnfConfig, Standardization } from './ccnf.js';
import { rk4 } from './ode.js';

const LOG_2PI = Math.log(2 * Math.PI);

export interface CcnfEpoch {
  readonly epoch: number;
  readonly epochs: number;
  /** Mean batch loss of the epoch (CFM loss, or bits/dim for the likelihood objective). */
  readonly trainLoss: number;
  readonly heldOutLoss: number | null;
  readonly seconds: number;
}

export interface CcnfTrainOptions {
  readonly config: CcnfConfig;
  readonly epochs: number;
  readonly batchSize: number;
  /** Default 1e-3. */
  readonly lr?: number;
  /** Gradient-norm clip (default 5). */
  readonly clip?: number;
  readonly seed: number;
  readonly heldOut?: { readonly latents: readonly Float32Array[]; readonly conditions: readonly (readonly number[])[] };
  readonly onEpoch?: (e: CcnfEpoch) => void;
}

export interface CcnfTrainResult {
  readonly model: Ccnf;
  readonly history: CcnfEpoch[];
  /** 1-based epoch whose weights `model` holds. */
  readonly bestEpoch: number;
}

function normals(rng: Rng, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal();
  return out;
}

function matrix(rows: readonly (ArrayLike<number>)[], indices: readonly number[], width: number): Tensor {
  const data = new Float32Array(indices.length * width);
  indices.forEach((r, i) => {
    const row = rows[r]!;
    for (let j = 0; j < width; j++) data[i * width + j] = row[j]!;
  });
  return tf.tensor2d(data, [indices.length, width]);
}

/** Mean and std per dimension of the training latents (std floored so constant dimensions stay finite). */
export function standardizationOf(latents: readonly Float32Array[], dim: number): Standardization {
  const n = latents.length;
  const mean = new Float64Array(dim);
  for (const x of latents) for (let j = 0; j < dim; j++) mean[j]! += x[j]! / n;
  const variance = new Float64Array(dim);
  for (const x of latents) for (let j = 0; j < dim; j++) variance[j]! += (x[j]! - mean[j]!) ** 2 / Math.max(1, n - 1);
  return { mean: Float32Array.from(mean), std: Float32Array.from(variance, (v) => Math.max(Math.sqrt(v), 1e-6)) };
}

/** Conditional flow-matching loss on a batch (x: raw latents [n, D], c: [n, C], s: [n, 1], ε₀: [n, D]). */
export function flowMatchingLoss(model: Ccnf, x: Tensor, c: Tensor, s: Tensor, eps0: Tensor): Tensor {
  return tf.tidy(() => {
    const { mean, std } = model.standardization!;
    const xt = tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std));
    const xs = tf.add(tf.mul(tf.sub(1, s), xt), tf.mul(s, eps0));
    const target = tf.sub(eps0, xt);
    const prediction = model.field.evaluate(model.field.prepare(c), s, xs);
    return tf.mean(tf.square(tf.sub(prediction, target)));
  });
}

/**
 * Likelihood loss in bits/dim with the Hutchinson estimator (ε: [n, D], fixed for the solve),
 * plus the inputs of both MovingBN layers for the running-statistics update.
 */
export function likelihoodLoss(
  model: Ccnf,
  x: Tensor,
  c: Tensor,
  eps: Tensor,
  steps: number = LIKELIHOOD_TRAINING_STEPS,
): { loss: Tensor; flowOutput: Tensor } {
  const parts = model.likelihood;
  if (parts === null) throw new Error('likelihoodLoss: the model was built for flow matching');
  return tf.tidy(() => {
    const d = model.config.latent;
    const context = model.field.prepare(c);
    const first = parts.bnIn.forward(x);
    const horizon = tf.square(parts.sqrtT);
    const f = (t: number | Tensor, state: Tensor[]): Tensor[] => {
      const [value, jv] = model.field.evaluateWithTangent(context, t, state[0]!, eps);
      return [value, tf.neg(tf.sum(tf.mul(eps, jv), 1, true))];
    };
    const [yT, delta] = rk4(f, 0, horizon, [first.y, tf.zeros([x.shape[0]!, 1])], steps);
    const second = parts.bnOut.forward(yT!);
    const logBase = tf.sum(tf.sub(tf.mul(tf.square(second.y), -0.5), 0.5 * LOG_2PI), 1);
    const logp = tf.sub(tf.add(logBase, tf.add(first.logDet, second.logDet)), tf.reshape(delta!, [-1]));
    return { loss: tf.div(tf.neg(tf.mean(logp)), d * Math.LN2), flowOutput: yT! };
  });
}

function checkData(
  latents: readonly Float32Array[],
  conditions: readonly (readonly number[])[],
  config: CcnfConfig,
  where: string,
): void {
  if (latents.length !== conditions.length) {
    throw new InputError(`trainCcnf: ${where} has ${latents.length} latents but ${conditions.length} conditions`);
  }
  latents.forEach((x, i) => {
    if (x.length !== config.latent) throw new InputError(`trainCcnf: ${where} latent ${i} has ${x.length} values, config.latent is ${config.latent}`);
    if (!x.every(Number.isFinite)) throw new InputError(`trainCcnf: ${where} latent ${i} has a non-finite value`);
  });
  conditions.forEach((c, i) => {
    if (c.length !== config.conditionDim) {
      throw new InputError(`trainCcnf: ${where} condition ${i} has ${c.length} values, config.conditionDim is ${config.conditionDim}`);
    }
    if (!c.every(Number.isFinite)) throw new InputError(`trainCcnf: ${where} condition ${i} has a non-finite value`);
  });
}

/** The gradients, scaled (as new tensors) so that their global norm is at most `clip`. */
function clipByGlobalNorm(grads: Record<string, Tensor>, clip: number): Map<string, Tensor> {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k]!)))))).dataSync()[0]!;
  const scale = norm > clip ? clip / (norm + 1e-6) : 1;
  const out = new Map<string, Tensor>();
  for (const k of names) out.set(k, scale === 1 ? grads[k]! : tf.mul(grads[k]!, scale));
  return out;
}

/** Loss of a fixed evaluation set: CFM with a fixed noise draw, or Hutchinson bits/dim with a fixed ε. */
function evaluationLoss(
  model: Ccnf,
  latents: readonly Float32Array[],
  conditions: readonly (readonly number[])[],
  batchSize: number,
  seed: number,
): number {
  const rng = new Rng(seed);
  const d = model.config.latent;
  let total = 0;
  for (let start = 0; start < latents.length; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, latents.length - start) }, (_, i) => start + i);
    const n = indices.length;
    const value = tf.tidy(() => {
      const x = matrix(latents, indices, d);
      const c = matrix(conditions, indices, model.config.conditionDim);
      if (model.likelihood === null) {
        const s = tf.tensor2d(Float32Array.from({ length: n }, () => rng.next()), [n, 1]);
        return flowMatchingLoss(model, x, c, s, tf.tensor2d(normals(rng, n * d), [n, d]));
      }
      return likelihoodLoss(model, x, c, tf.tensor2d(normals(rng, n * d), [n, d])).loss;
    });
    total += value.dataSync()[0]! * n;
    value.dispose();
  }
  return total / latents.length;
}

function snapshot(model: Ccnf): ReturnType<Ccnf['serialize']> {
  return model.serialize();
}

/** Trains a CCNF from (latent, condition) pairs and returns the model of its best epoch. */
export function trainCcnf(
  latents: readonly Float32Array[],
  conditions: readonly (readonly number[])[],
  options: CcnfTrainOptions,
): CcnfTrainResult {
  const { config, epochs, batchSize, seed } = options;
  const lr = options.lr ?? 1e-3;
  const clip = options.clip ?? 5;
  checkData(latents, conditions, config, 'training set');
  if (options.heldOut !== undefined) checkData(options.heldOut.latents, options.heldOut.conditions, config, 'held-out set');
  if (!Number.isInteger(epochs) || epochs < 1) throw new InputError(`trainCcnf: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new InputError(`trainCcnf: batchSize must be an integer ≥ 2, got ${batchSize}`);
  const batches = Math.floor(latents.length / batchSize);
  if (batches === 0) {
    throw new InputError(
      `trainCcnf: ${latents.length} training pairs make no full batch of ${batchSize}`,
      'lower the batch size or provide more cells',
    );
  }
  const d = config.latent;
  const model = Ccnf.create(config, {
    seed,
    ...(config.objective === 'flow-matching' ? { standardization: standardizationOf(latents, d) } : {}),
  });
  const rng = new Rng(seed).fork();
  const heldOutSeed = rng.nextUint32();
  const params = model.trainableVariables();
  const variableList: Variable[] = [...params.values()];
  const keyOf = new Map<string, string>([...params].map(([key, v]) => [v.name, key]));
  const optimizer = adamW(params, new Set(), { weightDecay: 0 });
  const history: CcnfEpoch[] = [];
  let best = { epoch: 0, loss: Infinity, state: snapshot(model) };
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      const order = rng.shuffle(latents.map((_, i) => i));
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const indices = order.slice(b * batchSize, (b + 1) * batchSize);
        const x = matrix(latents, indices, d);
        const c = matrix(conditions, indices, config.conditionDim);
        const captured: { flowOutput: Tensor | null } = { flowOutput: null };
        const loss = (): tf.Scalar => {
          if (model.likelihood === null) {
            const s = tf.tensor2d(Float32Array.from({ length: batchSize }, () => rng.next()), [batchSize, 1]);
            const eps0 = tf.tensor2d(normals(rng, batchSize * d), [batchSize, d]);
            return flowMatchingLoss(model, x, c, s, eps0) as tf.Scalar;
          }
          const eps = tf.tensor2d(normals(rng, batchSize * d), [batchSize, d]);
          const result = likelihoodLoss(model, x, c, eps);
          captured.flowOutput = tf.keep(result.flowOutput);
          return result.loss as tf.Scalar;
        };
        const { value, grads } = tf.variableGrads(loss, variableList);
        const byKey: Record<string, Tensor> = {};
        for (const [name, g] of Object.entries(grads)) byKey[keyOf.get(name)!] = g;
        const clipped = clipByGlobalNorm(byKey, clip);
        optimizer.step(clipped, lr);
        lossSum += value.dataSync()[0]!;
        const flowOutput = captured.flowOutput;
        if (model.likelihood !== null && flowOutput !== null) {
          // Running statistics move after the batch (method.md §9.3).
          model.likelihood.bnIn.update(x);
          model.likelihood.bnOut.update(flowOutput);
        }
        tf.dispose([value, x, c, ...Object.values(grads), ...clipped.values(), ...(flowOutput === null ? [] : [flowOutput])]);
      }
      const trainLoss = lossSum / batches;
      const heldOutLoss =
        options.heldOut === undefined || options.heldOut.latents.length === 0
          ? null
          : evaluationLoss(model, options.heldOut.latents, options.heldOut.conditions, batchSize, heldOutSeed);
      const record: CcnfEpoch = { epoch, epochs, trainLoss, heldOutLoss, seconds: (performance.now() - started) / 1000 };
      history.push(record);
      options.onEpoch?.(record);
      const score = heldOutLoss ?? trainLoss;
      if (Number.isFinite(score) && score < best.loss) best = { epoch, loss: score, state: snapshot(model) };
    }
  } catch (error) {
    optimizer.dispose();
    model.dispose();
    throw error;
  }
  optimizer.dispose();
  if (best.epoch === 0) {
    model.dispose();
    throw new Error('trainCcnf: every epoch ended with a non-finite loss; lower the learning rate');
  }
  if (best.epoch === epochs) return { model, history, bestEpoch: best.epoch };
  model.dispose();
  return { model: Ccnf.deserialize(best.state), history, bestEpoch: best.epoch };
}
