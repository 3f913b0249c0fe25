/**
 * The graph VAE of method.md §7.2: GCN encoder on the unnormalised 9×9 adjacency (self loops and
 * the all-ones global row, §2.4), LayerNorm + ReLU per node, flatten, μ and log σ heads, a
 * condition regressor on z and two MLP decoders (adjacency and feature logits). Sizes come from
 * VaeConfig only; the paper's is { gcnLayers: 4, hidden: 512, latent: 256, decoderHidden: 256 }.
 *
 * Weights are stored input-major (`[in, out]`, so a layer is x·W + b), unlike PyTorch's [out, in].
 */
import { InputError } from '../errors.js';
import { initialBias, initialWeight, parameterSeed } from '../nn/init.js';
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor2D, Tensor3D, Variable } from '../nn/tf.js';
import { cellToReference, ENCODED_NODES, FEATURE_COLUMNS } from '../space/encoding.js';
import type { Cell } from '../space/types.js';
import type { NamedTensorData } from './types.js';

export interface VaeConfig {
  readonly gcnLayers: number;
  /** Width of every GCN layer. */
  readonly hidden: number;
  readonly latent: number;
  /** Hidden width of the two decoders and the regressor. */
  readonly decoderHidden: number;
}

/** The reference checkpoint's size (§7.2): 3 413 980 parameters. */
export const PAPER_VAE_CONFIG: VaeConfig = { gcnLayers: 4, hidden: 512, latent: 256, decoderHidden: 256 };
/** Our scaled-down default for 2 CPU cores. */
export const DEFAULT_VAE_CONFIG: VaeConfig = { gcnLayers: 4, hidden: 128, latent: 32, decoderHidden: 128 };

export const CONDITION_DIMS = 4;
export const ADJ_ENTRIES = ENCODED_NODES * ENCODED_NODES;
export const FEAT_ENTRIES = ENCODED_NODES * FEATURE_COLUMNS;
const LAYER_NORM_EPSILON = 1e-5;

/** Every parameter's name and shape for a config, in a fixed order (the checkpoint order). */
export function vaeParameterShapes(config: VaeConfig): Array<{ name: string; shape: number[] }> {
  const { gcnLayers, hidden, latent, decoderHidden } = config;
  const out: Array<{ name: string; shape: number[] }> = [];
  for (let k = 0; k < gcnLayers; k++) {
    const fanIn = k === 0 ? FEATURE_COLUMNS : hidden;
    out.push({ name: `gcn${k}.weight`, shape: [fanIn, hidden] }, { name: `gcn${k}.bias`, shape: [hidden] });
    out.push({ name: `gcn${k}.ln.gamma`, shape: [hidden] }, { name: `gcn${k}.ln.beta`, shape: [hidden] });
  }
  const linear = (name: string, fanIn: number, fanOut: number): void => {
    out.push({ name: `${name}.weight`, shape: [fanIn, fanOut] }, { name: `${name}.bias`, shape: [fanOut] });
  };
  linear('mu', ENCODED_NODES * hidden, latent);
  linear('logSigma', ENCODED_NODES * hidden, latent);
  linear('regressor.0', latent, decoderHidden);
  linear('regressor.1', decoderHidden, CONDITION_DIMS);
  linear('adjDecoder.0', latent, decoderHidden);
  linear('adjDecoder.1', decoderHidden, ADJ_ENTRIES);
  linear('featDecoder.0', latent, decoderHidden);
  linear('featDecoder.1', decoderHidden, FEAT_ENTRIES);
  return out;
}

function checkConfig(config: VaeConfig): void {
  for (const key of ['gcnLayers', 'hidden', 'latent', 'decoderHidden'] as const) {
    const v = config?.[key];
    if (!Number.isInteger(v) || (v as number) < 1) throw new InputError(`VaeConfig.${key} must be a positive integer, got ${JSON.stringify(v)}`);
  }
}

/** Initial values (§7.2): GCN weights and biases U(±1/√hidden); linear layers PyTorch default (§3.4); LayerNorm γ = 1, β = 0. */
function initialValue(name: string, shape: readonly number[], config: VaeConfig, seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const key = parameterSeed(seed, name);
  if (name.endsWith('.ln.gamma')) return new Float32Array(size).fill(1);
  if (name.endsWith('.ln.beta')) return new Float32Array(size);
  if (name.startsWith('gcn')) {
    // U(−1/√out, +1/√out) with out = hidden: initialWeight's bound is 1/√fanIn, so pass hidden.
    return initialWeight('default', size, { fanIn: config.hidden, fanOut: config.hidden }, key);
  }
  const layer = name.slice(0, name.lastIndexOf('.'));
  const fanIn = name.endsWith('.weight') ? shape[0]! : vaeParameterShapes(config).find((p) => p.name === `${layer}.weight`)!.shape[0]!;
  return name.endsWith('.weight') ? initialWeight('default', size, { fanIn, fanOut: shape[1]! }, key) : initialBias('default', size, fanIn, key);
}

/** Canonical 9×9 adjacency (as float) and 9×15 features of cells, flattened row-major, one block per cell. */
export function encodeCellsToArrays(cells: readonly Cell[]): { adj: Float32Array; feat: Float32Array } {
  const adj = new Float32Array(cells.length * ADJ_ENTRIES);
  const feat = new Float32Array(cells.length * FEAT_ENTRIES);
  cells.forEach((cell, b) => {
    const ref = cellToReference(cell);
    ref.adj.forEach((row, i) => row.forEach((x, j) => { adj[b * ADJ_ENTRIES + i * ENCODED_NODES + j] = x; }));
    ref.features.forEach((row, i) => row.forEach((x, j) => { feat[b * FEAT_ENTRIES + i * FEATURE_COLUMNS + j] = x; }));
  });
  return { adj, feat };
}

/**
 * x·w with a gradient built from untransposed matMuls and explicit transposes: tfjs's own matMul
 * gradient uses transposed matMuls, which the wasm backend runs as scalar loops (several times
 * slower than its plain matMul; the same trick as the CCNF's linear layers).
 */
const matMulFastGrad = tf.customGrad((...inputs: Array<Tensor | ((save: Tensor[]) => void)>) => {
  const [x, w, save] = inputs as [Tensor2D, Tensor2D, (saved: Tensor[]) => void];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as [Tensor2D, Tensor2D];
      const g = dy as Tensor2D;
      return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g)];
    },
  };
}) as (x: Tensor2D, w: Tensor2D) => Tensor2D;

/**
 * Batched A·H (B×9×9 times B×9×F). A is data, never trained: its gradient is returned as zeros,
 * and H's gradient Aᵀ·dY uses an explicit transpose for the same wasm reason as above.
 */
const aggregateFastGrad = tf.customGrad((...inputs: Array<Tensor | ((save: Tensor[]) => void)>) => {
  const [a, h, save] = inputs as [Tensor3D, Tensor3D, (saved: Tensor[]) => void];
  save([a]);
  return {
    value: tf.matMul(a, h),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [as] = saved as [Tensor3D];
      return [tf.zerosLike(as), tf.matMul(tf.transpose(as, [0, 2, 1]), dy as Tensor3D)];
    },
  };
}) as (a: Tensor3D, h: Tensor3D) => Tensor3D;

/** Everything one forward pass produces (all tensors owned by the caller's tidy). */
export interface VaeForward {
  readonly mu: Tensor2D;
  readonly logSigma: Tensor2D;
  /** μ + σ ⊙ ε in training, μ in inference. */
  readonly z: Tensor2D;
  /** regressor(z), B×4. */
  readonly condition: Tensor2D;
  /** B×81 and B×135 logits. */
  readonly adjLogits: Tensor2D;
  readonly featLogits: Tensor2D;
}

export class GraphVae {
  private disposed = false;

  private constructor(
    readonly config: VaeConfig,
    /** Parameters by name, in vaeParameterShapes order. */
    readonly parameters: ReadonlyMap<string, Variable>,
  ) {}

  static create(config: VaeConfig, seed: number): GraphVae {
    checkConfig(config);
    const params = new Map<string, Variable>();
    for (const { name, shape } of vaeParameterShapes(config)) {
      params.set(name, tf.tidy(() => tf.variable(tf.tensor(initialValue(name, shape, config, seed), shape), true)));
    }
    return new GraphVae(config, params);
  }

  static deserialize(config: VaeConfig, weights: readonly NamedTensorData[]): GraphVae {
    checkConfig(config);
    const byName = new Map(weights.map((w) => [w.name, w] as const));
    const expected = vaeParameterShapes(config);
    const problems: string[] = [];
    for (const { name, shape } of expected) {
      const w = byName.get(name);
      if (w === undefined) problems.push(`missing ${name}`);
      else if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]) || w.data.length !== shape.reduce((a, b) => a * b, 1)) {
        problems.push(`${name} has shape [${w.shape.join(', ')}] (${w.data.length} values), expected [${shape.join(', ')}]`);
      }
    }
    const known = new Set(expected.map((p) => p.name));
    for (const w of weights) if (!known.has(w.name)) problems.push(`unexpected weight ${w.name}`);
    if (problems.length > 0) {
      throw new InputError(`GraphVae.deserialize: the weights do not match config ${JSON.stringify(config)}: ${problems.slice(0, 5).join('; ')}`);
    }
    const params = new Map<string, Variable>();
    for (const { name, shape } of expected) {
      params.set(name, tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(byName.get(name)!.data), shape), true)));
    }
    return new GraphVae(config, params);
  }

  private param(name: string): Variable {
    if (this.disposed) throw new Error('GraphVae: used after dispose()');
    return this.parameters.get(name)!;
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.parameters.values()) n += v.size;
    return n;
  }

  serialize(): NamedTensorData[] {
    return vaeParameterShapes(this.config).map(({ name, shape }) => ({
      name,
      shape,
      data: Float32Array.from(this.param(name).dataSync() as Float32Array),
    }));
  }

  /** Overwrites every parameter from host copies (best-checkpoint restore). */
  load(weights: readonly NamedTensorData[]): void {
    tf.tidy(() => {
      for (const w of weights) this.param(w.name).assign(tf.tensor(w.data, [...w.shape]));
    });
  }

  private linear(x: Tensor2D, name: string): Tensor2D {
    return tf.add(matMulFastGrad(x, this.param(`${name}.weight`) as Tensor2D), this.param(`${name}.bias`));
  }

  private mlp(x: Tensor2D, name: string): Tensor2D {
    return this.linear(tf.relu(this.linear(x, `${name}.0`)), `${name}.1`);
  }

  /** μ and log σ of adjacency B×9×9 and features B×9×15 (call inside tf.tidy). */
  encoderHeads(adj: Tensor3D, feat: Tensor3D): { mu: Tensor2D; logSigma: Tensor2D } {
    const batch = adj.shape[0];
    let h: Tensor3D = feat;
    for (let k = 0; k < this.config.gcnLayers; k++) {
      const inWidth = h.shape[2];
      const flatH = tf.reshape(h, [batch * ENCODED_NODES, inWidth]) as Tensor2D;
      const hw = tf.reshape(matMulFastGrad(flatH, this.param(`gcn${k}.weight`) as Tensor2D), [batch, ENCODED_NODES, this.config.hidden]) as Tensor3D;
      // Unnormalised A·(HW): node i sums itself and its successors (§7.2; no transpose, no normalisation).
      const aggregated = tf.add(aggregateFastGrad(adj, hw), this.param(`gcn${k}.bias`));
      const { mean, variance } = tf.moments(aggregated, -1, true);
      const normalised = tf.div(tf.sub(aggregated, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON)));
      h = tf.relu(tf.add(tf.mul(normalised, this.param(`gcn${k}.ln.gamma`)), this.param(`gcn${k}.ln.beta`))) as Tensor3D;
    }
    const flat = tf.reshape(h, [batch, ENCODED_NODES * this.config.hidden]) as Tensor2D;
    return { mu: this.linear(flat, 'mu'), logSigma: this.linear(flat, 'logSigma') };
  }

  /** regressor(z) = ReLU(Linear(ReLU(Linear(z)))), B×4. */
  regress(z: Tensor2D): Tensor2D {
    return tf.relu(this.mlp(z, 'regressor'));
  }

  /** Adjacency and feature logits of latents z. */
  decodeLogits(z: Tensor2D): { adjLogits: Tensor2D; featLogits: Tensor2D } {
    return { adjLogits: this.mlp(z, 'adjDecoder'), featLogits: this.mlp(z, 'featDecoder') };
  }

  /** The full pass; `noise` (B×latent ε) selects training mode, null is inference (z = μ). */
  forward(adj: Tensor3D, feat: Tensor3D, noise: Tensor2D | null): VaeForward {
    const { mu, logSigma } = this.encoderHeads(adj, feat);
    const z: Tensor2D = noise === null ? mu : tf.add(mu, tf.mul(tf.exp(logSigma), noise));
    return { mu, logSigma, z, condition: this.regress(z), ...this.decodeLogits(z) };
  }

  /** μ (inference) and regressor(μ) in normalised condition units. */
  encode(cells: readonly Cell[]): { mu: Float32Array[]; condition: number[][] } {
    if (cells.length === 0) return { mu: [], condition: [] };
    const { adj, feat } = encodeCellsToArrays(cells);
    const [mu, cond] = tf.tidy(() => {
      const heads = this.encoderHeads(
        tf.tensor3d(adj, [cells.length, ENCODED_NODES, ENCODED_NODES]),
        tf.tensor3d(feat, [cells.length, ENCODED_NODES, FEATURE_COLUMNS]),
      );
      return [heads.mu.dataSync() as Float32Array, this.regress(heads.mu).dataSync() as Float32Array];
    });
    const latent = this.config.latent;
    return {
      mu: cells.map((_, b) => mu.slice(b * latent, (b + 1) * latent)),
      condition: cells.map((_, b) => Array.from(cond.slice(b * CONDITION_DIMS, (b + 1) * CONDITION_DIMS))),
    };
  }

  /** σ(logits) of the decoders: adjacency 81 and features 135 values per latent, row-major. */
  decode(latents: readonly Float32Array[]): { adj: Float32Array; feat: Float32Array }[] {
    if (latents.length === 0) return [];
    const latent = this.config.latent;
    const flat = new Float32Array(latents.length * latent);
    latents.forEach((z, b) => {
      if (z.length !== latent) throw new InputError(`GraphVae.decode: latent ${b} has ${z.length} values, the model's latent size is ${latent}`);
      flat.set(z, b * latent);
    });
    const [adj, feat] = tf.tidy(() => {
      const { adjLogits, featLogits } = this.decodeLogits(tf.tensor2d(flat, [latents.length, latent]));
      return [tf.sigmoid(adjLogits).dataSync() as Float32Array, tf.sigmoid(featLogits).dataSync() as Float32Array];
    });
    return latents.map((_, b) => ({
      adj: adj.slice(b * ADJ_ENTRIES, (b + 1) * ADJ_ENTRIES),
      feat: feat.slice(b * FEAT_ENTRIES, (b + 1) * FEAT_ENTRIES),
    }));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.parameters.values()) v.dispose();
  }
}
