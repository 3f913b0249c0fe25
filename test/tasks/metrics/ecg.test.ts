import { describe, expect, it } from 'vitest';
import { ecgRecordF1, ecgWindowF1, macroF1, majorityVote } from '../../../plugin/tasks/metrics/index.js';

describe('majorityVote (Counter.most_common tie-break)', () => {
  it('takes the most frequent value, the first seen on a tie', () => {
    expect(majorityVote([0, 2, 2])).toBe(2);
    expect(majorityVote([3, 1, 1, 3])).toBe(3);
    expect(majorityVote([1, 3, 3, 1])).toBe(1);
    expect(() => majorityVote([])).toThrow(RangeError);
  });
});

describe('macroF1', () => {
  it('gives 0 for a class with an empty denominator and still averages over all classes', () => {
    // truth [0, 0], predicted [0, 1], 3 classes:
    // class 0: TP 1, FN 1 → P 1, R ½ → F1 2/3; class 1: FP 1 → 0; class 2: absent everywhere → 0
    // macro = (2/3) / 3 = 2/9
    expect(macroF1([0, 1], [0, 0], 3)).toBeCloseTo(2 / 9, 12);
    expect(macroF1([], [], 4)).toBeNaN();
  });
});

describe('ECG record-level macro F1 (§3.8)', () => {
  // windows in order (record id, predicted, label); records interleave on purpose:
  //  record 0: predictions 1, 2, 2, 1 (tie 2–2, 1 seen first → 1), label 1
  //  record 1: predictions 2, 0, 0 → 0, label 0
  //  record 2: predictions 3, 2, 2, 3 (tie, 3 seen first → 3), label 2
  //  record 3: prediction 2 → 2, label 2
  const rows: [number, number, number][] = [
    [0, 1, 1],
    [0, 2, 1],
    [1, 2, 0],
    [0, 2, 1],
    [1, 0, 0],
    [2, 3, 2],
    [0, 1, 1],
    [1, 0, 0],
    [2, 2, 2],
    [3, 2, 2],
    [2, 2, 2],
    [2, 3, 2],
  ];
  const records = Int32Array.from(rows, (r) => r[0]);
  const predictions = Int32Array.from(rows, (r) => r[1]);
  const labels = Int32Array.from(rows, (r) => r[2]);

  it('votes per record, then averages per-class F1 over the four classes', () => {
    // records: truth [1, 0, 2, 2], predicted [1, 0, 3, 2]
    // class 0: F1 1; class 1: F1 1; class 2: TP 1, FN 1 → P 1, R ½ → 2/3; class 3: FP 1 → 0
    // macro = (1 + 1 + 2/3 + 0) / 4 = 2/3; table 1/3
    const r = ecgRecordF1(predictions, labels, records);
    expect(r.value).toBeCloseTo(2 / 3, 12);
    expect(r.tableValue).toBeCloseTo(1 / 3, 12);
    expect(r.variant).toBe('record-vote');
    expect(r.direction).toBe('max');
  });

  it('the per-window variant of the follow-up papers differs', () => {
    // windows: predicted [1,2,2,2,0,3,1,0,2,2,2,3], truth [1,1,0,1,0,2,1,0,2,2,2,2]
    // class 0: TP 2, FP 0, FN 1 → P 1, R 2/3 → 4/5
    // class 1: TP 2, FP 0, FN 2 → P 1, R ½ → 2/3
    // class 2: TP 3, FP 3 (windows 1, 2, 3), FN 2 (windows 5, 11) → P ½, R 3/5 → 6/11
    // class 3: TP 0, FP 2 → 0
    // macro = (4/5 + 2/3 + 6/11) / 4 = (132 + 110 + 90) / 165 / 4 = 83/165
    const r = ecgWindowF1(predictions, labels);
    expect(r.value).toBeCloseTo(83 / 165, 12);
    expect(r.variant).toBe('per-window');
  });

  it('NaN on empty input; mismatched lengths are refused', () => {
    expect(ecgRecordF1(new Int32Array(0), new Int32Array(0), new Int32Array(0)).value).toBeNaN();
    expect(() => ecgRecordF1(new Int32Array(2), new Int32Array(2), new Int32Array(1))).toThrow(RangeError);
  });
});
