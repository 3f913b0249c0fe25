/**
 * NumPy's legacy `RandomState(seed).permutation(n)`, bit for bit: MT19937 seeded with
 * `init_genrand(seed)` (the legacy seeding of a scalar integer seed), then the Fisher–Yates
 * shuffle of `arange(n)` from the last element down, each index drawn by `random_interval(i)`
 * (32-bit draws masked to the smallest all-ones mask ≥ i, rejected while > i). scikit-learn's
 * `train_test_split(..., random_state=0)` shuffles with exactly this (nas-bench-360.md §3.8).
 */

class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      // 1812433253 · prev + i in 32-bit arithmetic, split to stay exact in doubles.
      this.mt[i] = ((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i;
    }
  }

  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % 624]! & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}

/** NumPy's `random_interval(max)` for max < 2³²: masked rejection sampling. */
function randomInterval(rng: Mt19937, max: number): number {
  if (max === 0) return 0;
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  let value: number;
  do value = (rng.nextUint32() & mask) >>> 0;
  while (value > max);
  return value;
}

/** `numpy.random.RandomState(seed).permutation(n)`. */
export function numpyPermutation(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 31) throw new RangeError(`numpyPermutation: n must be an integer in [0, 2^31), got ${n}`);
  const rng = new Mt19937(seed);
  const out = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i >= 1; i--) {
    const j = randomInterval(rng, i);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * `sklearn.model_selection.train_test_split(range(n), test_size=testFraction, random_state=seed)`
 * without stratification: n_test = ⌈testFraction · n⌉, n_train = n − n_test; test = the first
 * n_test entries of the permutation, train = the next n_train. Returns indices into 0..n−1.
 */
export function trainTestSplit(n: number, testFraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  const nTest = Math.ceil(testFraction * n);
  const permutation = numpyPermutation(n, seed);
  return { test: permutation.slice(0, nTest), train: permutation.slice(nTest, n) };
}
