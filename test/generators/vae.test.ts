import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { tf } from '../../plugin/nn/tf.js';
import { conditionMse, klDivergence, mineTriplets, tripletLoss, weightedBceWithLogits } from '../../plugin/generators/vae-loss.js';
import { GraphVae, PAPER_VAE_CONFIG, trainVae, vaeMetrics, type VaeConfig } from '../../plugin/generators/vae.js';
import { cellToReference } from '../../plugin/space/encoding.js';
import type { Cell, KernelSize, OpName } from '../../plugin/space/types.js';
import { sampleUniqueCells } from '../../plugin/space/sampler.js';
import { Rng } from '../../plugin/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('GraphVae size (method.md §7.2, §17.4)', () => {
  it('counts parameters of a small config as worked by hand', () => {
    // gcnLayers 2, hidden 4, latent 3, decoderHidden 5:
    // GCN 15·4+4+2·4 = 72, 4·4+4+8 = 28; heads 2·(36·3+3) = 222; regressor 3·5+5+5·4+4 = 44;
    // adjacency decoder 20 + 5·81+81 = 506; feature decoder 20 + 5·135+135 = 830. Total 1 702.
    const vae = GraphVae.create({ gcnLayers: 2, hidden: 4, latent: 3, decoderHidden: 5 }, 0);
    expect(vae.parameterCount()).toBe(1702);
    vae.dispose();
  });

  it('has 3 413 980 parameters at the paper size', () => {
    const vae = GraphVae.create(PAPER_VAE_CONFIG, 0);
    expect(vae.parameterCount()).toBe(3_413_980);
    vae.dispose();
  });
});

describe('loss terms (method.md §7.3, §7.4) against host arithmetic', () => {
  it('BCE with logits and pos_weight', () => {
    const x = [2, -1, 0.5, 0, -3, 4];
    const y = [1, 0, 0, 1, 1, 0];
    for (const p of [1, 6]) {
      const host = x.reduce((s, xi, i) => s - (p * y[i]! * Math.log(sigmoid(xi)) + (1 - y[i]!) * Math.log(1 - sigmoid(xi))), 0) / x.length;
      const value = tf.tidy(() => weightedBceWithLogits(tf.tensor2d(x, [2, 3]), tf.tensor2d(y, [2, 3]), p).dataSync()[0]!);
      expect(value).toBeCloseTo(host, 5);
    }
  });

  it('KL of log σ and MSE', () => {
    const mu = [[0.5, -1], [0, 2]];
    const ls = [[0.1, -0.3], [0.2, 0]];
    const host = mu.reduce((s, row, b) => s - 0.5 * row.reduce((t, m, d) => t + 1 + 2 * ls[b]![d]! - m * m - Math.exp(2 * ls[b]![d]!), 0), 0) / 2;
    expect(tf.tidy(() => klDivergence(tf.tensor2d(mu), tf.tensor2d(ls)).dataSync()[0]!)).toBeCloseTo(host, 5);
    // (0.1² + 0.2² + 0 + 0.5²)/4 = 0.075
    expect(tf.tidy(() => conditionMse(tf.tensor2d([[0.1, 0.2], [0, 1]]), tf.tensor2d([[0, 0], [0, 0.5]])).dataSync()[0]!)).toBeCloseTo(0.075, 6);
  });

  it('mines the positives and negatives worked by hand', () => {
    // Points on one axis: 0, 0.5, 0.3, 1.2, 2.0 (radius 1).
    const c = [0, 0.5, 0.3, 1.2, 2].map((x) => [x, 0, 0, 0]);
    const expected: Record<number, [number, number]> = { 0: [2, 4], 1: [2, 4], 2: [1, 4], 3: [1, 0], 4: [3, 0] };
    const triplets = mineTriplets(c, new Rng(5), 200);
    expect(triplets).toHaveLength(200); // every anchor has both
    const anchors = new Set<number>();
    for (const t of triplets) {
      anchors.add(t.anchor);
      expect([t.positive, t.negative]).toEqual(expected[t.anchor]);
    }
    expect(anchors.size).toBe(5);
    // All within the radius: no negative, no triplet. A lone far point: no positive.
    expect(mineTriplets([[0, 0, 0, 0], [0.2, 0, 0, 0]], new Rng(1), 10)).toEqual([]);
    expect(mineTriplets([[0, 0, 0, 0], [3, 0, 0, 0]], new Rng(1), 10)).toEqual([]);
  });

  it('triplet loss on given latents', () => {
    const z = [[0, 0], [1, 0], [0, 0.5], [3, 4]];
    const triplets = [{ anchor: 0, positive: 1, negative: 2 }, { anchor: 0, positive: 2, negative: 3 }];
    // max(0, 1 − 0.5 + 0.1) = 0.6; max(0, 0.5 − 5 + 0.1) = 0 → mean 0.3
    expect(tf.tidy(() => tripletLoss(tf.tensor2d(z), triplets).dataSync()[0]!)).toBeCloseTo(0.3, 5);
    expect(tf.tidy(() => tripletLoss(tf.tensor2d(z), []).dataSync()[0]!)).toBe(0);
  });
});

/** Host forward of μ and regressor(μ) from serialized weights (float64, written from §7.2 directly). */
function hostEncode(config: VaeConfig, weights: Map<string, { shape: readonly number[]; data: Float32Array }>, adj: number[][], feat: number[][]): { mu: number[]; cond: number[] } {
  const lin = (x: number[], name: string): number[] => {
    const w = weights.get(`${name}.weight`)!;
    const b = weights.get(`${name}.bias`)!;
    const [nin, nout] = w.shape as [number, number];
    return Array.from({ length: nout }, (_, o) => b.data[o]! + x.reduce((s, xi, i) => s + xi * w.data[i * nout + o]!, 0));
  };
  let h = feat.map((r) => r.slice());
  for (let k = 0; k < config.gcnLayers; k++) {
    const hw = h.map((row) => {
      const w = weights.get(`gcn${k}.weight`)!;
      const nout = w.shape[1]!;
      return Array.from({ length: nout }, (_, o) => row.reduce((s, xi, i) => s + xi * w.data[i * nout + o]!, 0));
    });
    h = adj.map((arow) => {
      const agg = hw[0]!.map((_, o) => arow.reduce((s, a, j) => s + a * hw[j]![o]!, 0) + weights.get(`gcn${k}.bias`)!.data[o]!);
      const mean = agg.reduce((s, x) => s + x, 0) / agg.length;
      const v = agg.reduce((s, x) => s + (x - mean) ** 2, 0) / agg.length;
      return agg.map((x, o) => Math.max(0, ((x - mean) / Math.sqrt(v + 1e-5)) * weights.get(`gcn${k}.ln.gamma`)!.data[o]! + weights.get(`gcn${k}.ln.beta`)!.data[o]!));
    });
  }
  const mu = lin(h.flat(), 'mu');
  const cond = lin(lin(mu, 'regressor.0').map((x) => Math.max(0, x)), 'regressor.1').map((x) => Math.max(0, x));
  return { mu, cond };
}

describe('GraphVae forward, serialization and training', () => {
  const config: VaeConfig = { gcnLayers: 2, hidden: 16, latent: 6, decoderHidden: 12 };

  it('encodes exactly as a host implementation of §7.2 (unnormalised A·HW, per-node LayerNorm)', () => {
    const vae = GraphVae.create(config, 3);
    // Perturb LayerNorm so γ/β matter.
    const weights = new Map(vae.serialize().map((w) => [w.name, w]));
    for (const [name, w] of weights) if (name.includes('.ln.')) w.data.forEach((_, i) => { w.data[i] = 0.5 + 0.1 * i; });
    const tuned = GraphVae.deserialize(config, [...weights.values()]);
    const cells = sampleUniqueCells(new Rng(2), 3);
    const { mu, condition } = tuned.encode(cells);
    cells.forEach((cell, b) => {
      const ref = cellToReference(cell);
      const host = hostEncode(config, weights, ref.adj, ref.features);
      host.mu.forEach((m, i) => expect(mu[b]![i]).toBeCloseTo(m, 3));
      host.cond.forEach((c, i) => expect(condition[b]![i]).toBeCloseTo(c, 3));
    });
    // decode returns probabilities of the right sizes
    const [out] = tuned.decode([mu[0]!]);
    expect(out!.adj).toHaveLength(81);
    expect(out!.feat).toHaveLength(135);
    expect(Array.from(out!.adj).every((p) => p > 0 && p < 1)).toBe(true);
    vae.dispose();
    tuned.dispose();
  });

  it('serializes and deserializes to the same model, and rejects mismatched weights', () => {
    const vae = GraphVae.create(config, 9);
    const cells = sampleUniqueCells(new Rng(4), 4);
    const copy = GraphVae.deserialize(config, JSON.parse(JSON.stringify(vae.serialize().map((w) => ({ ...w, data: Array.from(w.data) })))).map((w: { name: string; shape: number[]; data: number[] }) => ({ ...w, data: Float32Array.from(w.data) })));
    expect(copy.parameterCount()).toBe(vae.parameterCount());
    expect(copy.encode(cells).mu).toEqual(vae.encode(cells).mu);
    expect(() => GraphVae.deserialize({ ...config, hidden: 8 }, vae.serialize())).toThrow(/do not match/);
    vae.dispose();
    copy.dispose();
  });

  it('a short training run lowers the reconstruction loss and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const rng = new Rng(7);
    const cells = sampleUniqueCells(rng, 260);
    const unlabelled = cells.slice(0, 200);
    const labelled = cells.slice(200, 248);
    const heldOut = cells.slice(248);
    const cond = (n: number): number[][] => Array.from({ length: n }, () => [rng.next(), rng.next(), rng.next(), rng.next()]);
    const vae = GraphVae.create({ gcnLayers: 2, hidden: 32, latent: 8, decoderHidden: 32 }, 1);
    const seen: number[] = [];
    const report = trainVae(vae, { unlabelled, labelled, conditions: cond(48), heldOut: { cells: heldOut, conditions: cond(12) } }, {
      epochs: 12, batchSize: 16, seed: 0, lr: 3e-3, minEpochs: 100, onEpoch: (e) => seen.push(e.recUnlabelled),
    });
    expect(report.epochsRun).toBe(12);
    expect(report.steps).toBe(12 * 12);
    expect(seen).toHaveLength(12);
    expect(seen.at(-1)!).toBeLessThan(0.7 * seen[0]!);
    expect(report.history.every((e) => e.triplets >= 0 && Number.isFinite(e.heldOutLoss))).toBe(true);
    expect(report.bestHeldOutLoss).toBe(Math.min(...report.history.map((e) => e.heldOutLoss)));
    const metrics = vaeMetrics(vae, heldOut);
    expect(metrics.validity).toBe(1);
    expect(metrics.edgeAccuracy).toBeGreaterThan(0.5);
    vae.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops early on a flat held-out loss, keeps the best epoch, honours a time budget and trains without labels', () => {
    const rng = new Rng(12);
    const cells = sampleUniqueCells(rng, 80);
    const cond = (n: number): number[][] => Array.from({ length: n }, () => [rng.next(), rng.next(), rng.next(), rng.next()]);
    const tinyConfig: VaeConfig = { gcnLayers: 1, hidden: 8, latent: 4, decoderHidden: 8 };
    const data = { unlabelled: cells.slice(0, 48), labelled: cells.slice(48, 72), conditions: cond(24), heldOut: { cells: cells.slice(72), conditions: cond(8) } };
    // lr 0: the weights never move (decay is scaled by lr), so the held-out loss never improves after epoch 0.
    const frozen = GraphVae.create(tinyConfig, 0);
    const flat = trainVae(frozen, data, { epochs: 10, batchSize: 16, seed: 0, lr: 0, minEpochs: 1, patience: 2 });
    expect(flat.stoppedEarly).toBe(true);
    expect(flat.epochsRun).toBe(3);
    expect(flat.bestEpoch).toBe(0);
    frozen.dispose();
    const timed = GraphVae.create(tinyConfig, 0);
    const budget = trainVae(timed, data, { epochs: 10, batchSize: 16, seed: 0, maxSeconds: 0 });
    expect(budget.stoppedByTime).toBe(true);
    expect(budget.epochsRun).toBe(1);
    const unlabelledOnly = trainVae(timed, { ...data, labelled: [], conditions: [] }, { epochs: 2, batchSize: 16, seed: 0 });
    expect(unlabelledOnly.history.every((e) => e.triplet === 0 && e.mse === 0 && e.recLabelled === 0)).toBe(true);
    timed.dispose();
  });

  it('gradients through the fast-gradient matMuls match central finite differences', () => {
    const cfg: VaeConfig = { gcnLayers: 2, hidden: 6, latent: 3, decoderHidden: 5 };
    const vae = GraphVae.create(cfg, 2);
    const cells = sampleUniqueCells(new Rng(6), 3);
    const refs = cells.map(cellToReference);
    const rng = new Rng(9);
    const probeAdj = Array.from({ length: 3 * 81 }, () => rng.normal());
    const probeMu = Array.from({ length: 3 * 3 }, () => rng.normal());
    const lossOf = (): tf.Scalar => {
      const adj = tf.tensor3d(refs.map((r) => r.adj));
      const feat = tf.tensor3d(refs.map((r) => r.features));
      const f = vae.forward(adj, feat, null);
      return tf.add(tf.sum(tf.mul(f.adjLogits, tf.tensor2d(probeAdj, [3, 81]))), tf.sum(tf.mul(tf.sin(f.mu), tf.tensor2d(probeMu, [3, 3])))) as tf.Scalar;
    };
    const grads = new Map<string, Float32Array>();
    tf.tidy(() => {
      const { grads: g } = tf.variableGrads(lossOf, [...vae.parameters.values()]);
      // Parameters off the probe's path (regressor, feature decoder, log σ) get no gradient.
      for (const [key, v] of vae.parameters) if (g[v.name] !== undefined) grads.set(key, g[v.name]!.dataSync() as Float32Array);
    });
    const base = vae.serialize();
    for (const [name, index] of [['gcn0.weight', 7], ['gcn1.weight', 20], ['gcn1.ln.gamma', 2], ['mu.weight', 11], ['adjDecoder.1.weight', 30]] as const) {
      const at = (delta: number): number => {
        vae.load(base.map((w) => (w.name === name ? { ...w, data: w.data.map((x, i) => (i === index ? x + delta : x)) } : w)));
        return tf.tidy(() => lossOf().dataSync()[0]!);
      };
      const h = 1e-2;
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(grads.get(name)![index]!).toBeCloseTo(numeric, 1);
      expect(Math.abs(grads.get(name)![index]! - numeric)).toBeLessThan(0.02 * Math.max(1, Math.abs(numeric)));
    }
    vae.dispose();
  });
});

describe('vaeMetrics on a decoder with known mistakes', () => {
  // Input → n1, n2 → output; n3..n6 isolated. Every node conv k3.
  const adj = Array.from({ length: 8 }, () => new Array<0 | 1>(8).fill(0));
  adj[0]![1] = 1; adj[0]![2] = 1; adj[1]![7] = 1; adj[2]![7] = 1;
  const truth: Cell = { adj, ops: new Array<OpName>(6).fill('conv'), kernels: new Array<KernelSize>(6).fill(3) };
  // The "reconstruction": n1 (active) becomes sep_conv, n4 (isolated) gets kernel 5; edges right.
  const predicted: Cell = { adj, ops: truth.ops.map((o, i) => (i === 0 ? 'sep_conv' : o)), kernels: truth.kernels.map((k, i) => (i === 3 ? 5 : k)) };
  const fake = {
    encode: (cells: readonly Cell[]) => ({ mu: cells.map(() => new Float32Array(1)), condition: cells.map(() => [0, 0, 0, 0]) }),
    decode: (latents: readonly Float32Array[]) => latents.map(() => {
      const ref = cellToReference(predicted);
      return { adj: Float32Array.from(ref.adj.flat()), feat: Float32Array.from(ref.features.flat()) };
    }),
  } as unknown as GraphVae;

  it('counts hits over all intermediate rows and over active rows, as worked by hand', () => {
    const m = vaeMetrics(fake, [truth, truth]);
    expect(m.opKernelAccuracy).toBeCloseTo(4 / 6, 12); // n1 and n4 wrong of 6 rows
    expect(m.activeOpKernelAccuracy).toBeCloseTo(1 / 2, 12); // n1 wrong of the active n1, n2
    expect(m.isolatedShare).toBeCloseTo(4 / 6, 12);
    expect(m.edgeAccuracy).toBe(1);
    expect(m.validity).toBe(1);
    expect(m.exactMatch).toBe(0); // a different active op is a different network
  });
});
