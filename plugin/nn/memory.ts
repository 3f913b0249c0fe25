/**
 * Rough tensor memory of one training-mode gradient pass (forward + backward) of a network, from
 * the genotype alone (space/cost.ts shapes), with and without per-cell checkpointing. It decides
 * when checkpointing pays (ForwardOptions.checkpoint 'auto'); it is a planning figure, not a bound.
 *
 * Unit: float32 values of the raw conv/linear outputs (the cost model's layer output shapes).
 * A plain tfjs gradient pass keeps, per such output, the raw output, BN's centred copy, its
 * square, the scaled and shifted outputs and the ReLU output for the tape, and the backward
 * pass keeps more gradient tensors than that until it ends (tfjs frees them only at the end of
 * the backward scope): TAPE_VALUES_PER_OUTPUT values per raw output value in all, fitted to
 * tf.profile's peakBytes on wasm (CIFAR reference row 0 at batch 1: 2.10 GB measured, 2.13 GB
 * estimated; eight 16-channel MBConv-e6 cells at 16×16, batch 4: 0.72 GB vs 0.74 GB).
 */
import { archLayers, traceShapes } from '../space/cost.js';
import type { Arch } from '../space/types.js';

export const TAPE_VALUES_PER_OUTPUT = 19;

/**
 * Estimated plain-pass bytes above which 'auto' checkpoints: wasm32 has at most 4 GiB of linear
 * memory, which also holds the parameters, the batch, the optimizer state and fragmentation.
 */
export const AUTO_CHECKPOINT_BYTES = 1024 * 1024 * 1024;

const BYTES_PER_VALUE = 4;

export interface PassMemoryEstimate {
  /** Whole-network tape and gradients of a plain pass. */
  readonly plainBytes: number;
  /**
   * Checkpointed pass: every cell's input and its gradient, plus the stem and head as in a plain
   * pass, plus the largest single cell recomputed with its tape and gradients.
   */
  readonly checkpointedBytes: number;
  readonly cells: number;
}

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The cell prefix (`stage2.rep0`) of a layer id, or null for stem/head/classifier layers. */
function cellOf(layerId: string): string | null {
  const match = /^(stage\d+\.rep\d+)\./.exec(layerId);
  return match === null ? null : match[1]!;
}

/** Estimated memory of one training-mode gradient pass of `arch` on a batch of `batch` images. */
export function trainingPassMemory(arch: Arch, batch: number): PassMemoryEstimate {
  const perCell = new Map<string, number>();
  let outside = 0;
  for (const layer of archLayers(arch)) {
    const values = elements(layer.output) * TAPE_VALUES_PER_OUTPUT;
    const cell = cellOf(layer.id);
    if (cell === null) outside += values;
    else perCell.set(cell, (perCell.get(cell) ?? 0) + values);
  }
  let cellValues = 0;
  let largestCell = 0;
  for (const v of perCell.values()) {
    cellValues += v;
    largestCell = Math.max(largestCell, v);
  }
  let cellInputs = 0;
  for (const cell of traceShapes(arch).cells) cellInputs += 2 * elements(cell.input);
  const scale = batch * BYTES_PER_VALUE;
  return {
    plainBytes: (outside + cellValues) * scale,
    checkpointedBytes: (outside + cellInputs + largestCell) * scale,
    cells: perCell.size,
  };
}

/** Whether 'auto' checkpointing applies to a gradient pass of `arch` at batch size `batch`. */
export function checkpointPays(arch: Arch, batch: number): boolean {
  return trainingPassMemory(arch, batch).plainBytes > AUTO_CHECKPOINT_BYTES;
}
