/**
 * Zen-score (method.md §5.6, §15.4; Lin et al. 2021, "Zen-NAS"). Not used by the search.
 *
 * 1. Weights: every conv/linear weight ~ N(0, 1), biases 0, BN γ = 1, β = 0, passed to the
 *    network as parameter overrides so its own variables are untouched. The draws are seeded per
 *    parameter key (nn/init.ts parameterSeed), so a score does not depend on the backend.
 * 2. x ~ N(0, I) and ε ~ N(0, I) of the batch's shape, x' = x + 0.01·ε; no labels.
 * 3. f = the head's BN(F) output, the last tensor before global average pooling (the network's
 *    'head' feature).
 * 4. Δ = mean over the batch of ‖f(x) − f(x')‖₁.
 * 5. Zen = log Δ + Σ_{BN layers b} log √(mean_c v_b), BN in training mode for both passes, every
 *    BN layer counted (non-affine ones included).
 *
 * v_b, **reference form** (the default): the BN running variance after the two passes, from 1
 * with momentum 0.1 and unbiased batch variances: v_b = 0.81 + 0.09·var_b(x) + 0.1·var_b(x').
 * **Paper's idealised form** (`zen-ideal`): the mini-batch variance of the clean pass, var_b(x)
 * (taken as the unbiased variance BN reports). Both come from the same two passes. Running
 * statistics are computed, never committed.
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor4D } from '../nn/tf.js';
import { parameterSeed } from '../nn/init.js';
import type { BnStats, Network } from '../nn/types.js';
import { Rng } from '../util/rng.js';

/** Zen-NAS's mixup factor: x' = x + 0.01·ε. */
export const ZEN_MIXUP = 0.01;

export interface ZenParts {
  /** log Δ. */
  readonly logDelta: number;
  /** Σ_b log √(mean_c (0.81 + 0.09·var_b(x) + 0.1·var_b(x'))). */
  readonly bnReference: number;
  /** Σ_b log √(mean_c var_b(x)). */
  readonly bnIdeal: number;
  readonly executed: ReadonlySet<string>;
}

export interface ZenOptions {
  readonly mixup?: number;
  readonly parameterOverrides?: ReadonlyMap<string, Tensor>;
}

/** Zen-score of the reference form. */
export function zenReference(parts: ZenParts): number {
  return parts.logDelta + parts.bnReference;
}

/** Zen-score of the paper's idealised form. */
export function zenIdeal(parts: ZenParts): number {
  return parts.logDelta + parts.bnIdeal;
}

function forwardWithFeature(
  net: Network,
  x: Tensor4D,
  options: ZenOptions,
): { feature: Tensor; stats: ReadonlyMap<string, BnStats>; executed: ReadonlySet<string> } {
  let feature: Tensor | null = null;
  let result;
  try {
    result = net.forward(x, {
      mode: 'train',
      ...(options.parameterOverrides !== undefined ? { parameterOverrides: options.parameterOverrides } : {}),
      onFeature: (name, t) => {
        // Kept past the network's own scopes; the caller frees it.
        if (name === 'head') feature = tf.keep(tf.clone(t));
      },
    });
  } catch (error) {
    if (feature !== null) tf.dispose(feature);
    throw error;
  }
  result.logits.dispose();
  if (feature === null) {
    for (const { mean, variance } of result.batchStats.values()) tf.dispose([mean, variance]);
    throw new Error('Zen-score: the network reported no head feature map');
  }
  return { feature, stats: result.batchStats, executed: result.executed };
}

/**
 * log Δ and both BN terms for inputs x and noise ε (same shape) under the given weights. Both
 * passes run in training mode; their batch statistics are read, never committed.
 */
export function zenParts(net: Network, x: Tensor4D, noise: Tensor4D, options: ZenOptions = {}): ZenParts {
  const mixup = options.mixup ?? ZEN_MIXUP;
  const stats: Array<ReadonlyMap<string, BnStats>> = [];
  const kept: Tensor[] = [];
  let executed: ReadonlySet<string> = new Set();
  let values: Float32Array = new Float32Array(0);
  let bnIds: string[] = [];
  try {
    tf.tidy(() => {
      const clean = forwardWithFeature(net, x, options);
      stats.push(clean.stats);
      kept.push(clean.feature);
      const mixed = forwardWithFeature(net, tf.add(x, tf.mul(noise, mixup)), options);
      stats.push(mixed.stats);
      kept.push(mixed.feature);
      executed = new Set([...clean.executed].filter((id) => mixed.executed.has(id)));

      const batch = x.shape[0];
      const diff = tf.abs(tf.sub(clean.feature, mixed.feature));
      const delta = tf.div(tf.sum(diff), batch);
      bnIds = [...clean.stats.keys()];
      const missing = bnIds.filter((id) => !mixed.stats.has(id));
      if (missing.length > 0 || mixed.stats.size !== clean.stats.size) {
        throw new Error(`Zen-score: the two passes ran different BN layers (${missing.join(', ')})`);
      }
      const terms: Tensor[] = [tf.reshape(delta, [1])];
      for (const id of bnIds) {
        const v1 = clean.stats.get(id)!.variance;
        const v2 = mixed.stats.get(id)!.variance;
        const running = tf.add(tf.add(tf.mul(v1, 0.09), tf.mul(v2, 0.1)), 0.81);
        terms.push(tf.stack([tf.mean(running), tf.mean(v1)]));
      }
      values = tf.concat(terms).dataSync() as Float32Array;
    });
  } finally {
    tf.dispose(kept);
    for (const s of stats) for (const { mean, variance } of s.values()) tf.dispose([mean, variance]);
  }

  let bnReference = 0;
  let bnIdeal = 0;
  bnIds.forEach((_, b) => {
    bnReference += 0.5 * Math.log(values[1 + 2 * b]!);
    bnIdeal += 0.5 * Math.log(values[2 + 2 * b]!);
  });
  return { logDelta: Math.log(values[0]!), bnReference, bnIdeal, executed };
}

function gaussian(size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal();
  return out;
}

/**
 * Zen-NAS's re-initialisation as parameter overrides: conv/linear weights N(0, 1), biases 0,
 * BN γ = 1, β = 0. The caller disposes the tensors.
 */
export function zenParameterOverrides(net: Network, seed: number): Map<string, Tensor> {
  const weightKeys = new Set(net.layers.map((layer) => `${layer.id}.weight`));
  const overrides = new Map<string, Tensor>();
  for (const [key, v] of net.parameters) {
    if (weightKeys.has(key)) {
      overrides.set(key, tf.tensor(gaussian(v.size, parameterSeed(seed, `zen:${key}`)), v.shape, 'float32'));
    } else if (key.endsWith('.gamma')) {
      overrides.set(key, tf.ones(v.shape));
    } else if (key.endsWith('.bias') || key.endsWith('.beta')) {
      overrides.set(key, tf.zeros(v.shape));
    } else {
      throw new Error(`Zen-score: parameter ${key} is neither a conv/linear weight or bias nor a BN γ/β`);
    }
  }
  return overrides;
}

/** The proxy's full procedure: re-initialised weights, seeded Gaussian x and ε of `shape`. */
export function zenScoreParts(net: Network, shape: readonly [number, number, number, number], seed: number): ZenParts {
  const size = shape.reduce((a, b) => a * b, 1);
  const overrides = zenParameterOverrides(net, seed);
  const x = tf.tensor4d(gaussian(size, parameterSeed(seed, 'zen:x')), [...shape]);
  const noise = tf.tensor4d(gaussian(size, parameterSeed(seed, 'zen:noise')), [...shape]);
  try {
    return zenParts(net, x, noise, { parameterOverrides: overrides });
  } finally {
    tf.dispose([x, noise, ...overrides.values()]);
  }
}
