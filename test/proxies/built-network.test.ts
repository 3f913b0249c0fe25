/**
 * Every proxy on a real built network (plugin/nn/network.ts): all valid, each pass run once when
 * scored together, nothing leaked or committed, the same values on the wasm and cpu backends,
 * and params/FLOPs counted by hand. The arch is the 8×8×1 one of integration.test.ts: stem conv
 * 3×3 (1 → 8) + BN, one cell in → n1 (ReLU, conv 3×3 8 → 8, BN) → out plus in → out, head BN →
 * ReLU → conv 1×1 (8 → 16) → BN, GAP, linear 16 → 10.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../plugin/nn/backend.js';
import { buildNetwork } from '../../plugin/nn/network.js';
import { tf } from '../../plugin/nn/tf.js';
import type { ForwardOptions, Network } from '../../plugin/nn/types.js';
import { listProxies, scoreProxies } from '../../plugin/proxies/registry.js';
import type { ProxyResult } from '../../plugin/proxies/types.js';
import type { Arch, Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';

const adj: (0 | 1)[][] = Array.from({ length: 8 }, () => new Array<0 | 1>(8).fill(0));
adj[0]![1] = 1;
adj[1]![7] = 1;
adj[0]![7] = 1;
const CELL: Cell = { adj, ops: ['conv', 'conv', 'conv', 'conv', 'conv', 'conv'], kernels: [3, 3, 3, 3, 3, 3] };
const ARCH: Arch = {
  input: { height: 8, width: 8, channels: 1 },
  numClasses: 10,
  stemStride: 1,
  se: false,
  stages: [{ cell: CELL, channels: 8, stride: 1, repeats: 1 }],
  headWidth: 16,
};
const B = 8;

afterAll(async () => {
  await initBackend('wasm');
});

function batchData(seed: number): { x: number[]; labels: number[] } {
  const rng = new Rng(seed);
  return { x: Array.from({ length: B * 64 }, () => rng.normal()), labels: Array.from({ length: B }, () => rng.int(0, 9)) };
}

interface Scored {
  readonly results: Record<string, ProxyResult>;
  readonly passes: string[];
}

/** Builds the network on the current backend and scores every proxy at once, counting passes. */
function scoreAll(seed: number): Scored {
  const net = buildNetwork(ARCH, { seed });
  const passes: string[] = [];
  const forward = net.forward.bind(net);
  const counted: Network = {
    ...net,
    forward: (x, o: ForwardOptions) => {
      const kind = o.bypassBatchNorm
        ? 'synflow'
        : o.onFeature
          ? 'zen'
          : o.mode === 'infer'
            ? `infer${o.onReluInput ? '+relu' : ''}`
            : x.shape[0] < B
              ? 'zico'
              : o.transformTap
                ? 'train+probes'
                : 'jacov';
      passes.push(`${kind}:${x.shape[0]}`);
      return forward(x, o);
    },
  };
  const { x, labels } = batchData(3);
  const xt = tf.tensor4d(x, [B, 8, 8, 1]);
  const yt = tf.tensor1d(labels, 'int32');
  const running = [...net.bnRunning.values()].flatMap(({ mean, variance }) => [...mean.dataSync(), ...variance.dataSync()]);
  const before = tf.memory().numTensors;
  const results = scoreProxies(counted, { x: xt, y: yt, numClasses: 10, seed: 1 }, listProxies());
  expect(tf.memory().numTensors).toBe(before);
  expect([...net.bnRunning.values()].flatMap(({ mean, variance }) => [...mean.dataSync(), ...variance.dataSync()])).toEqual(running);
  expect(net.parameterCount()).toBe(1026);
  tf.dispose([xt, yt]);
  net.dispose();
  return { results, passes };
}

describe('every proxy on a built network', () => {
  let cpu: Scored;
  let wasm: Scored;

  it('is valid on both backends, with each pass run once for all proxies together', async () => {
    await initBackend('cpu');
    cpu = scoreAll(5);
    await initBackend('wasm');
    wasm = scoreAll(5);
    for (const { results, passes } of [cpu, wasm]) {
      for (const [name, r] of Object.entries(results)) expect(r.ok, `${name}: ${r.ok ? '' : r.reason}`).toBe(true);
      const counts: Record<string, number> = {};
      for (const p of passes) counts[p] = (counts[p] ?? 0) + 1;
      expect(counts).toEqual({
        'infer+relu:8': 1,
        'train+probes:8': 1,
        'jacov:8': B,
        'zen:8': 2,
        'zico:4': 2,
        'synflow:1': 1,
      });
    }
  });

  it('gives the same values on wasm and cpu (relative error < 1e-3)', () => {
    for (const name of listProxies()) {
      const a = cpu.results[name]!;
      const b = wasm.results[name]!;
      if (!a.ok || !b.ok) throw new Error(`${name} failed`);
      expect(Math.abs(a.value - b.value) / Math.max(Math.abs(a.value), 1e-12), name).toBeLessThan(1e-3);
    }
  });

  it('counts params and FLOPs as worked out by hand (method.md §4)', () => {
    // Params: stem 72 + 16, cell conv 576 + 16, head BN 16, conv 128, BN 32, linear 170 = 1026.
    // MACs: stem 4608 + BN 1024; cell ReLU 512 + conv 36864 + BN 1024; head BN 1024 + ReLU 512 +
    // conv 8192 + BN 2048 + GAP 1024 + linear 170 = 57002; FLOPs = 2 × MACs.
    expect(wasm.results['params']).toEqual({ ok: true, value: 1026 });
    expect(wasm.results['flops']).toEqual({ ok: true, value: 114004 });
  });

  it('hands Zen-score the head BN(F) output: its spatial mean through the classifier gives the logits', () => {
    const net = buildNetwork(ARCH, { seed: 2 });
    const { x } = batchData(4);
    const xt = tf.tensor4d(x, [B, 8, 8, 1]);
    let feature: number[][][][] = [];
    let headRaw: number[][][][] = [];
    const logits = tf.tidy(() => {
      const out = net.forward(xt, {
        mode: 'train',
        onTap: (id, raw) => {
          if (id === 'head.conv') headRaw = raw.arraySync() as number[][][][];
        },
        onFeature: (name, t) => {
          if (name === 'head') feature = t.arraySync() as number[][][][];
        },
      });
      for (const st of out.batchStats.values()) tf.dispose([st.mean, st.variance]);
      return out.logits.arraySync();
    });
    expect(feature.length).toBe(B);
    // BN(F) in train mode at γ = 1, β = 0: every channel of the feature has mean 0 and variance ≈ 1 over N·H·W.
    for (let c = 0; c < 16; c++) {
      const values = feature.flat(2).map((px) => px[c]!);
      const raw = headRaw.flat(2).map((px) => px[c]!);
      const m = raw.reduce((a, v) => a + v, 0) / raw.length;
      const sd = Math.sqrt(raw.reduce((a, v) => a + (v - m) ** 2, 0) / raw.length + 1e-5);
      values.forEach((v, i) => expect(v).toBeCloseTo((raw[i]! - m) / sd, 4));
    }
    const w = net.parameters.get('classifier.weight')!.arraySync() as number[][];
    const bias = net.parameters.get('classifier.bias')!.arraySync() as number[];
    feature.forEach((img, b) => {
      const pooled = Array.from({ length: 16 }, (_, c) => img.flat().reduce((a, px) => a + px[c]!, 0) / 64);
      for (let k = 0; k < 10; k++) {
        expect(pooled.reduce((a, v, c) => a + v * w[c]![k]!, bias[k]!)).toBeCloseTo(logits[b]![k]!, 4);
      }
    });
    xt.dispose();
    net.dispose();
  });
});
