import { describe, expect, it } from 'vitest';
import { cosmicMetric, cosmicMetrics, darcyMetric, darcyRelativeL2, psicovMae, rocAuc } from '../../../plugin/tasks/metrics/index.js';
import type { PsicovProtein } from '../../../plugin/tasks/metrics/index.js';

describe('Darcy Flow relative L2 (§3.5)', () => {
  it('is the plain mean of per-sample ‖û − u‖ / ‖u‖', () => {
    // sample 0: u = [3, 4] (‖u‖ = 5), û = 1.1·u → ‖û − u‖ = 0.5 → 0.1
    // sample 1: u = [0, 2] (‖u‖ = 2), û = [1, 2] → ‖û − u‖ = 1 → 0.5
    // mean = (0.1 + 0.5) / 2 = 0.3
    const truth = Float32Array.from([3, 4, 0, 2]);
    const prediction = Float32Array.from([3.3, 4.4, 1, 2]);
    const r = darcyRelativeL2(prediction, truth, 2);
    expect(r.value).toBeCloseTo(0.3, 6);
    expect(r.tableValue).toBeCloseTo(0.3, 6);
    expect(r.direction).toBe('min');
    expect(darcyMetric.compute(prediction, truth, 2).value).toBeCloseTo(0.3, 6);
  });

  it('NaN on empty input, Infinity for an all-zero truth', () => {
    expect(darcyRelativeL2(new Float32Array(0), new Float32Array(0), 4).value).toBeNaN();
    expect(darcyRelativeL2(Float32Array.from([1, 0]), Float32Array.from([0, 0]), 2).value).toBe(Infinity);
    expect(() => darcyRelativeL2(new Float32Array(3), new Float32Array(3), 2)).toThrow(RangeError);
  });
});

describe('PSICOV MAE₈ (§3.6)', () => {
  // dim 40, padding 5, L = 30. Truth in protein coordinates depends on the separation s = |p − q|:
  // s ≤ 23: 0.3·s (never evaluated), 24 → 7.2, 25 → 7.5, 26 → 8 (boundary, kept: d ≤ 8), ≥ 27 → 9.
  // Padding cells hold 100. Evaluated pairs: q − p ≥ 24 inside 30×30 and Y ≤ 8:
  // s = 24: p = 0..5 (6 pairs), s = 25: 5 pairs, s = 26: 4 pairs → 15 pairs.
  // Mean truth over them = (6·7.2 + 5·7.5 + 4·8) / 15 = (43.2 + 37.5 + 32) / 15 = 112.7 / 15.
  const dim = 40;
  const pad = 5;
  const distance = (s: number): number => (s <= 23 ? 0.3 * s : s === 24 ? 7.2 : s === 25 ? 7.5 : s === 26 ? 8 : 9);
  function protein(length: number, predict: (y: number, upper: boolean) => number): PsicovProtein {
    const truth = new Float32Array(dim * dim).fill(100);
    const prediction = new Float32Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        const inside = i >= pad && j >= pad && i < pad + length && j < pad + length;
        if (inside) truth[i * dim + j] = distance(Math.abs(i - j));
        prediction[i * dim + j] = predict(truth[i * dim + j]!, i < j);
      }
    }
    return { prediction, truth, dim, length };
  }
  const meanTruth = 112.7 / 15;

  it('a symmetric offset of +0.5 gives 0.5', () => {
    expect(psicovMae([protein(30, (y) => y + 0.5)]).value).toBeCloseTo(0.5, 5);
  });

  it('upper +0.5 / lower −0.5 gives 0.25 through the two-step symmetrisation', () => {
    // a = y + 0.5 (upper), b = y − 0.5 (lower): evaluated = a/4 + 3b/4 = y − 0.25 → 0.25
    // (a single plain average would give y, i.e. 0)
    expect(psicovMae([protein(30, (y, upper) => (upper ? y + 0.5 : y - 0.5))]).value).toBeCloseTo(0.25, 5);
  });

  it('clamps to 0.01 before the second average', () => {
    // all −1: both passes clamp to 0.01 → error y − 0.01 → mean 112.7/15 − 0.01
    expect(psicovMae([protein(30, () => -1)]).value).toBeCloseTo(meanTruth - 0.01, 5);
    // upper 2y + 10, lower −10: first pass upper (2y + 10 − 10)/2 = y, lower clamps to 0.01;
    // evaluated (y + 0.01)/2, error (y − 0.01)/2 → (112.7/15 − 0.01) / 2
    // (without the clamp it would be |(y − 10)/2 − y| = (y + 10)/2)
    const r = psicovMae([protein(30, (y, upper) => (upper ? 2 * y + 10 : -10))]);
    expect(r.value).toBeCloseTo((meanTruth - 0.01) / 2, 5);
  });

  it('skips a protein without qualifying pairs and averages the others', () => {
    // L = 20 has no pair with separation ≥ 24 → undefined; mean of 0.5 and 0.25 = 0.375
    const r = psicovMae([
      protein(30, (y) => y + 0.5),
      protein(30, (y, upper) => (upper ? y + 0.5 : y - 0.5)),
      protein(20, (y) => y),
    ]);
    expect(r.perProtein[0]).toBeCloseTo(0.5, 5);
    expect(r.perProtein[1]).toBeCloseTo(0.25, 5);
    expect(r.perProtein[2]).toBeNull();
    expect(r.value).toBeCloseTo(0.375, 5);
    expect(r.name).toBe('mae8');
    expect(r.tableValue).toBeCloseTo(0.375, 5);
    expect(psicovMae([]).value).toBeNaN();
  });

  it('variants change separation and distance limits', () => {
    // separation ≥ 26 and d ≤ 8: only s = 26 pairs (4), truth 8; prediction y + 1 → 1
    const r = psicovMae([protein(30, (y) => y + 1)], { minSeparation: 26, maxDistance: 8 });
    expect(r.value).toBeCloseTo(1, 5);
    // d ≤ 7.5 drops the s = 26 pairs: all-−1 prediction → mean of (y − 0.01) over 6·7.2 + 5·7.5
    const r2 = psicovMae([protein(30, () => -1)], { maxDistance: 7.5 });
    expect(r2.value).toBeCloseTo((6 * 7.2 + 5 * 7.5) / 11 - 0.01, 5);
  });

  it('refuses a protein that does not fit in its map', () => {
    expect(() => psicovMae([{ ...protein(30, (y) => y), length: 36 }])).toThrow(RangeError);
  });
});

describe('Cosmic FNR and 1 − AUROC on hard predictions (§3.7)', () => {
  // logit > 0.5 is positive (strict: 0.5 itself is negative).
  // positives (mask 1): 0.5 → FN, 0.6 → TP, −1 → FN          → TP 1, FN 2, FNR 2/3
  // negatives (mask 0): 2 → FP, 0.5 → TN, 0.4 → TN, −3 → TN  → FP 1, TN 3, FPR 1/4
  // 1 − AUROC = (2/3 + 1/4) / 2 = 11/24
  const logits = Float32Array.from([0.5, 0.6, -1, 2, 0.5, 0.4, -3]);
  const mask = Float32Array.from([1, 1, 1, 0, 0, 0, 0]);

  it('pools pixels with a strict threshold of 0.5 on the raw logit', () => {
    const r = cosmicMetrics(logits, mask);
    expect(r.fnr.value).toBeCloseTo(2 / 3, 12);
    expect(r.fnr.tableValue).toBeCloseTo(200 / 3, 10);
    expect(r.fpr).toBe(0.25);
    expect(r.oneMinusAuroc.value).toBeCloseTo(11 / 24, 12);
    expect(r.oneMinusAuroc.variant).toBe('1-auroc-hard,logit>0.5');
    expect(cosmicMetric.compute(logits, mask, 7).value).toBeCloseTo(11 / 24, 12);
  });

  it('1 − AUROC agrees with the rank AUROC of the binarised prediction', () => {
    const hard = Array.from(logits, (x) => (x > 0.5 ? 1 : 0));
    expect(cosmicMetrics(logits, mask).oneMinusAuroc.value).toBeCloseTo(1 - rocAuc(hard, mask)!, 12);
  });

  it('other thresholds (DASH, ORCA use logit > 0)', () => {
    // positives: 0.5 TP, 0.6 TP, −1 FN → FNR 1/3; negatives: 2, 0.5, 0.4 FP, −3 TN → FPR 3/4
    const r = cosmicMetrics(logits, mask, 0);
    expect(r.fnr.value).toBeCloseTo(1 / 3, 12);
    expect(r.fpr).toBe(0.75);
    expect(r.oneMinusAuroc.value).toBeCloseTo((1 / 3 + 3 / 4) / 2, 12);
  });

  it('constant predictions give 1 − AUROC = 0.5; no positive pixel makes FNR and AUROC undefined', () => {
    // all negative: FNR 1, FPR 0 → 0.5
    expect(cosmicMetrics(new Float32Array(7), mask).oneMinusAuroc.value).toBe(0.5);
    const none = cosmicMetrics(Float32Array.from([1, 0]), Float32Array.from([0, 0]));
    expect(none.fnr.value).toBeNaN();
    expect(none.oneMinusAuroc.value).toBeNaN();
    expect(none.fpr).toBe(0.5);
  });
});
