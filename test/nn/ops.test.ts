import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../../plugin/nn/tf.js';
import { avgPoolExcludingPadding, depthwiseConv2d, takeEverySecond } from '../../plugin/nn/ops.js';
import {
  BatchNormLayer,
  ConvLayer,
  LinearLayer,
  ParameterRegistry,
  roundHalfEven,
  type ForwardContext,
} from '../../plugin/nn/layers.js';
import { ZEN_GAIN } from '../../plugin/nn/init.js';
import { Rng } from '../../plugin/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Random NHWC data as a plain nested-index function plus the tensor. */
function randomNhwc(shape: [number, number, number, number], seed: number): { t: Tensor4D; at: (n: number, h: number, w: number, c: number) => number } {
  const rng = new Rng(seed);
  const [, H, W, C] = shape;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return {
    t: tf.tensor4d(data, shape),
    at: (n, h, w, c) => data[((n * H + h) * W + w) * C + c]!,
  };
}

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

/** A forward context over a plain parameter map, recording what the layers report. */
function testContext(mode: 'train' | 'infer', params: Map<string, Tensor>, registry?: ParameterRegistry) {
  const taps: string[] = [];
  const stats = new Map<string, { mean: Tensor1D; variance: Tensor1D }>();
  const ctx: ForwardContext = {
    mode,
    bnEpsilon: 1e-5,
    param: (key) => params.get(key) ?? registry!.parameters.get(key)!,
    running: (id) => registry!.bnRunning.get(id)!,
    tap: (id) => void taps.push(id),
    recordBatchStats: (id, mean, variance) => void stats.set(id, { mean, variance }),
  };
  return { ctx, taps, stats };
}

describe('avg_pool with padding excluded (method.md §2.3, §15.3)', () => {
  // 3×3 input holding 1..9 row by row.
  const grid = () => tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);

  it('k3 stride 1: a corner averages its 4 real pixels, an edge its 6, the centre all 9', () => {
    const y = avgPoolExcludingPadding(grid(), 3, 1);
    expect(y.shape).toEqual([1, 3, 3, 1]);
    const v = values(y);
    expect(v[0]).toBeCloseTo((1 + 2 + 4 + 5) / 4, 5);
    expect(v[1]).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 6) / 6, 5);
    expect(v[4]).toBeCloseTo(5, 5);
    expect(v[8]).toBeCloseTo((5 + 6 + 8 + 9) / 4, 5);
  });

  it('k3 stride 2 on 3×3 gives the four corner averages', () => {
    const v = values(avgPoolExcludingPadding(grid(), 3, 2));
    expect(v).toHaveLength(4);
    [3, 4, 6, 7].forEach((want, i) => expect(v[i]).toBeCloseTo(want, 5));
  });

  it('k1 is the identity at stride 1 and keeps rows/columns 0, 2 at stride 2', () => {
    expect(values(avgPoolExcludingPadding(grid(), 1, 1))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(values(avgPoolExcludingPadding(grid(), 1, 2))).toEqual([1, 3, 7, 9]);
  });

  it('k5 stride 2 matches a hand-written loop that counts only real pixels', () => {
    const shape: [number, number, number, number] = [2, 7, 6, 3];
    const { t, at } = randomNhwc(shape, 11);
    const y = avgPoolExcludingPadding(t, 5, 2);
    const [N, H, W, C] = shape;
    const Ho = Math.floor((H + 4 - 5) / 2) + 1;
    const Wo = Math.floor((W + 4 - 5) / 2) + 1;
    expect(y.shape).toEqual([N, Ho, Wo, C]);
    const got = values(y);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++)
          for (let c = 0; c < C; c++) {
            let sum = 0;
            let count = 0;
            for (let a = 0; a < 5; a++)
              for (let b = 0; b < 5; b++) {
                const h = 2 * i - 2 + a;
                const w = 2 * j - 2 + b;
                if (h >= 0 && h < H && w >= 0 && w < W) {
                  sum += at(n, h, w, c);
                  count++;
                }
              }
            expect(got[((n * Ho + i) * Wo + j) * C + c]).toBeCloseTo(sum / count, 5);
          }
  });
});

describe('stride-2 dilated depthwise conv (method.md §15.3, §17.10 item 9)', () => {
  for (const k of [3, 5]) {
    it(`k${k}, dilation 2, padding k−1, stride 2 equals a direct strided loop`, () => {
      const shape: [number, number, number, number] = [2, 7, 8, 3];
      const { t, at } = randomNhwc(shape, 100 + k);
      const rng = new Rng(7 + k);
      const [N, H, W, C] = shape;
      const wData = Float32Array.from({ length: k * k * C }, () => rng.normal());
      const filter = tf.tensor4d(wData, [k, k, C, 1]);
      const pad = k - 1;
      const y = depthwiseConv2d(t, filter, 2, pad, 2);
      const Ho = Math.floor((H + 2 * pad - 2 * (k - 1) - 1) / 2) + 1;
      const Wo = Math.floor((W + 2 * pad - 2 * (k - 1) - 1) / 2) + 1;
      expect(y.shape).toEqual([N, Ho, Wo, C]);
      const got = values(y);
      for (let n = 0; n < N; n++)
        for (let i = 0; i < Ho; i++)
          for (let j = 0; j < Wo; j++)
            for (let c = 0; c < C; c++) {
              let want = 0;
              for (let a = 0; a < k; a++)
                for (let b = 0; b < k; b++) {
                  const h = 2 * i - pad + 2 * a;
                  const w = 2 * j - pad + 2 * b;
                  if (h >= 0 && h < H && w >= 0 && w < W) want += at(n, h, w, c) * wData[(a * k + b) * C + c]!;
                }
              expect(got[((n * Ho + i) * Wo + j) * C + c]).toBeCloseTo(want, 4);
            }
    });
  }

  it('the subsampling step has a gradient: ones at even rows and columns, zeros elsewhere', () => {
    const x = tf.zeros([1, 5, 4, 2]) as Tensor4D;
    const g = tf.grad((v: Tensor) => tf.sum(takeEverySecond(v as Tensor4D)))(x);
    const got = values(g);
    for (let h = 0; h < 5; h++)
      for (let w = 0; w < 4; w++)
        for (let c = 0; c < 2; c++) {
          expect(got[(h * 4 + w) * 2 + c]).toBe(h % 2 === 0 && w % 2 === 0 ? 1 : 0);
        }
  });
});

describe('batch norm (method.md §1.3, §5.1, §15.2)', () => {
  // Two channels, N·H·W = 4 values each.
  const ch0 = [1, 2, 3, 6];
  const ch1 = [-1, 0, 0, 5];
  const input = () => tf.tensor4d([ch0[0]!, ch1[0]!, ch0[1]!, ch1[1]!, ch0[2]!, ch1[2]!, ch0[3]!, ch1[3]!], [2, 2, 1, 2]);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const sq = (v: number[]) => v.map((x) => (x - mean(v)) ** 2).reduce((a, b) => a + b, 0);

  it('train mode normalises with the biased batch variance and returns the unbiased one', () => {
    const registry = new ParameterRegistry('default', 0);
    const bn = new BatchNormLayer(registry, 'bn', 2, [2, 1], true);
    const gamma = [2, 0.5];
    const beta = [0.25, -1];
    const params = new Map<string, Tensor>([
      ['bn.gamma', tf.tensor1d(gamma)],
      ['bn.beta', tf.tensor1d(beta)],
    ]);
    const { ctx, stats } = testContext('train', params, registry);
    const y = values(bn.apply(ctx, input()));
    [ch0, ch1].forEach((chan, c) => {
      const m = mean(chan);
      const biased = sq(chan) / 4;
      chan.forEach((x, i) => {
        expect(y[i * 2 + c]).toBeCloseTo(((x - m) / Math.sqrt(biased + 1e-5)) * gamma[c]! + beta[c]!, 4);
      });
      expect(values(stats.get('bn')!.mean)[c]).toBeCloseTo(m, 5);
      expect(values(stats.get('bn')!.variance)[c]).toBeCloseTo(sq(chan) / 3, 4);
    });
    // Functional: the running statistics are untouched by a train-mode pass.
    expect(values(registry.bnRunning.get('bn')!.mean)).toEqual([0, 0]);
    expect(values(registry.bnRunning.get('bn')!.variance)).toEqual([1, 1]);
    registry.dispose();
  });

  it('infer mode with fresh statistics is x/√(1 + ε), affine or not', () => {
    const registry = new ParameterRegistry('default', 0);
    const affine = new BatchNormLayer(registry, 'a', 2, [2, 1], true);
    const plain = new BatchNormLayer(registry, 'p', 2, [2, 1], false);
    expect(registry.parameters.has('p.gamma')).toBe(false);
    const { ctx, stats } = testContext('infer', new Map(), registry);
    const x = values(input());
    for (const layer of [affine, plain]) {
      const y = values(layer.apply(ctx, input()));
      y.forEach((v, i) => expect(v).toBeCloseTo(x[i]! / Math.sqrt(1 + 1e-5), 6));
    }
    expect(stats.size).toBe(0);
    registry.dispose();
  });

  it('refuses train mode with a single value per channel (PyTorch raises too)', () => {
    const registry = new ParameterRegistry('default', 0);
    const bn = new BatchNormLayer(registry, 'bn', 2, [1, 1], true);
    const { ctx } = testContext('train', new Map(), registry);
    expect(() => bn.apply(ctx, tf.ones([1, 1, 1, 2]) as Tensor4D)).toThrow(/more than 1 value per channel/);
    registry.dispose();
  });
});

describe('initialisation (method.md §3.4)', () => {
  const stats = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean: m, variance: v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length, maxAbs: Math.max(...v.map(Math.abs)) };
  };

  it('default: conv, depthwise and linear weights and biases lie in ±1/√fan_in with variance 1/(3·fan_in)', () => {
    const registry = new ParameterRegistry('default', 42);
    new ConvLayer(registry, { id: 'c', inChannels: 16, outChannels: 64, kernel: 3, stride: 1, inSize: [4, 4], bias: true });
    new ConvLayer(registry, { id: 'd', inChannels: 512, outChannels: 512, kernel: 5, stride: 1, inSize: [4, 4], depthwise: true });
    new LinearLayer(registry, 'l', 200, 100);
    const cases: Array<[string, number]> = [
      ['c.weight', 16 * 9],
      ['c.bias', 16 * 9],
      ['d.weight', 25],
      ['l.weight', 200],
      ['l.bias', 200],
    ];
    for (const [key, fanIn] of cases) {
      const s = stats(values(registry.parameters.get(key)!));
      const bound = 1 / Math.sqrt(fanIn);
      expect(s.maxAbs).toBeLessThanOrEqual(bound);
      if (!key.endsWith('bias')) {
        expect(s.maxAbs).toBeGreaterThan(0.95 * bound);
        expect(s.variance / (1 / (3 * fanIn))).toBeGreaterThan(0.93);
        expect(s.variance / (1 / (3 * fanIn))).toBeLessThan(1.07);
      }
    }
    registry.dispose();
  });

  it('zen: Xavier-normal weights with gain 3.26033, zero biases', () => {
    const registry = new ParameterRegistry('zen', 42);
    new ConvLayer(registry, { id: 'c', inChannels: 32, outChannels: 64, kernel: 3, stride: 1, inSize: [4, 4] });
    new LinearLayer(registry, 'l', 256, 100);
    const conv = stats(values(registry.parameters.get('c.weight')!));
    const convStd = 3.26033 * Math.sqrt(2 / (32 * 9 + 64 * 9));
    expect(ZEN_GAIN).toBe(3.26033);
    expect(Math.abs(conv.mean)).toBeLessThan(0.05 * convStd);
    expect(Math.sqrt(conv.variance) / convStd).toBeGreaterThan(0.97);
    expect(Math.sqrt(conv.variance) / convStd).toBeLessThan(1.03);
    const lin = stats(values(registry.parameters.get('l.weight')!));
    const linStd = 3.26033 * Math.sqrt(2 / (256 + 100));
    expect(Math.sqrt(lin.variance) / linStd).toBeGreaterThan(0.96);
    expect(Math.sqrt(lin.variance) / linStd).toBeLessThan(1.04);
    expect(values(registry.parameters.get('l.bias')!).every((v) => v === 0)).toBe(true);
    registry.dispose();
  });

  it('the same seed gives the same values and another seed different ones', () => {
    const draw = (seed: number) => {
      const registry = new ParameterRegistry('default', seed);
      new ConvLayer(registry, { id: 'c', inChannels: 4, outChannels: 4, kernel: 3, stride: 1, inSize: [4, 4] });
      const v = values(registry.parameters.get('c.weight')!);
      registry.dispose();
      return v;
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });
});

describe('taps and round-half-even', () => {
  it('a conv layer taps its raw output, bias included', () => {
    const registry = new ParameterRegistry('default', 0);
    const conv = new ConvLayer(registry, { id: 'p', inChannels: 1, outChannels: 1, kernel: 1, stride: 1, inSize: [1, 2], bias: true });
    const params = new Map<string, Tensor>([
      ['p.weight', tf.tensor4d([3], [1, 1, 1, 1])],
      ['p.bias', tf.tensor1d([0.5])],
    ]);
    const { ctx, taps } = testContext('infer', params, registry);
    expect(values(conv.apply(ctx, tf.tensor4d([1, -2], [1, 1, 2, 1])))).toEqual([3.5, -5.5]);
    expect(taps).toEqual(['p']);
    registry.dispose();
  });

  it('rounds halves to even (SE width r, method.md §2.3)', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.25, 2.75].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
  });
});
