/**
 * The analytic cost model (method.md §4): parameters and ptflops-style FLOPs from the genotype
 * alone, plus the shape trace and the conv/linear layer list of the network §3 would build.
 *
 * One walker visits the network exactly as §3.1/§3.3 build it and reports every layer to a
 * Counter, so params, FLOPs, layer ids and shapes cannot disagree with each other.
 */
import { predecessors } from './cell.js';
import { INPUT_NODE, INTERMEDIATE_NODES, OUTPUT_NODE, type Arch, type Cell, type Cost, type OpName } from './types.js';

/** [height, width, channels]. */
export type Shape = readonly [number, number, number];

/** One conv or linear layer (the unit of the per-layer ZC lists, §5.1), keyed by its stable id (§15.2). */
export interface LayerInfo {
  readonly id: string;
  readonly kind: 'conv' | 'linear';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padding: number;
  readonly groups: number;
  readonly bias: boolean;
  readonly input: Shape;
  readonly output: Shape;
  readonly params: number;
  /** Multiply-accumulates of this layer (bias adds included, as ptflops counts them). */
  readonly macs: number;
  /** Weight multiply-accumulates only (no bias adds): the unit of the conv+linear FLOPs column of §17.2. */
  readonly weightMacs: number;
}

export interface CellTrace {
  readonly stage: number;
  readonly repeat: number;
  readonly input: Shape;
  readonly output: Shape;
  readonly stride: 1 | 2;
  /** True when the cell owns a projection (stride > 1 or channels change, §3.1). */
  readonly changesShape: boolean;
}

export interface ShapeTrace {
  readonly input: Shape;
  readonly stem: Shape;
  readonly cells: readonly CellTrace[];
  /** Output of the head's 1×1 conv (before pooling). */
  readonly headConv: Shape;
  /** Network outputs per example: numClasses, or H·W·numClasses with the dense head. */
  readonly logits: number;
}

/** Expansion factor of each MBConv-family op (§2.3). */
const EXPANSION: Partial<Record<OpName, number>> = {
  mbconv_e2: 2,
  mbconv_e3: 3,
  mbconv_e6: 6,
  'bconv_e0.5': 0.5,
  'bconv_e0.25': 0.25,
};

/** Output size of a conv/pool window: floor((H + 2p − d(k−1) − 1)/s) + 1. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number, dilation = 1): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Round half to even, as the reference's rounding function (§2.3 SE block). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Width of the SE bottleneck for an expanded width E: max(1, round_half_even(E/4)). */
export function seReduction(expanded: number): number {
  return Math.max(1, roundHalfEven(expanded / 4));
}

/** Expanded width E = floor(C_in · exp) of an MBConv-family op. */
export function mbconvExpandedWidth(op: OpName, inChannels: number): number {
  const exp = EXPANSION[op];
  if (exp === undefined) throw new Error(`${op} is not an MBConv-family op`);
  return Math.floor(inChannels * exp);
}

const elements = (s: Shape): number => s[0] * s[1] * s[2];

interface ConvSpec {
  kernel: number;
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** Accumulates params and MACs with the ptflops rules of §4.2. */
class Counter {
  params = 0;
  macs = 0;
  /** Conv/linear weight MACs only: the fixture's "conv+linear only" figures exclude bias adds. */
  macsConvLinear = 0;
  readonly layers: LayerInfo[] = [];

  conv(id: string, input: Shape, outChannels: number, spec: ConvSpec): Shape {
    const { kernel, stride = 1, dilation = 1, groups = 1, bias = false } = spec;
    const padding = spec.padding ?? Math.floor(kernel / 2);
    const inChannels = input[2];
    const output: Shape = [
      convOutputSize(input[0], kernel, stride, padding, dilation),
      convOutputSize(input[1], kernel, stride, padding, dilation),
      outChannels,
    ];
    const spatial = output[0] * output[1];
    const params = outChannels * (inChannels / groups) * kernel * kernel + (bias ? outChannels : 0);
    const weightMacs = kernel * kernel * (inChannels / groups) * outChannels * spatial;
    const macs = weightMacs + (bias ? outChannels * spatial : 0);
    this.add({ id, kind: 'conv', inChannels, outChannels, kernel, stride, dilation, padding, groups, bias, input, output, params, macs, weightMacs });
    return output;
  }

  linear(id: string, inFeatures: number, outFeatures: number): void {
    const params = inFeatures * outFeatures + outFeatures;
    this.add({
      id, kind: 'linear', inChannels: inFeatures, outChannels: outFeatures, kernel: 1, stride: 1, dilation: 1, padding: 0,
      groups: 1, bias: true, input: [1, 1, inFeatures], output: [1, 1, outFeatures], params, macs: params,
      weightMacs: inFeatures * outFeatures,
    });
  }

  batchNorm(shape: Shape, affine = true): void {
    if (affine) this.params += 2 * shape[2];
    this.macs += (affine ? 2 : 1) * elements(shape);
  }

  relu(shape: Shape): void {
    this.macs += elements(shape);
  }

  /** Bilinear upsampling counts its output elements. */
  upsample(output: Shape): void {
    this.macs += elements(output);
  }

  /** Average pooling and global average pooling both count their input elements. */
  pool(input: Shape): void {
    this.macs += elements(input);
  }

  private add(layer: LayerInfo): void {
    this.layers.push(layer);
    this.params += layer.params;
    this.macs += layer.macs;
    this.macsConvLinear += layer.weightMacs;
  }
}

/** Counts one op (§2.3) applied to `input`, producing `outChannels` at `stride`; returns its output shape. */
function countOp(c: Counter, id: string, op: OpName, kernel: number, input: Shape, outChannels: number, stride: number, se: boolean): Shape {
  const cin = input[2];
  switch (op) {
    case 'avg_pool': {
      const padding = Math.floor(kernel / 2);
      c.pool(input);
      const pooled: Shape = [
        convOutputSize(input[0], kernel, stride, padding),
        convOutputSize(input[1], kernel, stride, padding),
        cin,
      ];
      c.batchNorm(pooled, false);
      if (cin === outChannels) return pooled;
      c.relu(pooled);
      const out = c.conv(`${id}.pool_proj`, pooled, outChannels, { kernel: 1, bias: true });
      c.batchNorm(out);
      return out;
    }
    case 'conv': {
      c.relu(input);
      const out = c.conv(`${id}.conv`, input, outChannels, { kernel, stride });
      c.batchNorm(out);
      return out;
    }
    case 'sep_conv':
    case 'dil_conv': {
      const dilated = op === 'dil_conv';
      c.relu(input);
      const dw = c.conv(`${id}.dw`, input, cin, {
        kernel, stride, groups: cin, dilation: dilated ? 2 : 1, padding: dilated ? kernel - 1 : Math.floor(kernel / 2),
      });
      const out = c.conv(`${id}.pw`, dw, outChannels, { kernel: 1 });
      c.batchNorm(out);
      return out;
    }
    default: {
      const e = mbconvExpandedWidth(op, cin);
      c.relu(input);
      const expanded = c.conv(`${id}.pw_expand`, input, e, { kernel: 1 });
      c.batchNorm(expanded);
      c.relu(expanded);
      const dw = c.conv(`${id}.dw`, expanded, e, { kernel, stride, groups: e });
      c.batchNorm(dw);
      c.relu(dw);
      if (se) {
        const r = seReduction(e);
        c.pool(dw);
        const squeezed = c.conv(`${id}.se_reduce`, [1, 1, e], r, { kernel: 1 });
        c.batchNorm(squeezed);
        c.relu(squeezed);
        const excited = c.conv(`${id}.se_expand`, squeezed, e, { kernel: 1 });
        c.batchNorm(excited);
      }
      const out = c.conv(`${id}.pw_project`, dw, outChannels, { kernel: 1 });
      c.batchNorm(out);
      return out;
    }
  }
}

/** Counts one cell module (§3.1) and returns its output shape. */
function countCell(c: Counter, id: string, cell: Cell, input: Shape, outChannels: number, stride: 1 | 2, se: boolean): Shape {
  const changesShape = stride > 1 || input[2] !== outChannels;
  let output: Shape;
  if (changesShape) {
    // The projection is always executed and counted, even when no node reads it (§3.1, §17.2).
    c.relu(input);
    output = c.conv(`${id}.proj`, input, outChannels, { kernel: 1, stride, padding: 0 });
    c.batchNorm(output);
  } else {
    output = input;
  }
  for (const v of INTERMEDIATE_NODES) {
    const preds = predecessors(cell, v);
    if (preds.length === 0) continue;
    const op = cell.ops[v - 1]!;
    const kernel = cell.kernels[v - 1]!;
    const nodeId = `${id}.node${v}`;
    const readsRaw = changesShape && preds.length === 1 && preds[0] === INPUT_NODE;
    const shape = readsRaw
      ? countOp(c, nodeId, op, kernel, input, outChannels, stride, se)
      : countOp(c, nodeId, op, kernel, output, outChannels, 1, se);
    if (shape[0] !== output[0] || shape[1] !== output[1] || shape[2] !== output[2]) {
      throw new Error(`${nodeId}: ${op}/k${kernel} yields ${shape.join('×')}, the cell expects ${output.join('×')}`);
    }
  }
  if (predecessors(cell, OUTPUT_NODE).length === 0) throw new Error(`${id}: the output has no in-edge`);
  return output;
}

interface Walk {
  counter: Counter;
  trace: ShapeTrace;
}

/**
 * How the network ends: `conv` is the macro head of §3.3 (BN → ReLU → Conv1×1(F) → BN → pool →
 * Linear); `plain` is the proxy-network head of §3.2 (BN → ReLU → pool → Linear).
 */
type HeadKind = 'conv' | 'plain';

function walkArch(arch: Arch, head: HeadKind = 'conv'): Walk {
  const c = new Counter();
  const input: Shape = [arch.input.height, arch.input.width, arch.input.channels];
  const firstChannels = arch.stages[0]?.channels;
  if (firstChannels === undefined) throw new Error('the architecture has no stage');
  const stem = c.conv('stem.conv', input, firstChannels, { kernel: 3, stride: arch.stemStride, padding: 1 });
  c.batchNorm(stem);
  const cells: CellTrace[] = [];
  let shape = stem;
  arch.stages.forEach((stage, i) => {
    for (let r = 0; r < stage.repeats; r++) {
      const stride = r === 0 ? stage.stride : 1;
      const out = countCell(c, `stage${i}.rep${r}`, stage.cell, shape, stage.channels, stride, arch.se);
      cells.push({ stage: i, repeat: r, input: shape, output: out, stride, changesShape: stride > 1 || shape[2] !== stage.channels });
      shape = out;
    }
  });
  c.batchNorm(shape);
  c.relu(shape);
  if (head === 'plain') {
    c.pool(shape);
    c.linear('classifier', shape[2], arch.numClasses);
    return { counter: c, trace: { input, stem, cells, headConv: shape, logits: arch.numClasses } };
  }
  const headConv = c.conv('head.conv', shape, arch.headWidth, { kernel: 1 });
  c.batchNorm(headConv);
  if (arch.head === 'dense') {
    c.conv('classifier', headConv, arch.numClasses, { kernel: 1, bias: true });
    // Bilinear upsampling to the input size: counted as its output elements (ptflops' rule for
    // nn.Upsample).
    c.upsample([arch.input.height, arch.input.width, arch.numClasses]);
    return { counter: c, trace: { input, stem, cells, headConv, logits: arch.input.height * arch.input.width * arch.numClasses } };
  }
  c.pool(headConv);
  c.linear('classifier', arch.headWidth, arch.numClasses);
  return { counter: c, trace: { input, stem, cells, headConv, logits: arch.numClasses } };
}

function costOf({ counter, trace }: Walk): Cost {
  return {
    params: counter.params,
    flops: 2 * counter.macs,
    flopsConvLinear: 2 * counter.macsConvLinear,
    layers: counter.layers.length,
    cells: trace.cells.length,
  };
}

/** Params, FLOPs (2 × MACs, §4.2), conv+linear-only FLOPs, conv+linear layer count and cell count. */
export function archCost(arch: Arch): Cost {
  return costOf(walkArch(arch));
}

/** Shapes through the network: stem output, every cell's input/output, head (for `hgnas inspect`). */
export function traceShapes(arch: Arch): ShapeTrace {
  return walkArch(arch).trace;
}

/** Every conv and linear layer in execution order with its stable id (§15.2), shapes, params and MACs. */
export function archLayers(arch: Arch): LayerInfo[] {
  return walkArch(arch).counter.layers;
}

/**
 * The NAS-Bench-201-like skeleton of §3.2 that scores single cells: stem 3 → 16, then
 * 5 × (16 → 16), 1 × (16 → 32, s2), 5 × (32 → 32), 1 × (32 → 64, s2), 5 × (64 → 64), all with the
 * same genotype. Stage k of this list is `stage{k}` in layer ids.
 */
export const PROXY_NETWORK_STAGES: ReadonlyArray<{ readonly channels: number; readonly stride: 1 | 2; readonly repeats: number }> = [
  { channels: 16, stride: 1, repeats: 5 },
  { channels: 32, stride: 2, repeats: 1 },
  { channels: 32, stride: 1, repeats: 5 },
  { channels: 64, stride: 2, repeats: 1 },
  { channels: 64, stride: 1, repeats: 5 },
];

export interface ProxyNetworkOptions {
  /** Default 10 (CIFAR-10). */
  readonly numClasses?: number;
  /** Square input size, default 32. */
  readonly inputSize?: number;
  /** Input channels, default 3. */
  readonly inputChannels?: number;
  /** Widths of the three stages, default [16, 32, 64] (a scaled-down scorer may use less). */
  readonly stageChannels?: readonly [number, number, number];
  /** Stride-1 cells per stage, default 5 (plus the two stride-2 cells between stages). */
  readonly cellsPerStage?: number;
}

/**
 * The §3.2 skeleton as an Arch (defaults: exactly PROXY_NETWORK_STAGES). Its headWidth is the
 * last stage's width: the §3.2 head has no 1×1 conv, which the cost functions here count with
 * the `plain` head; the macro network builder would add that conv.
 */
export function proxyNetworkArch(cell: Cell, options: ProxyNetworkOptions = {}): Arch {
  const size = options.inputSize ?? 32;
  const [c0, c1, c2] = options.stageChannels ?? [16, 32, 64];
  const n = options.cellsPerStage ?? 5;
  const stages = [
    { channels: c0, stride: 1 as const, repeats: n },
    { channels: c1, stride: 2 as const, repeats: 1 },
    { channels: c1, stride: 1 as const, repeats: n },
    { channels: c2, stride: 2 as const, repeats: 1 },
    { channels: c2, stride: 1 as const, repeats: n },
  ];
  return {
    input: { height: size, width: size, channels: options.inputChannels ?? 3 },
    numClasses: options.numClasses ?? 10,
    stemStride: 1,
    se: false,
    headWidth: c2,
    stages: stages.map((s) => ({ ...s, cell })),
  };
}

/** Cost of one cell in the §3.2 proxy network (the cell-level scorer's cost record, §6.2). */
export function proxyNetworkCost(cell: Cell, options: ProxyNetworkOptions = {}): Cost {
  return costOf(walkArch(proxyNetworkArch(cell, options), 'plain'));
}

/** The conv/linear layers of the §3.2 proxy network in execution order. */
export function proxyNetworkLayers(cell: Cell, options: ProxyNetworkOptions = {}): LayerInfo[] {
  return walkArch(proxyNetworkArch(cell, options), 'plain').counter.layers;
}
