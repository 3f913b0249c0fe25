/**
 * The zero-cost proxy contract (design.md §3 "Proxy", method.md §5.1). A proxy scores a freshly
 * initialised network on one batch and never throws for a bad candidate: NaN/±∞ values, layers
 * that did not fire and any exception come back as `{ ok: false, reason }`.
 */
import type { Tensor1D, Tensor2D, Tensor4D } from '../nn/tf.js';
import type { LossKind, OutputDecode } from '../nn/task-loss.js';
import type { Network } from '../nn/types.js';

export interface ProxyBatch {
  readonly x: Tensor4D;
  /** int32 class labels, one per image. */
  readonly y: Tensor1D;
  readonly numClasses: number;
  /**
   * Tasks other than single-label classification (NAS-Bench-360): the float targets
   * `(batch, outputs)` and the task's loss, which replace `y` and cross-entropy in every proxy
   * that differentiates a loss (SNIP, SNIP-SNR, TCET, grad_norm, fisher, ZiCo).
   */
  readonly task?: ProxyTaskLoss;
  /**
   * Seed of the draws a proxy makes itself (Zen-score's Gaussian inputs and N(0, 1) weights);
   * default 0, so a candidate's score is reproducible.
   */
  readonly seed?: number;
}

export interface ProxyTaskLoss {
  readonly loss: LossKind;
  readonly targets: Tensor2D;
  readonly decode?: OutputDecode;
}

export interface ProxyNeeds {
  readonly labels: boolean;
  readonly gradients: boolean;
  /**
   * BN in the proxy's passes: batch statistics ('train'), running ones ('infer'), one pass of
   * each ('both'), bypassed as the identity ('identity'), or no forward pass at all ('none').
   */
  readonly bnMode: 'train' | 'infer' | 'both' | 'identity' | 'none';
  /**
   * What the passes feed: the batch's images ('real'), Gaussian noise of the batch's shape
   * ('random'), one all-ones image of the batch's image shape ('ones'), nothing ('none').
   */
  readonly input: 'real' | 'random' | 'ones' | 'none';
  /** Smallest batch size B the proxy is defined for (0: the batch is not used). */
  readonly minBatch: number;
  /** Independent mini-batches the proxy needs; the given batch is split into this many parts. */
  readonly miniBatches: number;
  /**
   * Forward passes of the network per evaluation (0: analytic, no tensors; 'per-sample': one
   * forward/backward per image of the batch, jacov).
   */
  readonly passes: number | 'per-sample';
  /** Evaluations averaged into one value: 1 everywhere (§5.1, one evaluation per candidate). */
  readonly repeats: number;
}

export type ProxyResult =
  | { readonly ok: true; readonly value: number; readonly perLayer?: Record<string, number> }
  | { readonly ok: false; readonly reason: string };

export interface Proxy {
  readonly name: string;
  readonly needs: ProxyNeeds;
  readonly higherIsBetter: boolean;
  readonly describe: string;
  score(net: Network, batch: ProxyBatch): ProxyResult;
}
