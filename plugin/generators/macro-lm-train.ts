/**
 * Training the macro transformer (method.md §12.7): whole-sequence examples (`<bos>` + line +
 * `<eos>`, right-padded to the longest example of the batch, padding masked out of the loss),
 * next-token cross-entropy over every real token (prompt included), AdamW (lr 1e-3, weight decay
 * 0.05 on matrices and embeddings only, ε 1e-8), linear decay to 0 without warm-up, and gradient
 * clipping to a global norm of 0.5 (as torch.nn.utils.clip_grad_norm_).
 */
import { InputError } from '../errors.js';
import { adamW } from '../nn/optim.js';
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor2D, Variable } from '../nn/tf.js';
import { Rng } from '../util/rng.js';
import type { MacroLanguageModel } from './macro-lm.js';
import { parseSequence } from './macro-text.js';
import type { MacroTokenizer } from './tokenizer.js';
import type { Transformer } from './transformer.js';

export interface MacroLmStep {
  /** 1-based step just finished. */
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly lr: number;
}

export interface MacroLmTrainOptions {
  readonly steps: number;
  readonly batchSize: number;
  /** Peak learning rate (default 1e-3). */
  readonly lr?: number;
  /** AdamW weight decay on matrices and embeddings (default 0.05). */
  readonly weightDecay?: number;
  /** Adam ε (default 1e-8). */
  readonly epsilon?: number;
  /** Global gradient-norm limit (default 0.5). */
  readonly clip?: number;
  /** Seed of the batch order and dropout (default 0). */
  readonly seed?: number;
  readonly onStep?: (progress: MacroLmStep) => void;
}

export interface MacroLmTrainResult {
  /** Mean masked cross-entropy (nats per token) of each step's batch, before its update. */
  readonly losses: number[];
  readonly seconds: number;
}

/** Token ids `<bos>` + line + `<eos>` of every line; each line must parse and fit the context. */
export function encodeExamples(tokenizer: MacroTokenizer, lines: readonly string[], context: number): Int32Array[] {
  return lines.map((line, i) => {
    try {
      parseSequence(line, { numClusters: tokenizer.numClusters });
    } catch (err) {
      throw new InputError(`macro LM corpus, line ${i + 1}: ${(err as Error).message}`, 'every corpus line must be a complete sequence of method.md §12.2');
    }
    const ids = tokenizer.encode(line, { bos: true, eos: true });
    // Inputs drop the last token and targets the first, so a model sees length − 1 positions.
    if (ids.length - 1 > context) throw new InputError(`macro LM corpus, line ${i + 1}: ${ids.length} tokens exceed the model context of ${context} + 1`);
    return ids;
  });
}

export interface TokenBatch {
  readonly batch: number;
  readonly length: number;
  /** [batch·length] inputs (example[0..n−1)), right-padded. */
  readonly inputs: Int32Array;
  /** [batch·length] next tokens (example[1..n)), right-padded. */
  readonly targets: Int32Array;
  /** [batch·length] 1 where the target is a real token, 0 on padding. */
  readonly mask: Float32Array;
}

/** Shifted, right-padded inputs and targets of `examples`, padded to the longest. */
export function makeBatch(examples: readonly Int32Array[], pad: number): TokenBatch {
  const batch = examples.length;
  const length = Math.max(...examples.map((e) => e.length - 1));
  const inputs = new Int32Array(batch * length).fill(pad);
  const targets = new Int32Array(batch * length).fill(pad);
  const mask = new Float32Array(batch * length);
  examples.forEach((e, b) => {
    for (let t = 0; t + 1 < e.length; t++) {
      inputs[b * length + t] = e[t]!;
      targets[b * length + t] = e[t + 1]!;
      mask[b * length + t] = 1;
    }
  });
  return { batch, length, inputs, targets, mask };
}

/** Mean cross-entropy over the unmasked positions of logits [N, V] and targets [N]. */
export function maskedCrossEntropy(logits: Tensor2D, targets: Tensor, mask: Tensor): Tensor {
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits, -1);
    const picked = tf.sum(tf.mul(tf.oneHot(targets as tf.Tensor1D, logits.shape[1]), logProbabilities), -1);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), tf.maximum(tf.sum(mask), 1));
  });
}

/** Scales gradients in place of a new map so their global L2 norm is at most `clip`. */
function clipByGlobalNorm(grads: Map<string, Tensor>, clip: number): Map<string, Tensor> {
  const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
  const norm = tf.sqrt(tf.addN(squares));
  // PyTorch: coefficient clip / (norm + 1e-6), capped at 1.
  const coefficient = tf.minimum(tf.div(clip, tf.add(norm, 1e-6)), 1);
  const out = new Map<string, Tensor>();
  for (const [k, g] of grads) out.set(k, tf.mul(g, coefficient));
  return out;
}

function validateOptions(o: MacroLmTrainOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.steps) || o.steps < 1) problems.push(`steps must be a positive integer, got ${o.steps}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) problems.push(`batchSize must be a positive integer, got ${o.batchSize}`);
  for (const k of ['lr', 'weightDecay', 'epsilon', 'clip'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) problems.push(`${k} must be a finite non-negative number, got ${v}`);
  }
  if (problems.length > 0) throw new InputError(`macro LM training: ${problems.join('; ')}`);
}

interface Stepper {
  /** Runs 0-based step `step` and returns its loss. */
  run(step: number): number;
  dispose(): void;
}

function createStepper(transformer: Transformer, tokenizer: MacroTokenizer, lines: readonly string[], options: MacroLmTrainOptions): Stepper {
  validateOptions(options);
  if (lines.length === 0) throw new InputError('macro LM training: the corpus is empty');
  const examples = encodeExamples(tokenizer, lines, transformer.config.context);
  const lr = options.lr ?? 1e-3;
  const clip = options.clip ?? 0.5;
  const rng = new Rng(options.seed ?? 0);
  const trainable: Variable[] = [...transformer.parameters.values()];
  const keyOf = new Map<string, string>([...transformer.parameters].map(([k, v]) => [v.name, k]));
  const optimizer = adamW(transformer.parameters, transformer.decayed, { weightDecay: options.weightDecay ?? 0.05, epsilon: options.epsilon ?? 1e-8 });
  let order: number[] = [];
  const nextIndex = (): number => {
    if (order.length === 0) order = rng.shuffle(examples.map((_, i) => i));
    return order.pop()!;
  };
  return {
    run(step) {
      // Linear decay from lr at the first step to 0 after the last.
      const rate = lr * (1 - step / options.steps);
      const batch = makeBatch(Array.from({ length: options.batchSize }, () => examples[nextIndex()]!), tokenizer.pad);
      const loss = tf.tidy(() => {
        const inputs = tf.tensor2d(batch.inputs, [batch.batch, batch.length], 'int32');
        const targets = tf.tensor1d(batch.targets, 'int32');
        const mask = tf.tensor1d(batch.mask, 'float32');
        const { value, grads } = tf.variableGrads(() => {
          const logits = transformer.logits(inputs, { training: true, rng });
          return maskedCrossEntropy(tf.reshape(logits, [batch.batch * batch.length, transformer.config.vocab]) as Tensor2D, targets, mask) as tf.Scalar;
        }, trainable);
        const byKey = new Map<string, Tensor>();
        for (const [name, g] of Object.entries(grads)) if (g) byKey.set(keyOf.get(name)!, g);
        optimizer.step(clip > 0 ? clipByGlobalNorm(byKey, clip) : byKey, rate);
        return value;
      });
      const value = loss.dataSync()[0]!;
      loss.dispose();
      options.onStep?.({ step: step + 1, steps: options.steps, loss: value, lr: rate });
      return value;
    },
    dispose() {
      optimizer.dispose();
    },
  };
}

/** Runs the §12.7 training loop on `transformer`; the lines are complete §12.2 sequences. */
export async function trainTransformer(
  transformer: Transformer,
  tokenizer: MacroTokenizer,
  lines: readonly string[],
  options: MacroLmTrainOptions,
): Promise<MacroLmTrainResult> {
  const stepper = createStepper(transformer, tokenizer, lines, options);
  const losses: number[] = [];
  const started = performance.now();
  try {
    for (let step = 0; step < options.steps; step++) {
      losses.push(stepper.run(step));
      // Let timers, signals and progress output run now and then.
      if (step % 10 === 9) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    stepper.dispose();
  }
  return { losses, seconds: (performance.now() - started) / 1000 };
}

/** The same loop without yielding to the event loop (for synchronous callers such as search hooks). */
export function trainTransformerSync(transformer: Transformer, tokenizer: MacroTokenizer, lines: readonly string[], options: MacroLmTrainOptions): MacroLmTrainResult {
  const stepper = createStepper(transformer, tokenizer, lines, options);
  const losses: number[] = [];
  const started = performance.now();
  try {
    for (let step = 0; step < options.steps; step++) losses.push(stepper.run(step));
  } finally {
    stepper.dispose();
  }
  return { losses, seconds: (performance.now() - started) / 1000 };
}

/** Trains `model` on `lines` with the §12.7 settings. */
export function trainMacroLm(model: MacroLanguageModel, lines: readonly string[], options: MacroLmTrainOptions): Promise<MacroLmTrainResult> {
  return trainTransformer(model.transformer, model.tokenizer, lines, options);
}

/** Fine-tuning defaults for the refinement loop: the same trainer, fewer steps, a lower rate. */
export const FINE_TUNE_DEFAULTS = { steps: 200, batchSize: 16, lr: 1e-4 } as const;

/** Continues training `model` on new lines (e.g. the best records of a search round). */
export function fineTune(model: MacroLanguageModel, lines: readonly string[], options: Partial<MacroLmTrainOptions> = {}): Promise<MacroLmTrainResult> {
  return trainMacroLm(model, lines, { ...FINE_TUNE_DEFAULTS, ...options });
}

/** fineTune without yielding, for synchronous hooks (the search's refinement step). */
export function fineTuneSync(model: MacroLanguageModel, lines: readonly string[], options: Partial<MacroLmTrainOptions> = {}): MacroLmTrainResult {
  return trainTransformerSync(model.transformer, model.tokenizer, lines, { ...FINE_TUNE_DEFAULTS, ...options });
}
