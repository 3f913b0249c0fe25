/**
 * Micro mutation (method.md §2.9) and macro mutation (§10.3) of concrete architectures.
 */
import type { Rng } from '../util/rng.js';
import { activeIntermediates, canonicalCell, cellFingerprint, copyAdjacency, isValidCell, predecessors, prune, successors } from './cell.js';
import { validateArch, type MacroBounds } from './macro.js';
import { labelChoices, type CellLabelOptions } from './sampler.js';
import { INPUT_NODE, OUTPUT_NODE, type Arch, type Cell, type Stage } from './types.js';

/** Attempts before a micro mutation is reported as failed (§2.9). */
export const MUTATION_RETRIES = 100;

function hasInEdge(cell: Cell, v: number): boolean {
  return predecessors(cell, v).length > 0;
}

/** Wiring mutation of §2.9; null when neither removing nor adding a parent is possible at v. */
function mutateWiring(cell: Cell, rng: Rng): Cell | null {
  // Nodes 1..7: every intermediate and the output (the reference skipped node 1, §14 P2).
  const v = rng.int(1, OUTPUT_NODE);
  const parents = predecessors(cell, v);
  const parentSet = new Set(parents);
  const newParents: number[] = [];
  for (let p = 0; p < v; p++) {
    if (!parentSet.has(p) && (p === INPUT_NODE || hasInEdge(cell, p))) newParents.push(p);
  }
  let remove = rng.next() < 0.5;
  // Always make a change when one is possible: fall back to the other action.
  if (remove && parents.length === 0) remove = false;
  if (!remove && newParents.length === 0) remove = true;
  if (remove && parents.length === 0) return null;

  const adj = copyAdjacency(cell.adj);
  if (remove) adj[rng.pick(parents)]![v] = 0;
  else adj[rng.pick(newParents)]![v] = 1;
  const next: Cell = { ...cell, adj };
  if (v !== OUTPUT_NODE && successors(next, v).length === 0) {
    const targets: number[] = [];
    for (let w = v + 1; w < OUTPUT_NODE; w++) if (hasInEdge(next, w)) targets.push(w);
    targets.push(OUTPUT_NODE);
    adj[v]![rng.pick(targets)] = 1;
  }
  return next;
}

/** Op/kernel mutation of §2.9 on one active intermediate node; always a different value. */
function mutateLabel(cell: Cell, rng: Rng, options: CellLabelOptions): Cell | null {
  const active = activeIntermediates(cell);
  if (active.length === 0) return null;
  const v = rng.pick(active);
  const { ops, kernels } = labelChoices(options);
  const otherOps = ops.filter((op) => op !== cell.ops[v - 1]);
  const otherKernels = kernels.filter((k) => k !== cell.kernels[v - 1]);
  let changeOp = rng.next() < 0.5;
  if (changeOp && otherOps.length === 0) changeOp = false;
  if (!changeOp && otherKernels.length === 0) changeOp = true;
  if (changeOp && otherOps.length === 0) return null;
  const nextOps = cell.ops.slice();
  const nextKernels = cell.kernels.slice();
  if (changeOp) nextOps[v - 1] = rng.pick(otherOps);
  else nextKernels[v - 1] = rng.pick(otherKernels);
  return { adj: cell.adj, ops: nextOps, kernels: nextKernels };
}

/**
 * One micro mutation (§2.9): wiring or op/kernel with probability ½ each, then prune, canonicalise
 * and check validity; children equal to the parent by fingerprint are rejected. Returns null when
 * 100 attempts produced no valid, different child.
 */
export function mutateCell(cell: Cell, rng: Rng, options: CellLabelOptions = {}): Cell | null {
  const parentFp = cellFingerprint(cell);
  for (let attempt = 0; attempt < MUTATION_RETRIES; attempt++) {
    const raw = rng.next() < 0.5 ? mutateWiring(cell, rng) : mutateLabel(cell, rng, options);
    if (raw === null) continue;
    const child = canonicalCell({ ...raw, adj: prune(raw.adj) });
    if (!isValidCell(child)) continue;
    if (cellFingerprint(child) === parentFp) continue;
    return child;
  }
  return null;
}

/** Width multipliers shared by the channels and head kinds (§10.3). */
export const WIDTH_MULTIPLIERS = [2.5, 2, 1.5, 1.25, 1, 1 / 1.25, 1 / 1.5, 1 / 2, 1 / 2.5] as const;
/** Repeat deltas of the repeats kind (§10.3). */
export const REPEAT_DELTAS = [0, 1, 2, -1, -2] as const;
export const MACRO_MUTATION_KINDS = ['cell', 'channels', 'stride', 'repeats', 'head'] as const;
export type MacroMutationKind = (typeof MACRO_MUTATION_KINDS)[number];

/**
 * How the `cell` kind changes a stage's cell: `resample` draws a fresh cell (RESAMPLE; Zen-NAS and
 * ZiCo replace a block by a random one), `mutate` applies the micro mutation of §2.9 (CELLMUTATE,
 * falling back to RESAMPLE when no valid child exists), `mixed` picks one of the two with
 * probability ½.
 */
export const CELL_MUTATIONS = ['resample', 'mutate', 'mixed'] as const;
export type CellMutation = (typeof CELL_MUTATIONS)[number];

export interface MacroMutationOptions {
  /** RESAMPLE: a fresh cell from the sampler (§2.8), usually `(rng) => sampleCell(rng, labels)`. */
  readonly resampleCell: (rng: Rng) => Cell;
  readonly bounds: MacroBounds;
  /** Label restriction for CELLMUTATE. */
  readonly labels?: CellLabelOptions;
  /** Default `mixed`. */
  readonly cellMutation?: CellMutation;
}

function nextCell(current: Cell, rng: Rng, options: MacroMutationOptions): Cell {
  switch (options.cellMutation ?? 'mixed') {
    case 'resample':
      return options.resampleCell(rng);
    case 'mutate':
      return mutateCell(current, rng, options.labels) ?? options.resampleCell(rng);
    case 'mixed': {
      const mutated = rng.next() < 0.5 ? mutateCell(current, rng, options.labels) : null;
      return mutated ?? options.resampleCell(rng);
    }
  }
}

function floor8(x: number): number {
  return 8 * Math.floor(x / 8);
}

/** floor8(clamp(x · mult, lo, hi)) with lo and hi multiples of 8, so the result stays in [lo, hi]. */
function scaleWidth(width: number, rng: Rng, lo: number, hi: number): number {
  const mult = rng.pick(WIDTH_MULTIPLIERS);
  return floor8(Math.min(hi, Math.max(lo, width * mult)));
}

/**
 * One macro mutation (§10.3): a uniform stage m, a uniform non-empty subset of kinds applied in
 * the fixed order cell, channels, stride, repeats, head. The cell kind follows
 * `options.cellMutation` (default: RESAMPLE or CELLMUTATE with probability ½, a failed
 * CELLMUTATE falling back to RESAMPLE). Returns null when
 * the child breaks a bound (it is discarded, §10.3). The child may equal the parent (e.g. mult 1).
 */
export function mutateArch(arch: Arch, rng: Rng, options: MacroMutationOptions): Arch | null {
  const { bounds } = options;
  const stages: Stage[] = arch.stages.slice();
  let headWidth = arch.headWidth;
  const m = rng.int(0, stages.length - 1);
  const size = rng.int(1, MACRO_MUTATION_KINDS.length);
  const kinds = new Set(rng.subset(MACRO_MUTATION_KINDS, size));

  if (kinds.has('cell')) {
    stages[m] = { ...stages[m]!, cell: nextCell(stages[m]!.cell, rng, options) };
  }
  if (kinds.has('channels')) {
    stages[m] = { ...stages[m]!, channels: scaleWidth(stages[m]!.channels, rng, bounds.minChannels, bounds.maxChannels) };
  }
  if (kinds.has('stride')) {
    stages[m] = { ...stages[m]!, stride: rng.pick(bounds.strides) };
  }
  if (kinds.has('repeats')) {
    applyRepeatsMutation(stages, m, rng.pick(REPEAT_DELTAS), bounds);
  }
  if (kinds.has('head')) {
    headWidth = scaleWidth(headWidth, rng, bounds.minHeadWidth, bounds.maxHeadWidth);
  }
  const child: Arch = { ...arch, stages, headWidth };
  return validateArch(child, bounds).length === 0 ? child : null;
}

/**
 * The repeats kind of §10.3 on stage m with delta d, in place. The cap is `maxTotalCells + 1`
 * (20 for the default 19-cell bound). Above maxRepeats the stage is set to maxRepeats and a copy
 * with the remainder is inserted right after it (§14 P7); a last stage (or one at minStages) is
 * never deleted, and a split that would exceed maxStages leaves the stage unchanged.
 */
export function applyRepeatsMutation(stages: Stage[], m: number, d: number, bounds: MacroBounds): void {
  const cap = bounds.maxTotalCells + 1;
  const total = stages.reduce((sum, s) => sum + s.repeats, 0);
  if (cap - (total + d) <= 0) return;
  const stage = stages[m]!;
  const next = Math.min(cap - (total + d), Math.max(0, stage.repeats + d));
  if (next === 0) {
    if (stages.length > Math.max(1, bounds.minStages)) stages.splice(m, 1);
  } else if (next > bounds.maxRepeats) {
    if (stages.length >= bounds.maxStages) return;
    stages[m] = { ...stage, repeats: bounds.maxRepeats };
    stages.splice(m + 1, 0, { ...stage, repeats: next - bounds.maxRepeats });
  } else {
    stages[m] = { ...stage, repeats: next };
  }
}
