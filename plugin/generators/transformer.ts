/**
 * A decoder-only transformer in the style of nanoGPT (method.md §12.5): learned token and
 * position embeddings, pre-LayerNorm blocks of causal multi-head self-attention and a GELU MLP,
 * a final LayerNorm, and the output projection tied to the token embedding.
 *
 *   x = wte[ids] + wpe[0..T)
 *   for each block:  x = x + drop(proj(attn(ln1(x))));  x = x + drop(fc2(gelu(fc1(ln2(x)))))
 *   logits = ln_f(x) · wteᵀ
 *
 * Two entry points share the weights: `logits` runs whole sequences (training, with dropout),
 * `step` appends one token per sequence using a key/value cache (sampling, no dropout).
 */
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor2D, Tensor3D, Variable } from '../nn/tf.js';
import { Rng } from '../util/rng.js';
import type { NamedTensorData } from './types.js';

export interface TransformerConfig {
  readonly layers: number;
  readonly width: number;
  readonly heads: number;
  /** Hidden width of the MLP. */
  readonly mlp: number;
  /** Number of learned positions (the longest input). */
  readonly context: number;
  readonly dropout: number;
  readonly vocab: number;
}

/** §12.5's model (about 3.5 M parameters with the 1 086-token vocabulary). */
export const PAPER_TRANSFORMER: Omit<TransformerConfig, 'vocab'> = { layers: 4, width: 256, heads: 4, mlp: 1024, context: 256, dropout: 0.1 };
/**
 * The scaled-down default: fast enough to train in tfjs on a CPU. The context stays 256: the
 * longest legal example is `<bos>` + a prompt of up to ~40 tokens (all five keys) + 19 stage
 * tuples of 10 tokens + head (6) + `, outputs` (2) + `<eos>`, about 240 tokens.
 */
export const DEFAULT_TRANSFORMER: Omit<TransformerConfig, 'vocab'> = { layers: 2, width: 64, heads: 4, mlp: 256, context: 256, dropout: 0.1 };

const LAYER_NORM_EPSILON = 1e-5;
const INIT_STD = 0.02;

/** Per-layer key and value tensors [B, heads, t, headWidth] for incremental decoding. */
export interface KvCache {
  readonly keys: readonly Tensor[];
  readonly values: readonly Tensor[];
  /** Positions already in the cache. */
  readonly length: number;
}

export function validateTransformerConfig(c: TransformerConfig): void {
  const problems: string[] = [];
  for (const k of ['layers', 'width', 'heads', 'mlp', 'context', 'vocab'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) problems.push(`${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.width % c.heads !== 0) problems.push(`width ${c.width} must be divisible by heads ${c.heads}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) problems.push(`dropout must be in [0, 1), got ${c.dropout}`);
  if (problems.length > 0) throw new RangeError(`transformer config: ${problems.join('; ')}`);
}

/** Names and shapes of every parameter, in a fixed order. */
function parameterShapes(c: TransformerConfig): Array<[string, number[]]> {
  const D = c.width;
  const shapes: Array<[string, number[]]> = [
    ['wte', [c.vocab, D]],
    ['wpe', [c.context, D]],
  ];
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}.`;
    shapes.push(
      [`${p}ln1.gamma`, [D]], [`${p}ln1.beta`, [D]],
      [`${p}attn.qkv.w`, [D, 3 * D]], [`${p}attn.qkv.b`, [3 * D]],
      [`${p}attn.proj.w`, [D, D]], [`${p}attn.proj.b`, [D]],
      [`${p}ln2.gamma`, [D]], [`${p}ln2.beta`, [D]],
      [`${p}mlp.fc.w`, [D, c.mlp]], [`${p}mlp.fc.b`, [c.mlp]],
      [`${p}mlp.proj.w`, [c.mlp, D]], [`${p}mlp.proj.b`, [D]],
    );
  }
  shapes.push(['lnf.gamma', [D]], ['lnf.beta', [D]]);
  return shapes;
}

/** Weights that AdamW decays (§12.7): matrices and embeddings, not biases or LayerNorm. */
const isDecayed = (name: string): boolean => name === 'wte' || name === 'wpe' || name.endsWith('.w');

/**
 * GPT-2 initialisation: N(0, 0.02) for matrices and embeddings, the residual projections scaled
 * by 1/√(2·layers), zero biases, LayerNorm γ = 1 and β = 0. Drawn on the host from a seeded Rng
 * so that a seed gives the same weights on every backend.
 */
function initialValue(name: string, size: number, c: TransformerConfig, rng: Rng): Float32Array {
  const data = new Float32Array(size);
  if (name.endsWith('.gamma')) data.fill(1);
  else if (isDecayed(name)) {
    const std = name.endsWith('proj.w') ? INIT_STD / Math.sqrt(2 * c.layers) : INIT_STD;
    for (let i = 0; i < size; i++) data[i] = std * rng.normal();
  }
  return data;
}

/**
 * a [N, K] · b [K, M] whose gradients use explicit transposes: tfjs-wasm's transposed matmul
 * paths (which the built-in gradient uses) run several times slower than a transpose followed
 * by a plain matmul at these shapes (measured ~120 ms vs ~18 ms for 1 600 × 64 · 64 × 1 086).
 */
export const matMul2d = tf.customGrad((...args: unknown[]) => {
  const [a, b, save] = args as [Tensor2D, Tensor2D, (tensors: Tensor[]) => void];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
      const [sa, sb] = saved as [Tensor2D, Tensor2D];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
    },
  };
}) as (a: Tensor, b: Tensor) => Tensor2D;

function gelu(x: Tensor): Tensor {
  // Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), as torch.nn.GELU.
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

export class Transformer {
  readonly config: TransformerConfig;
  readonly parameters: ReadonlyMap<string, Variable>;
  /** Parameter names AdamW decays. */
  readonly decayed: ReadonlySet<string>;
  private disposed = false;

  /** A freshly initialised model (weights from `seed`), or one holding `weights` (see deserialize). */
  constructor(config: TransformerConfig, seed: number, weights?: ReadonlyMap<string, Float32Array>) {
    validateTransformerConfig(config);
    this.config = { ...config };
    const rng = new Rng(seed);
    const params = new Map<string, Variable>();
    for (const [name, shape] of parameterShapes(config)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = weights?.get(name) ?? initialValue(name, size, config, rng);
      if (data.length !== size) throw new RangeError(`transformer weights: ${name} has ${data.length} values, expected ${size} (shape ${shape.join('×')})`);
      params.set(name, tf.variable(tf.tensor(data, shape, 'float32'), true));
    }
    this.parameters = params;
    this.decayed = new Set([...params.keys()].filter(isDecayed));
  }

  /** Rebuilds a model from `serialize()` output; names and shapes must match `config`. */
  static deserialize(config: TransformerConfig, tensors: readonly NamedTensorData[]): Transformer {
    validateTransformerConfig(config);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const weights = new Map<string, Float32Array>();
    for (const [name, shape] of parameterShapes(config)) {
      const t = byName.get(name);
      if (t === undefined) throw new RangeError(`transformer weights: missing ${name}`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new RangeError(`transformer weights: ${name} has shape ${t.shape.join('×')}, the config needs ${shape.join('×')}`);
      }
      weights.set(name, t.data);
      byName.delete(name);
    }
    if (byName.size > 0) throw new RangeError(`transformer weights: unexpected tensors ${[...byName.keys()].join(', ')}`);
    return new Transformer(config, 0, weights);
  }

  serialize(): NamedTensorData[] {
    return [...this.parameters].map(([name, v]) => ({ name, shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) }));
  }

  /** Number of scalar parameters (the tied output projection counted once). */
  parameterCount(): number {
    let n = 0;
    for (const v of this.parameters.values()) n += v.size;
    return n;
  }

  private p(name: string): Variable {
    return this.parameters.get(name)!;
  }

  private layerNorm(x: Tensor, prefix: string): Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON)));
    return tf.add(tf.mul(normalised, this.p(`${prefix}.gamma`)), this.p(`${prefix}.beta`));
  }

  /** x [N, in] · W + b. */
  private linear(x: Tensor, prefix: string): Tensor2D {
    return tf.add(matMul2d(x, this.p(`${prefix}.w`)), this.p(`${prefix}.b`)) as Tensor2D;
  }

  private dropout(x: Tensor, training: boolean, rng: Rng | null): Tensor {
    if (!training || this.config.dropout === 0 || rng === null) return x;
    return tf.dropout(x, this.config.dropout, undefined, rng.nextUint32());
  }

  private mlp(x2d: Tensor2D, l: number, training: boolean, rng: Rng | null): Tensor2D {
    const h = gelu(this.linear(this.layerNorm(x2d, `h${l}.ln2`), `h${l}.mlp.fc`));
    return this.dropout(this.linear(h, `h${l}.mlp.proj`), training, rng) as Tensor2D;
  }

  /** [B, T, D] → [B, heads, T, D/heads]. */
  private splitHeads(x: Tensor, B: number, T: number): Tensor {
    const { heads, width } = this.config;
    return tf.transpose(tf.reshape(x, [B, T, heads, width / heads]), [0, 2, 1, 3]);
  }

  /**
   * Logits [B, T, vocab] for int32 token ids [B, T] (T ≤ context). With `training`, dropout is
   * applied using seeds drawn from `rng`.
   */
  logits(ids: Tensor2D, options: { readonly training: boolean; readonly rng?: Rng } = { training: false }): Tensor3D {
    const [B, T] = ids.shape;
    const { width: D, vocab: V, context, heads } = this.config;
    if (T > context) throw new RangeError(`transformer: ${T} positions exceed the context of ${context}`);
    const training = options.training;
    const rng = options.rng ?? null;
    return tf.tidy(() => {
      // One-hot × wte instead of gather: its gradient is a matmul, which every backend has
      // (wasm lacks the UnsortedSegmentSum kernel a gather gradient needs).
      const oneHot = tf.oneHot(tf.reshape(ids, [B * T]), V);
      const tokens = tf.reshape(matMul2d(oneHot, this.p('wte')), [B, T, D]);
      const positions = tf.slice(this.p('wpe'), [0, 0], [T, D]);
      let x = tf.reshape(this.dropout(tf.add(tokens, positions), training, rng), [B * T, D]) as Tensor2D;
      // Additive causal mask: 0 on and below the diagonal, −1e9 above.
      const lower = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
      const causal = tf.mul(tf.sub(1, lower), -1e9);
      const scale = 1 / Math.sqrt(D / heads);
      for (let l = 0; l < this.config.layers; l++) {
        const qkv = this.linear(this.layerNorm(x, `h${l}.ln1`), `h${l}.attn.qkv`);
        const [q, k, v] = tf.split(qkv, 3, 1).map((t) => this.splitHeads(t, B, T));
        const scores = tf.add(tf.mul(tf.matMul(q!, k!, false, true), scale), causal);
        const attention = this.dropout(tf.softmax(scores, -1), training, rng);
        const merged = tf.reshape(tf.transpose(tf.matMul(attention, v!), [0, 2, 1, 3]), [B * T, D]);
        x = tf.add(x, this.dropout(this.linear(merged, `h${l}.attn.proj`), training, rng)) as Tensor2D;
        x = tf.add(x, this.mlp(x, l, training, rng)) as Tensor2D;
      }
      const out = matMul2d(this.layerNorm(x, 'lnf'), tf.transpose(this.p('wte')));
      return tf.reshape(out, [B, T, V]) as Tensor3D;
    });
  }

  /**
   * Appends one token per sequence (ids [B], all at position `cache.length`) and returns the
   * next-token logits [B, vocab] with the extended cache. The caller disposes the returned
   * logits and, eventually, the cache (`disposeCache`); the cache passed in is disposed here.
   */
  step(ids: Int32Array, cache: KvCache | null): { logits: Tensor2D; cache: KvCache } {
    const B = ids.length;
    const position = cache?.length ?? 0;
    const { width: D, heads, context } = this.config;
    if (position >= context) throw new RangeError(`transformer: position ${position} is beyond the context of ${context}`);
    if (cache !== null && cache.keys.length > 0 && cache.keys[0]!.shape[0] !== B) throw new RangeError('transformer: batch size changed during decoding');
    const result = tf.tidy(() => {
      const tokens = tf.gather(this.p('wte'), tf.tensor1d(ids, 'int32'));
      let x = tf.add(tokens, tf.slice(this.p('wpe'), [position, 0], [1, D])) as Tensor2D;
      const keys: Tensor[] = [];
      const values: Tensor[] = [];
      const scale = 1 / Math.sqrt(D / heads);
      for (let l = 0; l < this.config.layers; l++) {
        const qkv = this.linear(this.layerNorm(x, `h${l}.ln1`), `h${l}.attn.qkv`);
        const [q, kNew, vNew] = tf.split(qkv, 3, 1).map((t) => this.splitHeads(t, B, 1));
        const k = cache === null ? kNew! : tf.concat([cache.keys[l]!, kNew!], 2);
        const v = cache === null ? vNew! : tf.concat([cache.values[l]!, vNew!], 2);
        keys.push(k);
        values.push(v);
        // The new query attends to every cached position: all are in its past.
        const attention = tf.softmax(tf.mul(tf.matMul(q!, k, false, true), scale), -1);
        const merged = tf.reshape(tf.transpose(tf.matMul(attention, v), [0, 2, 1, 3]), [B, D]);
        x = tf.add(x, this.linear(merged, `h${l}.attn.proj`)) as Tensor2D;
        x = tf.add(x, this.mlp(x, l, false, null)) as Tensor2D;
      }
      const logits = tf.matMul(this.layerNorm(x, 'lnf') as Tensor2D, tf.transpose(this.p('wte')));
      return { logits, keys, values };
    });
    if (cache !== null) disposeCache(cache);
    return { logits: result.logits as Tensor2D, cache: { keys: result.keys, values: result.values, length: position + 1 } };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.parameters.values()) v.dispose();
  }
}

export function disposeCache(cache: KvCache): void {
  tf.dispose([...cache.keys, ...cache.values]);
}
