/**
 * Forward + backward time per batch of the conv shapes hgnas networks use, on wasm and cpu,
 * with the achieved GFLOP/s (forward 2·MACs, backward counted as twice the forward: one
 * input-gradient and one filter-gradient pass). Prints figures only; asserts nothing.
 *
 *   npm run build && node dist/test/bench/kernels-bench.js
 */
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor4D } from '../../plugin/nn/tf.js';
import { initBackend, type BackendInfo } from '../../plugin/nn/backend.js';

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

function row(cells: readonly string[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(16) : cell.padStart(12))).join('');
}

async function main(): Promise<void> {
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
