/**
 * The training loop for built networks (method.md §13): cross-entropy with optional label
 * smoothing, SGD (Nesterov) or AdamW with decay on conv/linear weights only, a per-step warm-up +
 * cosine schedule, and BN running statistics committed after every step with the recipe's BN
 * momentum. Loss and accuracy stay on the device and are read back only every `logEvery` steps
 * and at epoch end, so a step costs one forward/backward and no synchronisation.
 */
import { tf } from './tf.js';
import type { Tensor, Tensor2D, Tensor4D, Variable } from './tf.js';
import { correctCount } from './loss.js';
import { taskLoss, type LossKind, type OutputDecode } from './task-loss.js';
import { adamW, sgd, type Optimizer } from './optim.js';
import { learningRateAt, type ScheduleKind } from './schedule.js';
import type { BnStats, Network } from './types.js';
import { Rng } from '../util/rng.js';

/**
 * A stream of batches; the source owns order and augmentation, the consumer disposes each batch.
 * `y` holds int32 labels (cross-entropy) or float32 targets `(batch, outputs)` (other losses).
 */
export interface BatchSource {
  readonly size: number;
  batches(epoch: number, batchSize: number, rng: Rng): Iterable<{ readonly x: Tensor4D; readonly y: Tensor }>;
}

/** The task's loss (default cross-entropy on labels) and the decoding applied before it. */
export interface LossOptions {
  readonly loss?: LossKind;
  readonly decode?: OutputDecode;
}

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: 'sgd' | 'adamw';
  /** Peak learning rate. */
  readonly lr: number;
  /** SGD momentum μ (AdamW uses `adamBetas`). */
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  readonly schedule: ScheduleKind;
  readonly warmupEpochs: number;
  readonly labelSmoothing: number;
  /** running ← (1 − m)·running + m·batch (method.md §13 uses 0.01 for final training). */
  readonly bnMomentum: number;
  readonly seed: number;
  /** Read loss/accuracy back every this many steps (default 50); epoch ends always read back. */
  readonly logEvery?: number;
  readonly adamBetas?: readonly [number, number];
  readonly adamEpsilon?: number;
  /** Loss of the task (default cross-entropy with `labelSmoothing`). */
  readonly loss?: LossKind;
  /** Decoding of the outputs before the loss (Darcy's target normaliser). */
  readonly decode?: OutputDecode;
}

export interface StepInfo {
  /** 0-based epoch. */
  readonly epoch: number;
  /** Steps completed so far over the whole run (1 after the first step). */
  readonly step: number;
  readonly totalSteps: number;
  /** The rate used by this step. */
  readonly lr: number;
  /** Mean training loss of the epoch so far, as of the latest read-back (null before the first). */
  readonly loss: number | null;
}

export interface EpochRecord {
  /** 0-based epoch. */
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
  /** The rate of the epoch's last step. */
  readonly lr: number;
  /** Wall seconds of the epoch, validation included. */
  readonly seconds: number;
  /** Training images per second (validation excluded). */
  readonly imagesPerSecond: number;
}

export interface TrainHistory {
  readonly epochs: EpochRecord[];
  readonly totalSteps: number;
  readonly seconds: number;
}

export interface TrainHooks {
  onStep?(info: StepInfo): void;
  onEpoch?(info: EpochRecord): void;
}

export interface EvaluationResult {
  /** Mean loss (cross-entropy without smoothing, or the task's loss) per example. */
  readonly loss: number;
  /** Top-1 accuracy; NaN for losses other than cross-entropy (no class labels). */
  readonly accuracy: number;
  /** Arg-max class per example, in source order (cross-entropy only). */
  readonly predictions?: Int32Array;
  /** Raw network outputs `(examples, outputs)` row-major, when asked for with `keepOutputs`. */
  readonly outputs?: Float32Array;
}

export function createOptimizer(net: Network, config: TrainConfig): Optimizer {
  if (config.optimizer === 'sgd') {
    return sgd(net.parameters, net.decayed, {
      momentum: config.momentum,
      nesterov: config.nesterov,
      weightDecay: config.weightDecay,
    });
  }
  return adamW(net.parameters, net.decayed, {
    weightDecay: config.weightDecay,
    beta1: config.adamBetas?.[0],
    beta2: config.adamBetas?.[1],
    epsilon: config.adamEpsilon,
  });
}

function validateConfig(config: TrainConfig, source: BatchSource): void {
  const problems: string[] = [];
  if (!(Number.isInteger(config.epochs) && config.epochs >= 0)) problems.push(`epochs must be a non-negative integer, got ${config.epochs}`);
  if (!(Number.isInteger(config.batchSize) && config.batchSize > 0)) problems.push(`batchSize must be a positive integer, got ${config.batchSize}`);
  if (!(config.lr >= 0)) problems.push(`lr must be ≥ 0, got ${config.lr}`);
  if (!(config.warmupEpochs >= 0)) problems.push(`warmupEpochs must be ≥ 0, got ${config.warmupEpochs}`);
  if (!(config.bnMomentum >= 0 && config.bnMomentum <= 1)) problems.push(`bnMomentum must be in [0, 1], got ${config.bnMomentum}`);
  if (!(config.labelSmoothing >= 0 && config.labelSmoothing < 1)) problems.push(`labelSmoothing must be in [0, 1), got ${config.labelSmoothing}`);
  if (!(source.size > 0)) problems.push('the training source is empty');
  if (problems.length > 0) throw new RangeError(`invalid training configuration: ${problems.join('; ')}`);
}

/** Running sums kept on the device between read-backs. */
interface Totals {
  loss: Tensor;
  correct: Tensor;
  examples: number;
}

function newTotals(): Totals {
  return { loss: tf.scalar(0), correct: tf.scalar(0, 'int32'), examples: 0 };
}

function disposeTotals(t: Totals): void {
  t.loss.dispose();
  t.correct.dispose();
}

function keepStats(stats: ReadonlyMap<string, BnStats>): Map<string, BnStats> {
  const kept = new Map<string, BnStats>();
  for (const [id, { mean, variance }] of stats) kept.set(id, { mean: tf.keep(mean), variance: tf.keep(variance) });
  return kept;
}

function disposeStats(stats: ReadonlyMap<string, BnStats>): void {
  for (const { mean, variance } of stats.values()) tf.dispose([mean, variance]);
}

/**
 * Trains `net` in place on `data.train` (and evaluates `data.val` after each epoch).
 * Steps per epoch are ⌈train.size / batchSize⌉, the schedule's unit.
 */
export async function trainNetwork(
  net: Network,
  data: { readonly train: BatchSource; readonly val?: BatchSource },
  config: TrainConfig,
  hooks: TrainHooks = {},
): Promise<TrainHistory> {
  validateConfig(config, data.train);
  const stepsPerEpoch = Math.ceil(data.train.size / config.batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const warmupSteps = Math.round(config.warmupEpochs * stepsPerEpoch);
  const schedule = { kind: config.schedule, base: config.lr, totalSteps, warmupSteps };
  const logEvery = Math.max(1, config.logEvery ?? 50);
  const rng = new Rng(config.seed);

  // variableGrads names gradients by variable name; map them back to parameter keys.
  const trainable: Variable[] = [];
  const keyOf = new Map<string, string>();
  for (const [key, v] of net.parameters) {
    if (!v.trainable) continue;
    trainable.push(v);
    keyOf.set(v.name, key);
  }
  if (trainable.length === 0) throw new Error('trainNetwork: the network has no trainable parameters');

  const lossKind = config.loss ?? 'cross-entropy';
  const classifying = lossKind === 'cross-entropy';
  const optimizer = createOptimizer(net, config);
  const epochs: EpochRecord[] = [];
  const started = performance.now();
  let step = 0;
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const epochStarted = performance.now();
      let totals = newTotals();
      let lastLoss: number | null = null;
      let lr = 0;
      try {
        for (const batch of data.train.batches(epoch, config.batchSize, rng.fork())) {
          lr = learningRateAt(step, schedule);
          let stats: Map<string, BnStats> = new Map();
          try {
            const updated = tf.tidy(() => {
              let correct: Tensor | undefined;
              const { value, grads } = tf.variableGrads(() => {
                const out = net.forward(batch.x, { mode: 'train' });
                stats = keepStats(out.batchStats);
                correct = tf.keep(classifying ? correctCount(out.logits, batch.y as tf.Tensor1D) : tf.scalar(0, 'int32'));
                return taskLoss(lossKind, out.logits, batch.y, { smoothing: config.labelSmoothing, decode: config.decode });
              }, trainable);
              const byKey = new Map<string, Tensor>();
              for (const [name, g] of Object.entries(grads)) {
                if (g !== null && g !== undefined) byKey.set(keyOf.get(name)!, g);
              }
              optimizer.step(byKey, lr);
              const n = batch.x.shape[0];
              const next = { loss: tf.add(totals.loss, tf.mul(value, n)), correct: tf.add(totals.correct, correct!) };
              correct!.dispose();
              return next;
            });
            disposeTotals(totals);
            totals = { ...updated, examples: totals.examples + batch.x.shape[0] };
            net.commitBatchStats(stats, config.bnMomentum);
          } finally {
            disposeStats(stats);
            tf.dispose([batch.x, batch.y]);
          }
          step += 1;
          if (step % logEvery === 0) lastLoss = totals.loss.dataSync()[0]! / totals.examples;
          hooks.onStep?.({ epoch, step, totalSteps, lr, loss: lastLoss });
        }
        const trainSeconds = (performance.now() - epochStarted) / 1000;
        const trainLoss = totals.loss.dataSync()[0]! / totals.examples;
        const trainAccuracy = classifying ? totals.correct.dataSync()[0]! / totals.examples : Number.NaN;
        const val = data.val ? evaluate(net, data.val, config.batchSize, { loss: config.loss, decode: config.decode }) : null;
        const record: EpochRecord = {
          epoch,
          trainLoss,
          trainAccuracy,
          valLoss: val?.loss ?? null,
          valAccuracy: val?.accuracy ?? null,
          lr,
          seconds: (performance.now() - epochStarted) / 1000,
          imagesPerSecond: totals.examples / Math.max(trainSeconds, 1e-9),
        };
        epochs.push(record);
        hooks.onEpoch?.(record);
      } finally {
        disposeTotals(totals);
      }
      // Let timers, signals and progress output run between epochs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    optimizer.dispose();
  }
  return { epochs, totalSteps: step, seconds: (performance.now() - started) / 1000 };
}

/**
 * Loss, accuracy and predictions of `net` on a whole source, inference-mode BN. With a loss
 * other than cross-entropy, accuracy is NaN and there are no predictions; `keepOutputs` also
 * returns the raw outputs (read back batch by batch, so the device holds one batch at a time).
 */
export function evaluate(
  net: Network,
  source: BatchSource,
  batchSize: number,
  options: LossOptions & { readonly keepOutputs?: boolean } = {},
): EvaluationResult {
  const lossKind = options.loss ?? 'cross-entropy';
  const classifying = lossKind === 'cross-entropy';
  // relative-l2 sums over the batch already; the others are batch means.
  const perBatchSum = lossKind === 'relative-l2';
  let lossSum: Tensor = tf.scalar(0);
  let correctSum: Tensor = tf.scalar(0, 'int32');
  const predictions: Tensor[] = [];
  const outputs: Float32Array[] = [];
  let examples = 0;
  try {
    for (const batch of source.batches(0, batchSize, new Rng(0))) {
      try {
        const next = tf.tidy(() => {
          const { logits } = net.forward(batch.x, { mode: 'infer' });
          const n = batch.x.shape[0];
          const loss = taskLoss(lossKind, logits, batch.y, { decode: options.decode });
          if (options.keepOutputs) outputs.push(Float32Array.from(logits.dataSync()));
          return {
            loss: tf.add(lossSum, perBatchSum ? loss : tf.mul(loss, n)),
            correct: classifying ? tf.add(correctSum, correctCount(logits as Tensor2D, batch.y as tf.Tensor1D)) : tf.clone(correctSum),
            // Non-classification outputs have no arg-max class: an empty placeholder, dropped below.
            predicted: classifying ? tf.cast(tf.argMax(logits, 1), 'int32') : tf.zeros([0], 'int32'),
          };
        });
        tf.dispose([lossSum, correctSum]);
        lossSum = next.loss;
        correctSum = next.correct;
        if (classifying) predictions.push(next.predicted);
        else next.predicted.dispose();
        examples += batch.x.shape[0];
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
    }
    if (examples === 0) throw new RangeError('evaluate: the source yielded no examples');
    const kept = options.keepOutputs ? { outputs: concatRows(outputs) } : {};
    if (!classifying) return { loss: lossSum.dataSync()[0]! / examples, accuracy: Number.NaN, ...kept };
    const predicted = tf.tidy(() => tf.concat(predictions).dataSync() as Int32Array);
    return {
      loss: lossSum.dataSync()[0]! / examples,
      accuracy: correctSum.dataSync()[0]! / examples,
      predictions: Int32Array.from(predicted),
      ...kept,
    };
  } finally {
    tf.dispose([lossSum, correctSum, ...predictions]);
  }
}

function concatRows(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
