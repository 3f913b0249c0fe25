/**
 * NWOT and layer-wise NWOT, conv/linear variant (method.md §5.3, §15.1, §15.4).
 *
 * One inference-mode forward; every conv/linear tap is binarised and turned into its B×B
 * agreement-count matrix on the device with a single matMul, then read back and reduced to
 * log-determinants on the host, where integer counts stay exact.
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor2D, Tensor4D } from '../nn/tf.js';
import type { Network } from '../nn/types.js';
import { safeLogDet } from './logdet.js';

/**
 * A float32 product of 0/1 codes counts exactly only below 2^24 units (§15.1); wider layers are
 * split into chunks of at most this many units whose partial counts are added on the host.
 */
export const MAX_EXACT_UNITS = 2 ** 24 - 1;

/** Per-layer agreement matrices of one inference pass. */
export interface LayerKernels {
  /** Batch size B: every matrix is B×B, row-major, float64 on the host. */
  readonly batch: number;
  /** K_ℓ keyed by layer id, in tap (execution) order. */
  readonly kernels: ReadonlyMap<string, Float64Array>;
  readonly executed: ReadonlySet<string>;
  /** Layers whose raw output held NaN or ±∞ (their codes would be meaningless). */
  readonly nonFinite: readonly string[];
  /**
   * Σ over every ReLU of its input's agreement matrix (the ReLU-input NASWOT kernel, naswot.ts),
   * when the pass collected ReLU codes; else null.
   */
  readonly reluKernel: Float64Array | null;
  /** ReLUs whose input held NaN or ±∞, counted in execution order (0 when none or not collected). */
  readonly nonFiniteRelus: number;
}

export interface KernelOptions {
  readonly maxUnits?: number;
  /** Also binarise every ReLU input in the same pass (ReLU-input NASWOT, method.md §5.8). */
  readonly reluCodes?: boolean;
}

/** Owner key of the ReLU parts; layer ids never start with '#'. */
const RELU_OWNER = '#relu';

/**
 * Partial agreement matrices K = D − n_i − n_j + 2·c cᵀ of one raw layer output, one per chunk of
 * at most `maxUnits` units per sample. Their sum is K_ℓ.
 */
export function agreementKernelParts(raw: Tensor, maxUnits: number = MAX_EXACT_UNITS): Tensor2D[] {
  if (!(maxUnits >= 1)) throw new RangeError(`agreementKernelParts: maxUnits must be ≥ 1, got ${maxUnits}`);
  const batch = raw.shape[0]!;
  const units = raw.size / batch;
  return tf.tidy(() => {
    const codes = tf.cast(tf.greater(tf.reshape(raw, [batch, units]), 0), 'float32') as Tensor2D;
    const parts: Tensor2D[] = [];
    for (let start = 0; start < units; start += maxUnits) {
      const width = Math.min(maxUnits, units - start);
      const c = width === units ? codes : tf.slice(codes, [0, start], [batch, width]);
      const ones = tf.sum(c, 1);
      const both = tf.matMul(c, c, false, true);
      const k = tf.add(
        tf.sub(tf.sub(tf.scalar(width), tf.reshape(ones, [batch, 1])), tf.reshape(ones, [1, batch])),
        tf.mul(tf.scalar(2), both),
      ) as Tensor2D;
      parts.push(k);
    }
    return parts;
  });
}

/**
 * Runs one inference-mode forward of `net` on `x` (no gradients, no state change) and returns
 * K_ℓ for every tapped layer. All partial matrices are read back with one transfer.
 */
export function collectLayerKernels(net: Network, x: Tensor4D, options: number | KernelOptions = {}): LayerKernels {
  const { maxUnits = MAX_EXACT_UNITS, reluCodes = false } = typeof options === 'number' ? { maxUnits: options } : options;
  const batch = x.shape[0];
  const owners: string[] = [];
  let executed: ReadonlySet<string> = new Set();
  let partData: Float32Array = new Float32Array(0);
  let finiteFlags: Uint8Array | Int32Array | Float32Array = new Uint8Array(0);
  const tapOrder: string[] = [];

  // Taps arrive inside the network's own scopes (e.g. one tidy per cell), which would free
  // anything created there; the small B×B results are therefore kept and freed here.
  const parts: Tensor[] = [];
  const finite: Tensor[] = [];
  const reluFinite: Tensor[] = [];
  let reluFlags: Uint8Array | Int32Array | Float32Array = new Uint8Array(0);
  try {
    tf.tidy(() => {
      const result = net.forward(x, {
        mode: 'infer',
        onTap: (layerId, raw) => {
          if (tapOrder.includes(layerId)) throw new Error(`layer ${layerId} was tapped twice in one forward pass`);
          tapOrder.push(layerId);
          for (const part of agreementKernelParts(raw, maxUnits)) {
            parts.push(tf.keep(part));
            owners.push(layerId);
          }
          finite.push(tf.keep(tf.all(tf.isFinite(raw))));
        },
        ...(reluCodes
          ? {
              onReluInput: (preActivation: Tensor) => {
                for (const part of agreementKernelParts(preActivation, maxUnits)) {
                  parts.push(tf.keep(part));
                  owners.push(RELU_OWNER);
                }
                reluFinite.push(tf.keep(tf.all(tf.isFinite(preActivation))));
              },
            }
          : {}),
      });
      executed = result.executed;
      for (const { mean, variance } of result.batchStats.values()) tf.dispose([mean, variance]);
      if (parts.length > 0) {
        partData = tf.stack(parts).dataSync() as Float32Array;
      }
      if (finite.length > 0) finiteFlags = tf.stack(finite).dataSync() as Uint8Array;
      if (reluFinite.length > 0) reluFlags = tf.stack(reluFinite).dataSync() as Uint8Array;
    });
  } finally {
    tf.dispose(parts);
    tf.dispose(finite);
    tf.dispose(reluFinite);
  }

  const kernels = new Map<string, Float64Array>();
  const area = batch * batch;
  owners.forEach((layerId, p) => {
    let k = kernels.get(layerId);
    if (k === undefined) {
      k = new Float64Array(area);
      kernels.set(layerId, k);
    }
    for (let i = 0; i < area; i++) k[i]! += partData[p * area + i]!;
  });
  const nonFinite = tapOrder.filter((_, i) => !finiteFlags[i]);
  let reluKernel: Float64Array | null = null;
  if (reluCodes) {
    reluKernel = kernels.get(RELU_OWNER) ?? new Float64Array(area);
    kernels.delete(RELU_OWNER);
  }
  const nonFiniteRelus = Array.from(reluFlags).filter((flag) => !flag).length;
  return { batch, kernels, executed, nonFinite, reluKernel, nonFiniteRelus };
}

/** lnwot_ℓ = safe logdet(K_ℓ) for every layer (§5.3). */
export function layerwiseNwot(kernels: LayerKernels): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, k] of kernels.kernels) out.set(id, safeLogDet(k, kernels.batch));
  return out;
}

/** NWOT = safe logdet(Σ_ℓ K_ℓ), the sum accumulated exactly on the host (§5.3, §15.1). */
export function wholeNetworkNwot(kernels: LayerKernels): number {
  const total = new Float64Array(kernels.batch * kernels.batch);
  for (const k of kernels.kernels.values()) {
    for (let i = 0; i < total.length; i++) total[i]! += k[i]!;
  }
  return safeLogDet(total, kernels.batch);
}
