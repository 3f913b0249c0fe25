/**
 * The proxy registry: every zero-cost proxy by name with what it needs, and `scoreProxies`,
 * which evaluates several proxies of one candidate from shared passes (each pass at most once,
 * evaluation.ts). `params` and `flops` come from the analytic cost model (method.md §4), not
 * from tensors.
 */
import type { Network } from '../nn/types.js';
import { networkCost } from './cost.js';
import { ProxyEvaluation, ZICO_MINI_BATCHES, type EvaluationFeatures } from './evaluation.js';
import { fisherTotal } from './fisher.js';
import { gradNormPerLayer } from './grad-norm.js';
import { jacovScore } from './jacov.js';
import { naswotScore } from './naswot.js';
import { wholeNetworkNwot } from './nwot.js';
import { snipPerLayer } from './snip.js';
import { snipSnr } from './snip-snr.js';
import { synflowScore } from './synflow.js';
import { tcetFromLayers } from './tcet.js';
import type { Proxy, ProxyBatch, ProxyNeeds, ProxyResult } from './types.js';
import { zenIdeal, zenReference } from './zen.js';
import { zicoScore } from './zico.js';

interface ProxyValue {
  readonly value: number;
  readonly perLayer?: Record<string, number>;
}

interface ProxyDefinition extends Omit<Proxy, 'score'> {
  /** Extras the shared passes must carry for this proxy. */
  readonly features?: EvaluationFeatures;
  compute(evaluation: ProxyEvaluation): ProxyValue;
}

const ONE = { miniBatches: 1, repeats: 1 } as const;
const INFER: ProxyNeeds = { labels: false, gradients: false, bnMode: 'infer', input: 'real', minBatch: 1, passes: 1, ...ONE };
/** Train-mode BN needs more than one value per channel, also at 1×1 (SE, §2.3): B ≥ 2. */
const TRAIN: ProxyNeeds = { labels: true, gradients: true, bnMode: 'train', input: 'real', minBatch: 2, passes: 1, ...ONE };
const ANALYTIC: ProxyNeeds = { labels: false, gradients: false, bnMode: 'none', input: 'none', minBatch: 0, passes: 0, ...ONE };

function record(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries(map);
}

function summed(map: ReadonlyMap<string, number>): ProxyValue {
  let value = 0;
  for (const v of map.values()) value += v;
  return { value, perLayer: record(map) };
}

const DEFINITIONS: readonly ProxyDefinition[] = [
  {
    name: 'nwot',
    needs: INFER,
    higherIsBetter: true,
    describe: 'NWOT (method.md §5.3): safe logdet of the summed conv/linear agreement matrices Σ_ℓ K_ℓ, inference-mode BN',
    compute: (ev) => ({ value: wholeNetworkNwot(ev.kernels()) }),
  },
  {
    name: 'lnwot',
    needs: INFER,
    higherIsBetter: true,
    describe: 'Layer-wise NWOT (method.md §5.3): Σ_ℓ logdet(K_ℓ), per-layer values by layer id',
    compute: (ev) => summed(ev.layerwiseNwot()),
  },
  {
    name: 'snip-snr',
    needs: TRAIN,
    higherIsBetter: true,
    describe: 'SNIP-SNR (method.md §5.2): Σ_ℓ sum(s_ℓ)/std(s_ℓ) with s = |W ⊙ ∂CE/∂W|, training-mode BN',
    compute: (ev) => {
      const saliencies = ev.saliencies();
      const perLayer = new Map([...saliencies.layers].map(([id, stats]) => [id, stats.snr] as const));
      return { value: snipSnr(saliencies), perLayer: record(perLayer) };
    },
  },
  {
    name: 'tcet',
    needs: { ...TRAIN, bnMode: 'both', passes: 2 },
    higherIsBetter: true,
    describe: 'TCET (method.md §5.4): Σ_ℓ lnwot_ℓ · log1p(SNR_ℓ), paired by layer id; the macro fitness',
    compute: (ev) => {
      const lnwot = ev.layerwiseNwot();
      const snr = new Map([...ev.saliencies().layers].map(([id, stats]) => [id, stats.snr] as const));
      return tcetFromLayers(
        ev.net.layers.map((layer) => layer.id),
        lnwot,
        snr,
      );
    },
  },
  {
    name: 'zen',
    needs: { labels: false, gradients: false, bnMode: 'train', input: 'random', minBatch: 2, passes: 2, ...ONE },
    higherIsBetter: true,
    describe:
      'Zen-score (method.md §5.6), reference form: log Δ + Σ_b log √mean(0.81 + 0.09·var_b(x) + 0.1·var_b(x′)), N(0,1) weights, Gaussian x, x′ = x + 0.01ε',
    compute: (ev) => ({ value: zenReference(ev.zen()) }),
  },
  {
    name: 'zen-ideal',
    needs: { labels: false, gradients: false, bnMode: 'train', input: 'random', minBatch: 2, passes: 2, ...ONE },
    higherIsBetter: true,
    describe: "Zen-score (method.md §5.6), the paper's idealised form: log Δ + Σ_b log √mean_c var_b(x) (shares zen's passes)",
    compute: (ev) => ({ value: zenIdeal(ev.zen()) }),
  },
  {
    name: 'zico',
    needs: { ...TRAIN, minBatch: 2 * ZICO_MINI_BATCHES, miniBatches: ZICO_MINI_BATCHES, passes: ZICO_MINI_BATCHES },
    higherIsBetter: true,
    describe: `ZiCo (method.md §5.7): Σ_ℓ log Σ_θ mean|g|/std(g) over ${ZICO_MINI_BATCHES} mini-batches split from the batch, gradients zeroed per mini-batch`,
    compute: (ev) => {
      const layers = ev.zico().layers;
      const perLayer = new Map([...layers].map(([id, s]) => [id, s === 0 ? 0 : Math.log(s)] as const));
      return { value: zicoScore(layers), perLayer: record(perLayer) };
    },
  },
  {
    name: 'synflow',
    needs: { labels: false, gradients: true, bnMode: 'identity', input: 'ones', minBatch: 1, passes: 1, ...ONE },
    higherIsBetter: true,
    describe: 'synflow (method.md §5.8): Σ_ℓ Σ |W ⊙ ∂R/∂W| with |parameters|, BN as identity, one all-ones image, R = Σ logits; overflow is invalid',
    compute: (ev) => {
      const result = ev.synflow();
      return { value: synflowScore(result), perLayer: record(result.layers) };
    },
  },
  {
    name: 'grad_norm',
    needs: TRAIN,
    higherIsBetter: true,
    describe: 'grad_norm (method.md §5.8): Σ_ℓ ‖∂CE/∂W_ℓ‖₂, training-mode BN (shares the SNIP pass)',
    compute: (ev) => summed(gradNormPerLayer(ev.saliencies())),
  },
  {
    name: 'snip',
    needs: TRAIN,
    higherIsBetter: true,
    describe: 'snip (method.md §5.8): Σ_ℓ Σ |W ⊙ ∂CE/∂W|, training-mode BN (shares the SNIP pass)',
    compute: (ev) => summed(snipPerLayer(ev.saliencies())),
  },
  {
    name: 'fisher',
    needs: TRAIN,
    higherIsBetter: true,
    features: { activationGradients: true },
    describe:
      'fisher (method.md §5.8, Abdelfattah et al. 2021): Σ over conv/linear output channels of 0.5·mean_b(Σ_spatial act·∂CE/∂act)² (rides on the SNIP pass)',
    compute: (ev) => {
      const perLayer = ev.saliencies().fisher;
      if (perLayer === null) throw new Error('fisher: the training pass carried no activation probes');
      return { value: fisherTotal(perLayer), perLayer: record(perLayer) };
    },
  },
  {
    name: 'jacov',
    needs: { labels: false, gradients: true, bnMode: 'train', input: 'real', minBatch: 2, passes: 'per-sample', ...ONE },
    higherIsBetter: true,
    describe: 'jacov (method.md §5.8): −Σ[log(λ+k) + 1/(λ+k)] over eigenvalues of the correlation of per-sample input gradients, k = 1e-5',
    compute: (ev) => ({ value: jacovScore(ev.jacobians()) }),
  },
  {
    name: 'naswot',
    needs: INFER,
    higherIsBetter: true,
    features: { reluCodes: true },
    describe: 'NASWOT, ReLU version (method.md §5.8): safe logdet of the agreement matrix of all ReLU-input codes, inference-mode BN (shares the NWOT pass)',
    compute: (ev) => ({ value: naswotScore(ev.kernels()) }),
  },
  {
    name: 'params',
    needs: ANALYTIC,
    higherIsBetter: true,
    describe: 'Trainable parameters from the analytic cost model (method.md §4.1), no tensors',
    compute: (ev) => ({ value: networkCost(ev.net).params }),
  },
  {
    name: 'flops',
    needs: ANALYTIC,
    higherIsBetter: true,
    describe: 'FLOPs = 2 × MACs by the ptflops rules of method.md §4.2, from the analytic cost model, no tensors',
    compute: (ev) => ({ value: networkCost(ev.net).flops }),
  },
];

const BY_NAME = new Map(DEFINITIONS.map((definition) => [definition.name, definition] as const));

function definition(name: string): ProxyDefinition {
  const found = BY_NAME.get(name);
  if (found === undefined) {
    throw new RangeError(`unknown proxy "${name}"; known proxies: ${[...BY_NAME.keys()].join(', ')}`);
  }
  return found;
}

/** Runs one proxy on a (possibly shared) evaluation, turning every failure into a reason. */
function evaluate(def: ProxyDefinition, evaluation: ProxyEvaluation): ProxyResult {
  try {
    const batchSize = evaluation.batch.x.shape[0];
    if (batchSize < def.needs.minBatch) {
      return { ok: false, reason: `${def.name} needs a batch of at least ${def.needs.minBatch}, got ${batchSize}` };
    }
    const { value, perLayer } = def.compute(evaluation);
    if (!Number.isFinite(value)) return { ok: false, reason: `${def.name} is ${value}` };
    if (perLayer !== undefined) {
      const bad = Object.entries(perLayer).find(([, v]) => !Number.isFinite(v));
      if (bad !== undefined) return { ok: false, reason: `${def.name} of layer ${bad[0]} is ${bad[1]}` };
      return { ok: true, value, perLayer };
    }
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function featuresOf(defs: readonly ProxyDefinition[]): EvaluationFeatures {
  return {
    reluCodes: defs.some((d) => d.features?.reluCodes === true),
    activationGradients: defs.some((d) => d.features?.activationGradients === true),
  };
}

function toProxy(def: ProxyDefinition): Proxy {
  return {
    name: def.name,
    needs: def.needs,
    higherIsBetter: def.higherIsBetter,
    describe: def.describe,
    score: (net, batch) => evaluate(def, new ProxyEvaluation(net, batch, featuresOf([def]))),
  };
}

const PROXIES = new Map(DEFINITIONS.map((def) => [def.name, toProxy(def)] as const));

/** The proxy called `name`; throws a RangeError naming the known proxies for an unknown one. */
export function getProxy(name: string): Proxy {
  definition(name);
  return PROXIES.get(name)!;
}

/** Names of every registered proxy. */
export function listProxies(): string[] {
  return [...PROXIES.keys()];
}

/** Every registered proxy with its needs and description. */
export function allProxies(): Proxy[] {
  return [...PROXIES.values()];
}

/**
 * Scores `net` on `batch` with every proxy in `names`, running each pass at most once for all of
 * them. Candidate failures come back per proxy as `{ ok: false }`; an unknown proxy name is a
 * caller error and throws before any tensor work.
 */
export function scoreProxies(net: Network, batch: ProxyBatch, names: readonly string[]): Record<string, ProxyResult> {
  const defs = names.map(definition);
  const evaluation = new ProxyEvaluation(net, batch, featuresOf(defs));
  const results: Record<string, ProxyResult> = {};
  for (const def of defs) results[def.name] = evaluate(def, evaluation);
  return results;
}
