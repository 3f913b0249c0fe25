import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeCache, matMul2d, PAPER_TRANSFORMER, Transformer, type KvCache, type TransformerConfig } from '../../plugin/generators/transformer.js';
import type { NamedTensorData } from '../../plugin/generators/types.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { Rng } from '../../plugin/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const TINY: TransformerConfig = { layers: 2, width: 8, heads: 2, mlp: 12, context: 10, dropout: 0.1, vocab: 11 };

/** Hand formula: V·D + C·D + L·(4D² + 2DM + 9D + M) + 2D (tied output projection counted once). */
function handCount(c: TransformerConfig): number {
  const { vocab: V, width: D, context: C, layers: L, mlp: M } = c;
  // per block: LN1 2D, qkv D·3D + 3D, proj D² + D, LN2 2D, fc D·M + M, proj M·D + D
  return V * D + C * D + L * (2 * D + 3 * D * D + 3 * D + D * D + D + 2 * D + D * M + M + M * D + D) + 2 * D;
}

/** Every parameter random (non-zero biases, non-unit LayerNorm), so the host check sees them all. */
function randomWeights(model: Transformer, seed: number): NamedTensorData[] {
  const rng = new Rng(seed);
  return model.serialize().map((t) => ({ ...t, data: Float32Array.from(t.data, () => 0.5 * rng.normal()) }));
}

// ---- an independent float64 host implementation of the same network -------------------------

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

function hostForward(weights: ReadonlyMap<string, Float32Array>, c: TransformerConfig, ids: readonly number[]): number[][] {
  const D = c.width;
  const w = (n: string): Float32Array => weights.get(n)!;
  const T = ids.length;
  const linear = (x: number[], name: string, outDim: number): number[] => {
    const W = w(`${name}.w`);
    const b = w(`${name}.b`);
    const inDim = x.length;
    return Array.from({ length: outDim }, (_, j) => {
      let s = b[j]!;
      for (let i = 0; i < inDim; i++) s += x[i]! * W[i * outDim + j]!;
      return s;
    });
  };
  const layerNorm = (x: number[], name: string): number[] => {
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    return x.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * w(`${name}.gamma`)[i]! + w(`${name}.beta`)[i]!);
  };
  let x = ids.map((id, t) => Array.from({ length: D }, (_, d) => w('wte')[id * D + d]! + w('wpe')[t * D + d]!));
  const hd = D / c.heads;
  for (let l = 0; l < c.layers; l++) {
    const qkv = x.map((row) => linear(layerNorm(row, `h${l}.ln1`), `h${l}.attn.qkv`, 3 * D));
    const merged = x.map(() => new Array<number>(D).fill(0));
    for (let h = 0; h < c.heads; h++) {
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let d = 0; d < hd; d++) s += qkv[i]![h * hd + d]! * qkv[j]![D + h * hd + d]!;
          scores.push(s / Math.sqrt(hd));
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= i; j++) for (let d = 0; d < hd; d++) merged[i]![h * hd + d]! += (e[j]! / z) * qkv[j]![2 * D + h * hd + d]!;
      }
    }
    x = x.map((row, i) => linear(merged[i]!, `h${l}.attn.proj`, D).map((v, d) => row[d]! + v));
    x = x.map((row) => {
      const hidden = linear(layerNorm(row, `h${l}.ln2`), `h${l}.mlp.fc`, c.mlp).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
      return linear(hidden, `h${l}.mlp.proj`, D).map((v, d) => row[d]! + v);
    });
  }
  return x.map((row) => {
    const h = layerNorm(row, 'lnf');
    return Array.from({ length: c.vocab }, (_, v) => h.reduce((s, hv, d) => s + hv * w('wte')[v * D + d]!, 0));
  });
}

describe('decoder-only transformer (method.md §12.5)', () => {
  const created: Transformer[] = [];
  const make = (config: TransformerConfig, seed = 1): Transformer => {
    const m = new Transformer(config, seed);
    created.push(m);
    return m;
  };
  afterAll(() => created.forEach((m) => m.dispose()));

  it('counts parameters as the hand formula (paper model ≈ 3.5 M)', () => {
    expect(make(TINY).parameterCount()).toBe(handCount(TINY));
    const paper = make({ ...PAPER_TRANSFORMER, vocab: 1086 });
    // 1086·256 + 256·256 + 4·(4·256² + 2·256·1024 + 9·256 + 1024) + 2·256, worked by hand:
    // 278 016 + 65 536 + 4·789 760 + 512
    expect(paper.parameterCount()).toBe(3_503_104);
    expect(paper.parameterCount()).toBe(handCount({ ...PAPER_TRANSFORMER, vocab: 1086 }));
    paper.dispose();
  });

  it('decays matrices and embeddings only', () => {
    const m = make(TINY);
    const expected = ['wte', 'wpe', ...[0, 1].flatMap((l) => ['attn.qkv.w', 'attn.proj.w', 'mlp.fc.w', 'mlp.proj.w'].map((n) => `h${l}.${n}`))];
    expect([...m.decayed].sort()).toEqual(expected.sort());
  });

  it('matches an independent float64 host implementation', () => {
    const base = make(TINY);
    const weights = randomWeights(base, 3);
    const m = Transformer.deserialize(TINY, weights);
    created.push(m);
    const ids = [[1, 5, 9, 0, 3, 3, 7], [10, 2, 4, 4, 8, 6, 1]];
    const logits = m.logits(tf.tensor2d(ids, [2, 7], 'int32'));
    const got = logits.arraySync();
    logits.dispose();
    const byName = new Map(weights.map((t) => [t.name, t.data]));
    ids.forEach((row, b) => {
      const expected = hostForward(byName, TINY, row);
      for (let t = 0; t < row.length; t++) for (let v = 0; v < TINY.vocab; v++) expect(got[b]![t]![v]).toBeCloseTo(expected[t]![v]!, 3);
    });
  });

  it('is causal: changing a later token leaves earlier logits unchanged', () => {
    const m = Transformer.deserialize(TINY, randomWeights(make(TINY), 4));
    created.push(m);
    const a = m.logits(tf.tensor2d([[1, 2, 3, 4, 5]], [1, 5], 'int32'));
    const b = m.logits(tf.tensor2d([[1, 2, 3, 9, 0]], [1, 5], 'int32'));
    const [ra, rb] = [a.arraySync()[0]!, b.arraySync()[0]!];
    tf.dispose([a, b]);
    for (let t = 0; t < 3; t++) expect(rb[t]).toEqual(ra[t]);
    expect(rb[3]).not.toEqual(ra[3]);
  });

  it('gives the same logits one token at a time with the key/value cache', () => {
    const m = Transformer.deserialize(TINY, randomWeights(make(TINY), 5));
    created.push(m);
    const ids = [[3, 1, 4, 1, 5, 9], [2, 7, 1, 8, 2, 8]];
    const full = m.logits(tf.tensor2d(ids, [2, 6], 'int32'));
    const fullRows = full.arraySync();
    full.dispose();
    const before = tf.memory().numTensors;
    let cache: KvCache | null = null;
    for (let t = 0; t < 6; t++) {
      const out: { logits: tf.Tensor2D; cache: KvCache } = m.step(Int32Array.from([ids[0]![t]!, ids[1]![t]!]), cache);
      cache = out.cache;
      const rows = out.logits.arraySync();
      out.logits.dispose();
      for (let b = 0; b < 2; b++) for (let v = 0; v < TINY.vocab; v++) expect(rows[b]![v]).toBeCloseTo(fullRows[b]![t]![v]!, 4);
    }
    disposeCache(cache!);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => m.step(Int32Array.from([1]), { keys: [], values: [], length: TINY.context })).toThrow(/context/);
  });

  it('applies dropout only in training, reproducibly for an Rng seed', () => {
    const m = Transformer.deserialize(TINY, randomWeights(make(TINY), 6));
    created.push(m);
    const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
    const run = (training: boolean, seed: number): number[] => {
      const out = m.logits(ids, { training, rng: new Rng(seed) });
      const data = Array.from(out.dataSync());
      out.dispose();
      return data;
    };
    expect(run(false, 1)).toEqual(run(false, 2));
    expect(run(true, 1)).toEqual(run(true, 1));
    expect(run(true, 1)).not.toEqual(run(true, 2));
    expect(run(true, 1)).not.toEqual(run(false, 1));
    ids.dispose();
  });

  it('round-trips through serialize/deserialize and rejects mismatched weights', () => {
    const m = make(TINY, 9);
    const copy = Transformer.deserialize(TINY, m.serialize());
    created.push(copy);
    const ids = tf.tensor2d([[4, 3, 2]], [1, 3], 'int32');
    const [a, b] = [m.logits(ids), copy.logits(ids)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, ids]);
    const data = m.serialize();
    expect(() => Transformer.deserialize({ ...TINY, mlp: 16 }, data)).toThrow(/h0\.mlp\.fc\.w has shape 8×12, the config needs 8×16/);
    expect(() => Transformer.deserialize(TINY, data.slice(1))).toThrow(/missing wte/);
    expect(() => Transformer.deserialize(TINY, [...data, { name: 'extra', shape: [1], data: new Float32Array(1) }])).toThrow(/unexpected tensors extra/);
    expect(() => new Transformer({ ...TINY, heads: 3 }, 0)).toThrow(/divisible by heads/);
  });

  it('differentiates matMul2d like tf.matMul (built-in gradient as the reference)', () => {
    const a = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
    const b = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
    const c = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul2d(x, y), c)))([a, b]);
    const builtIn = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), c)))([a, b]);
    for (let i = 0; i < 2; i++) {
      const [o, r] = [ours[i]!.dataSync(), builtIn[i]!.dataSync()];
      o.forEach((v, j) => expect(v).toBeCloseTo(r[j]!, 5));
    }
    tf.dispose([a, b, c, ...ours, ...builtIn]);
  });

  it('leaks no tensors in forward or gradient passes', () => {
    const m = make(TINY);
    const ids = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    const before = tf.memory().numTensors;
    const out = m.logits(ids, { training: true, rng: new Rng(1) });
    out.dispose();
    const { value, grads } = tf.variableGrads(() => tf.sum(m.logits(ids, { training: true, rng: new Rng(2) })) as tf.Scalar, [...m.parameters.values()]);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    ids.dispose();
  });
});
