/**
 * Rank statistics for judging how well a score orders architectures (proxy vs trained accuracy):
 * average ranks, Spearman's ρ and Kendall's τ-b. Both coefficients follow the tie conventions of
 * the zero-cost proxy literature (and scipy.stats), so our figures compare with published ones.
 */

function checkValues(values: readonly number[], name: string): void {
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] is ${v}: ranks need finite values (drop invalid scores first)`);
  });
}

function checkPaired(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} vs ${b.length}`);
  checkValues(a, 'a');
  checkValues(b, 'b');
}

/**
 * 1-based ranks of `values` in ascending order; tied values all get the mean of the ranks they
 * span (so [10, 20, 20, 30] → [1, 2.5, 2.5, 4]).
 */
export function rank(values: readonly number[]): number[] {
  checkValues(values, 'values');
  const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    // Positions start..end-1 hold one tie group: ranks start+1..end, whose mean is below.
    const mean = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = mean;
    start = end;
  }
  return ranks;
}

/** Pearson's correlation coefficient; NaN when either sample is constant or has fewer than 2 values. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  checkPaired(a, b);
  const n = a.length;
  if (n < 2) return Number.NaN;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return Number.NaN;
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Spearman's ρ: Pearson's correlation of the average ranks. With ties this is not the
 * 1 − 6Σd²/(n(n²−1)) shortcut, which holds only for distinct values.
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  checkPaired(a, b);
  return pearson(rank(a), rank(b));
}

/**
 * Kendall's τ-b = (n_c − n_d) / √((n_0 − n_1)(n_0 − n_2)), where n_0 = n(n−1)/2 pairs, n_1 and
 * n_2 the pairs tied in `a` and in `b`. Counted over all pairs, O(n²). NaN when either sample
 * is constant (every pair tied) or has fewer than 2 values.
 */
export function kendallTauB(a: readonly number[], b: readonly number[]): number {
  checkPaired(a, b);
  const n = a.length;
  let concordant = 0;
  let discordant = 0;
  let tiedOnlyA = 0;
  let tiedOnlyB = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const sa = Math.sign(a[i]! - a[j]!);
      const sb = Math.sign(b[i]! - b[j]!);
      if (sa === 0 && sb === 0) continue;
      if (sa === 0) tiedOnlyA++;
      else if (sb === 0) tiedOnlyB++;
      else if (sa === sb) concordant++;
      else discordant++;
    }
  }
  // Pairs not tied in a = n_c + n_d + pairs tied in b only; likewise for b.
  const untiedA = concordant + discordant + tiedOnlyB;
  const untiedB = concordant + discordant + tiedOnlyA;
  if (untiedA === 0 || untiedB === 0) return Number.NaN;
  return (concordant - discordant) / Math.sqrt(untiedA * untiedB);
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 in the denominator); NaN for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (values.length - 1));
}
