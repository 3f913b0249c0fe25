/**
 * Per-cell gradient checkpointing (ForwardOptions.checkpoint): the recomputed pass must give the
 * plain pass's gradients (w.r.t. input, variables and parameter overrides), batch statistics,
 * taps and probe gradients, on cpu and wasm, leak nothing, and hold far less memory at its peak.
 * The reference for every value is the plain pass (tfjs's own tape through every op).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../../plugin/nn/tf.js';
import { initBackend } from '../../plugin/nn/backend.js';
import { gradientsOnFreshTape } from '../../plugin/nn/checkpoint.js';
import { crossEntropy } from '../../plugin/nn/loss.js';
import { buildNetwork, disposeBatchStats } from '../../plugin/nn/network.js';
import type { BnStats, ForwardOptions, Network } from '../../plugin/nn/types.js';
import type { Arch, Cell, KernelSize, OpName } from '../../plugin/space/types.js';

/** A cell from an edge list in base indexing; `labels[v-1]` = [op, kernel] of node v. */
function cell(edges: Array<[number, number]>, labels: Array<[OpName, KernelSize]>): Cell {
  const adj = Array.from({ length: 8 }, () => new Array<0 | 1>(8).fill(0));
  for (const [i, j] of edges) adj[i]![j] = 1;
  return { adj, ops: labels.map((l) => l[0]), kernels: labels.map((l) => l[1]) };
}

const FILLER: [OpName, KernelSize] = ['conv', 3];

/** Node 2 reads the input together with node 1, so a shape-changing cell uses its projection. */
const KEEP = cell(
  [[0, 1], [0, 2], [1, 2], [2, 3], [1, 4], [3, 4], [3, 7], [4, 7], [0, 7]],
  [['avg_pool', 3], ['sep_conv', 5], ['conv', 1], ['mbconv_e2', 3], FILLER, FILLER],
);
/** Only nodes 1 and 2 read the input: a shape-changing cell executes an unused projection. */
const CHANGE = cell(
  [[0, 1], [0, 2], [1, 3], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7], [1, 7]],
  [['dil_conv', 3], ['avg_pool', 3], ['bconv_e0.5', 5], ['mbconv_e6', 1], ['bconv_e0.25', 3], ['mbconv_e3', 3]],
);

/** Every op, SE, an unused and a used projection, a stride-2 stage, five cells. */
const ALL_OPS: Arch = {
  input: { height: 9, width: 9, channels: 3 },
  numClasses: 5,
  stemStride: 1,
  se: true,
  stages: [
    { cell: KEEP, channels: 8, stride: 1, repeats: 1 },
    { cell: CHANGE, channels: 16, stride: 2, repeats: 2 },
    { cell: KEEP, channels: 24, stride: 1, repeats: 2 },
  ],
  headWidth: 24,
};

const BATCH = 4;

function batchOf(arch: Arch, batch: number, seed: number): { x: Tensor4D; y: Tensor1D } {
  const { height, width, channels } = arch.input;
  return {
    x: tf.randomNormal([batch, height, width, channels], 0, 1, 'float32', seed) as Tensor4D,
    y: tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 3 + seed) % arch.numClasses), 'int32'),
  };
}

function relativeError(a: Tensor, b: Tensor): number {
  return tf.tidy(() => {
    const diff = tf.norm(tf.sub(a, b)).dataSync()[0]!;
    const scale = tf.norm(b).dataSync()[0]!;
    return scale === 0 ? diff : diff / scale;
  });
}

interface GradientPass {
  readonly loss: number;
  /** By parameter key, plus 'input' and `probe:${layerId}`; missing where there is no gradient. */
  readonly grads: Map<string, Tensor>;
  readonly stats: ReadonlyMap<string, BnStats>;
  readonly taps: string[];
  readonly reluInputs: number;
  readonly executed: ReadonlySet<string>;
}

/**
 * CE gradient w.r.t. the input, plain-tensor copies of every parameter (as SNIP passes them) and,
 * optionally, all-ones probes on every layer (fisher); the caller disposes grads and stats.
 */
function overrideGradients(net: Network, x: Tensor4D, y: Tensor1D, options: Partial<ForwardOptions>, probes: boolean): GradientPass {
  const taps: string[] = [];
  let reluInputs = 0;
  let stats: ReadonlyMap<string, BnStats> = new Map();
  let executed: ReadonlySet<string> = new Set();
  const grads = new Map<string, Tensor>();
  let loss = 0;
  tf.tidy(() => {
    const keys = [...net.parameters.keys()];
    const overrides = new Map(keys.map((key) => [key, tf.clone(net.parameters.get(key)!)] as const));
    const probeMap = new Map<string, Tensor>();
    if (probes) {
      for (const layer of net.layers) {
        const c = layer.outputShape[layer.outputShape.length - 1]!;
        probeMap.set(layer.id, tf.ones(layer.outputShape.length === 1 ? [BATCH, c] : [BATCH, 1, 1, c]));
      }
    }
    const xs: Tensor[] = [x, ...overrides.values(), ...probeMap.values()];
    const names = ['input', ...keys, ...[...probeMap.keys()].map((id) => `probe:${id}`)];
    const result = tf.engine().gradients(
      () => {
        const out = net.forward(x, {
          mode: 'train',
          parameterOverrides: overrides,
          ...(probes ? { transformTap: (id: string, raw: Tensor) => tf.mul(raw, probeMap.get(id)!), transformTapTensors: probeMap } : {}),
          onTap: (id) => taps.push(id),
          onReluInput: () => {
            reluInputs += 1;
          },
          ...options,
        });
        stats = out.batchStats;
        executed = out.executed;
        return crossEntropy(out.logits, y);
      },
      xs,
      undefined,
      true,
    );
    loss = result.value.dataSync()[0]!;
    result.grads.forEach((g, i) => {
      if (g !== null && g !== undefined) grads.set(names[i]!, tf.keep(g));
    });
  });
  return { loss, grads, stats, taps, reluInputs, executed };
}

function disposePass(pass: GradientPass): void {
  tf.dispose([...pass.grads.values()]);
  disposeBatchStats(pass.stats);
}

function expectSameGradients(checkpointed: Map<string, Tensor>, plain: Map<string, Tensor>): void {
  expect([...checkpointed.keys()].sort()).toEqual([...plain.keys()].sort());
  for (const [key, g] of plain) {
    const err = relativeError(checkpointed.get(key)!, g);
    if (!(err < 1e-4)) throw new Error(`gradient of ${key} differs: relative error ${err}`);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`per-cell checkpointing on ${backend}`, () => {
    let net: Network;
    let x: Tensor4D;
    let y: Tensor1D;

    it('sets up the network', async () => {
      await initBackend(backend);
      net = buildNetwork(ALL_OPS, { seed: 7 });
      ({ x, y } = batchOf(ALL_OPS, BATCH, 3));
      expect(net.layers.some((l) => l.id === 'stage1.rep0.proj')).toBe(true);
      expect(net.layers.some((l) => l.id === 'stage2.rep0.proj')).toBe(true);
    });

    afterAll(() => {
      net.dispose();
      tf.dispose([x, y]);
    });

    it('gives the plain gradients w.r.t. input, overrides and probes, the same taps and statistics', () => {
      const plain = overrideGradients(net, x, y, { checkpoint: false }, true);
      const chk = overrideGradients(net, x, y, { checkpoint: true }, true);
      try {
        // The unused projection gets no gradient either way; the used one does.
        expect(plain.grads.has('stage1.rep0.proj.weight')).toBe(false);
        expect(plain.grads.has('probe:stage1.rep0.proj')).toBe(false);
        expect(plain.grads.has('stage2.rep0.proj.weight')).toBe(true);
        expect(plain.grads.has('input')).toBe(true);
        expectSameGradients(chk.grads, plain.grads);
        expect(Math.abs(chk.loss - plain.loss)).toBeLessThan(1e-6 * Math.max(1, Math.abs(plain.loss)));

        // Every layer tapped exactly once, in execution order; the recomputation reports nothing.
        expect(chk.taps).toEqual(net.layers.map((l) => l.id));
        expect(chk.taps).toEqual(plain.taps);
        expect(chk.reluInputs).toBe(plain.reluInputs);
        expect([...chk.executed].sort()).toEqual([...plain.executed].sort());

        // The recomputation sees the same batch: identical train-mode statistics.
        expect([...chk.stats.keys()]).toEqual([...plain.stats.keys()]);
        for (const [id, s] of plain.stats) {
          const c = chk.stats.get(id)!;
          expect(relativeError(c.mean, s.mean), id).toBeLessThan(1e-6);
          expect(relativeError(c.variance, s.variance), id).toBeLessThan(1e-6);
        }
      } finally {
        disposePass(plain);
        disposePass(chk);
      }
    });

    it('gives the plain tf.variableGrads gradients of every trainable variable', () => {
      const run = (checkpoint: boolean): Map<string, Tensor> => {
        const grads = tf.tidy(() => {
          let stats: ReadonlyMap<string, BnStats> = new Map();
          const { value, grads } = tf.variableGrads(() => {
            const out = net.forward(x, { mode: 'train', checkpoint });
            stats = out.batchStats;
            return crossEntropy(out.logits, y);
          });
          disposeBatchStats(stats);
          value.dispose();
          return grads;
        });
        return new Map(Object.entries(grads));
      };
      const plain = run(false);
      const chk = run(true);
      try {
        expect(plain.size).toBeGreaterThan(net.layers.length);
        expectSameGradients(chk, plain);
      } finally {
        tf.dispose([...plain.values(), ...chk.values()]);
      }
    });

    it('leaks no tensor and leaves the engine tape usable for the next gradient pass', () => {
      const before = tf.memory().numTensors;
      disposePass(overrideGradients(net, x, y, { checkpoint: true }, true));
      disposePass(overrideGradients(net, x, y, { checkpoint: true }, false));
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.engine().state.activeTape).toBeNull();
    });

    it('refuses undeclared transformTap closures when checkpointing is forced, and auto falls back to the plain pass', () => {
      const transformTap = (_id: string, raw: Tensor): Tensor => raw;
      expect(() => tf.tidy(() => void net.forward(x, { mode: 'train', checkpoint: true, transformTap }))).toThrow(/transformTapTensors/);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const { grads } = tf.engine().gradients(() => {
          const out = net.forward(x, { mode: 'train', checkpoint: 'auto', transformTap });
          disposeBatchStats(out.batchStats);
          return tf.sum(out.logits);
        }, [x]);
        expect(grads[0]!.shape).toEqual(x.shape);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describe('gradientsOnFreshTape inside a customGrad backward', () => {
  it('is a first-order tape: the exact gradient of tanh(x·w), and the outer pass finishes cleanly', async () => {
    await initBackend('cpu');
    const x = tf.tensor2d([[1, 2], [3, -1]]);
    const w = tf.tensor2d([[0.5, -1], [2, 0.3]]);
    const f = tf.customGrad((...args: Array<Tensor | ((t: Tensor[]) => void)>) => {
      const [a, b, save] = args as [Tensor, Tensor, (t: Tensor[]) => void];
      save([a, b]);
      return {
        value: tf.tanh(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)),
        gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) =>
          gradientsOnFreshTape(() => tf.tanh(tf.matMul(saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D)), saved, dy as Tensor),
      };
    });
    const { grads } = tf.engine().gradients(() => tf.sum(tf.square(f(x, w))), [w]);
    // By hand: L = Σ tanh(z)², z = x·w, ∂L/∂w = xᵀ·(2 tanh(z)(1 − tanh²(z))).
    const z = [
      [1 * 0.5 + 2 * 2, 1 * -1 + 2 * 0.3],
      [3 * 0.5 + -1 * 2, 3 * -1 + -1 * 0.3],
    ];
    const d = z.map((row) => row.map((v) => 2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)));
    const xs = [[1, 2], [3, -1]];
    const expected = [0, 1].map((i) => [0, 1].map((j) => xs[0]![i]! * d[0]![j]! + xs[1]![i]! * d[1]![j]!));
    const got = grads[0]!.arraySync() as number[][];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(got[i]![j]!).toBeCloseTo(expected[i]![j]!, 5);
    expect(tf.engine().state.activeTape).toBeNull();
    tf.dispose([x, w, grads[0]!]);
  });
});

describe('peak memory of a gradient pass', () => {
  /** A chain of six MBConv-e6 nodes: each cell's intermediates dwarf its input. */
  function mbconvChain(): Cell {
    const adj = Array.from({ length: 8 }, () => new Array<0 | 1>(8).fill(0));
    for (let v = 0; v < 7; v++) adj[v]![v + 1] = 1;
    return { adj, ops: new Array<OpName>(6).fill('mbconv_e6'), kernels: new Array<KernelSize>(6).fill(3) };
  }
  const CELLS = 8;
  const MEDIUM: Arch = {
    input: { height: 8, width: 8, channels: 3 },
    numClasses: 10,
    stemStride: 1,
    se: false,
    stages: [{ cell: mbconvChain(), channels: 8, stride: 1, repeats: CELLS }],
    headWidth: 16,
  };

  it(`falls with checkpointing roughly by the cell count (${CELLS} cells)`, async () => {
    await initBackend('wasm');
    const net = buildNetwork(MEDIUM, { seed: 1 });
    const { x, y } = batchOf(MEDIUM, 4, 1);
    const peak = async (checkpoint: boolean): Promise<number> => {
      const profile = await tf.profile(() => {
        const grads = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const out = net.forward(x, { mode: 'train', checkpoint });
            disposeBatchStats(out.batchStats);
            return crossEntropy(out.logits, y);
          });
          value.dispose();
          return grads;
        });
        tf.dispose(Object.values(grads));
      });
      return profile.peakBytes;
    };
    try {
      const plain = await peak(false);
      const checkpointed = await peak(true);
      // Plain: all n cells' intermediates at once; checkpointed: one cell's plus n small cell
      // inputs. Ideally a ratio near n; ask for a third of it.
      expect(checkpointed).toBeLessThan((plain * 3) / CELLS);
    } finally {
      net.dispose();
      tf.dispose([x, y]);
    }
  });
});
