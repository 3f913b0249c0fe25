/**
 * One candidate's proxy evaluation. Every pass runs at most once and is shared by every proxy
 * requested together (method.md §5.1, §5.4): the inference pass (NWOT family, and the ReLU
 * codes of NASWOT when requested), the training pass (SNIP family, grad_norm, and the fisher
 * probes when requested), and the passes only one proxy family uses (jacov, Zen-score in both
 * forms, ZiCo, synflow). All see the same weights; none changes the network's state.
 */
import type { Network } from '../nn/types.js';
import { inputJacobians, type InputJacobians } from './jacov.js';
import { collectLayerKernels, layerwiseNwot, type LayerKernels } from './nwot.js';
import { layerSaliencies, type LayerSaliencies } from './snip-snr.js';
import { synflowLayers, type SynflowLayers } from './synflow.js';
import type { ProxyBatch } from './types.js';
import { zenScoreParts, type ZenParts } from './zen.js';
import { zicoLayers, type ZicoLayers } from './zico.js';

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

/** Extras the shared passes carry only when a requested proxy needs them. */
export interface EvaluationFeatures {
  /** Binarise every ReLU input in the inference pass (naswot). */
  readonly reluCodes?: boolean;
  /** Carry activation probes through the training pass (fisher). */
  readonly activationGradients?: boolean;
}

/** Mini-batches ZiCo splits the given batch into (§5.7: at least 2). */
export const ZICO_MINI_BATCHES = 2;

/** Throws unless every conv/linear layer of `net` executed (§5.1 failure rule). */
export function requireAllExecuted(net: Network, executed: ReadonlySet<string>, pass: string): void {
  const missing = net.layers.filter((layer) => !executed.has(layer.id)).map((layer) => layer.id);
  if (missing.length > 0) {
    throw new Error(`layer${missing.length > 1 ? 's' : ''} not executed in the ${pass} pass: ${missing.join(', ')}`);
  }
}

export class ProxyEvaluation {
  private readonly outcomes = new Map<string, Outcome>();

  constructor(
    readonly net: Network,
    readonly batch: ProxyBatch,
    readonly features: EvaluationFeatures = {},
  ) {}

  /** Runs `compute` once per key; later calls return its value or rethrow its error. */
  private once<T>(key: string, compute: () => T): T {
    let outcome = this.outcomes.get(key);
    if (outcome === undefined) {
      try {
        outcome = { ok: true, value: compute() };
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
      this.outcomes.set(key, outcome);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value as T;
  }

  /** K_ℓ of every layer (and the ReLU kernel if requested) from the inference-mode pass, validated. */
  kernels(): LayerKernels {
    return this.once('infer', () => {
      const kernels = collectLayerKernels(this.net, this.batch.x, { reluCodes: this.features.reluCodes === true });
      requireAllExecuted(this.net, kernels.executed, 'inference');
      if (kernels.nonFinite.length > 0) {
        throw new Error(`non-finite raw output in layer${kernels.nonFinite.length > 1 ? 's' : ''} ${kernels.nonFinite.join(', ')}`);
      }
      return kernels;
    });
  }

  /** lnwot_ℓ keyed by layer id, in `net.layers` order. */
  layerwiseNwot(): ReadonlyMap<string, number> {
    return this.once('lnwot', () => {
      const byTap = layerwiseNwot(this.kernels());
      return new Map(
        this.net.layers.map((layer) => {
          const value = byTap.get(layer.id);
          if (value === undefined) throw new Error(`layer ${layer.id} executed but was never tapped`);
          return [layer.id, value] as const;
        }),
      );
    });
  }

  /** SNIP saliency statistics, gradient norms (and fisher if requested) from the training pass. */
  saliencies(): LayerSaliencies {
    return this.once('train', () => {
      const saliencies = layerSaliencies(this.net, this.batch.x, this.batch.y, {
        numClasses: this.batch.numClasses,
        fisher: this.features.activationGradients === true,
        ...(this.batch.task !== undefined ? { task: this.batch.task } : {}),
      });
      requireAllExecuted(this.net, saliencies.executed, 'training');
      return saliencies;
    });
  }

  /** Per-sample input gradients of the summed logits (jacov). */
  jacobians(): InputJacobians {
    return this.once('jacov', () => {
      const jacobians = inputJacobians(this.net, this.batch.x);
      requireAllExecuted(this.net, jacobians.executed, 'jacov');
      return jacobians;
    });
  }

  /** Both Zen-score forms from one pair of passes on seeded Gaussian inputs. */
  zen(): ZenParts {
    return this.once('zen', () => {
      const [b, h, w, c] = this.batch.x.shape;
      const parts = zenScoreParts(this.net, [b, h, w, c], this.batch.seed ?? 0);
      requireAllExecuted(this.net, parts.executed, 'Zen-score');
      return parts;
    });
  }

  /** ZiCo's per-layer S_ℓ from the batch split into mini-batches. */
  zico(): ZicoLayers {
    return this.once('zico', () => {
      const zico = zicoLayers(this.net, this.batch.x, this.batch.y, ZICO_MINI_BATCHES, this.batch.task);
      requireAllExecuted(this.net, zico.executed, 'ZiCo');
      return zico;
    });
  }

  /** synflow's per-layer scores on one all-ones image. */
  synflow(): SynflowLayers {
    return this.once('synflow', () => {
      const [, h, w, c] = this.batch.x.shape;
      const result = synflowLayers(this.net, [h, w, c]);
      requireAllExecuted(this.net, result.executed, 'synflow');
      return result;
    });
  }
}
