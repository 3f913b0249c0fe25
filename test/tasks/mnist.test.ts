import { describe, expect, it } from 'vitest';
import { loadMnistTask, MNIST_MEAN, MNIST_STD, readMnistDigits } from '../../plugin/tasks/mnist.js';

describe('MNIST adapter', () => {
  it('reads the 10 000 real digits of the mnist package with their per-class counts', () => {
    const { images, labels } = readMnistDigits();
    expect(labels.length).toBe(10_000);
    expect(images.length).toBe(10_000 * 784);
    // Per-class counts of the package's digits/<d>.json files (its README: 10 000 digits).
    const counts = Array<number>(10).fill(0);
    labels.forEach((l) => counts[l]!++);
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it('splits deterministically into disjoint train/val/test sets covering every digit once', () => {
    const a = loadMnistTask({ train: 0.7, val: 0.1, test: 0.2 });
    const b = loadMnistTask({ train: 0.7, val: 0.1, test: 0.2 });
    expect([a.splits.train.count, a.splits.val.count, a.splits.test.count]).toEqual([7000, 1000, 2000]);
    expect(Array.from(a.splits.test.indices)).toEqual(Array.from(b.splits.test.indices));
    const all = [...a.splits.train.indices, ...a.splits.val.indices, ...a.splits.test.indices];
    expect(new Set(all).size).toBe(10_000);
    // Every class appears in the test split (a shuffled split, not class-ordered cuts).
    expect(new Set(a.splits.test.y).size).toBe(10);
  });

  it('normalises pixels with the standard MNIST mean and std', () => {
    const task = loadMnistTask();
    const { images } = readMnistDigits();
    const src = task.splits.train.indices[0]!;
    const p = 14 * 28 + 14;
    expect(task.splits.train.x[p]).toBeCloseTo((images[src * 784 + p]! - MNIST_MEAN) / MNIST_STD, 6);
    expect(task.inputShape).toEqual({ height: 28, width: 28, channels: 1 });
    expect(task.metric.compute(Int32Array.of(1, 2, 3, 4), Int32Array.of(1, 2, 0, 4))).toBe(0.75);
  });
});
