/**
 * Parameterised layers and the exact op layer stacks of method.md §2.3.
 *
 * Building a layer registers its LayerInfo and parameters in a ParameterRegistry, so the
 * registry's order is the order in which the blocks were built; the network builds them in
 * execution order. Applying a block reads parameters through a ForwardContext, which lets a
 * caller substitute plain tensors for the variables (for tf.grads) and collects taps and BN
 * batch statistics without touching any state.
 */
import { tf } from './tf.js';
import type { Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from './tf.js';
import type { LayerInfo, Mode } from './types.js';
import type { KernelSize, OpName } from '../space/types.js';
import { initialBias, initialWeight, parameterSeed, type Fans, type InitScheme } from './init.js';
import {
  avgPoolExcludingPadding,
  batchNormalize,
  channelMoments,
  conv2d,
  convOutputSize,
  depthwiseConv2d,
  globalAvgPoolKeepDims,
  unbiasedVariance,
} from './ops.js';

/** What a block needs from the running forward pass. */
export interface ForwardContext {
  readonly mode: Mode;
  readonly bnEpsilon: number;
  /** A parameter by key: the caller's override when given, else the variable. */
  param(key: string): Tensor;
  /** Running statistics of one BN layer (infer mode). */
  running(bnId: string): { readonly mean: Tensor; readonly variance: Tensor };
  /** Marks a conv/linear layer as executed and hands its raw output to the caller's tap. */
  tap(layerId: string, raw: Tensor): void;
  /** Train mode: one BN layer's batch mean and unbiased variance, handed back to the caller. */
  recordBatchStats(bnId: string, mean: Tensor1D, variance: Tensor1D): void;
  /** The tensor that continues the pass after a tap (ForwardOptions.transformTap); default the raw output. */
  transformTap?(layerId: string, raw: Tensor): Tensor;
  /** Sees every ReLU input (ForwardOptions.onReluInput). */
  reluInput?(preActivation: Tensor): void;
  /** BN is the identity in this pass (ForwardOptions.bypassBatchNorm). */
  readonly bypassBatchNorm?: boolean;
}

/** Spatial size [H, W]. */
export type Spatial = readonly [number, number];

/** A differentiable piece of the network mapping NHWC to NHWC. */
export interface Block {
  readonly outChannels: number;
  readonly outSize: Spatial;
  apply(ctx: ForwardContext, x: Tensor4D): Tensor4D;
}

export interface RunningStats {
  readonly mean: Variable;
  readonly variance: Variable;
}

let registryCounter = 0;

/** Owns every variable of one network and the LayerInfo list in build order. */
export class ParameterRegistry {
  readonly layers: LayerInfo[] = [];
  readonly parameters = new Map<string, Variable>();
  readonly bnRunning = new Map<string, RunningStats>();
  readonly decayed = new Set<string>();
  /** Keys of BN γ and β: parameters a pass with BN bypassed never reads. */
  readonly batchNormAffine = new Set<string>();
  /** tfjs variable names are global, so each network gets its own prefix. */
  private readonly namePrefix = `hgnas/net${registryCounter++}/`;

  constructor(
    private readonly scheme: InitScheme,
    private readonly seed: number,
  ) {}

  addLayer(info: LayerInfo, fans: Fans): void {
    this.layers.push(info);
    const size = info.weightShape.reduce((a, b) => a * b, 1);
    const weightKey = `${info.id}.weight`;
    this.addParameter(weightKey, info.weightShape, initialWeight(this.scheme, size, fans, parameterSeed(this.seed, weightKey)));
    this.decayed.add(weightKey);
    if (info.hasBias) {
      const biasKey = `${info.id}.bias`;
      const outFeatures = info.weightShape[info.weightShape.length - 1]!;
      this.addParameter(
        biasKey,
        [outFeatures],
        initialBias(this.scheme, outFeatures, fans.fanIn, parameterSeed(this.seed, biasKey)),
      );
    }
  }

  addBatchNorm(id: string, channels: number, affine: boolean): void {
    if (this.bnRunning.has(id)) throw new Error(`duplicate BN id ${id}`);
    if (affine) {
      this.addParameter(`${id}.gamma`, [channels], new Float32Array(channels).fill(1));
      this.addParameter(`${id}.beta`, [channels], new Float32Array(channels));
      this.batchNormAffine.add(`${id}.gamma`).add(`${id}.beta`);
    }
    this.bnRunning.set(id, {
      mean: this.variable(`${id}.running_mean`, [channels], new Float32Array(channels), false),
      variance: this.variable(`${id}.running_var`, [channels], new Float32Array(channels).fill(1), false),
    });
  }

  dispose(): void {
    for (const v of this.parameters.values()) v.dispose();
    for (const s of this.bnRunning.values()) {
      s.mean.dispose();
      s.variance.dispose();
    }
    this.parameters.clear();
    this.bnRunning.clear();
  }

  private addParameter(key: string, shape: readonly number[], values: Float32Array): void {
    if (this.parameters.has(key)) throw new Error(`duplicate parameter ${key}`);
    this.parameters.set(key, this.variable(key, shape, values, true));
  }

  private variable(key: string, shape: readonly number[], values: Float32Array, trainable: boolean): Variable {
    const initial = tf.tensor(values, [...shape], 'float32');
    const v = tf.variable(initial, trainable, this.namePrefix + key);
    initial.dispose();
    return v;
  }
}

export interface ConvSpec {
  readonly id: string;
  readonly inChannels: number;
  /** Ignored for depthwise convs (channel multiplier 1). */
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly inSize: Spatial;
  readonly depthwise?: boolean;
  readonly dilation?: number;
  readonly bias?: boolean;
}

/** Conv k×k with padding dilation·⌊k/2⌋ (⌊k/2⌋, or k − 1 at dilation 2), symmetric. */
export class ConvLayer implements Block {
  readonly outChannels: number;
  readonly outSize: Spatial;
  private readonly pad: number;
  private readonly dilation: number;

  constructor(
    registry: ParameterRegistry,
    private readonly spec: ConvSpec,
  ) {
    const { inChannels, kernel: k, stride, inSize } = spec;
    const depthwise = spec.depthwise === true;
    this.dilation = spec.dilation ?? 1;
    this.pad = this.dilation * Math.floor(k / 2);
    this.outChannels = depthwise ? inChannels : spec.outChannels;
    this.outSize = [
      convOutputSize(inSize[0], k, stride, this.pad, this.dilation),
      convOutputSize(inSize[1], k, stride, this.pad, this.dilation),
    ];
    if (!(this.outChannels > 0) || !(this.outSize[0] > 0) || !(this.outSize[1] > 0)) {
      throw new Error(`layer ${spec.id}: empty output ${this.outSize.join('×')}×${this.outChannels}`);
    }
    registry.addLayer(
      {
        id: spec.id,
        kind: depthwise ? 'depthwise' : 'conv',
        weightShape: depthwise ? [k, k, inChannels, 1] : [k, k, inChannels, this.outChannels],
        hasBias: spec.bias === true,
        outputShape: [this.outSize[0], this.outSize[1], this.outChannels],
      },
      depthwise
        ? { fanIn: k * k, fanOut: inChannels * k * k }
        : { fanIn: inChannels * k * k, fanOut: this.outChannels * k * k },
    );
  }

  apply(ctx: ForwardContext, x: Tensor4D): Tensor4D {
    const { id, stride } = this.spec;
    const filter = ctx.param(`${id}.weight`) as Tensor4D;
    let y =
      this.spec.depthwise === true
        ? depthwiseConv2d(x, filter, stride, this.pad, this.dilation)
        : conv2d(x, filter, stride, this.pad);
    if (this.spec.bias === true) y = tf.add(y, ctx.param(`${id}.bias`));
    ctx.tap(id, y);
    return (ctx.transformTap?.(id, y) as Tensor4D | undefined) ?? y;
  }
}

/** BN over channels: batch statistics in train mode (biased variance), running ones in infer. */
export class BatchNormLayer implements Block {
  readonly outSize: Spatial;

  constructor(
    registry: ParameterRegistry,
    private readonly id: string,
    readonly outChannels: number,
    inSize: Spatial,
    private readonly affine: boolean,
  ) {
    this.outSize = inSize;
    registry.addBatchNorm(id, outChannels, affine);
  }

  apply(ctx: ForwardContext, x: Tensor4D): Tensor4D {
    if (ctx.bypassBatchNorm === true) return x;
    const gamma = this.affine ? ctx.param(`${this.id}.gamma`) : null;
    const beta = this.affine ? ctx.param(`${this.id}.beta`) : null;
    if (ctx.mode === 'infer') {
      const r = ctx.running(this.id);
      return batchNormalize(x, r.mean, r.variance, gamma, beta, ctx.bnEpsilon);
    }
    const [n, h, w] = x.shape;
    const count = n * h * w;
    if (count < 2) {
      throw new Error(`BN ${this.id}: train mode needs more than 1 value per channel (batch ${n} at ${h}×${w})`);
    }
    const { mean, variance } = channelMoments(x);
    ctx.recordBatchStats(this.id, mean, unbiasedVariance(variance, count));
    return batchNormalize(x, mean, variance, gamma, beta, ctx.bnEpsilon);
  }
}

/** Fully connected layer with bias on [N, in] features. */
export class LinearLayer {
  constructor(
    registry: ParameterRegistry,
    private readonly id: string,
    inFeatures: number,
    outFeatures: number,
  ) {
    registry.addLayer(
      { id, kind: 'linear', weightShape: [inFeatures, outFeatures], hasBias: true, outputShape: [outFeatures] },
      { fanIn: inFeatures, fanOut: outFeatures },
    );
  }

  apply(ctx: ForwardContext, x: Tensor2D): Tensor2D {
    const y = tf.add(tf.matMul(x, ctx.param(`${this.id}.weight`) as Tensor2D), ctx.param(`${this.id}.bias`)) as Tensor2D;
    ctx.tap(this.id, y);
    return (ctx.transformTap?.(this.id, y) as Tensor2D | undefined) ?? y;
  }
}

/** Element-wise ReLU (no parameters). */
export class Relu implements Block {
  constructor(
    readonly outChannels: number,
    readonly outSize: Spatial,
  ) {}

  apply(ctx: ForwardContext, x: Tensor4D): Tensor4D {
    ctx.reluInput?.(x);
    return tf.relu(x);
  }
}

class AvgPool implements Block {
  readonly outSize: Spatial;

  constructor(
    readonly outChannels: number,
    inSize: Spatial,
    private readonly kernel: number,
    private readonly stride: number,
  ) {
    const pad = Math.floor(kernel / 2);
    this.outSize = [convOutputSize(inSize[0], kernel, stride, pad), convOutputSize(inSize[1], kernel, stride, pad)];
  }

  apply(_ctx: ForwardContext, x: Tensor4D): Tensor4D {
    return avgPoolExcludingPadding(x, this.kernel, this.stride);
  }
}

/** Blocks applied one after another. */
export class Sequential implements Block {
  readonly outChannels: number;
  readonly outSize: Spatial;

  constructor(private readonly blocks: readonly Block[]) {
    const last = blocks[blocks.length - 1];
    if (last === undefined) throw new Error('Sequential needs at least one block');
    this.outChannels = last.outChannels;
    this.outSize = last.outSize;
  }

  apply(ctx: ForwardContext, x: Tensor4D): Tensor4D {
    let y = x;
    for (const b of this.blocks) y = b.apply(ctx, y);
    return y;
  }
}

/** Round half to even (the reference's Python `round`, method.md §2.3 SE). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Squeeze-and-excitation on E channels: GAP → conv1×1(E → r) → BN → ReLU → conv1×1(r → E) → BN
 * → sigmoid → channel-wise multiply with the block input; r = max(1, round-half-even(E/4)).
 */
class SqueezeExcite implements Block {
  readonly outSize: Spatial;
  private readonly gate: Sequential;

  constructor(registry: ParameterRegistry, prefix: string, readonly outChannels: number, inSize: Spatial) {
    this.outSize = inSize;
    const e = outChannels;
    const r = Math.max(1, roundHalfEven(e / 4));
    const one: Spatial = [1, 1];
    const reduce = new ConvLayer(registry, { id: `${prefix}.se_reduce`, inChannels: e, outChannels: r, kernel: 1, stride: 1, inSize: one });
    const reduceBn = new BatchNormLayer(registry, `${prefix}.se_reduce.bn`, r, one, true);
    const expand = new ConvLayer(registry, { id: `${prefix}.se_expand`, inChannels: r, outChannels: e, kernel: 1, stride: 1, inSize: one });
    const expandBn = new BatchNormLayer(registry, `${prefix}.se_expand.bn`, e, one, true);
    this.gate = new Sequential([reduce, reduceBn, new Relu(r, one), expand, expandBn]);
  }

  apply(ctx: ForwardContext, x: Tensor4D): Tensor4D {
    return tf.mul(x, tf.sigmoid(this.gate.apply(ctx, globalAvgPoolKeepDims(x))));
  }
}

/** Expansion factor of each MBConv-family op (method.md §2.2). */
export const MBCONV_EXPANSION: Readonly<Partial<Record<OpName, number>>> = {
  mbconv_e2: 2,
  mbconv_e3: 3,
  mbconv_e6: 6,
  'bconv_e0.5': 0.5,
  'bconv_e0.25': 0.25,
};

export interface OpSpec {
  /** Layer id prefix of the node, e.g. `stage1.rep0.node3`. */
  readonly prefix: string;
  readonly op: OpName;
  readonly kernel: KernelSize;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: 1 | 2;
  readonly se: boolean;
  readonly inSize: Spatial;
}

/** The layer stack of one op, exactly as method.md §2.3 lists it. */
export function buildOp(registry: ParameterRegistry, spec: OpSpec): Block {
  const { prefix, op, kernel: k, inChannels: cin, outChannels: cout, stride, inSize } = spec;
  switch (op) {
    case 'avg_pool': {
      const pool = new AvgPool(cin, inSize, k, stride);
      const blocks: Block[] = [pool, new BatchNormLayer(registry, `${prefix}.pool.bn`, cin, pool.outSize, false)];
      if (cin !== cout) {
        blocks.push(new Relu(cin, pool.outSize));
        const proj = new ConvLayer(registry, {
          id: `${prefix}.pool_proj`,
          inChannels: cin,
          outChannels: cout,
          kernel: 1,
          stride: 1,
          inSize: pool.outSize,
          bias: true,
        });
        blocks.push(proj, new BatchNormLayer(registry, `${prefix}.pool_proj.bn`, cout, proj.outSize, true));
      }
      return new Sequential(blocks);
    }
    case 'conv': {
      const conv = new ConvLayer(registry, { id: `${prefix}.conv`, inChannels: cin, outChannels: cout, kernel: k, stride, inSize });
      return new Sequential([new Relu(cin, inSize), conv, new BatchNormLayer(registry, `${prefix}.conv.bn`, cout, conv.outSize, true)]);
    }
    case 'sep_conv':
    case 'dil_conv': {
      const dw = new ConvLayer(registry, {
        id: `${prefix}.dw`,
        inChannels: cin,
        outChannels: cin,
        kernel: k,
        stride,
        inSize,
        depthwise: true,
        dilation: op === 'dil_conv' ? 2 : 1,
      });
      const pw = new ConvLayer(registry, { id: `${prefix}.pw`, inChannels: cin, outChannels: cout, kernel: 1, stride: 1, inSize: dw.outSize });
      return new Sequential([new Relu(cin, inSize), dw, pw, new BatchNormLayer(registry, `${prefix}.pw.bn`, cout, pw.outSize, true)]);
    }
    default: {
      const expansion = MBCONV_EXPANSION[op];
      if (expansion === undefined) throw new Error(`node ${prefix}: unknown op ${String(op)}`);
      return buildMbconv(registry, spec, expansion);
    }
  }
}

/**
 * ReLU → 1×1 (C_in → E) → BN → ReLU → depthwise k×k stride s → BN → ReLU → [SE] → 1×1 (E → C_out)
 * → BN, with E = ⌊C_in · expansion⌋.
 */
function buildMbconv(registry: ParameterRegistry, spec: OpSpec, expansion: number): Block {
  const { prefix, kernel: k, inChannels: cin, outChannels: cout, stride, inSize } = spec;
  const e = Math.floor(cin * expansion);
  if (e < 1) throw new Error(`node ${prefix}: expansion ${expansion} of ${cin} channels leaves no channels`);
  const expand = new ConvLayer(registry, { id: `${prefix}.pw_expand`, inChannels: cin, outChannels: e, kernel: 1, stride: 1, inSize });
  const expandBn = new BatchNormLayer(registry, `${prefix}.pw_expand.bn`, e, inSize, true);
  const dw = new ConvLayer(registry, { id: `${prefix}.dw`, inChannels: e, outChannels: e, kernel: k, stride, inSize, depthwise: true });
  const dwBn = new BatchNormLayer(registry, `${prefix}.dw.bn`, e, dw.outSize, true);
  const blocks: Block[] = [new Relu(cin, inSize), expand, expandBn, new Relu(e, inSize), dw, dwBn, new Relu(e, dw.outSize)];
  if (spec.se) blocks.push(new SqueezeExcite(registry, prefix, e, dw.outSize));
  const project = new ConvLayer(registry, { id: `${prefix}.pw_project`, inChannels: e, outChannels: cout, kernel: 1, stride: 1, inSize: dw.outSize });
  blocks.push(project, new BatchNormLayer(registry, `${prefix}.pw_project.bn`, cout, project.outSize, true));
  return new Sequential(blocks);
}
