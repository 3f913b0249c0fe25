/**
 * Decoding and repair of VAE outputs into cells (method.md §9.9): adjacency repair column by
 * column from the output backwards, masked argmax features, pruning to a fixed point,
 * canonicalisation and the general validity check of §2.6. Pure TS (no tensors), so every step
 * can be worked by hand.
 *
 * The product promises that every returned cell is valid (generators/types.ts), but the §9.9
 * result can still break a rule (most often: pruning leaves fewer than 3 edges or no path at all).
 * The fallback below then adds the most probable missing forward edges one at a time, re-pruning
 * after each, until the cell is valid. Adding all 28 forward edges gives the complete DAG, which is
 * valid, so the fallback always ends with a valid cell for finite inputs; null is returned only
 * for non-finite probabilities.
 */
import { canonicalCell, copyAdjacency, emptyAdjacency, isValidCell, prune, type Adjacency } from '../space/cell.js';
import { COL_KERNEL_FIRST, ENCODED_NODES, FEATURE_COLUMNS } from '../space/encoding.js';
import { labelChoices, type CellLabelOptions } from '../space/sampler.js';
import { CELL_NODES, INTERMEDIATE_NODES, KERNEL_SIZES, OP_NAMES, OUTPUT_NODE, type Cell, type KernelSize, type OpName } from '../space/types.js';
import { InputError } from '../errors.js';

/** σ(logits) of the two decoder heads: 9×9 adjacency and 9×15 features, encoded indexing (§2.4). */
export interface DecoderProbabilities {
  readonly adj: readonly ArrayLike<number>[];
  readonly feat: readonly ArrayLike<number>[];
}

export interface DecodeReport {
  /** The decoded valid cell, or null (non-finite probabilities). */
  readonly cell: Cell | null;
  /** True when the §9.9 result was invalid and the most-probable-edge fallback produced the cell. */
  readonly usedFallback: boolean;
  /** Forward edges [from, to] (base indexing) the fallback added, in the order added. */
  readonly addedEdges: ReadonlyArray<readonly [number, number]>;
}

const THRESHOLD = 0.5;

function checkShape(rows: readonly ArrayLike<number>[], nRows: number, nCols: number, what: string): void {
  if (!Array.isArray(rows) || rows.length !== nRows) {
    throw new InputError(`decodeCell: ${what} must have ${nRows} rows, got ${Array.isArray(rows) ? rows.length : typeof rows}`);
  }
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || row.length !== nCols) {
      throw new InputError(`decodeCell: ${what} row ${i} must have ${nCols} entries, got ${row?.length ?? typeof row}`);
    }
  });
}

function allFinite(rows: readonly ArrayLike<number>[]): boolean {
  for (const row of rows) for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j]!)) return false;
  return true;
}

/** Base-indexed strict upper triangle of the 9×9 probabilities (global row and column dropped). */
function baseProbabilities(adj: readonly ArrayLike<number>[]): number[][] {
  return Array.from({ length: CELL_NODES }, (_, i) =>
    Array.from({ length: CELL_NODES }, (_, j) => (j > i ? adj[i + 1]![j + 1]! : 0)),
  );
}

/** The first index of the largest value among `candidates` (numpy argmax tie rule). */
function argmaxOf(values: (i: number) => number, candidates: readonly number[]): number {
  let best = candidates[0]!;
  for (const i of candidates) if (values(i) > values(best)) best = i;
  return best;
}

/**
 * The adjacency repair of §9.9 on base-indexed probabilities, before pruning. Columns below the
 * current one keep their probabilities until the loop reaches them; entries set to 1 by a
 * parent repair survive their later thresholding (1 > 0.5).
 */
export function repairAdjacency(probabilities: readonly (readonly number[])[]): Adjacency {
  const p = probabilities.map((row) => row.slice());
  for (let col = OUTPUT_NODE; col >= 1; col--) {
    for (let i = 0; i < CELL_NODES; i++) p[i]![col] = p[i]![col]! > THRESHOLD ? 1 : 0;
    const usedDownstream = col === OUTPUT_NODE || p[col]!.some((x, k) => k > col && x === 1);
    if (!usedDownstream) continue;
    for (let j = 1; j < col; j++) {
      if (p[j]![col] !== 1) continue;
      let hasLikelyParent = false;
      for (let i = 0; i < CELL_NODES; i++) if (p[i]![j]! > THRESHOLD) hasLikelyParent = true;
      if (hasLikelyParent) continue;
      // Only i < j are forward edges (the rest of column j is zero in the strict upper triangle).
      const parents = Array.from({ length: j }, (_, i) => i);
      p[argmaxOf((i) => p[i]![j]!, parents)]![j] = 1;
    }
  }
  // Column 0 is all zero for a strict upper triangle: its thresholding is a no-op.
  const adj = emptyAdjacency();
  for (let i = 0; i < CELL_NODES; i++) for (let j = i + 1; j < CELL_NODES; j++) adj[i]![j] = p[i]![j] === 1 ? 1 : 0;
  for (let v = 0; v < OUTPUT_NODE; v++) {
    const hasIn = adj.some((row) => row[v] === 1);
    const hasOut = adj[v]!.some((x) => x === 1);
    if (hasIn && !hasOut) adj[v]![OUTPUT_NODE] = 1;
  }
  return adj;
}

/** Masked argmax (§9.9): op over columns 0–8, kernel over columns 12–14, restricted to the allowed labels. */
export function decodeLabels(feat: readonly ArrayLike<number>[], labels: CellLabelOptions = {}): { ops: OpName[]; kernels: KernelSize[] } {
  const { ops: allowedOps, kernels: allowedKernels } = labelChoices(labels);
  const opColumns = OP_NAMES.map((_, c) => c).filter((c) => allowedOps.includes(OP_NAMES[c]!));
  const kernelColumns = KERNEL_SIZES.map((_, c) => c).filter((c) => allowedKernels.includes(KERNEL_SIZES[c]!));
  const ops: OpName[] = [];
  const kernels: KernelSize[] = [];
  for (const v of INTERMEDIATE_NODES) {
    const row = feat[v + 1]!;
    ops.push(OP_NAMES[argmaxOf((c) => row[c]!, opColumns)]!);
    kernels.push(KERNEL_SIZES[argmaxOf((c) => row[COL_KERNEL_FIRST + c]!, kernelColumns)]!);
  }
  return { ops, kernels };
}

/**
 * §9.9 decode plus the documented fallback, with what the fallback did. Throws InputError for
 * matrices of the wrong shape.
 */
export function decodeCellWithReport(probs: DecoderProbabilities, labels?: CellLabelOptions): DecodeReport {
  checkShape(probs.adj, ENCODED_NODES, ENCODED_NODES, 'adjacency probabilities');
  checkShape(probs.feat, ENCODED_NODES, FEATURE_COLUMNS, 'feature probabilities');
  if (!allFinite(probs.adj) || !allFinite(probs.feat)) return { cell: null, usedFallback: false, addedEdges: [] };
  const { ops, kernels } = decodeLabels(probs.feat, labels);
  const base = baseProbabilities(probs.adj);
  const repaired = prune(repairAdjacency(base));
  const first: Cell = { adj: repaired, ops, kernels };
  if (isValidCell(first)) return { cell: canonicalCell(first), usedFallback: false, addedEdges: [] };

  // Fallback: grow the repaired graph by the most probable missing forward edges.
  const missing: Array<[number, number]> = [];
  for (let i = 0; i < CELL_NODES; i++) for (let j = i + 1; j < CELL_NODES; j++) if (repaired[i]![j] === 0) missing.push([i, j]);
  // Stable sort: ties keep row-major order, so the result is deterministic.
  missing.sort((a, b) => base[b[0]]![b[1]]! - base[a[0]]![a[1]]!);
  const grown = copyAdjacency(repaired);
  const added: Array<[number, number]> = [];
  for (const [i, j] of missing) {
    grown[i]![j] = 1;
    added.push([i, j]);
    const candidate: Cell = { adj: prune(grown), ops, kernels };
    if (isValidCell(candidate)) return { cell: canonicalCell(candidate), usedFallback: true, addedEdges: added };
  }
  return { cell: null, usedFallback: true, addedEdges: added };
}

/**
 * Decodes sigmoid probabilities of the VAE into a valid canonical cell (method.md §9.9), restricted
 * to the recipe's ops/kernels when `labels` is given. Returns null only for non-finite input.
 */
export function decodeCell(probs: DecoderProbabilities, labels?: CellLabelOptions): Cell | null {
  return decodeCellWithReport(probs, labels).cell;
}

/** Splits row-major decoder outputs (81 and 135 values) into the row form decodeCell reads. */
export function probabilitiesFromFlat(adj: ArrayLike<number>, feat: ArrayLike<number>): DecoderProbabilities {
  if (adj.length !== ENCODED_NODES * ENCODED_NODES) throw new InputError(`adjacency probabilities: expected 81 values, got ${adj.length}`);
  if (feat.length !== ENCODED_NODES * FEATURE_COLUMNS) throw new InputError(`feature probabilities: expected 135 values, got ${feat.length}`);
  const rows = (flat: ArrayLike<number>, cols: number): number[][] =>
    Array.from({ length: ENCODED_NODES }, (_, i) => Array.from({ length: cols }, (_, j) => flat[i * cols + j]!));
  return { adj: rows(adj, ENCODED_NODES), feat: rows(feat, FEATURE_COLUMNS) };
}
