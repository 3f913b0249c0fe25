/**
 * The wasm backprop kernels against tfjs's cpu kernels, and the dilation-aware conv gradients
 * against an independent cpu reference: a dilation-2 conv equals an undilated conv with the
 * (2k−1)×(2k−1) zero-inserted kernel, whose gradients tfjs's own cpu code computes. The
 * StridedSlice gradient is checked against a scatter written out by hand, one dilated case
 * against central finite differences.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor4D } from '../../plugin/nn/tf.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { Rng } from '../../plugin/util/rng.js';
import { takeEverySecond } from '../../plugin/nn/ops.js';

type Pad = number | 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];

const TOLERANCE = 1e-4;
/** Distinct paddings: for k = 1 the candidates 0, ⌊k/2⌋ and k − 1 coincide. */
function paddings(...candidates: Pad[]): Pad[] {
  const seen = new Set<string>();
  return candidates.filter((p) => !seen.has(JSON.stringify(p)) && seen.add(JSON.stringify(p)) !== undefined);
}

const ASYMMETRIC: Pad = [
  [0, 0],
  [0, 1],
  [2, 0],
  [0, 0],
];

function randomArray(size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal();
  return out;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** max |a − b| / max |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Runs `fn` on a backend inside a tidy and reads every returned tensor back. */
async function on(backend: 'wasm' | 'cpu', fn: () => Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = tf.tidy(fn);
  const values = tensors.map((t) => t.dataSync() as Float32Array);
  tf.dispose(tensors);
  return values;
}

function outSize(inSize: number, k: number, stride: number, dilation: number, pad: Pad, axis: 0 | 1): number {
  const effective = (k - 1) * dilation + 1;
  if (pad === 'same') return Math.ceil(inSize / stride);
  if (pad === 'valid') return Math.floor((inSize - effective) / stride) + 1;
  const [before, after] = typeof pad === 'number' ? [pad, pad] : pad[axis + 1]!;
  return Math.floor((inSize + before + after - effective) / stride) + 1;
}

/** The (2k−1)×(2k−1) kernel with the k×k taps at even offsets and zeros between. */
function zeroInsertedFilter(filter: Float32Array, shape: Shape4): { values: Float32Array; shape: Shape4 } {
  const [k, , cin, cout] = shape;
  const big = 2 * k - 1;
  const values = new Float32Array(big * big * cin * cout);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let c = 0; c < cin * cout; c++) values[((2 * i) * big + 2 * j) * cin * cout + c] = filter[(i * k + j) * cin * cout + c]!;
  return { values, shape: [big, big, cin, cout] };
}

/** The k×k taps of a (2k−1)×(2k−1) gradient: the gather back onto the dilated filter. */
function gatherEvenTaps(bigGrad: Float32Array, shape: Shape4): Float32Array {
  const [k, , cin, cout] = shape;
  const big = 2 * k - 1;
  const out = new Float32Array(k * k * cin * cout);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let c = 0; c < cin * cout; c++) out[(i * k + j) * cin * cout + c] = bigGrad[((2 * i) * big + 2 * j) * cin * cout + c]!;
  return out;
}

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.name).toBe('wasm');
});

describe('wasm Conv2DBackpropFilter against cpu', () => {
  const cases: { k: number; stride: number; pad: Pad }[] = [];
  for (const k of [1, 3, 5])
    for (const stride of [1, 2]) for (const pad of paddings(0, Math.floor(k / 2), 'same', ASYMMETRIC)) cases.push({ k, stride, pad });

  it.each(cases)('k=$k stride=$stride pad=$pad', async ({ k, stride, pad }) => {
    const xShape: Shape4 = [2, 9, 8, 3];
    const filterShape: Shape4 = [k, k, 3, 4];
    const dyShape: Shape4 = [2, outSize(9, k, stride, 1, pad, 0), outSize(8, k, stride, 1, pad, 1), 4];
    const x = randomArray(sizeOf(xShape), 1);
    const dy = randomArray(sizeOf(dyShape), 2);
    const attrs = { strides: [stride, stride], pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap;
    const run = (): Tensor[] => [
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: tf.tensor4d(x, xShape), dy: tf.tensor4d(dy, dyShape) }, attrs) as Tensor,
    ];
    const [wasm] = await on('wasm', run);
    const [cpu] = await on('cpu', run);
    expect(relativeError(wasm!, cpu!)).toBeLessThan(TOLERANCE);
  });
});

describe('wasm depthwise backprop kernels (dilation 1) against cpu', () => {
  const cases: { k: number; stride: number; pad: Pad; multiplier: number }[] = [];
  for (const k of [1, 3, 5])
    for (const stride of [1, 2])
      for (const pad of paddings(0, Math.floor(k / 2), 'same', ASYMMETRIC)) cases.push({ k, stride, pad, multiplier: 1 });
  cases.push({ k: 3, stride: 2, pad: 1, multiplier: 2 });

  it.each(cases)('k=$k stride=$stride pad=$pad multiplier=$multiplier', async ({ k, stride, pad, multiplier }) => {
    const xShape: Shape4 = [2, 8, 7, 3];
    const filterShape: Shape4 = [k, k, 3, multiplier];
    const dyShape: Shape4 = [2, outSize(8, k, stride, 1, pad, 0), outSize(7, k, stride, 1, pad, 1), 3 * multiplier];
    const x = randomArray(sizeOf(xShape), 3);
    const filter = randomArray(sizeOf(filterShape), 4);
    const dy = randomArray(sizeOf(dyShape), 5);
    const common = { strides: [stride, stride], pad, dilations: [1, 1] };
    const run = (): Tensor[] => {
      const dyT = tf.tensor4d(dy, dyShape);
      return [
        tf.engine().runKernel(
          tf.DepthwiseConv2dNativeBackpropInput,
          { dy: dyT, filter: tf.tensor4d(filter, filterShape) },
          { ...common, inputShape: xShape } as unknown as tf.NamedAttrMap,
        ) as Tensor,
        tf.engine().runKernel(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x: tf.tensor4d(x, xShape), dy: dyT },
          { ...common, filterShape } as unknown as tf.NamedAttrMap,
        ) as Tensor,
      ];
    };
    const [wasmDx, wasmDw] = await on('wasm', run);
    const [cpuDx, cpuDw] = await on('cpu', run);
    expect(relativeError(wasmDx!, cpuDx!)).toBeLessThan(TOLERANCE);
    expect(relativeError(wasmDw!, cpuDw!)).toBeLessThan(TOLERANCE);
  });
});

describe('conv gradients through tf.grads (dilation 1) agree between wasm and cpu', () => {
  it.each([
    { depthwise: true, k: 3, stride: 2, pad: 1 as Pad },
    { depthwise: true, k: 5, stride: 1, pad: 2 as Pad },
    { depthwise: false, k: 3, stride: 2, pad: 1 as Pad },
    { depthwise: false, k: 1, stride: 1, pad: 0 as Pad },
  ])('depthwise=$depthwise k=$k stride=$stride', async ({ depthwise, k, stride, pad }) => {
    const xShape: Shape4 = [2, 9, 9, 4];
    const filterShape: Shape4 = [k, k, 4, depthwise ? 1 : 5];
    const x = randomArray(sizeOf(xShape), 6);
    const filter = randomArray(sizeOf(filterShape), 7);
    const out = outSize(9, k, stride, 1, pad, 0);
    const weights = randomArray(2 * out * out * (depthwise ? 4 : 5), 8);
    const run = (): Tensor[] => {
      const loss = (xt: Tensor, ft: Tensor): Tensor => {
        const y = depthwise
          ? tf.depthwiseConv2d(xt as Tensor4D, ft as Tensor4D, stride, pad as 'same')
          : tf.conv2d(xt as Tensor4D, ft as Tensor4D, stride, pad as 'same');
        return tf.sum(tf.mul(y, tf.tensor(weights, y.shape)));
      };
      return tf.grads(loss)([tf.tensor4d(x, xShape), tf.tensor4d(filter, filterShape)]);
    };
    const [wasmDx, wasmDw] = await on('wasm', run);
    const [cpuDx, cpuDw] = await on('cpu', run);
    expect(relativeError(wasmDx!, cpuDx!)).toBeLessThan(TOLERANCE);
    expect(relativeError(wasmDw!, cpuDw!)).toBeLessThan(TOLERANCE);
  });
});

describe('conv2d gradients on wasm (forward-op compositions, dilation 1) against cpu', () => {
  const cases: { k: number; stride: number; pad: Pad }[] = [];
  for (const k of [1, 3, 5])
    for (const stride of [1, 2]) for (const pad of paddings(0, Math.floor(k / 2), 'same', ASYMMETRIC)) cases.push({ k, stride, pad });

  it.each(cases)('k=$k stride=$stride pad=$pad', async ({ k, stride, pad }) => {
    const xShape: Shape4 = [3, 10, 9, 5];
    const filterShape: Shape4 = [k, k, 5, 6];
    const yShape: Shape4 = [3, outSize(10, k, stride, 1, pad, 0), outSize(9, k, stride, 1, pad, 1), 6];
    const x = randomArray(sizeOf(xShape), 19);
    const filter = randomArray(sizeOf(filterShape), 20);
    const weights = randomArray(sizeOf(yShape), 21);
    const run = (): Tensor[] =>
      tf.grads((xt: Tensor, ft: Tensor) =>
        tf.sum(tf.mul(tf.conv2d(xt as Tensor4D, ft as Tensor4D, stride, pad as 'same'), tf.tensor4d(weights, yShape))),
      )([tf.tensor4d(x, xShape), tf.tensor4d(filter, filterShape)]);
    const [wasmDx, wasmDw] = await on('wasm', run);
    const [cpuDx, cpuDw] = await on('cpu', run);
    expect(relativeError(wasmDx!, cpuDx!)).toBeLessThan(TOLERANCE);
    expect(relativeError(wasmDw!, cpuDw!)).toBeLessThan(TOLERANCE);
  });

  it("gradients taken on wasm bypass wasm's native Conv2DBackpropInput", async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 8, 8, 3]) as Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as Tensor4D;
    const profile = await tf.profile(() => {
      const grads = tf.grads((xt: Tensor, wt: Tensor) => tf.sum(tf.conv2d(xt as Tensor4D, wt as Tensor4D, 2, 1)))([x, w]);
      tf.dispose(grads);
    });
    tf.dispose([x, w]);
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain('Conv2D');
    expect(names).not.toContain(tf.Conv2DBackpropInput);
  });
});

describe('depthwise filter gradient with a large dy filter (batch moved into channels) against cpu', () => {
  it.each([
    { k: 5, stride: 2, pad: 2 as Pad, multiplier: 2 },
    { k: 3, stride: 1, pad: 'same' as Pad, multiplier: 3 },
    { k: 1, stride: 2, pad: 0 as Pad, multiplier: 2 },
  ])('k=$k stride=$stride pad=$pad multiplier=$multiplier', async ({ k, stride, pad, multiplier }) => {
    const xShape: Shape4 = [5, 21, 18, 4];
    const filterShape: Shape4 = [k, k, 4, multiplier];
    const dyShape: Shape4 = [5, outSize(21, k, stride, 1, pad, 0), outSize(18, k, stride, 1, pad, 1), 4 * multiplier];
    const x = randomArray(sizeOf(xShape), 22);
    const dy = randomArray(sizeOf(dyShape), 23);
    const attrs = { strides: [stride, stride], pad, dilations: [1, 1], filterShape } as unknown as tf.NamedAttrMap;
    const run = (): Tensor[] => [
      tf.engine().runKernel(
        tf.DepthwiseConv2dNativeBackpropFilter,
        { x: tf.tensor4d(x, xShape), dy: tf.tensor4d(dy, dyShape) },
        attrs,
      ) as Tensor,
    ];
    const [wasm] = await on('wasm', run);
    const [cpu] = await on('cpu', run);
    expect(relativeError(wasm!, cpu!)).toBeLessThan(TOLERANCE);
  });
});

describe('dilation-2 gradients against the zero-inserted-kernel reference on cpu', () => {
  const cases: { depthwise: boolean; k: number; pad: Pad }[] = [];
  for (const depthwise of [true, false])
    for (const k of [1, 3, 5]) for (const pad of paddings(0, k - 1, 'same', ASYMMETRIC)) cases.push({ depthwise, k, pad });

  it.each(cases)('depthwise=$depthwise k=$k pad=$pad', async ({ depthwise, k, pad }) => {
    const xShape: Shape4 = [2, 11, 10, 3];
    const filterShape: Shape4 = [k, k, 3, depthwise ? 1 : 2];
    const outChannels = depthwise ? 3 : 2;
    const yShape: Shape4 = [2, outSize(11, k, 1, 2, pad, 0), outSize(10, k, 1, 2, pad, 1), outChannels];
    const x = randomArray(sizeOf(xShape), 9);
    const filter = randomArray(sizeOf(filterShape), 10);
    const weights = randomArray(sizeOf(yShape), 11);
    const conv = (xt: Tensor4D, ft: Tensor4D, dilation: number): Tensor4D =>
      depthwise
        ? tf.depthwiseConv2d(xt, ft, 1, pad as 'same', 'NHWC', dilation)
        : tf.conv2d(xt, ft, 1, pad as 'same', 'NHWC', dilation);
    const dilated = (): Tensor[] =>
      tf.grads((xt: Tensor, ft: Tensor) => tf.sum(tf.mul(conv(xt as Tensor4D, ft as Tensor4D, 2), tf.tensor4d(weights, yShape))))([
        tf.tensor4d(x, xShape),
        tf.tensor4d(filter, filterShape),
      ]);
    const big = zeroInsertedFilter(filter, filterShape);
    const [refDx, refBigDw] = await on('cpu', () =>
      tf.grads((xt: Tensor, ft: Tensor) => tf.sum(tf.mul(conv(xt as Tensor4D, ft as Tensor4D, 1), tf.tensor4d(weights, yShape))))([
        tf.tensor4d(x, xShape),
        tf.tensor4d(big.values, big.shape),
      ]),
    );
    const refDw = gatherEvenTaps(refBigDw!, filterShape);
    for (const backend of ['wasm', 'cpu'] as const) {
      const [dx, dw] = await on(backend, dilated);
      expect(relativeError(dx!, refDx!)).toBeLessThan(TOLERANCE);
      expect(relativeError(dw!, refDw)).toBeLessThan(TOLERANCE);
    }
  });

  it('the wasm depthwise backprop kernels honour dilations directly', async () => {
    const xShape: Shape4 = [2, 9, 9, 2];
    const filterShape: Shape4 = [3, 3, 2, 1];
    const dyShape: Shape4 = [2, 9, 9, 2];
    const x = randomArray(sizeOf(xShape), 12);
    const filter = randomArray(sizeOf(filterShape), 13);
    const dy = randomArray(sizeOf(dyShape), 14);
    const common = { strides: [1, 1], pad: 2, dilations: [2, 2] };
    const [dx, dw] = await on('wasm', () => [
      tf.engine().runKernel(
        tf.DepthwiseConv2dNativeBackpropInput,
        { dy: tf.tensor4d(dy, dyShape), filter: tf.tensor4d(filter, filterShape) },
        { ...common, inputShape: xShape } as unknown as tf.NamedAttrMap,
      ) as Tensor,
      tf.engine().runKernel(
        tf.DepthwiseConv2dNativeBackpropFilter,
        { x: tf.tensor4d(x, xShape), dy: tf.tensor4d(dy, dyShape) },
        { ...common, filterShape } as unknown as tf.NamedAttrMap,
      ) as Tensor,
    ]);
    const big = zeroInsertedFilter(filter, filterShape);
    const [refDx, refBigDw] = await on('cpu', () =>
      tf.grads((xt: Tensor, ft: Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(xt as Tensor4D, ft as Tensor4D, 1, 2), tf.tensor4d(dy, dyShape))),
      )([tf.tensor4d(x, xShape), tf.tensor4d(big.values, big.shape)]),
    );
    expect(relativeError(dx!, refDx!)).toBeLessThan(TOLERANCE);
    expect(relativeError(dw!, gatherEvenTaps(refBigDw!, filterShape))).toBeLessThan(TOLERANCE);
  });
});

describe('dilated depthwise gradient against central finite differences (wasm)', () => {
  it('matches for a quadratic loss, where central differences are exact up to rounding', async () => {
    const xShape: Shape4 = [2, 7, 6, 2];
    const filterShape: Shape4 = [3, 3, 2, 1];
    const x = randomArray(sizeOf(xShape), 15);
    const filter = randomArray(sizeOf(filterShape), 16);
    await tf.setBackend('wasm');
    const loss = (xt: Tensor4D, ft: Tensor4D): Tensor => {
      const y = tf.depthwiseConv2d(xt, ft, 1, 2, 'NHWC', 2);
      return tf.mul(0.5, tf.sum(tf.square(y)));
    };
    const [dx, dw] = await on('wasm', () =>
      tf.grads((xt: Tensor, ft: Tensor) => loss(xt as Tensor4D, ft as Tensor4D))([
        tf.tensor4d(x, xShape),
        tf.tensor4d(filter, filterShape),
      ]),
    );
    const lossAt = (xv: Float32Array, fv: Float32Array): number =>
      tf.tidy(() => loss(tf.tensor4d(xv, xShape), tf.tensor4d(fv, filterShape)).dataSync()[0]!);
    const eps = 0.05;
    const probe = (values: Float32Array, index: number, evaluate: (v: Float32Array) => number): number => {
      const plus = Float32Array.from(values);
      const minus = Float32Array.from(values);
      plus[index]! += eps;
      minus[index]! -= eps;
      return (evaluate(plus) - evaluate(minus)) / (2 * eps);
    };
    for (const index of [0, 5, 9, 17]) {
      const numeric = probe(filter, index, (f) => lossAt(x, f));
      expect(Math.abs(numeric - dw![index]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(numeric)));
    }
    for (const index of [0, 13, 40, 83]) {
      const numeric = probe(x, index, (xv) => lossAt(xv, filter));
      expect(Math.abs(numeric - dx![index]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(numeric)));
    }
  });
});

describe('StridedSlice gradient', () => {
  /** d/dx Σ w·stridedSlice(x): w scattered to the positions the slice reads, by hand. */
  function scatterReference(xShape: Shape4, begin: number[], strides: number[], counts: number[], w: Float32Array): Float32Array {
    const out = new Float32Array(sizeOf(xShape));
    let t = 0;
    for (let a = 0; a < counts[0]!; a++)
      for (let b = 0; b < counts[1]!; b++)
        for (let c = 0; c < counts[2]!; c++)
          for (let d = 0; d < counts[3]!; d++) {
            const idx = [begin[0]! + a * strides[0]!, begin[1]! + b * strides[1]!, begin[2]! + c * strides[2]!, begin[3]! + d * strides[3]!];
            const flat = ((idx[0]! * xShape[1] + idx[1]!) * xShape[2] + idx[2]!) * xShape[3] + idx[3]!;
            out[flat] = out[flat]! + w[t++]!;
          }
    return out;
  }

  it.each([
    // every second row and column from 0: the stride-2 dil_conv subsampling of method.md §15.3
    { begin: [0, 0, 0, 0], end: [2, 7, 6, 3], strides: [1, 2, 2, 1], counts: [2, 4, 3, 3] },
    // offset start, stride 3 on H
    { begin: [1, 1, 0, 0], end: [2, 7, 6, 3], strides: [1, 3, 2, 1], counts: [1, 2, 3, 3] },
    // negative stride on W: reads columns 5, 3, 1
    { begin: [0, 0, 5, 1], end: [2, 7, -7, 3], strides: [1, 1, -2, 1], counts: [2, 7, 3, 2] },
  ])('begin=$begin strides=$strides', async ({ begin, end, strides, counts }) => {
    const xShape: Shape4 = [2, 7, 6, 3];
    const x = randomArray(sizeOf(xShape), 17);
    const w = randomArray(sizeOf(counts), 18);
    const expected = scatterReference(xShape, begin, strides, counts, w);
    for (const backend of ['wasm', 'cpu'] as const) {
      const [dx] = await on(backend, () => [
        tf.grad((xt: Tensor) => tf.sum(tf.mul(tf.stridedSlice(xt, begin, end, strides), tf.tensor(w, counts))))(
          tf.tensor4d(x, xShape),
        ),
      ]);
      expect(relativeError(dx!, expected)).toBeLessThan(1e-6);
    }
  });
});

describe('takeEverySecond on wasm (1×1 stride-2 average pool)', () => {
  it.each([
    { h: 7, w: 6 },
    { h: 8, w: 9 },
  ])('reads rows and columns 0, 2, 4, … exactly for $h×$w', async ({ h, w }) => {
    const shape: Shape4 = [2, h, w, 3];
    const x = randomArray(sizeOf(shape), 24);
    const [got] = await on('wasm', () => [takeEverySecond(tf.tensor4d(x, shape))]);
    const outH = Math.ceil(h / 2);
    const outW = Math.ceil(w / 2);
    expect(got!.length).toBe(2 * outH * outW * 3);
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < outH; i++)
        for (let j = 0; j < outW; j++)
          for (let c = 0; c < 3; c++) {
            expect(got![((n * outH + i) * outW + j) * 3 + c]).toBe(x[((n * h + 2 * i) * w + 2 * j) * 3 + c]);
          }
  });
});

describe('memory', () => {
  it('gradients of dilated, strided, pointwise and multiplier-2 convs leave no tensors behind on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 8, 8, 3]) as Tensor4D;
    const dw = tf.randomNormal([3, 3, 3, 1]) as Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as Tensor4D;
    const pw = tf.randomNormal([1, 1, 4, 5]) as Tensor4D;
    const dw2 = tf.randomNormal([3, 3, 5, 2]) as Tensor4D;
    const before = tf.memory().numTensors;
    const grads = tf.grads((xt: Tensor, dwt: Tensor, wt: Tensor, pwt: Tensor, dw2t: Tensor) => {
      const a = tf.depthwiseConv2d(xt as Tensor4D, dwt as Tensor4D, 1, 2, 'NHWC', 2);
      const b = tf.stridedSlice(a, [0, 0, 0, 0], [2, 8, 8, 3], [1, 2, 2, 1]) as Tensor4D;
      const c = tf.conv2d(b, wt as Tensor4D, 2, 1);
      const d = tf.conv2d(c, pwt as Tensor4D, 1, 'valid');
      const e = tf.depthwiseConv2d(d, dw2t as Tensor4D, 1, 1);
      return tf.sum(tf.square(e));
    })([x, dw, w, pw, dw2]);
    expect(grads.length).toBe(5);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dw, w, pw, dw2]);
  });
});
