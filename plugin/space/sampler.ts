/**
 * The random cell sampler of method.md §2.8: requested in-degrees first, then the graph grows
 * backwards from the output; strict validity, a pruning guard and general validity on top.
 */
import type { Rng } from '../util/rng.js';
import { canonicalCell, cellFingerprint, edgeCount, emptyAdjacency, isValidCell, MIN_EDGES, prune, type Adjacency } from './cell.js';
import { CELL_NODES, INPUT_NODE, INTERMEDIATE_NODES, KERNEL_SIZES, OP_NAMES, OUTPUT_NODE, type Cell, type KernelSize, type OpName } from './types.js';

export interface CellLabelOptions {
  /** Ops a node may carry (a recipe may restrict the op set); default all 9 real ops. */
  readonly ops?: readonly OpName[];
  /** Kernel sizes a node may carry; default {1, 3, 5}. */
  readonly kernels?: readonly KernelSize[];
}

export function labelChoices(options: CellLabelOptions = {}): { ops: readonly OpName[]; kernels: readonly KernelSize[] } {
  const ops = options.ops ?? OP_NAMES;
  const kernels = options.kernels ?? KERNEL_SIZES;
  if (ops.length === 0) throw new Error('the op set is empty');
  if (kernels.length === 0) throw new Error('the kernel set is empty');
  return { ops, kernels };
}

function indegree(adj: Adjacency, n: number): number {
  let d = 0;
  for (let p = 0; p < CELL_NODES; p++) d += adj[p]![n]!;
  return d;
}

function outdegree(adj: Adjacency, n: number): number {
  let d = 0;
  for (let w = 0; w < CELL_NODES; w++) d += adj[n]![w]!;
  return d;
}

/** Gives node n its requested parents (a uniform subset of {0..n−1}), then recurses into them. */
function grow(adj: Adjacency, want: readonly number[], n: number, rng: Rng): void {
  const need = want[n]! - indegree(adj, n);
  if (n === INPUT_NODE || need <= 0) return;
  const pool: number[] = [];
  for (let p = 0; p < n; p++) if (adj[p]![n] === 0) pool.push(p);
  const parents = rng.subset(pool, need);
  for (const p of parents) adj[p]![n] = 1;
  for (const p of parents) grow(adj, want, p, rng);
}

/** Strict validity of §2.6 (sampler only). */
function strictValid(adj: Adjacency, want: readonly number[]): boolean {
  if (!INTERMEDIATE_NODES.some((v) => outdegree(adj, v) > 0)) return false;
  let withIn = 0;
  let withOut = 0;
  for (let n = 0; n < CELL_NODES; n++) {
    const d = indegree(adj, n);
    if (d > 0 && d !== want[n]) return false;
    if (d > 0) withIn++;
    if (outdegree(adj, n) > 0) withOut++;
  }
  if (withIn !== withOut) return false;
  if (outdegree(adj, INPUT_NODE) === 0 || indegree(adj, OUTPUT_NODE) === 0) return false;
  return edgeCount(adj) >= MIN_EDGES;
}

/** One random valid cell, drawn exactly as §2.8 (ops i.i.d. uniform over the allowed set, no skip). */
export function sampleCell(rng: Rng, options: CellLabelOptions = {}): Cell {
  const { ops: opChoices, kernels: kernelChoices } = labelChoices(options);
  for (;;) {
    const want = [0];
    for (let n = 1; n < CELL_NODES; n++) want.push(rng.int(1, n));
    const grown = emptyAdjacency();
    grow(grown, want, OUTPUT_NODE, rng);
    if (!strictValid(grown, want)) continue;
    const ops = INTERMEDIATE_NODES.map(() => rng.pick(opChoices));
    const kernels = INTERMEDIATE_NODES.map(() => rng.pick(kernelChoices));
    const cell: Cell = { adj: prune(grown), ops, kernels };
    if (!isValidCell(cell)) continue;
    return canonicalCell(cell);
  }
}

/** `n` cells, unique by fingerprint (§2.5), in the order drawn. */
export function sampleUniqueCells(rng: Rng, n: number, options: CellLabelOptions = {}): Cell[] {
  const seen = new Set<string>();
  const out: Cell[] = [];
  while (out.length < n) {
    const cell = sampleCell(rng, options);
    const fp = cellFingerprint(cell);
    if (seen.has(fp)) continue;
    seen.add(fp);
    out.push(cell);
  }
  return out;
}
