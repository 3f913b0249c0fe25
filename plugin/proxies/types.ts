/**
 * The zero-cost proxy contract (design.md §3 "Proxy", method.md §5.1). A proxy scores a freshly
 * initialised network on one batch and never throws for a bad candidate: NaN/±∞ values, layers
 * that did not fire and any exception come back as `{ ok: false, reason }`.
 */
import type { Tensor1D, Tensor4D } from '../nn/tf.js';
import type { Network } from '../nn/types.js';

export interface ProxyBatch {
  readonly x: Tensor4D;
  /** int32 class labels, one per image. */
  readonly y: Tensor1D;
  readonly numClasses: number;
}

export interface ProxyNeeds {
  readonly labels: boolean;
  readonly gradients: boolean;
  /** BN statistics the proxy's passes use: batch ('train'), running ('infer') or one pass of each. */
  readonly bnMode: 'train' | 'infer' | 'both';
  readonly input: 'real' | 'random';
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
