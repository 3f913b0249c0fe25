/**
 * A hand-built Network (plugin/nn/types.ts) of fully connected layers with fixed weights, so that
 * every proxy value can be derived by hand or on the host in float64. Layers read the flattened
 * input or an earlier layer's output; a layer off the logits path still executes (it fires and is
 * tapped) but receives no gradient, like an unused cell projection (method.md §3.1).
 */
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from '../../plugin/nn/tf.js';
import type { BnStats, ForwardOptions, ForwardResult, LayerInfo, Network } from '../../plugin/nn/types.js';
import type { Arch } from '../../plugin/space/types.js';

export interface HandLayer {
  readonly id: string;
  /** [in][out]. */
  readonly weight: readonly (readonly number[])[];
  readonly bias?: readonly number[];
  /** 'x' (the flattened input, default) or the id of an earlier layer. */
  readonly input?: string;
  /** BN after the raw output (id `${id}.bn`), affine, fresh statistics. */
  readonly bn?: boolean;
  readonly relu?: boolean;
}

export interface HandNetworkOptions {
  /** The layer whose output is the logits; default the last one. */
  readonly output?: string;
  /** Layers the forward pass silently skips (a broken candidate). */
  readonly skip?: readonly string[];
  /** Order of `net.layers` (default: execution order). */
  readonly listOrder?: readonly string[];
  readonly bnEps?: number;
  /** The layer whose final output (after its BN and ReLU) is reported as the 'head' feature. */
  readonly feature?: string;
}

const NOMINAL_ARCH: Arch = {
  input: { height: 1, width: 1, channels: 1 },
  numClasses: 2,
  stemStride: 1,
  se: false,
  stages: [],
  headWidth: 8,
};

export function handNetwork(specs: readonly HandLayer[], options: HandNetworkOptions = {}): Network {
  const eps = options.bnEps ?? 1e-5;
  const output = options.output ?? specs[specs.length - 1]!.id;
  const skip = new Set(options.skip ?? []);
  const parameters = new Map<string, Variable>();
  const bnRunning = new Map<string, { mean: Variable; variance: Variable }>();
  const decayed = new Set<string>();
  const infos = new Map<string, LayerInfo>();

  for (const spec of specs) {
    const inFeatures = spec.weight.length;
    const outFeatures = spec.weight[0]!.length;
    parameters.set(`${spec.id}.weight`, tf.variable(tf.tensor2d(spec.weight.map((r) => [...r]), [inFeatures, outFeatures])));
    decayed.add(`${spec.id}.weight`);
    if (spec.bias) parameters.set(`${spec.id}.bias`, tf.variable(tf.tensor1d([...spec.bias])));
    if (spec.bn) {
      const bnId = `${spec.id}.bn`;
      parameters.set(`${bnId}.gamma`, tf.variable(tf.ones([outFeatures])));
      parameters.set(`${bnId}.beta`, tf.variable(tf.zeros([outFeatures])));
      bnRunning.set(bnId, {
        mean: tf.variable(tf.zeros([outFeatures]), false),
        variance: tf.variable(tf.ones([outFeatures]), false),
      });
    }
    infos.set(spec.id, {
      id: spec.id,
      kind: 'linear',
      weightShape: [inFeatures, outFeatures],
      hasBias: spec.bias !== undefined,
      outputShape: [outFeatures],
    });
  }
  const order = options.listOrder ?? specs.map((s) => s.id);
  const layers = order.map((id) => infos.get(id)!);

  function forward(x: Tensor4D, opts: ForwardOptions): ForwardResult {
    const param = (key: string): Tensor => opts.parameterOverrides?.get(key) ?? parameters.get(key)!;
    const batch = x.shape[0];
    const values = new Map<string, Tensor2D>([['x', tf.reshape(x, [batch, x.size / batch])]]);
    const executed = new Set<string>();
    const batchStats = new Map<string, BnStats>();
    for (const spec of specs) {
      const input = values.get(spec.input ?? 'x');
      if (skip.has(spec.id) || input === undefined) continue;
      // One scope per layer, as real networks free intermediates (and taps) early; batch
      // statistics are kept for the caller, who commits or disposes them.
      const out = tf.tidy(() => {
        let raw: Tensor2D = tf.matMul(input, param(`${spec.id}.weight`) as Tensor2D);
        if (spec.bias) raw = tf.add(raw, param(`${spec.id}.bias`)) as Tensor2D;
        executed.add(spec.id);
        opts.onTap?.(spec.id, raw);
        raw = (opts.transformTap?.(spec.id, raw) as Tensor2D | undefined) ?? raw;
        let h: Tensor2D = raw;
        if (spec.bn && opts.bypassBatchNorm !== true) {
          const bnId = `${spec.id}.bn`;
          let mean: Tensor;
          let variance: Tensor;
          if (opts.mode === 'train') {
            const moments = tf.moments(raw, 0);
            mean = moments.mean;
            variance = moments.variance;
            const unbiased = tf.mul(variance, batch / (batch - 1)) as Tensor1D;
            batchStats.set(bnId, { mean: tf.keep(tf.clone(mean) as Tensor1D), variance: tf.keep(unbiased) });
          } else {
            mean = bnRunning.get(bnId)!.mean;
            variance = bnRunning.get(bnId)!.variance;
          }
          h = tf.add(
            tf.mul(tf.div(tf.sub(raw, mean), tf.sqrt(tf.add(variance, eps))), param(`${bnId}.gamma`)),
            param(`${bnId}.beta`),
          ) as Tensor2D;
        }
        if (spec.relu) {
          opts.onReluInput?.(h);
          h = tf.relu(h);
        }
        if (spec.id === options.feature) opts.onFeature?.('head', h);
        return h;
      });
      values.set(spec.id, out);
    }
    const logits = values.get(output);
    if (logits === undefined) throw new Error(`output layer ${output} did not run`);
    return { logits, batchStats, executed };
  }

  return {
    arch: NOMINAL_ARCH,
    layers,
    parameters,
    bnRunning,
    decayed,
    forward,
    commitBatchStats(stats, momentum) {
      for (const [bnId, { mean, variance }] of stats) {
        const running = bnRunning.get(bnId)!;
        tf.tidy(() => {
          running.mean.assign(tf.add(tf.mul(running.mean, 1 - momentum), tf.mul(mean, momentum)));
          running.variance.assign(tf.add(tf.mul(running.variance, 1 - momentum), tf.mul(variance, momentum)));
        });
      }
    },
    parameterCount() {
      let n = 0;
      for (const v of parameters.values()) n += v.size;
      return n;
    },
    dispose() {
      for (const v of parameters.values()) v.dispose();
      for (const { mean, variance } of bnRunning.values()) {
        mean.dispose();
        variance.dispose();
      }
    },
  };
}

/** An n×n identity as nested arrays. */
export function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/** Determinant by cofactor expansion along the first row: independent of the LU in the code. */
export function detByCofactors(m: readonly (readonly number[])[]): number {
  const n = m.length;
  if (n === 1) return m[0]![0]!;
  let det = 0;
  for (let j = 0; j < n; j++) {
    const minor = m.slice(1).map((row) => row.filter((_, c) => c !== j));
    det += (j % 2 === 0 ? 1 : -1) * m[0]![j]! * detByCofactors(minor);
  }
  return det;
}

/** A [B, 1, 1, D] batch from rows. */
export function batchOf(rows: readonly (readonly number[])[]): Tensor4D {
  return tf.tensor4d(rows.map((r) => [...r]).flat(), [rows.length, 1, 1, rows[0]!.length]);
}
