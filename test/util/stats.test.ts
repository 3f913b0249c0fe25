/**
 * Rank statistics against worked examples: Wikipedia's Spearman IQ/TV example (ρ = −29/165, no
 * ties), scipy's documented tied examples worked here by hand, perfect and reversed orders, and
 * constant samples (undefined coefficient → NaN).
 */
import { describe, expect, it } from 'vitest';
import { kendallTauB, mean, pearson, rank, spearman, standardDeviation } from '../../plugin/util/stats.js';

// Wikipedia, "Spearman's rank correlation coefficient", worked example: IQ vs hours of TV per week.
const IQ = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
const TV = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];

describe('rank', () => {
  it('gives 1-based ascending ranks', () => {
    expect(rank([30, 10, 20])).toEqual([3, 1, 2]);
  });

  it('gives tied values the mean of the ranks they span', () => {
    expect(rank([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    // Three-way tie over ranks 2, 3, 4 → 3; a pair over 5, 6 → 5.5.
    expect(rank([1, 7, 7, 7, 9, 9])).toEqual([1, 3, 3, 3, 5.5, 5.5]);
    expect(rank([4, 4, 4])).toEqual([2, 2, 2]);
  });

  it('refuses values without an order', () => {
    expect(() => rank([1, Number.NaN])).toThrow(RangeError);
    expect(() => rank([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });
});

describe('spearman', () => {
  it('matches the Wikipedia IQ/TV example, ρ = −29/165', () => {
    // Σd² = 194 over n = 10 distinct values: 1 − 6·194/990 = −29/165.
    expect(spearman(IQ, TV)).toBeCloseTo(-29 / 165, 12);
  });

  it('uses average ranks for ties (scipy spearmanr docs: [1..5] vs [5,6,7,8,7])', () => {
    // Ranks of b: [1, 2, 3.5, 5, 3.5]; centred a = [−2,−1,0,1,2], centred b = [−2,−1,0.5,2,0.5].
    // Σ = 4 + 1 + 0 + 2 + 1 = 8, Σa² = 10, Σb² = 9.5 → ρ = 8/√95.
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 12);
  });

  it('is ±1 for perfectly agreeing or reversed orders, whatever the scale', () => {
    const a = [0.3, 1.5, -2, 8, 4];
    expect(spearman(a, a.map((v) => Math.exp(v)))).toBeCloseTo(1, 12);
    expect(spearman(a, a.map((v) => -(v ** 3)))).toBeCloseTo(-1, 12);
  });

  it('is NaN for a constant sample or fewer than two pairs', () => {
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNaN();
    expect(spearman([7], [3])).toBeNaN();
  });

  it('refuses samples of different lengths', () => {
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow(RangeError);
  });
});

describe('kendallTauB', () => {
  it('counts concordant and discordant pairs without ties (IQ/TV: n_c = 20, n_d = 25)', () => {
    // Sorted by IQ the TV hours read 2, 20, 28, 27, 50, 29, 7, 17, 6, 12; later larger values:
    // 9 + 4 + 2 + 2 + 0 + 0 + 2 + 0 + 1 = 20 concordant of 45 pairs → τ = (20 − 25)/45.
    expect(kendallTauB(IQ, TV)).toBeCloseTo(-1 / 9, 12);
  });

  it('applies the tie correction (scipy kendalltau docs: [12,2,1,12,2] vs [1,4,7,1,0])', () => {
    // Pairs: (0,4), (3,4) concordant; (0,1), (0,2), (1,2), (1,3), (2,3), (2,4) discordant;
    // (1,4) tied in a only; (0,3) tied in both. n_0 = 10, n_1 = 2 (two pairs of equal a),
    // n_2 = 1 → τ_b = (2 − 6)/√(8·9) = −4/√72.
    expect(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-4 / Math.sqrt(72), 12);
  });

  it('is ±1 for perfectly agreeing or reversed orders', () => {
    expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTauB([1, 2, 3, 4], [40, 30, 20, 10])).toBe(-1);
  });

  it('reaches ±1 with ties that both samples share', () => {
    // Ties in the same pairs of a and b are excluded from numerator and denominator alike.
    expect(kendallTauB([1, 1, 2, 3], [5, 5, 6, 9])).toBe(1);
  });

  it('is NaN for a constant sample or fewer than two pairs', () => {
    expect(kendallTauB([1, 2, 3], [5, 5, 5])).toBeNaN();
    expect(kendallTauB([1], [2])).toBeNaN();
  });

  it('refuses samples of different lengths and non-finite values', () => {
    expect(() => kendallTauB([1, 2], [1])).toThrow(RangeError);
    expect(() => kendallTauB([1, Number.NaN], [1, 2])).toThrow(RangeError);
  });
});

describe('pearson', () => {
  it('matches a correlation worked by hand', () => {
    // a centred [−1, 0, 1], b centred [−2, 1, 1]: Σab = 3, Σa² = 2, Σb² = 6 → 3/√12.
    expect(pearson([1, 2, 3], [0, 3, 3])).toBeCloseTo(3 / Math.sqrt(12), 12);
  });
});

describe('mean and sample standard deviation', () => {
  it('match values worked by hand', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, sample variance 32/7.
    const v = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(v)).toBe(5);
    expect(standardDeviation(v)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(Number.isNaN(mean([]))).toBe(true);
    expect(Number.isNaN(standardDeviation([3]))).toBe(true);
  });
});
