/**
 * One candidate's proxy evaluation: the inference pass (NWOT family) and the training pass
 * (SNIP family) each run at most once and are shared by every proxy requested together, as
 * TCET needs both (method.md §5.1, §5.4). Both passes see the same weights and batch; neither
 * changes the network's state.
 */
import type { Network } from '../nn/types.js';
import { collectLayerKernels, layerwiseNwot, type LayerKernels } from './nwot.js';
import { layerSaliencies, type LayerSaliencies } from './snip-snr.js';
import type { ProxyBatch } from './types.js';

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

function run<T>(compute: () => T): Outcome<T> {
  try {
    return { ok: true, value: compute() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Throws unless every conv/linear layer of `net` executed (§5.1 failure rule). */
export function requireAllExecuted(net: Network, executed: ReadonlySet<string>, pass: string): void {
  const missing = net.layers.filter((layer) => !executed.has(layer.id)).map((layer) => layer.id);
  if (missing.length > 0) {
    throw new Error(`layer${missing.length > 1 ? 's' : ''} not executed in the ${pass} pass: ${missing.join(', ')}`);
  }
}

export class ProxyEvaluation {
  private kernelOutcome: Outcome<LayerKernels> | undefined;
  private lnwotOutcome: Outcome<ReadonlyMap<string, number>> | undefined;
  private saliencyOutcome: Outcome<LayerSaliencies> | undefined;

  constructor(
    readonly net: Network,
    readonly batch: ProxyBatch,
  ) {}

  /** K_ℓ of every layer from the inference-mode pass, validated. */
  kernels(): LayerKernels {
    this.kernelOutcome ??= run(() => {
      const kernels = collectLayerKernels(this.net, this.batch.x);
      requireAllExecuted(this.net, kernels.executed, 'inference');
      if (kernels.nonFinite.length > 0) {
        throw new Error(`non-finite raw output in layer${kernels.nonFinite.length > 1 ? 's' : ''} ${kernels.nonFinite.join(', ')}`);
      }
      return kernels;
    });
    return unwrap(this.kernelOutcome);
  }

  /** lnwot_ℓ keyed by layer id, in `net.layers` order. */
  layerwiseNwot(): ReadonlyMap<string, number> {
    this.lnwotOutcome ??= run(() => {
      const byTap = layerwiseNwot(this.kernels());
      return new Map(
        this.net.layers.map((layer) => {
          const value = byTap.get(layer.id);
          if (value === undefined) throw new Error(`layer ${layer.id} executed but was never tapped`);
          return [layer.id, value] as const;
        }),
      );
    });
    return unwrap(this.lnwotOutcome);
  }

  /** SNIP saliency statistics from the training-mode pass, validated. */
  saliencies(): LayerSaliencies {
    this.saliencyOutcome ??= run(() => {
      const saliencies = layerSaliencies(this.net, this.batch.x, this.batch.y, this.batch.numClasses);
      requireAllExecuted(this.net, saliencies.executed, 'training');
      return saliencies;
    });
    return unwrap(this.saliencyOutcome);
  }
}
