/**
 * Conv backprop speed on the shapes hgnas networks use. Prints figures only; asserts nothing.
 *
 * 1. Per gradient kernel on wasm, GFLOP/s (each gradient does the forward's 2·MACs) of the
 *    previous implementation ("before": wasm's native Conv2DBackpropInput and the per-tap
 *    window loops this module used to run, kept below as a reference) against the current
 *    forward-op compositions of plugin/nn/kernels ("after").
 * 2. Forward + backward time per batch on wasm and cpu (backward counted as twice the forward).
 *
 *   npm run build && node dist/test/bench/kernels-bench.js
 */
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor4D } from '../../plugin/nn/tf.js';
import { initBackend, type BackendInfo } from '../../plugin/nn/backend.js';
import {
  conv2dFilterGradient,
  conv2dInputGradient,
  convGeometry,
  depthwiseFilterGradient,
  depthwiseInputGradient,
  type ConvGeometry,
} from '../../plugin/nn/kernels/index.js';
import { padForWindows } from '../../plugin/nn/kernels/spatial.js';

interface ConvCase {
  readonly name: string;
  readonly input: [number, number, number, number];
  readonly kernel: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly dilation: number;
  readonly depthwise: boolean;
}

const CASES: readonly ConvCase[] = [
  { name: 'sep dw 3×3 s1', input: [32, 32, 32, 32], kernel: 3, outChannels: 32, stride: 1, dilation: 1, depthwise: true },
  { name: 'sep dw 5×5 s2', input: [32, 32, 32, 32], kernel: 5, outChannels: 32, stride: 2, dilation: 1, depthwise: true },
  { name: 'dil dw 3×3 d2', input: [32, 32, 32, 32], kernel: 3, outChannels: 32, stride: 1, dilation: 2, depthwise: true },
  { name: 'conv 3×3 s1', input: [32, 16, 16, 32], kernel: 3, outChannels: 32, stride: 1, dilation: 1, depthwise: false },
  { name: 'conv 3×3 s2', input: [32, 32, 32, 16], kernel: 3, outChannels: 32, stride: 2, dilation: 1, depthwise: false },
  { name: 'conv 1×1', input: [32, 16, 16, 64], kernel: 1, outChannels: 64, stride: 1, dilation: 1, depthwise: false },
];

/** The previous filter gradients: one strided window of the padded input per kernel tap. */
function windowAt(xPadded: Tensor4D, g: ConvGeometry, i: number, j: number): Tensor4D {
  const [n, , , c] = xPadded.shape;
  const row = i * g.dilationHeight;
  const col = j * g.dilationWidth;
  if (g.strideHeight === 1 && g.strideWidth === 1) {
    return tf.slice(xPadded, [0, row, col, 0], [n, g.outHeight, g.outWidth, c]);
  }
  return tf.stridedSlice(
    xPadded,
    [0, row, col, 0],
    [n, row + (g.outHeight - 1) * g.strideHeight + 1, col + (g.outWidth - 1) * g.strideWidth + 1, c],
    [1, g.strideHeight, g.strideWidth, 1],
  ) as Tensor4D;
}

function perTapFilterGradient(x: Tensor4D, dy: Tensor4D, g: ConvGeometry, depthwise: boolean): Tensor {
  const xPadded = padForWindows(x, g);
  const rows = dy.shape[0] * g.outHeight * g.outWidth;
  const taps: Tensor[] = [];
  for (let i = 0; i < g.filterHeight; i++) {
    for (let j = 0; j < g.filterWidth; j++) {
      const window = windowAt(xPadded, g, i, j);
      taps.push(
        depthwise
          ? tf.sum(tf.mul(window, dy), [0, 1, 2])
          : tf.matMul(tf.reshape(window, [rows, x.shape[3]]), tf.reshape(dy, [rows, dy.shape[3]]), true, false),
      );
    }
  }
  return tf.stack(taps);
}

function nativeConv2dInputGradient(dy: Tensor4D, filter: Tensor4D, c: ConvCase): Tensor {
  const pad = c.dilation * Math.floor(c.kernel / 2);
  return tf.engine().runKernel(
    tf.Conv2DBackpropInput,
    { dy, filter },
    { strides: [c.stride, c.stride], pad, dataFormat: 'NHWC', inputShape: c.input, dilations: [1, 1] } as unknown as tf.NamedAttrMap,
  ) as Tensor;
}

function forwardFlops(c: ConvCase): number {
  const [n, h, w, cin] = c.input;
  const pad = c.dilation * Math.floor(c.kernel / 2);
  const outH = Math.floor((h + 2 * pad - c.dilation * (c.kernel - 1) - 1) / c.stride) + 1;
  const outW = Math.floor((w + 2 * pad - c.dilation * (c.kernel - 1) - 1) / c.stride) + 1;
  const macsPerOutput = c.kernel * c.kernel * (c.depthwise ? 1 : cin);
  return 2 * n * outH * outW * c.outChannels * macsPerOutput;
}

function step(c: ConvCase, x: Tensor4D, filter: Tensor4D): void {
  const pad = c.dilation * Math.floor(c.kernel / 2);
  const grads = tf.grads((xt: Tensor, ft: Tensor) => {
    const y = c.depthwise
      ? tf.depthwiseConv2d(xt as Tensor4D, ft as Tensor4D, c.stride, pad, 'NHWC', c.dilation)
      : tf.conv2d(xt as Tensor4D, ft as Tensor4D, c.stride, pad, 'NHWC', c.dilation);
    return tf.sum(tf.square(y));
  })([x, filter]);
  for (const g of grads) g.dataSync();
  tf.dispose(grads);
}

/** Median milliseconds per forward+backward step after one warm-up. */
function timeCase(c: ConvCase, repeats: number): number {
  const x = tf.randomNormal(c.input) as Tensor4D;
  const filterShape: [number, number, number, number] = c.depthwise
    ? [c.kernel, c.kernel, c.input[3], 1]
    : [c.kernel, c.kernel, c.input[3], c.outChannels];
  const filter = tf.randomNormal(filterShape) as Tensor4D;
  step(c, x, filter);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    step(c, x, filter);
    times.push(performance.now() - start);
  }
  tf.dispose([x, filter]);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Median milliseconds of `fn` (run in a tidy, result read back) after one warm-up. */
function timeOp(fn: () => Tensor, repeats: number): number {
  const once = (): number => {
    const start = performance.now();
    const out = tf.tidy(fn);
    out.dataSync();
    const ms = performance.now() - start;
    out.dispose();
    return ms;
  };
  once();
  const times = Array.from({ length: repeats }, once).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

interface GradientTimes {
  readonly inputBefore: number | null;
  readonly inputAfter: number;
  readonly filterBefore: number;
  readonly filterAfter: number;
}

function timeGradients(c: ConvCase, repeats: number): GradientTimes {
  const pad = c.dilation * Math.floor(c.kernel / 2);
  const filterShape: [number, number, number, number] = c.depthwise
    ? [c.kernel, c.kernel, c.input[3], 1]
    : [c.kernel, c.kernel, c.input[3], c.outChannels];
  const g = convGeometry({
    inShape: c.input,
    filterShape,
    strides: c.stride,
    dilations: c.dilation,
    pad,
    depthwise: c.depthwise,
  });
  const x = tf.randomNormal(c.input) as Tensor4D;
  const filter = tf.randomNormal(filterShape) as Tensor4D;
  const dy = tf.randomNormal([c.input[0], g.outHeight, g.outWidth, c.outChannels]) as Tensor4D;
  const times: GradientTimes = {
    // The native kernel takes no dilations; depthwise input gradients never had a native kernel.
    inputBefore: c.depthwise || c.dilation > 1 ? null : timeOp(() => nativeConv2dInputGradient(dy, filter, c), repeats),
    inputAfter: timeOp(
      () => (c.depthwise ? depthwiseInputGradient(dy, filter, g) : conv2dInputGradient(dy, filter, g)),
      repeats,
    ),
    filterBefore: timeOp(() => perTapFilterGradient(x, dy, g, c.depthwise), repeats),
    filterAfter: timeOp(
      () => (c.depthwise ? depthwiseFilterGradient(x, dy, g) : conv2dFilterGradient(x, dy, g)),
      repeats,
    ),
  };
  tf.dispose([x, filter, dy]);
  return times;
}

function gflops(flops: number, ms: number | null): string {
  return ms === null ? '—' : (flops / ms / 1e6).toFixed(2);
}

function row(cells: readonly string[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(16) : cell.padStart(12))).join('');
}

async function main(): Promise<void> {
  await initBackend('wasm');
  console.log('wasm gradient kernels, GFLOP/s (before → after)');
  console.log(row(['shape (N=32)', 'dx before', 'dx after', 'dW before', 'dW after']));
  for (const c of CASES) {
    const t = timeGradients(c, 5);
    const flops = forwardFlops(c);
    console.log(
      row([
        c.name,
        gflops(flops, t.inputBefore),
        gflops(flops, t.inputAfter),
        gflops(flops, t.filterBefore),
        gflops(flops, t.filterAfter),
      ]),
    );
  }
  console.log('');
  const results = new Map<string, Map<string, number>>();
  const infos: BackendInfo[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    infos.push(await initBackend(backend, { threads: 4 }));
    const perCase = new Map<string, number>();
    for (const c of CASES) perCase.set(c.name, timeCase(c, backend === 'cpu' ? 2 : 5));
    results.set(backend, perCase);
  }
  for (const info of infos) console.log(`${info.name}: ${info.package}@${info.version} — ${info.detail}`);
  console.log(row(['shape (N=32)', 'wasm ms', 'wasm GF/s', 'cpu ms', 'cpu GF/s', 'wasm/cpu']));
  for (const c of CASES) {
    const flops = 3 * forwardFlops(c);
    const wasmMs = results.get('wasm')!.get(c.name)!;
    const cpuMs = results.get('cpu')!.get(c.name)!;
    console.log(
      row([
        c.name,
        wasmMs.toFixed(1),
        (flops / wasmMs / 1e6).toFixed(2),
        cpuMs.toFixed(1),
        (flops / cpuMs / 1e6).toFixed(2),
        `${(cpuMs / wasmMs).toFixed(1)}×`,
      ]),
    );
  }
  console.log(
    'wasm thread scaling: not measurable in Node.js — tfjs-backend-wasm runs its single-threaded SIMD build there ' +
      '(see plugin/nn/backend.ts); scale with pool workers instead.',
  );
}

await main();
