/**
 * Initial parameter values (method.md §3.4), generated on the host from the seeded Rng so that
 * a (seed, parameter key) pair gives the same numbers on every backend and does not depend on
 * which other layers the network has.
 */
import { Rng } from '../util/rng.js';

export type InitScheme = 'default' | 'zen';

/** Xavier-normal gain of the Zen-NAS initialisation (method.md §3.4). */
export const ZEN_GAIN = 3.26033;

/** Fan sizes of a conv or linear weight, PyTorch convention (fan_in = C_in/groups · k_h · k_w). */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** A 32-bit seed for one parameter: FNV-1a over "<network seed>:<parameter key>". */
export function parameterSeed(seed: number, key: string): number {
  const text = `${seed}:${key}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function uniform(size: number, bound: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}

function normal(size: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
  return out;
}

/**
 * Conv or linear weight values. default: U(−1/√fan_in, 1/√fan_in) (PyTorch's kaiming_uniform
 * with a = √5); zen: N(0, (gain·√(2/(fan_in + fan_out)))²).
 */
export function initialWeight(scheme: InitScheme, size: number, fans: Fans, seed: number): Float32Array {
  const rng = new Rng(seed);
  if (scheme === 'zen') return normal(size, ZEN_GAIN * Math.sqrt(2 / (fans.fanIn + fans.fanOut)), rng);
  return uniform(size, 1 / Math.sqrt(fans.fanIn), rng);
}

/** Conv or linear bias values. default: U(±1/√fan_in); zen: zeros. */
export function initialBias(scheme: InitScheme, size: number, fanIn: number, seed: number): Float32Array {
  if (scheme === 'zen') return new Float32Array(size);
  return uniform(size, 1 / Math.sqrt(fanIn), new Rng(seed));
}
