/**
 * The functional network interface (method.md §15.2). A network is a pure function of its
 * parameters and input; BN running statistics are returned, never mutated inside forward, so a
 * training-mode pass (SNIP) cannot disturb a later inference-mode pass (NWOT).
 */
import type { Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from './tf.js';
import type { Arch } from '../space/types.js';

export type Mode = 'train' | 'infer';

/** A conv or linear layer: the unit of every per-layer zero-cost proxy. */
export interface LayerInfo {
  /** Stable path, e.g. `stem.conv`, `stage2.rep0.proj`, `stage2.rep0.node3.dw`, `head.conv`, `classifier`. */
  readonly id: string;
  readonly kind: 'conv' | 'depthwise' | 'linear';
  /** tfjs layout: conv [kh, kw, cin, cout], depthwise [kh, kw, c, 1], linear [in, out]. */
  readonly weightShape: readonly number[];
  readonly hasBias: boolean;
  /** Per-sample raw output shape: [H, W, C] for convs, [features] for linear. */
  readonly outputShape: readonly number[];
}

/** One BN layer's running statistics. */
export interface BnStats {
  readonly mean: Tensor1D;
  readonly variance: Tensor1D;
}

export interface ForwardOptions {
  readonly mode: Mode;
  /**
   * Called with the raw output (before BN and activation) of every conv/linear layer, in
   * execution order. The tensor is owned by the forward pass: keep what you need (e.g. a 64×64
   * kernel matrix, with tf.keep) and let the tap itself be disposed.
   */
  readonly onTap?: (layerId: string, raw: Tensor) => void;
  /** Use these tensors instead of the network's variables (keyed like `parameters`). */
  readonly parameterOverrides?: ReadonlyMap<string, Tensor>;
  /**
   * Replaces a conv/linear layer's raw output for the rest of the pass (same shape), after
   * `onTap` has seen it. Lets a caller attach a multiplicative all-ones probe whose gradient is
   * Σ_spatial act·∂L/∂act (the fisher proxy); the network's own output is unchanged by ×1.
   */
  readonly transformTap?: (layerId: string, raw: Tensor) => Tensor;
  /**
   * The tensor `transformTap` closes over for each layer id that may need a gradient (fisher's
   * probes). Checkpointing can differentiate a recomputed cell only with respect to tensors it
   * knows of: a pass with `transformTap` but without this map is never checkpointed under
   * 'auto', and `checkpoint: true` then is an error.
   */
  readonly transformTapTensors?: ReadonlyMap<string, Tensor>;
  /**
   * Per-cell gradient checkpointing: each cell keeps only its input (and the parameters and
   * probes it reads) on the gradient tape and is recomputed in the backward pass, so a gradient
   * pass holds one cell's intermediates at a time instead of the whole network's. Gradients,
   * batch statistics, taps and hooks are those of the plain pass; the cost is one more forward
   * of every cell. Hooks (`onTap`, `onReluInput`, `onFeature`) and batch statistics are reported
   * by the forward only, once per layer; the recomputation reports nothing. Only first-order
   * gradients are supported. 'auto' (the default) checkpoints when a gradient tape is recording
   * and the plain pass's estimated activation memory exceeds the budget of nn/memory.ts; it has
   * no effect (and costs nothing) outside gradient computations.
   */
  readonly checkpoint?: boolean | 'auto';
  /**
   * Called with the input of every ReLU, in execution order (the ReLU-input NASWOT codes of
   * method.md §5.8). Owned by the forward pass, like taps.
   */
  readonly onReluInput?: (preActivation: Tensor) => void;
  /**
   * Called with a named feature map. 'head': the head's BN(F) output, the last tensor before
   * global average pooling (the Zen-score feature, method.md §5.6). Owned by the forward pass.
   */
  readonly onFeature?: (name: 'head', feature: Tensor) => void;
  /**
   * BN forward becomes the identity (synflow's linearised network, method.md §5.8): no batch
   * statistics are computed or returned and `mode` no longer matters to BN.
   */
  readonly bypassBatchNorm?: boolean;
}

/**
 * The caller owns `logits` and the `batchStats` tensors (they survive any enclosing tf.tidy):
 * dispose them, the statistics after committing them or instead (network.ts disposeBatchStats).
 */
export interface ForwardResult {
  readonly logits: Tensor2D;
  /** Train mode only: each BN layer's batch mean and unbiased variance, keyed by BN id. */
  readonly batchStats: ReadonlyMap<string, BnStats>;
  /** Ids of the conv/linear layers that executed (the "every layer fired" rule of method.md §5.1). */
  readonly executed: ReadonlySet<string>;
}

export interface Network {
  readonly arch: Arch;
  /** Every conv/linear layer, in execution order. */
  readonly layers: ReadonlyArray<LayerInfo>;
  /**
   * Trainable parameters keyed `${layerId}.weight`, `${layerId}.bias`, `${bnId}.gamma`,
   * `${bnId}.beta`. Their total size equals the cost model's params exactly.
   */
  readonly parameters: ReadonlyMap<string, Variable>;
  /** Running statistics keyed by BN id (affine or not). */
  readonly bnRunning: ReadonlyMap<string, { readonly mean: Variable; readonly variance: Variable }>;
  /** Ids of weight tensors that take weight decay (conv and linear weights only). */
  readonly decayed: ReadonlySet<string>;
  forward(x: Tensor4D, options: ForwardOptions): ForwardResult;
  /** running ← (1 − momentum)·running + momentum·batch, with the unbiased batch variance. */
  commitBatchStats(stats: ReadonlyMap<string, BnStats>, momentum: number): void;
  parameterCount(): number;
  dispose(): void;
}
