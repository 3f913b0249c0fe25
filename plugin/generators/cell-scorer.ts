/**
 * The real cell scorer of method.md §6.2: a cell repeated in the §3.2 proxy network, SNIP-SNR and
 * NWOT from the proxy registry on a fixed batch given by the caller, params and FLOPs from the
 * analytic cost model. Scoring runs in the Piscina worker pool (one backend per thread), or in
 * this thread with `workers: 0`.
 *
 * Two honest differences from the letter of §3.2, both forced by shared code:
 *  - the built network is the macro network of §3.3 with headWidth = last stage width, so it has a
 *    1×1 conv + BN in its head that §3.2 does not; SNIP-SNR and NWOT include that layer, while
 *    params and FLOPs are the exact §3.2 counts (proxyNetworkCost, plain head);
 *  - stages longer than the macro bound of 4 repeats are split into consecutive stages of the same
 *    width and stride 1, which builds the identical network (only layer ids differ).
 */
import { InputError } from '../errors.js';
import { WorkerPool } from '../../runners/pool.js';
import type { ZcBatchData } from '../../runners/protocol.js';
import type { BackendPreference } from '../nn/backend.js';
import { buildNetwork } from '../nn/network.js';
import { tf } from '../nn/tf.js';
import { scoreProxies } from '../proxies/registry.js';
import { archToJson } from '../space/arch-json.js';
import { proxyNetworkArch, proxyNetworkCost, type ProxyNetworkOptions } from '../space/cost.js';
import { DEFAULT_MACRO_BOUNDS } from '../space/macro.js';
import type { Arch, Cell, Stage } from '../space/types.js';
import type { CellScore } from './cell-data.js';

/** Size of the proxy network (all fields required once defaults are applied). */
export interface ProxyNetworkSize {
  readonly stageChannels: readonly [number, number, number];
  readonly cellsPerStage: number;
  readonly inputSize: number;
  readonly inputChannels: number;
  readonly numClasses: number;
}

/** The paper's network (§3.2): 16/32/64 channels, 5 cells per stage, CIFAR-10 32×32 input. */
export const PAPER_PROXY_NETWORK: ProxyNetworkSize = { stageChannels: [16, 32, 64], cellsPerStage: 5, inputSize: 32, inputChannels: 3, numClasses: 10 };
/** Scaled down for 2 CPU cores: 8/16/32 channels, 1 cell per stage (5 cells), 16×16 input. */
export const DEFAULT_PROXY_NETWORK: ProxyNetworkSize = { stageChannels: [8, 16, 32], cellsPerStage: 1, inputSize: 16, inputChannels: 3, numClasses: 10 };

export interface CellScorerOptions {
  /** Worker threads; 0 scores in this thread. Default 2. */
  readonly workers?: number;
  readonly network?: Partial<ProxyNetworkSize>;
  /** Initialisation seed, the same for every cell. Default 0. */
  readonly seed?: number;
  /** Default 'auto' (the in-thread path uses whatever backend is initialised). */
  readonly backend?: BackendPreference;
  readonly timeoutSeconds?: number;
}

export interface CellScorer {
  readonly network: ProxyNetworkSize;
  /** One score per cell, in order; null where the proxies failed (non-finite value, build error). */
  score(cells: readonly Cell[]): Promise<(CellScore | null)[]>;
  close(): Promise<void>;
}

/** The fixed scoring batch: x NHWC float32, y int32 labels, shape [B, H, W, C], class count. */
export type CellScorerBatch = ZcBatchData;

// TCET shares SNIP-SNR's and NWOT's passes, so it comes at almost no extra cost.
const PROXIES = ['snip-snr', 'nwot', 'tcet'] as const;

function networkOptions(size: ProxyNetworkSize): ProxyNetworkOptions {
  return { stageChannels: size.stageChannels, cellsPerStage: size.cellsPerStage, inputSize: size.inputSize, inputChannels: size.inputChannels, numClasses: size.numClasses };
}

/** The buildable Arch of the proxy network: stages split to at most the macro bound's repeats. */
export function proxyNetworkBuildArch(cell: Cell, size: ProxyNetworkSize): Arch {
  const arch = proxyNetworkArch(cell, networkOptions(size));
  const max = DEFAULT_MACRO_BOUNDS.maxRepeats;
  const stages: Stage[] = [];
  for (const stage of arch.stages) {
    let left = stage.repeats;
    let first = true;
    while (left > 0) {
      const repeats = Math.min(max, left);
      stages.push({ ...stage, stride: first ? stage.stride : 1, repeats });
      left -= repeats;
      first = false;
    }
  }
  return { ...arch, stages };
}

function checkBatch(batch: CellScorerBatch, size: ProxyNetworkSize): void {
  const [b, h, w, c] = batch.shape;
  if (batch.x.length !== b * h * w * c) throw new InputError(`cell scorer: x has ${batch.x.length} values, shape [${batch.shape.join(', ')}] needs ${b * h * w * c}`);
  if (batch.y.length !== b) throw new InputError(`cell scorer: y has ${batch.y.length} labels for a batch of ${b}`);
  if (h !== size.inputSize || w !== size.inputSize || c !== size.inputChannels) {
    throw new InputError(`cell scorer: the batch is ${h}×${w}×${c} but the proxy network expects ${size.inputSize}×${size.inputSize}×${size.inputChannels}; set network.inputSize / inputChannels`);
  }
  if (batch.numClasses !== size.numClasses) throw new InputError(`cell scorer: the batch has ${batch.numClasses} classes, the network ${size.numClasses}`);
  if (b < 2) throw new InputError('cell scorer: SNIP-SNR needs a batch of at least 2 (training-mode BN)');
}

function toScore(cell: Cell, values: Record<string, number>, size: ProxyNetworkSize): CellScore | null {
  const snipSnr = values['snip-snr'];
  const nwot = values.nwot;
  if (snipSnr === undefined || nwot === undefined || !Number.isFinite(snipSnr) || !Number.isFinite(nwot)) return null;
  const cost = proxyNetworkCost(cell, networkOptions(size));
  const tcet = values.tcet;
  return { snipSnr, nwot, params: cost.params, flops: cost.flops, ...(tcet !== undefined && Number.isFinite(tcet) ? { tcet } : {}) };
}

function scoreInThread(cell: Cell, batch: CellScorerBatch, size: ProxyNetworkSize, seed: number): CellScore | null {
  let net;
  try {
    net = buildNetwork(proxyNetworkBuildArch(cell, size), { seed });
  } catch {
    return null;
  }
  const x = tf.tensor4d(batch.x, [...batch.shape]);
  const y = tf.tensor1d(batch.y, 'int32');
  try {
    const results = scoreProxies(net, { x, y, numClasses: batch.numClasses }, PROXIES);
    const values: Record<string, number> = {};
    for (const [name, r] of Object.entries(results)) {
      if (!r.ok) return null;
      values[name] = r.value;
    }
    return toScore(cell, values, size);
  } finally {
    x.dispose();
    y.dispose();
    net.dispose();
  }
}

/** A scorer over the fixed batch `batch` (x NHWC float32, y int32 labels). */
export async function createCellScorer(batch: CellScorerBatch, options: CellScorerOptions = {}): Promise<CellScorer> {
  const size: ProxyNetworkSize = { ...DEFAULT_PROXY_NETWORK, ...options.network };
  checkBatch(batch, size);
  const seed = options.seed ?? 0;
  const workers = options.workers ?? 2;
  if (workers === 0) {
    return {
      network: size,
      score: async (cells) => cells.map((cell) => scoreInThread(cell, batch, size, seed)),
      close: async () => undefined,
    };
  }
  const pool = new WorkerPool({
    workers,
    setup: { backend: options.backend ?? 'auto', zcBatch: { x: batch.x, y: batch.y, shape: batch.shape, numClasses: batch.numClasses } },
    timeoutSeconds: options.timeoutSeconds ?? 600,
    retries: 1,
  });
  return {
    network: size,
    score: (cells) =>
      Promise.all(
        cells.map(async (cell) => {
          const result = await pool.run({ kind: 'score', arch: archToJson(proxyNetworkBuildArch(cell, size)), proxies: PROXIES, seed });
          return result.ok ? toScore(cell, result.values, size) : null;
        }),
      ),
    close: () => pool.close(),
  };
}
