/**
 * The proxy registry: every zero-cost proxy by name, and `scoreProxies`, which evaluates several
 * proxies of one candidate from shared passes (one inference pass, one training pass at most).
 * FLOPs are not a proxy here: they come from the analytic cost model in space/ (method.md §4).
 */
import type { Network } from '../nn/types.js';
import { ProxyEvaluation } from './evaluation.js';
import { wholeNetworkNwot } from './nwot.js';
import { snipSnr } from './snip-snr.js';
import { tcetFromLayers } from './tcet.js';
import type { Proxy, ProxyBatch, ProxyNeeds, ProxyResult } from './types.js';

interface ProxyValue {
  readonly value: number;
  readonly perLayer?: Record<string, number>;
}

interface ProxyDefinition extends Omit<Proxy, 'score'> {
  compute(evaluation: ProxyEvaluation): ProxyValue;
}

const INFER: ProxyNeeds = { labels: false, gradients: false, bnMode: 'infer', input: 'real' };
const TRAIN: ProxyNeeds = { labels: true, gradients: true, bnMode: 'train', input: 'real' };

function record(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries(map);
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
    compute: (ev) => {
      const perLayer = ev.layerwiseNwot();
      let value = 0;
      for (const v of perLayer.values()) value += v;
      return { value, perLayer: record(perLayer) };
    },
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
    needs: { labels: true, gradients: true, bnMode: 'both', input: 'real' },
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
    name: 'params',
    needs: { labels: false, gradients: false, bnMode: 'infer', input: 'random' },
    higherIsBetter: true,
    describe: 'Trainable parameter count of the built network (no forward pass)',
    compute: (ev) => ({ value: ev.net.parameterCount() }),
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

function toProxy(def: ProxyDefinition): Proxy {
  return {
    name: def.name,
    needs: def.needs,
    higherIsBetter: def.higherIsBetter,
    describe: def.describe,
    score: (net, batch) => evaluate(def, new ProxyEvaluation(net, batch)),
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
 * Scores `net` on `batch` with every proxy in `names`, sharing the inference and training passes
 * between them. Candidate failures come back per proxy as `{ ok: false }`; an unknown proxy name
 * is a caller error and throws before any tensor work.
 */
export function scoreProxies(net: Network, batch: ProxyBatch, names: readonly string[]): Record<string, ProxyResult> {
  const defs = names.map(definition);
  const evaluation = new ProxyEvaluation(net, batch);
  const results: Record<string, ProxyResult> = {};
  for (const def of defs) results[def.name] = evaluate(def, evaluation);
  return results;
}
