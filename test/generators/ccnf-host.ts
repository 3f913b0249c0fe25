/**
 * A float64 host reference of the CCNF pieces, written from method.md §9.2–9.5 alone: the
 * ConcatSquash network, MovingBN, RK4 and the Hutchinson bits/dim loss. The divergence term is
 * taken by central finite differences of f (not by a JVP), so this reference shares no
 * derivative code with plugin/generators.
 */
import type { SerializedCcnf } from '../../plugin/generators/ccnf.js';

export type Weights = Map<string, Float64Array>;

export function weightsOf(s: SerializedCcnf): Weights {
  return new Map(s.weights.map((w) => [w.name, Float64Array.from(w.data)]));
}

/** f(t, y, c): ConcatSquash layers out = (W h + b) ⊙ σ(G·[t, c] + g) + B·[t, c], tanh except last. */
export function hostField(w: Weights, layers: number, t: number, y: readonly number[], c: readonly number[]): number[] {
  const ctx = [t, ...c];
  let h = y.slice();
  for (let i = 0; i < layers; i++) {
    const W = w.get(`field.${i}.weight`)!;
    const b = w.get(`field.${i}.bias`)!;
    const G = w.get(`field.${i}.gate.weight`)!;
    const g = w.get(`field.${i}.gate.bias`)!;
    const S = w.get(`field.${i}.shift.weight`)!;
    const out = b.length;
    const next: number[] = [];
    for (let o = 0; o < out; o++) {
      let lin = b[o]!;
      for (let a = 0; a < h.length; a++) lin += h[a]! * W[a * out + o]!;
      let gate = g[o]!;
      let shift = 0;
      for (let k = 0; k < ctx.length; k++) {
        gate += ctx[k]! * G[k * out + o]!;
        shift += ctx[k]! * S[k * out + o]!;
      }
      const v = lin / (1 + Math.exp(-gate)) + shift;
      next.push(i < layers - 1 ? Math.tanh(v) : v);
    }
    h = next;
  }
  return h;
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, i) => s + v * b[i]!, 0);
}

/** εᵀ J ε by a central difference of εᵀ f along ε. */
function hutchinsonFd(w: Weights, layers: number, t: number, y: readonly number[], c: readonly number[], eps: readonly number[]): number {
  const h = 1e-5;
  const plus = hostField(w, layers, t, y.map((v, i) => v + h * eps[i]!), c);
  const minus = hostField(w, layers, t, y.map((v, i) => v - h * eps[i]!), c);
  return (dot(eps, plus) - dot(eps, minus)) / (2 * h);
}

function bnForward(w: Weights, state: SerializedCcnf['state'], prefix: string, x: readonly number[]): { y: number[]; logDet: number } {
  const m = state[`${prefix}.runningMean`] as number[];
  const v = state[`${prefix}.runningVar`] as number[];
  const ls = w.get(`${prefix}.logScale`)!;
  const bias = w.get(`${prefix}.bias`)!;
  let logDet = 0;
  const y = x.map((xi, d) => {
    logDet += -0.5 * Math.log(v[d]! + 1e-4) + ls[d]!;
    return ((xi - m[d]!) / Math.sqrt(v[d]! + 1e-4)) * Math.exp(ls[d]!) + bias[d]!;
  });
  return { y, logDet };
}

/** The likelihood loss in bits/dim with Hutchinson vectors eps[i] and RK4 `steps` over [0, (√T)²]. */
export function hostLikelihoodLoss(
  s: SerializedCcnf,
  w: Weights,
  latents: readonly (readonly number[])[],
  conditions: readonly (readonly number[])[],
  eps: readonly (readonly number[])[],
  steps: number,
): number {
  const layers = s.config.layers;
  const D = s.config.latent;
  const T = w.get('sqrtT')![0]! ** 2;
  const h = T / steps;
  let total = 0;
  latents.forEach((x, i) => {
    const c = conditions[i]!;
    const e = eps[i]!;
    const first = bnForward(w, s.state, 'bnIn', x);
    // State (y, Δ): y' = f, Δ' = −εᵀJε.
    const rhs = (t: number, y: number[]): [number[], number] => [hostField(w, layers, t, y, c), -hutchinsonFd(w, layers, t, y, c, e)];
    let y = first.y;
    let delta = 0;
    for (let k = 0; k < steps; k++) {
      const t = k * h;
      const [k1, d1] = rhs(t, y);
      const [k2, d2] = rhs(t + h / 2, y.map((v, j) => v + (h / 2) * k1[j]!));
      const [k3, d3] = rhs(t + h / 2, y.map((v, j) => v + (h / 2) * k2[j]!));
      const [k4, d4] = rhs(t + h, y.map((v, j) => v + h * k3[j]!));
      y = y.map((v, j) => v + (h / 6) * (k1[j]! + 2 * k2[j]! + 2 * k3[j]! + k4[j]!));
      delta += (h / 6) * (d1 + 2 * d2 + 2 * d3 + d4);
    }
    const second = bnForward(w, s.state, 'bnOut', y);
    let logp = first.logDet + second.logDet - delta;
    for (const z of second.y) logp += -0.5 * z * z - 0.5 * Math.log(2 * Math.PI);
    total += logp;
  });
  return -total / latents.length / D / Math.LN2;
}
