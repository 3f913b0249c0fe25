/**
 * The CCNF's ODE network f_θ(t, y, c) (method.md §9.2): a stack of ConcatSquash layers
 *
 *   out = (W h + b) ⊙ sigmoid(G·[t, c] + g) + B·[t, c]
 *
 * with tanh after every layer except the last, together with an explicit forward-mode
 * Jacobian–vector product. The tangent v of y travels through the same layers:
 *
 *   linear: dv ↦ dv·W;   gate: ⊙ sigmoid(…) (the context does not depend on y);   tanh: ⊙ (1 − tanh²)
 *
 * so J_y f · v costs one extra matrix product per layer and is built from ordinary first-order
 * ops. That lets the likelihood loss contain the Hutchinson term εᵀ(J ε) and still be
 * differentiated by tf.variableGrads; nested tf.grad gives wrong second-order gradients in tfjs.
 *
 * Weights follow PyTorch's nn.Linear initialisation, U(−1/√fan_in, 1/√fan_in), seeded.
 */
import { InputError } from '../errors.js';
import { tf } from '../nn/tf.js';
import type { Tensor, Variable } from '../nn/tf.js';
import { Rng } from '../util/rng.js';
import type { NamedTensorData } from './types.js';

/** Sizes of the ODE network; the likelihood/CFM choice lives here too so one object describes a CCNF. */
export interface CcnfConfig {
  /** Latent dimension D (256 in the paper). */
  readonly latent: number;
  /** Condition dimension (4, method.md §6.3). */
  readonly conditionDim: number;
  /** Width of the hidden ConcatSquash layers (512 in the paper). */
  readonly hidden: number;
  /** Number of ConcatSquash layers, ≥ 2 (10 in the paper). */
  readonly layers: number;
  readonly objective: 'flow-matching' | 'likelihood';
}

/** Time: a number or scalar tensor (one time for the batch) or an [n, 1] tensor (one per row). */
export type FieldTime = number | Tensor;

interface SquashLayer {
  readonly w: Variable; // [in, out]
  readonly b: Variable; // [out]
  readonly g: Variable; // [1 + conditionDim, out], hyper-gate weights
  readonly gBias: Variable; // [out]
  readonly s: Variable; // [1 + conditionDim, out], hyper-bias weights (no bias)
}

/**
 * The condition-dependent part of every layer, computed once per solve: c·G_c + g and c·B_c.
 * The time row is added per evaluation.
 */
export interface FieldContext {
  readonly gatePre: Tensor[];
  readonly shiftPre: Tensor[];
  dispose(): void;
}

export function validateConfig(config: CcnfConfig): void {
  const positive = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`CcnfConfig.${name} must be a positive integer, got ${v}`);
  };
  positive('latent', config.latent);
  positive('conditionDim', config.conditionDim);
  positive('hidden', config.hidden);
  positive('layers', config.layers);
  if (config.layers < 2) throw new InputError(`CcnfConfig.layers must be at least 2, got ${config.layers}`);
  if (config.objective !== 'flow-matching' && config.objective !== 'likelihood') {
    throw new InputError(`CcnfConfig.objective must be 'flow-matching' or 'likelihood', got ${String(config.objective)}`);
  }
}

function layerWidths(config: CcnfConfig): Array<[number, number]> {
  const widths: Array<[number, number]> = [];
  for (let i = 0; i < config.layers; i++) {
    const input = i === 0 ? config.latent : config.hidden;
    const output = i === config.layers - 1 ? config.latent : config.hidden;
    widths.push([input, output]);
  }
  return widths;
}

function uniform(rng: Rng, shape: readonly number[], fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}

/** Names and shapes of the network's weights, in a fixed order (checkpoints rely on it). */
export function fieldWeightShapes(config: CcnfConfig): Array<{ name: string; shape: number[]; fanIn: number }> {
  const context = 1 + config.conditionDim;
  return layerWidths(config).flatMap(([input, output], i) => [
    { name: `field.${i}.weight`, shape: [input, output], fanIn: input },
    { name: `field.${i}.bias`, shape: [output], fanIn: input },
    { name: `field.${i}.gate.weight`, shape: [context, output], fanIn: context },
    { name: `field.${i}.gate.bias`, shape: [output], fanIn: context },
    { name: `field.${i}.shift.weight`, shape: [context, output], fanIn: context },
  ]);
}

export class OdeNet {
  readonly config: CcnfConfig;
  private readonly layers: SquashLayer[];
  /** All variables keyed by checkpoint name. */
  readonly variables: Map<string, Variable>;

  private constructor(config: CcnfConfig, variables: Map<string, Variable>) {
    this.config = config;
    this.variables = variables;
    this.layers = layerWidths(config).map((_, i) => ({
      w: variables.get(`field.${i}.weight`)!,
      b: variables.get(`field.${i}.bias`)!,
      g: variables.get(`field.${i}.gate.weight`)!,
      gBias: variables.get(`field.${i}.gate.bias`)!,
      s: variables.get(`field.${i}.shift.weight`)!,
    }));
  }

  /** A freshly initialised network. */
  static create(config: CcnfConfig, seed: number): OdeNet {
    validateConfig(config);
    const rng = new Rng(seed);
    const variables = new Map<string, Variable>();
    for (const { name, shape, fanIn } of fieldWeightShapes(config)) {
      variables.set(name, tf.variable(tf.tensor(uniform(rng, shape, fanIn), shape), true, uniqueName(name)));
    }
    return new OdeNet(config, variables);
  }

  /** A network from checkpoint weights; every expected name must be present with its shape. */
  static fromWeights(config: CcnfConfig, weights: readonly NamedTensorData[]): OdeNet {
    validateConfig(config);
    const byName = new Map(weights.map((w) => [w.name, w]));
    const variables = new Map<string, Variable>();
    for (const { name, shape } of fieldWeightShapes(config)) {
      const w = byName.get(name);
      if (w === undefined) throw new InputError(`CCNF checkpoint: missing weight ${name}`);
      if (w.shape.length !== shape.length || w.shape.some((s, i) => s !== shape[i]) || w.data.length !== shape.reduce((a, b) => a * b, 1)) {
        throw new InputError(`CCNF checkpoint: weight ${name} has shape [${w.shape.join(', ')}], expected [${shape.join(', ')}]`);
      }
      variables.set(name, tf.variable(tf.tensor(w.data, shape), true, uniqueName(name)));
    }
    return new OdeNet(config, variables);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  /** Precomputes the condition terms for a batch of conditions c: [n, conditionDim]. */
  prepare(conditions: Tensor): FieldContext {
    if (conditions.rank !== 2 || conditions.shape[1] !== this.config.conditionDim) {
      throw new RangeError(`OdeNet: conditions must be [n, ${this.config.conditionDim}], got [${conditions.shape.join(', ')}]`);
    }
    const parts = tf.tidy(() =>
      this.layers.map((layer) => {
        const gc = tf.slice(layer.g, [1, 0], [this.config.conditionDim, -1]);
        const sc = tf.slice(layer.s, [1, 0], [this.config.conditionDim, -1]);
        return [tf.add(tf.matMul(conditions, gc), layer.gBias), tf.matMul(conditions, sc)] as const;
      }),
    );
    const gatePre = parts.map((p) => p[0]);
    const shiftPre = parts.map((p) => p[1]);
    return {
      gatePre,
      shiftPre,
      dispose() {
        for (const t of [...gatePre, ...shiftPre]) t.dispose();
      },
    };
  }

  /** Gate and shift of layer i at time t: sigmoid(t·G_t + c·G_c + g) and t·B_t + c·B_c. */
  private gateAndShift(context: FieldContext, i: number, t: FieldTime): [Tensor, Tensor] {
    const layer = this.layers[i]!;
    const gt = tf.slice(layer.g, [0, 0], [1, -1]);
    const st = tf.slice(layer.s, [0, 0], [1, -1]);
    const gate = tf.sigmoid(tf.add(context.gatePre[i]!, tf.mul(gt, t)));
    const shift = tf.add(context.shiftPre[i]!, tf.mul(st, t));
    return [gate, shift];
  }

  /** f(t, y, c) for y: [n, latent]. */
  evaluate(context: FieldContext, t: FieldTime, y: Tensor): Tensor {
    let h = y;
    this.layers.forEach((layer, i) => {
      const [gate, shift] = this.gateAndShift(context, i, t);
      const out = tf.add(tf.mul(tf.add(linear(h, layer.w), layer.b), gate), shift);
      h = i < this.layers.length - 1 ? tf.tanh(out) : out;
    });
    return h;
  }

  /** (f(t, y, c), J_y f · v) together, by forward-mode propagation of the tangent v: [n, latent]. */
  evaluateWithTangent(context: FieldContext, t: FieldTime, y: Tensor, v: Tensor): [Tensor, Tensor] {
    let h = y;
    let dh = v;
    this.layers.forEach((layer, i) => {
      const [gate, shift] = this.gateAndShift(context, i, t);
      const out = tf.add(tf.mul(tf.add(linear(h, layer.w), layer.b), gate), shift);
      const dOut = tf.mul(linear(dh, layer.w), gate);
      if (i < this.layers.length - 1) {
        h = tf.tanh(out);
        dh = tf.mul(dOut, tf.sub(1, tf.square(h)));
      } else {
        h = out;
        dh = dOut;
      }
    });
    return [h, dh];
  }

  /** The weights as plain data, in checkpoint order. */
  weights(): NamedTensorData[] {
    return fieldWeightShapes(this.config).map(({ name, shape }) => ({
      name,
      shape,
      // A copy: some backends hand out their internal buffer.
      data: new Float32Array(this.variables.get(name)!.dataSync()),
    }));
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

/**
 * x·w with a gradient made of untransposed matMuls and explicit transposes. tfjs's own
 * gradient uses transposed matMuls, which the wasm backend runs as scalar loops (~7× slower
 * than XNNPACK's plain matMul at these sizes); this cuts the backward pass to a fraction.
 */
const linearWithFastGradient = tf.customGrad((...inputs: Array<Tensor | ((save: Tensor[]) => void)>) => {
  const [x, w, save] = inputs as [tf.Tensor2D, tf.Tensor2D, (save: Tensor[]) => void];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g)];
    },
  };
});

function linear(x: Tensor, w: Tensor): Tensor {
  return linearWithFastGradient(x, w);
}

let variableCounter = 0;
/** tfjs variable names are global; a counter keeps several networks apart. */
export function uniqueName(name: string): string {
  variableCounter += 1;
  return `ccnf_${variableCounter}_${name}`;
}
