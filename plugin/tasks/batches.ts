/**
 * Turning an in-memory split into tensor batches, with the host-side augmentations the recipes
 * offer (random crop with zero padding, horizontal flip). Each epoch's order and augmentation
 * come from the caller's seeded generator, so training is reproducible.
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor4D } from '../nn/tf.js';
import type { InputShape } from '../space/types.js';
import type { Rng } from '../util/rng.js';
import type { Split } from './types.js';

export interface Augmentation {
  /** Zero padding in pixels before a random crop back to the input size (0 = off). */
  readonly randomCrop: number;
  readonly flip: boolean;
}

export interface Batch {
  readonly x: Tensor4D;
  /** int32 labels `(batch)`, or float32 targets `(batch, outputs)` when the split has `targets`. */
  readonly y: Tensor;
}

export interface BatchSource {
  readonly size: number;
  batches(epoch: number, batchSize: number, rng: Rng): Iterable<Batch>;
}

export const NO_AUGMENTATION: Augmentation = { randomCrop: 0, flip: false };

export function splitSource(
  split: Split,
  shape: InputShape,
  options: { shuffle: boolean; augment?: Augmentation; limit?: number } = { shuffle: false },
): BatchSource {
  const count = Math.min(split.count, options.limit ?? split.count);
  const augment = options.augment ?? NO_AUGMENTATION;
  const per = shape.height * shape.width * shape.channels;
  const targets = split.targets;
  const targetSize = targets === undefined ? 0 : targets.length / split.count;
  return {
    size: count,
    *batches(_epoch: number, batchSize: number, rng: Rng) {
      const order = Array.from({ length: count }, (_, i) => i);
      const visit = options.shuffle ? rng.shuffle(order) : order;
      for (let start = 0; start < count; start += batchSize) {
        const ids = visit.slice(start, start + batchSize);
        const x = new Float32Array(ids.length * per);
        const y = new Int32Array(ids.length);
        const t = new Float32Array(ids.length * targetSize);
        ids.forEach((src, i) => {
          const image = split.x.subarray(src * per, (src + 1) * per);
          const out = x.subarray(i * per, (i + 1) * per);
          if (augment.randomCrop > 0 || augment.flip) augmentInto(image, out, shape, augment, rng);
          else out.set(image);
          y[i] = split.y[src]!;
          if (targets !== undefined) t.set(targets.subarray(src * targetSize, (src + 1) * targetSize), i * targetSize);
        });
        yield {
          x: tf.tensor4d(x, [ids.length, shape.height, shape.width, shape.channels]),
          y: targets === undefined ? tf.tensor1d(y, 'int32') : tf.tensor2d(t, [ids.length, targetSize]),
        };
      }
    },
  };
}

/** Copies `image` into `out` shifted by a random crop offset (zeros outside) and maybe mirrored. */
export function augmentInto(
  image: Float32Array,
  out: Float32Array,
  shape: InputShape,
  augment: Augmentation,
  rng: Rng,
): void {
  const { height: H, width: W, channels: C } = shape;
  const pad = augment.randomCrop;
  const dy = pad > 0 ? rng.int(-pad, pad) : 0;
  const dx = pad > 0 ? rng.int(-pad, pad) : 0;
  const mirror = augment.flip && rng.next() < 0.5;
  out.fill(0);
  for (let r = 0; r < H; r++) {
    const sr = r + dy;
    if (sr < 0 || sr >= H) continue;
    for (let c = 0; c < W; c++) {
      let sc = c + dx;
      if (sc < 0 || sc >= W) continue;
      if (mirror) sc = W - 1 - sc;
      for (let k = 0; k < C; k++) out[(r * W + c) * C + k] = image[(sr * W + sc) * C + k]!;
    }
  }
}

/** The first `n` training examples in canonical order (method.md §5.1's fixed ZC batch). */
export function firstExamples(
  split: Split,
  shape: InputShape,
  n: number,
): { x: Float32Array; y: Int32Array; targets?: Float32Array; count: number } {
  const count = Math.min(n, split.count);
  const per = shape.height * shape.width * shape.channels;
  const head = { x: split.x.slice(0, count * per), y: split.y.slice(0, count), count };
  if (split.targets === undefined) return head;
  const size = split.targets.length / split.count;
  return { ...head, targets: split.targets.slice(0, count * size) };
}

/**
 * Two splits as one (NAS-Bench-360's final mode trains on train + val, nas-bench-360.md §2.1):
 * examples of `a` then of `b`; group ids of `b` are shifted past those of `a`.
 */
export function concatSplits(a: Split, b: Split): Split {
  const cat = <T extends Float32Array | Int32Array>(make: (n: number) => T, p: T, q: T): T => {
    const out = make(p.length + q.length);
    out.set(p);
    out.set(q, p.length);
    return out;
  };
  if ((a.targets === undefined) !== (b.targets === undefined)) throw new Error('concatSplits: one split has targets, the other not');
  const groups =
    a.groups && b.groups ? cat((n) => new Int32Array(n), a.groups, Int32Array.from(b.groups, (g) => g + Math.max(-1, ...a.groups!) + 1)) : undefined;
  return {
    x: cat((n) => new Float32Array(n), a.x, b.x),
    y: cat((n) => new Int32Array(n), a.y, b.y),
    ...(a.targets && b.targets ? { targets: cat((n) => new Float32Array(n), a.targets, b.targets) } : {}),
    ...(groups ? { groups } : {}),
    count: a.count + b.count,
    indices: cat((n) => new Int32Array(n), a.indices, b.indices),
  };
}
