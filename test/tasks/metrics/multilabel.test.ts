import { describe, expect, it } from 'vitest';
import {
  deepseaMacroAuroc,
  deepseaMetric,
  fsd50kClipScores,
  fsd50kMeanAveragePrecision,
  fsd50kMetric,
} from '../../../plugin/tasks/metrics/index.js';

/** Row-major (rows, columns) matrix from its columns. */
function fromColumns(columns: number[][]): Float32Array {
  const rows = columns[0]!.length;
  const out = new Float32Array(rows * columns.length);
  columns.forEach((column, c) => column.forEach((v, r) => (out[r * columns.length + c] = v)));
  return out;
}

describe('DeepSEA macro AUROC (§3.10)', () => {
  // 4 sequences × 3 targets.
  // target 0: logits [−2, 0, 1, 3], labels [0, 1, 0, 1]; sigmoid is monotonic so ranks are the
  //   logits' ranks: pos 0 beats −2, loses to 1; pos 3 beats both → 3/4.
  // target 1: constant logits → 0.5.
  // target 2: no positive → undefined, left out.
  // macro = (0.75 + 0.5) / 2 = 0.625; table 1 − 0.625 = 0.375.
  const logits = fromColumns([
    [-2, 0, 1, 3],
    [0, 0, 0, 0],
    [5, -5, 1, 2],
  ]);
  const targets = fromColumns([
    [0, 1, 0, 1],
    [1, 0, 1, 0],
    [0, 0, 0, 0],
  ]);

  it('averages the defined targets and names the undefined one', () => {
    const r = deepseaMacroAuroc(logits, targets, 3);
    expect(r.perClass[0]).toBeCloseTo(0.75, 12);
    expect(r.perClass[1]).toBe(0.5);
    expect(r.perClass[2]).toBeNull();
    expect(r.undefinedClasses).toEqual([2]);
    expect(r.value).toBeCloseTo(0.625, 12);
    expect(r.tableValue).toBeCloseTo(0.375, 12);
    expect(r.direction).toBe('max');
    expect(r.name).toBe('macro-auroc');
  });

  it('the ScoreMetric wrapper gives the same value', () => {
    expect(deepseaMetric.compute(logits, targets, 3).value).toBeCloseTo(0.625, 12);
  });

  it('is NaN when every target is undefined or the input is empty', () => {
    const r = deepseaMacroAuroc(Float32Array.from([1, 2]), Float32Array.from([0, 0]), 1);
    expect(r.value).toBeNaN();
    expect(r.undefinedClasses).toEqual([0]);
    expect(deepseaMacroAuroc(new Float32Array(0), new Float32Array(0), 36).value).toBeNaN();
  });

  it('refuses shapes that do not match', () => {
    expect(() => deepseaMacroAuroc(new Float32Array(5), new Float32Array(5), 2)).toThrow(RangeError);
    expect(() => deepseaMacroAuroc(new Float32Array(4), new Float32Array(6), 2)).toThrow(RangeError);
  });
});

describe('FSD50K clip scores and mAP (§3.4)', () => {
  it('clip score is the sigmoid of the mean chunk logit, in float32', () => {
    // 2 classes; clip 0 has chunks [1, −1] and [−1, 3]; clip 1 has one chunk [2, 0].
    // Interleaved chunk order: chunk rows (clip 0), (clip 1), (clip 0).
    const chunkLogits = Float32Array.from([1, -1, 2, 0, -1, 3]);
    const clipOfChunk = Int32Array.from([0, 1, 0]);
    const scores = fsd50kClipScores(chunkLogits, clipOfChunk, 2, 2);
    // clip 0: means [0, 1] → σ(0) = 0.5, σ(1) = 1/(1+e⁻¹) ≈ 0.7310586 (the mean of the chunk
    // sigmoids would be (σ(−1) + σ(3))/2 ≈ 0.6107, which this must not be).
    expect(scores[0]).toBe(0.5);
    expect(scores[1]).toBe(Math.fround(1 / (1 + Math.exp(-1))));
    expect(scores[1]).toBeCloseTo(0.7310586, 6);
    // clip 1: σ(2) ≈ 0.8807971, σ(0) = 0.5
    expect(scores[2]).toBeCloseTo(0.8807971, 6);
    expect(scores[3]).toBe(0.5);
  });

  it('refuses a clip with no chunk or a chunk with an unknown clip', () => {
    expect(() => fsd50kClipScores(Float32Array.from([1, 2]), Int32Array.from([0]), 2, 2)).toThrow(/no chunk/);
    expect(() => fsd50kClipScores(Float32Array.from([1, 2]), Int32Array.from([3]), 2, 2)).toThrow(RangeError);
  });

  // 4 clips × 3 classes.
  // class 0: scores [0.1, 0.4, 0.35, 0.8], labels [0, 0, 1, 1] → AP 5/6 (see ranking.test.ts)
  // class 1: scores [0.9, 0.5, 0.5, 0.1], labels [0, 1, 0, 1] → AP 5/12 (tied threshold)
  // class 2: no positive → undefined, left out.
  // mAP = (5/6 + 5/12) / 2 = (10/12 + 5/12) / 2 = 15/24 = 0.625; table 0.375.
  const scores = fromColumns([
    [0.1, 0.4, 0.35, 0.8],
    [0.9, 0.5, 0.5, 0.1],
    [0.3, 0.2, 0.1, 0.0],
  ]);
  const targets = fromColumns([
    [0, 0, 1, 1],
    [0, 1, 0, 1],
    [0, 0, 0, 0],
  ]);

  it('mAP averages the classes with positives', () => {
    const r = fsd50kMeanAveragePrecision(scores, targets, 3);
    expect(r.perClass[0]).toBeCloseTo(5 / 6, 6);
    expect(r.perClass[1]).toBeCloseTo(5 / 12, 12);
    expect(r.perClass[2]).toBeNull();
    expect(r.undefinedClasses).toEqual([2]);
    expect(r.value).toBeCloseTo(0.625, 6);
    expect(r.tableValue).toBeCloseTo(0.375, 6);
    expect(r.variant).toBe('mean-logits');
    expect(fsd50kMetric.compute(scores, targets, 3).value).toBeCloseTo(0.625, 6);
  });
});
