/**
 * Cell utilities in base indexing (method.md §2.1): activity, neighbourhoods, pruning to a fixed
 * point (§2.7), the general validity rules G1–G7 (§2.6), canonical form (§2.5), the WL
 * fingerprint of the active subgraph (§2.5) and the §17.3 text notation.
 */
import { createHash } from 'node:crypto';
import {
  CELL_NODES,
  INPUT_NODE,
  INTERMEDIATE_NODES,
  KERNEL_SIZES,
  OP_NAMES,
  OUTPUT_NODE,
  type Cell,
  type KernelSize,
  type OpName,
} from './types.js';

/** A mutable 8×8 base adjacency; `adj[i][j] = 1` is the edge i → j. */
export type Adjacency = (0 | 1)[][];
export type ReadonlyAdjacency = ReadonlyArray<ReadonlyArray<0 | 1>>;

/** Minimum number of edges of a valid cell (G5, `minimum_edges` of the reference). */
export const MIN_EDGES = 3;

export function emptyAdjacency(): Adjacency {
  return Array.from({ length: CELL_NODES }, () => new Array<0 | 1>(CELL_NODES).fill(0));
}

export function copyAdjacency(adj: ReadonlyAdjacency): Adjacency {
  return adj.map((row) => row.slice());
}

function hasInEdge(adj: ReadonlyAdjacency, v: number): boolean {
  for (let u = 0; u < CELL_NODES; u++) if (adj[u]![v] === 1) return true;
  return false;
}

function hasOutEdge(adj: ReadonlyAdjacency, v: number): boolean {
  for (let w = 0; w < CELL_NODES; w++) if (adj[v]![w] === 1) return true;
  return false;
}

/** A node is active when it has at least one edge (§2.1). */
export function isActive(cell: Cell, v: number): boolean {
  return hasInEdge(cell.adj, v) || hasOutEdge(cell.adj, v);
}

/** Predecessors of v in ascending order. */
export function predecessors(cell: Cell, v: number): number[] {
  const out: number[] = [];
  for (let u = 0; u < CELL_NODES; u++) if (cell.adj[u]![v] === 1) out.push(u);
  return out;
}

/** Successors of v in ascending order. */
export function successors(cell: Cell, v: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < CELL_NODES; w++) if (cell.adj[v]![w] === 1) out.push(w);
  return out;
}

export function edgeCount(cell: Cell | ReadonlyAdjacency): number {
  const adj = 'adj' in cell ? cell.adj : cell;
  let n = 0;
  for (let i = 0; i < CELL_NODES; i++) for (let j = 0; j < CELL_NODES; j++) n += adj[i]![j]!;
  return n;
}

/** The active intermediate nodes (base indices 1..6) in ascending order. */
export function activeIntermediates(cell: Cell): number[] {
  return INTERMEDIATE_NODES.filter((v) => isActive(cell, v));
}

/**
 * Removes edges that cannot carry signal from input to output, iterating to a fixed point
 * (§2.7; the reference's single pass left dead nodes behind, §14 P4). Returns a new matrix.
 */
export function prune(input: ReadonlyAdjacency): Adjacency {
  const adj = copyAdjacency(input);
  let changed = true;
  while (changed) {
    changed = false;
    for (const v of INTERMEDIATE_NODES) {
      if (hasInEdge(adj, v) !== hasOutEdge(adj, v)) {
        for (let u = 0; u < CELL_NODES; u++) {
          if (adj[u]![v] === 1) { adj[u]![v] = 0; changed = true; }
          if (adj[v]![u] === 1) { adj[v]![u] = 0; changed = true; }
        }
      }
    }
    const reached = new Set<number>([INPUT_NODE]);
    for (let v = 1; v < CELL_NODES; v++) {
      for (let u = 0; u < CELL_NODES; u++) {
        if (adj[u]![v] === 1 && !reached.has(u)) { adj[u]![v] = 0; changed = true; }
      }
      if (hasInEdge(adj, v)) reached.add(v);
    }
  }
  return adj;
}

function sameAdjacency(a: ReadonlyAdjacency, b: ReadonlyAdjacency): boolean {
  for (let i = 0; i < CELL_NODES; i++) for (let j = 0; j < CELL_NODES; j++) if (a[i]![j] !== b[i]![j]) return false;
  return true;
}

/** Shape problems that make a value unusable as a Cell at all (sizes, entries, label domains). */
function structuralProblems(cell: Cell): string[] {
  const problems: string[] = [];
  if (!Array.isArray(cell.adj) || cell.adj.length !== CELL_NODES) {
    problems.push(`adjacency must be ${CELL_NODES}×${CELL_NODES}`);
  } else {
    cell.adj.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== CELL_NODES) problems.push(`adjacency row ${i} must have ${CELL_NODES} entries`);
      else row.forEach((x, j) => { if (x !== 0 && x !== 1) problems.push(`adjacency[${i}][${j}] must be 0 or 1, got ${String(x)}`); });
    });
  }
  if (!Array.isArray(cell.ops) || cell.ops.length !== INTERMEDIATE_NODES.length) problems.push('ops must list 6 labels (nodes 1..6)');
  if (!Array.isArray(cell.kernels) || cell.kernels.length !== INTERMEDIATE_NODES.length) problems.push('kernels must list 6 sizes (nodes 1..6)');
  return problems;
}

/**
 * General validity (§2.6). Each message starts with the rule it breaks ("G5: ...").
 * An empty list means the cell may be built.
 */
export function validateCell(cell: Cell): string[] {
  const structural = structuralProblems(cell);
  if (structural.length > 0) return structural.map((p) => `structure: ${p}`);
  const problems: string[] = [];
  const adj = cell.adj;
  for (let i = 0; i < CELL_NODES; i++) {
    for (let j = 0; j <= i; j++) {
      if (adj[i]![j] === 1) problems.push(`G1: edge ${i} -> ${j} does not go from a lower to a higher index`);
    }
  }
  const active = activeIntermediates(cell);
  if (active.length === 0) problems.push('G2: no intermediate node is active');
  if (!hasOutEdge(adj, INPUT_NODE)) problems.push('G3: the input has no out-edge');
  if (!hasInEdge(adj, OUTPUT_NODE)) problems.push('G4: the output has no in-edge');
  const edges = edgeCount(cell);
  if (edges < MIN_EDGES) problems.push(`G5: ${edges} edge(s), at least ${MIN_EDGES} required`);
  // Pruning only makes sense on an upper-triangular matrix; G1 already reported otherwise.
  if (!problems.some((p) => p.startsWith('G1'))) {
    const pruned = prune(adj);
    if (!sameAdjacency(pruned, adj)) {
      const dead = [1, 2, 3, 4, 5, 6, 7].filter((v) => isActive(cell, v) && !isActive({ ...cell, adj: pruned }, v));
      const where = dead.length > 0 ? `node(s) ${dead.map(nodeName).join(', ')}` : 'some edges';
      problems.push(`G6: ${where} do not lie on an input -> output path (pruning changes the graph)`);
    }
  }
  for (const v of active) {
    const op = cell.ops[v - 1];
    const k = cell.kernels[v - 1];
    if (!(OP_NAMES as readonly string[]).includes(op as string)) problems.push(`G7: node n${v} has unknown op ${JSON.stringify(op)}`);
    if (!(KERNEL_SIZES as readonly number[]).includes(k as number)) problems.push(`G7: node n${v} has kernel ${JSON.stringify(k)}, expected 1, 3 or 5`);
  }
  return problems;
}

export function isValidCell(cell: Cell): boolean {
  return validateCell(cell).length === 0;
}

/**
 * The canonical form (§2.5) of a cell: fresh plain arrays, strictly upper-triangular 0/1 adjacency,
 * a real op and kernel on every intermediate node (isolated ones included). Throws on anything
 * that cannot be canonicalised; does not check validity (use validateCell for that).
 */
export function canonicalCell(cell: Cell): Cell {
  const problems = structuralProblems(cell);
  if (problems.length === 0) {
    for (let i = 0; i < CELL_NODES; i++) {
      for (let j = 0; j <= i; j++) if (cell.adj[i]![j] === 1) problems.push(`edge ${i} -> ${j} is not upper-triangular`);
    }
    cell.ops.forEach((op, i) => {
      if (!(OP_NAMES as readonly string[]).includes(op)) problems.push(`node n${i + 1} has unknown op ${JSON.stringify(op)}`);
    });
    cell.kernels.forEach((k, i) => {
      if (!(KERNEL_SIZES as readonly number[]).includes(k)) problems.push(`node n${i + 1} has kernel ${JSON.stringify(k)}`);
    });
  }
  if (problems.length > 0) throw new Error(`cannot canonicalise cell: ${problems.join('; ')}`);
  return { adj: copyAdjacency(cell.adj), ops: cell.ops.slice(), kernels: cell.kernels.slice() };
}

export function opId(op: OpName): number {
  return OP_NAMES.indexOf(op) + 1;
}

export function kernelIndex(k: KernelSize): number {
  return KERNEL_SIZES.indexOf(k);
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/**
 * Weisfeiler–Lehman fingerprint of the active subgraph (§2.5): input, output and active
 * intermediates, labels `IN`, `OUT`, `<op id>_<kernel index>`, R = number of hashed nodes rounds.
 * Isolated nodes and their labels do not influence it.
 */
export function cellFingerprint(cell: Cell): string {
  const nodes = [INPUT_NODE, ...activeIntermediates(cell), OUTPUT_NODE];
  const label = (v: number): string => {
    if (v === INPUT_NODE) return 'IN';
    if (v === OUTPUT_NODE) return 'OUT';
    return `${opId(cell.ops[v - 1]!)}_${kernelIndex(cell.kernels[v - 1]!)}`;
  };
  let h = new Map<number, string>();
  for (const v of nodes) {
    h.set(v, md5(`${successors(cell, v).length},${predecessors(cell, v).length},${label(v)}`));
  }
  for (let round = 0; round < nodes.length; round++) {
    const next = new Map<number, string>();
    for (const v of nodes) {
      const preds = predecessors(cell, v).map((u) => h.get(u)!).sort();
      const succs = successors(cell, v).map((w) => h.get(w)!).sort();
      next.set(v, md5(`${preds.join('')}|${succs.join('')}|${h.get(v)!}`));
    }
    h = next;
  }
  return md5(nodes.map((v) => h.get(v)!).sort().join(''));
}

function nodeName(v: number): string {
  if (v === INPUT_NODE) return 'in';
  if (v === OUTPUT_NODE) return 'out';
  return `n${v}`;
}

/**
 * The §17.3 notation: `n1=mbconv_e6/k3<-[in]; ...; out<-[in,n1]`. Isolated nodes are omitted.
 */
export function describeCell(cell: Cell): string {
  const parts: string[] = [];
  for (const v of INTERMEDIATE_NODES) {
    if (!isActive(cell, v)) continue;
    const preds = predecessors(cell, v).map(nodeName).join(',');
    parts.push(`n${v}=${cell.ops[v - 1]}/k${cell.kernels[v - 1]}<-[${preds}]`);
  }
  parts.push(`out<-[${predecessors(cell, OUTPUT_NODE).map(nodeName).join(',')}]`);
  return parts.join('; ');
}

export { nodeName };
