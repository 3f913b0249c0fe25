import { describe, expect, it } from 'vitest';
import { accuracy as legacyAccuracy } from '../../../plugin/tasks/metrics.js';
import { accuracy, argmaxRows, errorPercent, lowerIsBetter, tableForm } from '../../../plugin/tasks/metrics/index.js';

describe('accuracy and error %', () => {
  it('counts exact matches: 3 of 4 right gives 0.75 and 25 %', () => {
    const predictions = Int32Array.from([0, 1, 2, 2]);
    const labels = Int32Array.from([0, 1, 1, 2]);
    expect(accuracy.compute(predictions, labels)).toBe(0.75);
    // 100 · (1 − 0.75) = 25
    expect(errorPercent.compute(predictions, labels)).toBe(25);
    expect(errorPercent.direction).toBe('min');
  });

  it('is NaN on empty input and refuses mismatched lengths', () => {
    expect(accuracy.compute(new Int32Array(0), new Int32Array(0))).toBeNaN();
    expect(errorPercent.compute(new Int32Array(0), new Int32Array(0))).toBeNaN();
    expect(() => accuracy.compute(new Int32Array(2), new Int32Array(3))).toThrow(RangeError);
  });

  it('the historical metrics.ts entry point still exports the same accuracy', () => {
    expect(legacyAccuracy).toBe(accuracy);
  });

  it('argmaxRows takes the first maximum on ties', () => {
    // rows: [1, 3, 3] → 1 (first of the tied 3s); [5, 0, 5] → 0; [−1, −2, 0] → 2
    const scores = Float32Array.from([1, 3, 3, 5, 0, 5, -1, -2, 0]);
    expect(Array.from(argmaxRows(scores, 3))).toEqual([1, 0, 2]);
    expect(() => argmaxRows(scores, 4)).toThrow(RangeError);
  });
});

describe('lowerIsBetter (NAS-Bench-360 table form, §2.2 / §6.5)', () => {
  it('accuracy → 0-1 error in percent', () => {
    expect(tableForm({ name: 'accuracy', direction: 'max' })).toBe('error-percent');
    expect(lowerIsBetter({ name: 'accuracy', direction: 'max' }, 0.75)).toBe(25);
  });
  it('FNR → percent', () => {
    expect(lowerIsBetter({ name: 'fnr', direction: 'min' }, 0.25)).toBe(25);
  });
  it('other higher-is-better metrics → 1 − x', () => {
    // 1 − 0.4 = 0.6 (FSD50K mAP 0.40 prints as 0.60, as in the §5.1 DenseNAS row)
    expect(lowerIsBetter({ name: 'mAP', direction: 'max' }, 0.4)).toBeCloseTo(0.6, 12);
    expect(lowerIsBetter({ name: 'macro-f1', direction: 'max' }, 0.75)).toBe(0.25);
  });
  it('lower-is-better metrics in natural units stay as they are', () => {
    expect(lowerIsBetter({ name: 'relative-l2', direction: 'min' }, 0.071)).toBe(0.071);
    expect(lowerIsBetter({ name: 'mae8', direction: 'min' }, 3.7)).toBe(3.7);
    expect(lowerIsBetter({ name: '1-auroc', direction: 'min' }, 0.2)).toBe(0.2);
  });
  it('keeps NaN', () => {
    expect(lowerIsBetter({ name: 'mAP', direction: 'max' }, Number.NaN)).toBeNaN();
  });
});
