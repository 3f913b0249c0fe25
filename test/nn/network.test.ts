import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../plugin/nn/tf.js';
import type { Tensor, Tensor4D } from '../../plugin/nn/tf.js';
import { buildNetwork, disposeBatchStats } from '../../plugin/nn/network.js';
import type { Network } from '../../plugin/nn/types.js';
import { archFromReference, readReferenceFile } from '../../plugin/space/encoding.js';
import type { Arch, Cell, KernelSize, OpName } from '../../plugin/space/types.js';

const FIXTURE = new URL('../fixtures/reference-architectures.json', import.meta.url);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A cell from an edge list in base indexing; `labels[v-1]` = [op, kernel] of node v. */
function cell(edges: Array<[number, number]>, labels: Array<[OpName, KernelSize]>): Cell {
  const adj = Array.from({ length: 8 }, () => new Array<0 | 1>(8).fill(0));
  for (const [i, j] of edges) adj[i]![j] = 1;
  return { adj, ops: labels.map((l) => l[0]), kernels: labels.map((l) => l[1]) };
}

const FILLER: [OpName, KernelSize] = ['conv', 3];

/**
 * Every op, both channel rules, an unused projection and a stride-2 dilated conv on odd sizes:
 * stage 0 keeps shape (8 → 8); stage 1's first cell goes 8 → 16 at stride 2, and its nodes 1 and
 * 2 read the raw input while nothing reads P(x).
 */
function allOpsArch(se: boolean, stridedOp: OpName = 'dil_conv'): Arch {
  const keep = cell(
    [[0, 1], [0, 2], [1, 2], [2, 3], [1, 4], [3, 4], [3, 7], [4, 7], [0, 7]],
    [['avg_pool', 3], ['sep_conv', 5], ['conv', 1], ['mbconv_e2', 3], FILLER, FILLER],
  );
  const change = cell(
    [[0, 1], [0, 2], [1, 3], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7], [1, 7]],
    [[stridedOp, 3], ['avg_pool', 3], ['bconv_e0.5', 5], ['mbconv_e6', 1], ['bconv_e0.25', 3], ['mbconv_e3', 3]],
  );
  return {
    input: { height: 9, width: 9, channels: 3 },
    numClasses: 5,
    stemStride: 1,
    se,
    stages: [
      { cell: keep, channels: 8, stride: 1, repeats: 2 },
      { cell: change, channels: 16, stride: 2, repeats: 2 },
    ],
    headWidth: 24,
  };
}

function randomInput(shape: [number, number, number, number], seed: number): Tensor4D {
  return tf.randomNormal(shape, 0, 1, 'float32', seed) as Tensor4D;
}

describe('parameter and layer counts of the reference networks (method.md §17.2)', () => {
  const ref = readReferenceFile(FIXTURE);
  const cifar = ref.sets.find((s) => s.name === 'cifar-1m-params')!;
  const imagenet = ref.sets.find((s) => s.name === 'imagenet-450m-flops')!;
  const cases: Array<[string, () => Arch, number, number | null]> = [
    ['CIFAR best, 100 classes', () => archFromReference(cifar, 0, { numClasses: 100 }), 996_206, 325],
    ['CIFAR best, 10 classes', () => archFromReference(cifar, 0, { numClasses: 10 }), 992_516, 325],
    ['ImageNet-450M best', () => archFromReference(imagenet, 0), 4_726_320, 315],
    ['ImageNet-450M best with SE', () => archFromReference(imagenet, 0, { se: true }), 7_531_406, null],
  ];
  for (const [name, arch, params, layers] of cases) {
    it(`${name}: ${params} parameters`, () => {
      const net = buildNetwork(arch(), { seed: 3 });
      expect(net.parameterCount()).toBe(params);
      if (layers !== null) expect(net.layers.length).toBe(layers);
      net.dispose();
    });
  }

  it('the stored parameter count of every fixture row is reproduced', () => {
    for (const set of [cifar, imagenet]) {
      set.architectures.forEach((row, i) => {
        const net = buildNetwork(archFromReference(set, i), { seed: i });
        expect(net.parameterCount(), `${set.name}[${i}]`).toBe(row.params);
        net.dispose();
      });
    }
  });

  it('the ImageNet stage-1 dilated conv fed only by the input runs at stride 2 (method.md §17.3)', () => {
    const net = buildNetwork(archFromReference(imagenet, 0), { seed: 0 });
    // 224 → stem stride 2 → 112 → stage 0 stride 2 → 56 → stage 1 stride 2 → 28.
    const dw = net.layers.find((l) => l.id === 'stage1.rep0.node3.dw')!;
    expect(dw.kind).toBe('depthwise');
    expect(dw.outputShape).toEqual([28, 28, 8]);
    expect(dw.weightShape).toEqual([3, 3, 8, 1]);
    net.dispose();
  });

  it('a forward pass of the CIFAR best taps every layer once, in layer order, with its published shape', () => {
    const net = buildNetwork(archFromReference(cifar, 0), { seed: 5 });
    const x = randomInput([2, 32, 32, 3], 1);
    const order: string[] = [];
    const shapes = new Map<string, number[]>();
    const result = net.forward(x, {
      mode: 'infer',
      onTap: (id, raw) => {
        order.push(id);
        shapes.set(id, raw.shape);
      },
    });
    expect(result.logits.shape).toEqual([2, 100]);
    expect(order).toEqual(net.layers.map((l) => l.id));
    expect(result.executed.size).toBe(325);
    for (const layer of net.layers) expect(shapes.get(layer.id), layer.id).toEqual([2, ...layer.outputShape]);
    expect(Array.from(result.logits.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, result.logits]);
    net.dispose();
  });
});

describe('a hand-countable network (method.md §3.3, §4.1)', () => {
  // stem 3→8 (k3) → one shape-keeping cell: in→n1 (conv k3), n1→out, in→out → head F=16 → 10 classes.
  const arch: Arch = {
    input: { height: 8, width: 8, channels: 3 },
    numClasses: 10,
    stemStride: 1,
    se: false,
    stages: [{ cell: cell([[0, 1], [1, 7], [0, 7]], [['conv', 3], FILLER, FILLER, FILLER, FILLER, FILLER]), channels: 8, stride: 1, repeats: 1 }],
    headWidth: 16,
  };

  it('has the parameters and layers counted by hand', () => {
    const net = buildNetwork(arch, { seed: 0 });
    const stem = 3 * 8 * 9 + 2 * 8;
    const node = 8 * 8 * 9 + 2 * 8;
    const head = 2 * 8 + 8 * 16 + 2 * 16;
    const classifier = 16 * 10 + 10;
    expect(net.parameterCount()).toBe(stem + node + head + classifier);
    expect(net.layers.map((l) => l.id)).toEqual(['stem.conv', 'stage0.rep0.node1.conv', 'head.conv', 'classifier']);
    expect([...net.decayed].sort()).toEqual(['classifier.weight', 'head.conv.weight', 'stage0.rep0.node1.conv.weight', 'stem.conv.weight']);
    expect([...net.parameters.keys()].filter((k) => k.endsWith('.bias'))).toEqual(['classifier.bias']);
    expect([...net.bnRunning.keys()]).toEqual(['stem.conv.bn', 'stage0.rep0.node1.conv.bn', 'head.bn', 'head.conv.bn']);
    net.dispose();
  });

  it('with zero weights except the classifier bias, the logits are that bias', () => {
    const net = buildNetwork(arch, { seed: 0 });
    const overrides = new Map<string, Tensor>();
    for (const [key, v] of net.parameters) if (key.endsWith('.weight')) overrides.set(key, tf.zerosLike(v));
    const x = randomInput([2, 8, 8, 3], 4);
    const { logits } = net.forward(x, { mode: 'infer', parameterOverrides: overrides });
    const bias = Array.from(net.parameters.get('classifier.bias')!.dataSync());
    expect(Array.from(logits.dataSync())).toEqual([...bias, ...bias]);
    tf.dispose([x, logits, ...overrides.values()]);
    net.dispose();
  });
});

describe('the all-ops network', () => {
  let net: Network;
  beforeAll(() => {
    net = buildNetwork(allOpsArch(true), { seed: 9 });
  });
  afterAll(() => net.dispose());

  it('names the layers of every op stack and runs the unused projection', () => {
    const ids = net.layers.map((l) => l.id);
    // Node 1 (avg_pool, 8 → 8) has no conv; node 2 (sep_conv) follows the stem directly.
    expect(ids.slice(0, 4)).toEqual(['stem.conv', 'stage0.rep0.node2.dw', 'stage0.rep0.node2.pw', 'stage0.rep0.node3.conv']);
    // Shape-keeping avg_pool: no projection. Shape-changing stage-1 node 2 (8 → 16): projection with bias.
    expect(ids).not.toContain('stage0.rep0.node1.pool_proj');
    const poolProj = net.layers.find((l) => l.id === 'stage1.rep0.node2.pool_proj')!;
    expect(poolProj.hasBias).toBe(true);
    expect(poolProj.weightShape).toEqual([1, 1, 8, 16]);
    expect(net.bnRunning.has('stage1.rep0.node2.pool.bn')).toBe(true);
    expect(net.parameters.has('stage1.rep0.node2.pool.bn.gamma')).toBe(false);
    // Raw-input rule: node 1 of the shape-changing cell is 8 → 16 at stride 2 (9 → 5), node 3 is 16 → 16.
    expect(net.layers.find((l) => l.id === 'stage1.rep0.node1.dw')!.outputShape).toEqual([5, 5, 8]);
    expect(net.layers.find((l) => l.id === 'stage1.rep0.node1.pw')!.outputShape).toEqual([5, 5, 16]);
    expect(net.layers.find((l) => l.id === 'stage1.rep0.node3.pw_expand')!.weightShape).toEqual([1, 1, 16, 8]);
    expect(net.layers.find((l) => l.id === 'stage1.rep0.proj')!.outputShape).toEqual([5, 5, 16]);
    expect(ids).not.toContain('stage1.rep1.proj');
    // SE widths: E = ⌊16·0.25⌋ = 4 → r = 1; E = ⌊16·6⌋ = 96 → r = 24; E = ⌊8·2⌋ = 16 → r = 4.
    expect(net.layers.find((l) => l.id === 'stage1.rep0.node5.se_reduce')!.weightShape).toEqual([1, 1, 4, 1]);
    expect(net.layers.find((l) => l.id === 'stage1.rep0.node4.se_expand')!.weightShape).toEqual([1, 1, 24, 96]);
    expect(net.layers.find((l) => l.id === 'stage0.rep1.node4.se_reduce')!.outputShape).toEqual([1, 1, 4]);
    expect(net.layers.find((l) => l.id === 'classifier')!.outputShape).toEqual([5]);
  });

  for (const mode of ['infer', 'train'] as const) {
    it(`${mode} mode: every tap has its LayerInfo shape and every layer runs exactly once`, () => {
      const x = randomInput([2, 9, 9, 3], 2);
      const seen = new Map<string, number>();
      const result = net.forward(x, {
        mode,
        onTap: (id, raw) => {
          seen.set(id, (seen.get(id) ?? 0) + 1);
          const info = net.layers.find((l) => l.id === id)!;
          expect(raw.shape, id).toEqual([2, ...info.outputShape]);
        },
      });
      expect([...seen.keys()]).toEqual(net.layers.map((l) => l.id));
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect([...result.executed].sort()).toEqual(net.layers.map((l) => l.id).sort());
      expect(result.logits.shape).toEqual([2, 5]);
      expect(result.batchStats.size).toBe(mode === 'train' ? net.bnRunning.size : 0);
      tf.dispose([x, result.logits]);
      disposeBatchStats(result.batchStats);
    });
  }

  it('train mode returns batch statistics, leaves running ones alone, and commit applies the momentum', () => {
    const x = randomInput([2, 9, 9, 3], 3);
    let stemRaw: number[] = [];
    const result = net.forward(x, {
      mode: 'train',
      onTap: (id, raw) => {
        if (id === 'stem.conv') stemRaw = Array.from(raw.dataSync());
      },
    });
    // Hand statistics of channel 0 of the stem conv output (N·H·W = 162 values).
    const c0 = stemRaw.filter((_, i) => i % 8 === 0);
    const m = c0.reduce((a, b) => a + b, 0) / c0.length;
    const unbiased = c0.reduce((a, b) => a + (b - m) ** 2, 0) / (c0.length - 1);
    const stats = result.batchStats.get('stem.conv.bn')!;
    expect(stats.mean.dataSync()[0]).toBeCloseTo(m, 4);
    expect(stats.variance.dataSync()[0]).toBeCloseTo(unbiased, 3);
    const running = net.bnRunning.get('stem.conv.bn')!;
    expect(Array.from(running.mean.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(running.variance.dataSync()).every((v) => v === 1)).toBe(true);

    net.commitBatchStats(result.batchStats, 0.1);
    expect(running.mean.dataSync()[0]).toBeCloseTo(0.1 * m, 5);
    expect(running.variance.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * unbiased, 4);
    tf.dispose([x, result.logits]);
    disposeBatchStats(result.batchStats);
  });
});

describe('gradients (method.md §15.2)', () => {
  // No dilated conv: stock tfjs has no gradient for it (nn/kernels registers one).
  // Train mode is much stiffer than infer mode (batch statistics of N = 2 samples feed back into
  // every activation): on the two-stage network central differences drift by a factor of 2–3
  // between steps 1e-2 and 1e-4, so train mode uses the shape-keeping stage alone and step 1e-4.
  const setups = {
    infer: {
      arch: allOpsArch(true, 'sep_conv'),
      step: 1e-3,
      keys: ['stem.conv.weight', 'stage1.rep0.node1.dw.weight', 'stage1.rep0.node2.pool_proj.bias', 'stage1.rep1.node4.pw_project.weight', 'stage0.rep1.node4.se_expand.weight'],
    },
    train: {
      arch: { ...allOpsArch(false), stages: allOpsArch(false).stages.slice(0, 1) },
      step: 1e-4,
      keys: ['stem.conv.weight', 'stage0.rep1.node2.dw.weight', 'stage0.rep0.node4.pw_project.weight', 'head.conv.weight'],
    },
  };

  for (const mode of ['infer', 'train'] as const) {
    it(`${mode} mode: tf.grad through parameter overrides matches central finite differences`, () => {
      const { arch, step, keys } = setups[mode];
      const net = buildNetwork(arch, { seed: 21 });
      const x = randomInput([2, 9, 9, 3], 8);
      const r = tf.randomNormal([2, 5], 0, 1, 'float32', 5);
      const loss = (key: string, w: Tensor): Tensor =>
        tf.tidy(() => {
          const out = net.forward(x, { mode, parameterOverrides: new Map([[key, w]]) });
          const value = tf.sum(tf.mul(out.logits, r));
          disposeBatchStats(out.batchStats);
          return value;
        });
      for (const key of keys) {
        const w = net.parameters.get(key)!;
        const g = tf.grad((t: Tensor) => loss(key, t))(w);
        expect(g.shape).toEqual(w.shape);
        const grad = g.dataSync();
        const base = w.dataSync();
        for (const i of [0, Math.floor(w.size / 2), w.size - 1]) {
          const h = step;
          const at = (delta: number) => {
            const v = Float32Array.from(base);
            v[i]! += delta;
            const t = tf.tensor(v, w.shape);
            const value = loss(key, t).dataSync()[0]!;
            t.dispose();
            return value;
          };
          const fd = (at(h) - at(-h)) / (2 * h);
          expect(Math.abs(grad[i]! - fd), `${key}[${i}]: autodiff ${grad[i]} vs FD ${fd}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
        }
        g.dispose();
      }
      tf.dispose([x, r]);
      net.dispose();
    });
  }

  it('tf.variableGrads on the variables gives the same gradient as the override route', () => {
    const net = buildNetwork(setups.infer.arch, { seed: 22 });
    const x = randomInput([2, 9, 9, 3], 9);
    const key = 'head.conv.weight';
    const w = net.parameters.get(key)!;
    const { grads, value } = tf.variableGrads(() => tf.sum(net.forward(x, { mode: 'infer' }).logits), [w]);
    const viaOverride = tf.grad((t: Tensor) => tf.sum(net.forward(x, { mode: 'infer', parameterOverrides: new Map([[key, t]]) }).logits))(w);
    const a = grads[w.name]!.dataSync();
    const b = viaOverride.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
    tf.dispose([x, value, viaOverride, ...Object.values(grads)]);
    net.dispose();
  });
});

describe('memory (method.md §15.8)', () => {
  it('build, a forward in each mode and dispose leave the tensor count unchanged', () => {
    const before = tf.memory().numTensors;
    const net = buildNetwork(allOpsArch(true), { seed: 1 });
    const built = tf.memory().numTensors;
    const x = randomInput([2, 9, 9, 3], 6);
    for (const mode of ['infer', 'train'] as const) {
      const result = net.forward(x, { mode, onTap: () => undefined });
      tf.dispose(result.logits);
      disposeBatchStats(result.batchStats);
      expect(tf.memory().numTensors).toBe(built + 1);
    }
    x.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('invalid genotypes are rejected with a clear error (method.md §2.6, §14 P4)', () => {
  const base = allOpsArch(false);
  const withCell = (c: Cell): Arch => ({ ...base, stages: [{ ...base.stages[0]!, cell: c }] });
  const labels: Array<[OpName, KernelSize]> = [['conv', 3], ['conv', 3], ['conv', 3], FILLER, FILLER, FILLER];

  const cases: Array<[string, Arch, RegExp]> = [
    // n2 has an out-edge but no in-edge: built but never executed by the reference (§14 P4).
    ['a dead node', withCell(cell([[0, 1], [1, 7], [2, 7], [0, 7]], labels)), /G6/],
    ['a backwards edge', withCell(cell([[0, 1], [1, 7], [0, 7], [3, 2]], labels)), /G1/],
    ['too few edges', withCell(cell([[0, 1], [1, 7]], labels)), /G5/],
    ['an unknown op', withCell(cell([[0, 1], [1, 7], [0, 7]], [['skip' as OpName, 3], FILLER, FILLER, FILLER, FILLER, FILLER])), /G7/],
    ['a bad kernel', withCell(cell([[0, 1], [1, 7], [0, 7]], [['conv', 7 as KernelSize], FILLER, FILLER, FILLER, FILLER, FILLER])), /G7/],
    ['stride 3', { ...base, stages: [{ ...base.stages[0]!, stride: 3 as 1 }] }, /stride must be 1 or 2/],
    ['no head width', { ...base, headWidth: 0 }, /headWidth/],
    ['no stages', { ...base, stages: [] }, /stages/],
  ];
  for (const [name, arch, pattern] of cases) {
    it(name, () => {
      const before = tf.memory().numTensors;
      expect(() => buildNetwork(arch, { seed: 0 })).toThrow(pattern);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a wrongly shaped input', () => {
    const net = buildNetwork(base, { seed: 0 });
    const x = tf.zeros([1, 8, 9, 3]) as Tensor4D;
    expect(() => net.forward(x, { mode: 'infer' })).toThrow(/\[N, 9, 9, 3\]/);
    x.dispose();
    net.dispose();
  });
});

describe('initialisation choice (method.md §3.4)', () => {
  it('the same seed rebuilds identical parameters; zen init zeroes biases', () => {
    const a = buildNetwork(allOpsArch(false), { seed: 77 });
    const b = buildNetwork(allOpsArch(false), { seed: 77 });
    const z = buildNetwork(allOpsArch(false), { seed: 77, init: 'zen' });
    for (const [key, v] of a.parameters) {
      expect(Array.from(b.parameters.get(key)!.dataSync()), key).toEqual(Array.from(v.dataSync()));
    }
    expect(Array.from(z.parameters.get('classifier.bias')!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(z.parameters.get('stem.conv.weight')!.dataSync())).not.toEqual(Array.from(a.parameters.get('stem.conv.weight')!.dataSync()));
    [a, b, z].forEach((n) => n.dispose());
  });
});
