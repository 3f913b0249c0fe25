/**
 * Training loop of the graph VAE (method.md §7.5): each step one unlabelled and one labelled
 * batch through a single forward pass, the loss of §7.3 with triplets of §7.4, AdamW (weight decay
 * on every parameter, as PyTorch's AdamW over model.parameters()), global gradient-norm clipping,
 * cosine annealing per epoch, early stopping on the held-out loss and restoring the weights with
 * the lowest held-out loss.
 */
import { InputError } from '../errors.js';
import { adamW } from '../nn/optim.js';
import { learningRateAt } from '../nn/schedule.js';
import { tf } from '../nn/tf.js';
import type { Tensor, Tensor2D } from '../nn/tf.js';
import { ENCODED_NODES, FEATURE_COLUMNS } from '../space/encoding.js';
import type { Cell } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { NamedTensorData } from './types.js';
import { conditionMse, KL_WEIGHT, klDivergence, mineTriplets, reconstructionLoss, tripletLoss } from './vae-loss.js';
import { ADJ_ENTRIES, CONDITION_DIMS, encodeCellsToArrays, FEAT_ENTRIES, type GraphVae } from './vae-model.js';

export interface VaeTrainData {
  readonly unlabelled: readonly Cell[];
  readonly labelled: readonly Cell[];
  /** Normalised 4-D conditions of the labelled cells (§6.3), one per cell. */
  readonly conditions: readonly (readonly number[])[];
  readonly heldOut: { readonly cells: readonly Cell[]; readonly conditions: readonly (readonly number[])[] };
}

/** Mean losses of one epoch (training terms) and the held-out loss after it. */
export interface VaeEpochRecord {
  readonly epoch: number;
  readonly lr: number;
  readonly loss: number;
  readonly recLabelled: number;
  readonly recUnlabelled: number;
  readonly klLabelled: number;
  readonly klUnlabelled: number;
  readonly triplet: number;
  readonly mse: number;
  /** Mean number of triplets found per step (out of the labelled batch size). */
  readonly triplets: number;
  /** Rec + λ_KL·KL + MSE on the held-out cells, inference mode; NaN without a held-out set. */
  readonly heldOutLoss: number;
  /** Seconds since training started. */
  readonly seconds: number;
}

export interface VaeTrainOptions {
  readonly epochs: number;
  /** Unlabelled batch size (64 in the paper). */
  readonly batchSize: number;
  /** Labelled batch size; default batchSize. */
  readonly labelledBatchSize?: number;
  readonly seed: number;
  /** Default 3.5e-4. */
  readonly lr?: number;
  /** Default 5e-4. */
  readonly weightDecay?: number;
  /** Global gradient-norm clip, default 5. */
  readonly clip?: number;
  /** Early stopping is considered from this many epochs on; default 35. */
  readonly minEpochs?: number;
  /** Epochs without a held-out improvement before stopping; default max(35, ⌊0.1·epochs⌋). */
  readonly patience?: number;
  /** Stop after the epoch in which this many seconds have passed (a wall-clock budget). */
  readonly maxSeconds?: number;
  readonly onEpoch?: (record: VaeEpochRecord) => void;
}

export interface VaeTrainReport {
  readonly history: readonly VaeEpochRecord[];
  readonly epochsRun: number;
  /** Epoch whose weights the model holds now (lowest held-out loss; the last epoch without a held-out set). */
  readonly bestEpoch: number;
  readonly bestHeldOutLoss: number;
  readonly stoppedEarly: boolean;
  readonly stoppedByTime: boolean;
  readonly steps: number;
  readonly seconds: number;
}

interface EncodedSet {
  readonly size: number;
  readonly adj: Float32Array;
  readonly feat: Float32Array;
  readonly cond: Float32Array;
}

function checkConditions(cells: readonly Cell[], conditions: readonly (readonly number[])[], where: string): Float32Array {
  if (conditions.length !== cells.length) {
    throw new InputError(`trainVae: ${where} has ${cells.length} cells but ${conditions.length} conditions; give one 4-D condition per cell`);
  }
  const out = new Float32Array(cells.length * CONDITION_DIMS);
  conditions.forEach((c, i) => {
    if (c.length !== CONDITION_DIMS || c.some((x) => !Number.isFinite(x))) {
      throw new InputError(`trainVae: ${where} condition ${i} must be 4 finite numbers, got ${JSON.stringify(c)}`);
    }
    out.set(c, i * CONDITION_DIMS);
  });
  return out;
}

function encodeSet(cells: readonly Cell[], cond: Float32Array = new Float32Array(0)): EncodedSet {
  return { size: cells.length, ...encodeCellsToArrays(cells), cond };
}

/** Tensors of the rows `rows` of an encoded set (adjacency B×9×9, features B×9×15, flat targets). */
function gatherRows(set: EncodedSet, rows: readonly number[]): { adj: Float32Array; feat: Float32Array; cond: Float32Array } {
  const adj = new Float32Array(rows.length * ADJ_ENTRIES);
  const feat = new Float32Array(rows.length * FEAT_ENTRIES);
  const cond = new Float32Array(rows.length * CONDITION_DIMS);
  rows.forEach((r, b) => {
    adj.set(set.adj.subarray(r * ADJ_ENTRIES, (r + 1) * ADJ_ENTRIES), b * ADJ_ENTRIES);
    feat.set(set.feat.subarray(r * FEAT_ENTRIES, (r + 1) * FEAT_ENTRIES), b * FEAT_ENTRIES);
    if (set.cond.length > 0) cond.set(set.cond.subarray(r * CONDITION_DIMS, (r + 1) * CONDITION_DIMS), b * CONDITION_DIMS);
  });
  return { adj, feat, cond };
}

/** Held-out loss Rec + λ_KL·KL + MSE(regressor(μ), c), inference mode, averaged per cell (= batch 1). */
export function heldOutLoss(vae: GraphVae, cells: readonly Cell[], conditions: readonly (readonly number[])[]): number {
  if (cells.length === 0) return Number.NaN;
  return heldOutLossOf(vae, encodeSet(cells, checkConditions(cells, conditions, 'held-out set')));
}

function heldOutLossOf(vae: GraphVae, set: EncodedSet): number {
  const chunk = 256;
  let total = 0;
  for (let start = 0; start < set.size; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, set.size - start) }, (_, i) => start + i);
    const b = gatherRows(set, rows);
    // Every term is a per-cell mean, so a chunk's value times its size sums per-cell losses.
    const value = tf.tidy(() => {
      const adj = tf.tensor3d(b.adj, [rows.length, ENCODED_NODES, ENCODED_NODES]);
      const feat = tf.tensor3d(b.feat, [rows.length, ENCODED_NODES, FEATURE_COLUMNS]);
      const f = vae.forward(adj, feat, null);
      const rec = reconstructionLoss(f.adjLogits, tf.reshape(adj, [rows.length, ADJ_ENTRIES]), f.featLogits, tf.reshape(feat, [rows.length, FEAT_ENTRIES]));
      const loss = tf.add(tf.add(rec, tf.mul(KL_WEIGHT, klDivergence(f.mu, f.logSigma))), conditionMse(f.condition, tf.tensor2d(b.cond, [rows.length, CONDITION_DIMS])));
      return loss.dataSync()[0]!;
    });
    total += value * rows.length;
  }
  return total / set.size;
}

/** Cycles through a shuffled index list in fixed-size batches, reshuffling when fewer than `size` remain. */
class Cycler {
  private order: number[] = [];
  private pos = 0;
  constructor(private readonly n: number, private readonly size: number, private readonly rng: Rng) {}
  next(): number[] {
    if (this.pos + this.size > this.order.length) {
      this.order = this.rng.shuffle(Array.from({ length: this.n }, (_, i) => i));
      this.pos = 0;
    }
    const out = this.order.slice(this.pos, this.pos + this.size);
    this.pos += this.size;
    return out;
  }
}

const PART_NAMES = ['loss', 'recLabelled', 'recUnlabelled', 'klLabelled', 'klUnlabelled', 'triplet', 'mse'] as const;

export function trainVae(vae: GraphVae, data: VaeTrainData, options: VaeTrainOptions): VaeTrainReport {
  const { epochs, batchSize, seed } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new InputError(`trainVae: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`trainVae: batchSize must be a positive integer, got ${batchSize}`);
  const labelledBatch = options.labelledBatchSize ?? batchSize;
  if (data.unlabelled.length < batchSize) {
    throw new InputError(`trainVae: ${data.unlabelled.length} unlabelled cells give no full batch of ${batchSize}; sample more cells or lower the batch size`);
  }
  if (data.labelled.length > 0 && data.labelled.length < labelledBatch) {
    throw new InputError(`trainVae: ${data.labelled.length} labelled cells give no full batch of ${labelledBatch}; lower labelledBatchSize`);
  }
  const lr = options.lr ?? 3.5e-4;
  const clip = options.clip ?? 5;
  const minEpochs = options.minEpochs ?? 35;
  const patience = options.patience ?? Math.max(35, Math.floor(0.1 * epochs));

  const unlabelled = encodeSet(data.unlabelled);
  const labelled = encodeSet(data.labelled, checkConditions(data.labelled, data.conditions, 'labelled set'));
  const heldOut = encodeSet(data.heldOut.cells, checkConditions(data.heldOut.cells, data.heldOut.conditions, 'held-out set'));
  const hasLabelled = labelled.size > 0;
  const lBatch = hasLabelled ? labelledBatch : 0;

  const rng = new Rng(seed);
  const labelledCycle = hasLabelled ? new Cycler(labelled.size, lBatch, rng.fork()) : null;
  const params = vae.parameters;
  const keyOfVariable = new Map([...params].map(([key, v]) => [v.name, key] as const));
  const optimizer = adamW(params, new Set(params.keys()), { weightDecay: options.weightDecay ?? 5e-4 });
  const varList = [...params.values()];
  const latent = vae.config.latent;

  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const history: VaeEpochRecord[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = -1;
  let bestWeights: NamedTensorData[] | null = null;
  let steps = 0;
  let stoppedEarly = false;
  let stoppedByTime = false;

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const rate = learningRateAt(epoch, { kind: 'cosine', base: lr, totalSteps: epochs, warmupSteps: 0 });
      const order = rng.shuffle(Array.from({ length: unlabelled.size }, (_, i) => i));
      const batches = Math.floor(unlabelled.size / batchSize);
      const sums = new Float64Array(PART_NAMES.length);
      let tripletCount = 0;
      for (let b = 0; b < batches; b++) {
        const lRows = labelledCycle?.next() ?? [];
        const uRows = order.slice(b * batchSize, (b + 1) * batchSize);
        const lb = gatherRows(labelled, lRows);
        const ub = gatherRows(unlabelled, uRows);
        const total = lRows.length + uRows.length;
        const adjHost = new Float32Array(total * ADJ_ENTRIES);
        adjHost.set(lb.adj);
        adjHost.set(ub.adj, lb.adj.length);
        const featHost = new Float32Array(total * FEAT_ENTRIES);
        featHost.set(lb.feat);
        featHost.set(ub.feat, lb.feat.length);
        const noiseHost = new Float32Array(total * latent);
        for (let i = 0; i < noiseHost.length; i++) noiseHost[i] = rng.normal();
        const conditionRows = lRows.map((_, i) => Array.from(lb.cond.subarray(i * CONDITION_DIMS, (i + 1) * CONDITION_DIMS)));
        const triplets = hasLabelled ? mineTriplets(conditionRows, rng, lRows.length) : [];
        tripletCount += triplets.length;

        const parts = tf.tidy(() => {
          const adj = tf.tensor3d(adjHost, [total, ENCODED_NODES, ENCODED_NODES]);
          const feat = tf.tensor3d(featHost, [total, ENCODED_NODES, FEATURE_COLUMNS]);
          const noise = tf.tensor2d(noiseHost, [total, latent]);
          const adjFlat = tf.reshape(adj, [total, ADJ_ENTRIES]) as Tensor2D;
          const featFlat = tf.reshape(feat, [total, FEAT_ENTRIES]) as Tensor2D;
          const cond = hasLabelled ? tf.tensor2d(lb.cond, [lRows.length, CONDITION_DIMS]) : null;
          let kept: Tensor | null = null;
          const { grads } = tf.variableGrads(() => {
            const f = vae.forward(adj, feat, noise);
            const rows = (t: Tensor2D, from: number, n: number): Tensor2D => tf.slice(t, [from, 0], [n, -1]);
            const nl = lRows.length;
            const nu = uRows.length;
            const zero = tf.scalar(0);
            const recL = nl > 0 ? reconstructionLoss(rows(f.adjLogits, 0, nl), rows(adjFlat, 0, nl), rows(f.featLogits, 0, nl), rows(featFlat, 0, nl)) : zero;
            const recU = reconstructionLoss(rows(f.adjLogits, nl, nu), rows(adjFlat, nl, nu), rows(f.featLogits, nl, nu), rows(featFlat, nl, nu));
            const klL = nl > 0 ? klDivergence(rows(f.mu, 0, nl), rows(f.logSigma, 0, nl)) : zero;
            const klU = klDivergence(rows(f.mu, nl, nu), rows(f.logSigma, nl, nu));
            const trip = nl > 0 ? tripletLoss(rows(f.z, 0, nl), triplets) : zero;
            const mse = nl > 0 && cond !== null ? conditionMse(rows(f.condition, 0, nl), cond) : zero;
            const loss = tf.addN([recL, tf.mul(KL_WEIGHT, klL), trip, recU, tf.mul(KL_WEIGHT, klU), mse]);
            kept = tf.keep(tf.stack([loss, recL, recU, klL, klU, trip, mse]));
            return loss as tf.Scalar;
          }, varList);
          // Global-norm clipping (PyTorch clip_grad_norm_: scale by clip / (norm + 1e-6) when above).
          const gradList = Object.values(grads);
          const norm = tf.sqrt(tf.addN(gradList.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!;
          const scale = norm > clip ? clip / (norm + 1e-6) : 1;
          const byKey = new Map<string, Tensor>();
          for (const [name, g] of Object.entries(grads)) byKey.set(keyOfVariable.get(name)!, scale === 1 ? g : tf.mul(g, scale));
          optimizer.step(byKey, rate);
          return kept!;
        });
        const values = parts.dataSync();
        parts.dispose();
        for (let i = 0; i < values.length; i++) sums[i]! += values[i]!;
        steps++;
      }
      const mean = (i: number): number => sums[i]! / batches;
      const held = heldOut.size > 0 ? heldOutLossOf(vae, heldOut) : Number.NaN;
      const record: VaeEpochRecord = {
        epoch, lr: rate, loss: mean(0), recLabelled: mean(1), recUnlabelled: mean(2), klLabelled: mean(3), klUnlabelled: mean(4),
        triplet: mean(5), mse: mean(6), triplets: tripletCount / batches, heldOutLoss: held, seconds: seconds(),
      };
      history.push(record);
      options.onEpoch?.(record);
      if (!Number.isFinite(record.loss)) throw new Error(`trainVae: the training loss became ${record.loss} in epoch ${epoch}; lower the learning rate`);
      if (heldOut.size > 0) {
        if (held < best) {
          best = held;
          bestEpoch = epoch;
          bestWeights = vae.serialize();
        } else if (epoch + 1 >= minEpochs && epoch - bestEpoch >= patience) {
          stoppedEarly = true;
          break;
        }
      } else {
        bestEpoch = epoch;
      }
      if (options.maxSeconds !== undefined && seconds() >= options.maxSeconds && epoch < epochs - 1) {
        stoppedByTime = true;
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  if (bestWeights !== null && bestEpoch !== history.length - 1) vae.load(bestWeights);
  return {
    history,
    epochsRun: history.length,
    bestEpoch,
    bestHeldOutLoss: heldOut.size > 0 ? best : Number.NaN,
    stoppedEarly,
    stoppedByTime,
    steps,
    seconds: seconds(),
  };
}
