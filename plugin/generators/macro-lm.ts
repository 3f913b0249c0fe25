/**
 * The macro generator of method.md §12: the domain tokenizer, a decoder-only transformer and
 * grammar-constrained sampling. A prompt is rendered to text (§12.2), encoded with `<bos>` and the
 * boundary, and every sequence of a batch is decoded one token at a time with a key/value cache.
 * At each step the grammar's mask (the §10.2 domains within the optional space bounds) is applied
 * BEFORE top-k and temperature, so every sample parses and respects the bounds by construction.
 * Parameter and FLOP budgets need concrete cells and stay the caller's job (§12.10).
 */
import { InputError } from '../errors.js';
import type { Tensor } from '../nn/tf.js';
import { DEFAULT_MACRO_BOUNDS, type MacroBounds } from '../space/macro.js';
import { Rng } from '../util/rng.js';
import { CompletionGrammar, type GrammarState } from './grammar.js';
import { completionLimits, DEFAULT_NUM_CLUSTERS, parseSequence, printPrompt, type CompletionLimits } from './macro-text.js';
import { MacroTokenizer } from './tokenizer.js';
import { DEFAULT_TRANSFORMER, disposeCache, Transformer, type KvCache, type TransformerConfig } from './transformer.js';
import type { ClusterGenotype, MacroGenerator, MacroPrompt, MacroSampleOptions, NamedTensorData } from './types.js';

/** §12.8 defaults: temperature 0.8, top-k 50. */
export const DEFAULT_SAMPLE_OPTIONS: Omit<MacroSampleOptions, 'seed'> = { temperature: 0.8, topK: 50 };
/** The reference's near-greedy preset (§14 P9). */
export const REFERENCE_SAMPLE_OPTIONS: Omit<MacroSampleOptions, 'seed'> = { temperature: 0.01, topK: 50 };

/** Sequences decoded together; bounds the key/value cache and the logits copied to the host. */
const SAMPLE_CHUNK = 250;

export interface SampledSequence {
  /** Canonical text (§12.2) of prompt and completion. */
  readonly text: string;
  readonly genotype: ClusterGenotype;
  /** Completion token ids after the boundary, ending with `<eos>`. */
  readonly completion: Int32Array;
}

export interface MacroLanguageModelOptions {
  readonly numClusters?: number;
  /** Model shape; the vocabulary size follows from numClusters. Default DEFAULT_TRANSFORMER. */
  readonly transformer?: Partial<Omit<TransformerConfig, 'vocab'>>;
  /** Seed of the initial weights. */
  readonly seed?: number;
}

/** Tokens fed for the longest completion within `limits` (every token before the final `<eos>`). */
export function longestCompletion(limits: CompletionLimits): number {
  // ", ( cell_k , #C , #s , #r )" is 10 tokens per stage, ", ( head , #F )" 6, then ", outputs".
  return 10 * limits.maxStages + 6 + 2;
}

export class MacroLanguageModel implements MacroGenerator {
  readonly numClusters: number;
  readonly tokenizer: MacroTokenizer;
  readonly transformer: Transformer;
  /** Allowed-token ids of each grammar mask (masks are shared objects, cached by the grammar). */
  private readonly allowedIds = new WeakMap<Uint8Array, Int32Array>();

  private constructor(tokenizer: MacroTokenizer, transformer: Transformer) {
    this.tokenizer = tokenizer;
    this.transformer = transformer;
    this.numClusters = tokenizer.numClusters;
  }

  static create(options: MacroLanguageModelOptions = {}): MacroLanguageModel {
    const tokenizer = new MacroTokenizer(options.numClusters ?? DEFAULT_NUM_CLUSTERS);
    const config: TransformerConfig = { ...DEFAULT_TRANSFORMER, ...options.transformer, vocab: tokenizer.vocabSize };
    return new MacroLanguageModel(tokenizer, new Transformer(config, options.seed ?? 0));
  }

  /** Rebuilds a model from `serialize()` output and the config it was trained with. */
  static deserialize(tensors: readonly NamedTensorData[], options: { readonly numClusters: number; readonly config: TransformerConfig }): MacroLanguageModel {
    const tokenizer = new MacroTokenizer(options.numClusters);
    if (options.config.vocab !== tokenizer.vocabSize) {
      throw new InputError(`macro LM checkpoint: vocabulary ${options.config.vocab} does not match ${tokenizer.vocabSize} tokens for ${options.numClusters} clusters`);
    }
    return new MacroLanguageModel(tokenizer, Transformer.deserialize(options.config, tensors));
  }

  get config(): TransformerConfig {
    return this.transformer.config;
  }

  serialize(): NamedTensorData[] {
    return this.transformer.serialize();
  }

  dispose(): void {
    this.transformer.dispose();
  }

  /** `n` cluster genotypes for `prompt` (see sampleSequences). */
  sample(prompt: MacroPrompt, n: number, options: MacroSampleOptions, bounds?: MacroBounds): ClusterGenotype[] {
    return this.sampleSequences(prompt, n, options, bounds).map((s) => s.genotype);
  }

  /**
   * `n` grammar-constrained samples for `prompt`, deterministic for `options.seed`. `bounds`
   * narrows the §10.2 domains (default: the domains only); when the context cannot hold
   * maxStages tuples after the prompt, fewer stages are allowed. Temperature ≤ 0 decodes greedily.
   */
  sampleSequences(prompt: MacroPrompt, n: number, options: MacroSampleOptions, bounds: MacroBounds = DEFAULT_MACRO_BOUNDS): SampledSequence[] {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`MacroLanguageModel.sample: n must be a non-negative integer, got ${n}`);
    if (!(Number.isInteger(options.topK) && options.topK >= 1)) throw new RangeError(`MacroLanguageModel.sample: topK must be a positive integer, got ${options.topK}`);
    const promptText = `${printPrompt(prompt)}:(inputs)`;
    const promptIds = this.tokenizer.encode(promptText, { bos: true });
    const limits = this.fittingLimits(completionLimits(this.numClusters, bounds), promptIds.length);
    const grammar = new CompletionGrammar(limits, this.tokenizer);
    const rng = new Rng(options.seed);
    const out: SampledSequence[] = [];
    for (let start = 0; start < n; start += SAMPLE_CHUNK) {
      const completions = this.decodeChunk(promptIds, Math.min(SAMPLE_CHUNK, n - start), grammar, options, rng);
      for (const completion of completions) {
        const text = promptText + this.tokenizer.decode(completion);
        const { genotype } = parseSequence(text, { numClusters: this.numClusters, bounds });
        out.push({ text, genotype, completion });
      }
    }
    return out;
  }

  /**
   * `limits` with maxStages lowered so that the longest completion fits the context after the
   * prompt: a model cannot emit more positions than it has. Throws when even minStages cannot fit.
   */
  private fittingLimits(limits: CompletionLimits, promptLength: number): CompletionLimits {
    const room = this.config.context - promptLength;
    const fitting = Math.floor((room - longestCompletion({ ...limits, maxStages: 0 })) / 10);
    if (fitting < limits.minStages) {
      throw new InputError(
        `macro LM: after the prompt (${promptLength} tokens) the context of ${this.config.context} has room for ${Math.max(0, fitting)} stage tuple(s), fewer than minStages = ${limits.minStages}`,
        'use a model with a longer context or a shorter prompt',
      );
    }
    return fitting >= limits.maxStages ? limits : { ...limits, maxStages: fitting };
  }

  private decodeChunk(promptIds: Int32Array, batch: number, grammar: CompletionGrammar, options: MacroSampleOptions, rng: Rng): Int32Array[] {
    const states: GrammarState[] = Array.from({ length: batch }, () => grammar.start());
    const tokens: number[][] = Array.from({ length: batch }, () => []);
    let cache: KvCache | null = null;
    let logits: Tensor | null = null;
    try {
      for (const id of promptIds) {
        logits?.dispose();
        const result: { logits: Tensor; cache: KvCache } = this.transformer.step(new Int32Array(batch).fill(id), cache);
        ({ logits, cache } = result);
      }
      const V = this.tokenizer.vocabSize;
      for (;;) {
        const host = logits!.dataSync() as Float32Array;
        const next = new Int32Array(batch).fill(this.tokenizer.pad);
        let open = 0;
        for (let b = 0; b < batch; b++) {
          if (grammar.isDone(states[b]!)) continue;
          const id = this.pick(host.subarray(b * V, (b + 1) * V), grammar.allowed(states[b]!), options, rng);
          states[b] = grammar.advance(states[b]!, id);
          tokens[b]!.push(id);
          next[b] = id;
          if (!grammar.isDone(states[b]!)) open += 1;
        }
        if (open === 0) break;
        logits!.dispose();
        const result: { logits: Tensor; cache: KvCache } = this.transformer.step(next, cache);
        ({ logits, cache } = result);
      }
    } finally {
      logits?.dispose();
      if (cache !== null) disposeCache(cache);
    }
    return tokens.map((t) => Int32Array.from(t));
  }

  /** Mask, then top-k, then temperature; greedy for temperature ≤ 0. */
  private pick(logits: Float32Array, mask: Uint8Array, options: MacroSampleOptions, rng: Rng): number {
    let ids = this.allowedIds.get(mask);
    if (ids === undefined) {
      const list: number[] = [];
      mask.forEach((m, i) => {
        if (m === 1) list.push(i);
      });
      ids = Int32Array.from(list);
      this.allowedIds.set(mask, ids);
    }
    if (ids.length === 1) return ids[0]!;
    // Highest logits first; ties keep the lower id, so decoding is deterministic.
    const ranked = Array.from(ids).sort((a, b) => logits[b]! - logits[a]! || a - b);
    if (options.temperature <= 0) return ranked[0]!;
    const top = ranked.slice(0, Math.min(options.topK, ranked.length));
    const best = logits[top[0]!]!;
    const weights = top.map((id) => Math.exp((logits[id]! - best) / options.temperature));
    const total = weights.reduce((a, b) => a + b, 0);
    let u = rng.next() * total;
    for (let i = 0; i < top.length; i++) {
      u -= weights[i]!;
      if (u < 0) return top[i]!;
    }
    return top[top.length - 1]!;
  }
}
