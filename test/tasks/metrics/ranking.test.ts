import { describe, expect, it } from 'vitest';
import { averagePrecision, rocAuc } from '../../../plugin/tasks/metrics/index.js';

describe('rocAuc (Mann–Whitney with average ranks = scikit-learn roc_auc_score)', () => {
  it('scikit-learn documentation example', () => {
    // scores [0.1, 0.4, 0.35, 0.8], targets [0, 0, 1, 1].
    // (positive, negative) pairs ranked correctly: 0.35>0.1, 0.8>0.1, 0.8>0.4; wrong: 0.35<0.4 → 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('a tied positive/negative pair counts one half', () => {
    // scores [0.5, 0.5, 0.2, 0.9], targets [1, 0, 0, 1]
    // pos 0.5: vs neg 0.5 → ½, vs neg 0.2 → 1; pos 0.9: vs both → 2. (½ + 1 + 2) / (2·2) = 0.875.
    expect(rocAuc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBeCloseTo(0.875, 12);
  });

  it('constant scores give 0.5', () => {
    // every pair is tied: 4 pairs · ½ / 4 = 0.5
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0])).toBe(0.5);
  });

  it('perfect and reversed rankings give 1 and 0, including infinite scores', () => {
    expect(rocAuc([-Infinity, 0, Infinity], [0, 1, 1])).toBe(1);
    expect(rocAuc([3, 2, 1], [0, 1, 1])).toBe(0);
  });

  it('is undefined (null) without positives, without negatives and on empty input', () => {
    expect(rocAuc([0.1, 0.2], [0, 0])).toBeNull();
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });

  it('refuses NaN scores and mismatched lengths', () => {
    expect(() => rocAuc([Number.NaN, 1], [0, 1])).toThrow(RangeError);
    expect(() => rocAuc([1], [0, 1])).toThrow(RangeError);
  });
});

describe('averagePrecision (scikit-learn average_precision_score, step-wise)', () => {
  it('scikit-learn documentation example gives 5/6', () => {
    // descending: 0.8(+) P=1 R=½ → ½·1; 0.4(−) R unchanged; 0.35(+) P=2/3 R=1 → ½·2/3; 0.1(−) nothing.
    // AP = ½ + ⅓ = 5/6
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('tied scores form one threshold', () => {
    // scores [0.9, 0.5, 0.5, 0.1], targets [0, 1, 0, 1]
    // t=0.9: TP 0, R 0 → 0; t=0.5: TP 1 of 3, R ½, P ⅓ → ½·⅓ = 1/6; t=0.1: TP 2 of 4, R 1, P ½ → ½·½.
    // AP = 1/6 + 1/4 = 5/12 (an interpolating or tie-splitting version would differ)
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [0, 1, 0, 1])).toBeCloseTo(5 / 12, 12);
  });

  it('constant scores give the positive rate', () => {
    // one threshold: R = 1, P = 1/4
    expect(averagePrecision([0.2, 0.2, 0.2, 0.2], [1, 0, 0, 0])).toBe(0.25);
  });

  it('is undefined (null) without positives and on empty input', () => {
    expect(averagePrecision([0.1, 0.9], [0, 0])).toBeNull();
    expect(averagePrecision([], [])).toBeNull();
  });
});
