/**
 * Seeded pseudo-random numbers for everything that must be reproducible from a recipe seed
 * (sampling, mutation, splits, augmentation). xoshiro128** seeded through splitmix32: fast,
 * 2^128 − 1 period, and a state of four 32-bit words that can be saved and restored for resume.
 */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number | Uint32Array) {
    if (typeof seed === 'number') {
      this.s = new Uint32Array(4);
      let x = seed >>> 0;
      for (let i = 0; i < 4; i++) {
        // splitmix32 spreads a small integer seed over the whole state.
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        this.s[i] = (z ^ (z >>> 16)) >>> 0;
      }
      if (this.s.every((w) => w === 0)) this.s[0] = 1;
    } else {
      this.s = Uint32Array.from(seed);
    }
  }

  /** A uniformly random 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`Rng.int: empty range [${lo}, ${hi}]`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** One element chosen uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A uniformly random subset of `items` of the given size, in the original order. */
  subset<T>(items: readonly T[], size: number): T[] {
    if (size > items.length) throw new RangeError('Rng.subset: size exceeds the list');
    const chosen = new Set(this.shuffle(items.map((_, i) => i)).slice(0, size));
    return items.filter((_, i) => chosen.has(i));
  }

  /** A child generator with an independent stream (for per-candidate or per-worker use). */
  fork(): Rng {
    return new Rng(Uint32Array.of(this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32() | 1));
  }

  /** State for checkpoint/resume. */
  state(): number[] {
    return Array.from(this.s);
  }

  static fromState(state: readonly number[]): Rng {
    return new Rng(Uint32Array.from(state));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
