/**
 * Building blocks shared by the generator-driven methods `hgnas-ea` and `hgnas` (method.md §10,
 * §11): cluster-level genotypes made concrete with `sampleByCluster`, the cluster-level macro
 * mutation, the GMM_GUIDE network mutation, and a population with a uniform parent and
 * remove-worst replacement. No tensors here: the generators hide theirs behind plain genotypes.
 */
import type { CellGenerator, ClusterGenotype, ClusterStage } from '../generators/types.js';
import { convOutputSize } from '../space/cost.js';
import { validateArch } from '../space/macro.js';
import { mutateArch } from '../space/mutation.js';
import { sampleCell } from '../space/sampler.js';
import type { Arch, Cell, Stage } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { SpaceContext } from './random.js';
import type { Evaluation } from './types.js';

/** Cell temperature of the GMM_GUIDE mutation (method.md §11.1). */
export const GUIDE_TEMPERATURE = 1.0;

/** The concrete network of a cluster genotype with the given cells (one per stage, shared by its repeats). */
export function concreteArch(space: SpaceContext, genotype: ClusterGenotype, cells: readonly Cell[]): Arch {
  return {
    input: { ...space.input },
    numClasses: space.numClasses,
    stemStride: space.stemStride,
    se: space.se,
    stages: genotype.stages.map((s, i) => ({ cell: cells[i]!, channels: s.channels, stride: s.stride, repeats: s.repeats })),
    headWidth: genotype.headWidth,
  };
}

/**
 * One cell per stage from `sampleByCluster(cluster, 1, τ)`, each with its own seed from `rng`;
 * null when the generator returned no cell for a stage.
 */
export function sampleStageCells(cells: CellGenerator, genotype: ClusterGenotype, rng: Rng, temperature: number): Cell[] | null {
  const out: Cell[] = [];
  for (const stage of genotype.stages) {
    const [cell] = cells.sampleByCluster(stage.cluster, 1, { temperature, seed: rng.nextUint32() });
    if (!cell) return null;
    out.push(cell);
  }
  return out;
}

/** The cluster genotype of a concrete network: each stage's cluster from `CellGenerator.encode`. */
export function clusterGenotypeOf(cells: CellGenerator, arch: Arch): ClusterGenotype {
  const encoded = cells.encode(arch.stages.map((s) => s.cell));
  return {
    stages: arch.stages.map((s, i) => ({ cluster: encoded[i]!.cluster, channels: s.channels, stride: s.stride, repeats: s.repeats })),
    headWidth: arch.headWidth,
  };
}

function clampWidth(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, 8 * Math.round(x / 8)));
}

/**
 * The §11.2 initial space (channels 8, 16, 32, 64, strides 2, repeats 1, clusters 21, F = 128)
 * adapted to the recipe's space: as many of the four stages as the stage and cell bounds allow
 * (at least minStages), channels and F clamped to their ranges, stride 2 only where allowed and
 * where the feature map can still be halved, and cluster 21 replaced by the last cluster when the
 * generator has fewer.
 */
export function initialClusterGenotype(space: SpaceContext, numClusters: number): ClusterGenotype {
  const b = space.bounds;
  const count = Math.min(Math.max(4, b.minStages), b.maxStages, b.maxTotalCells);
  const reference = [8, 16, 32, 64];
  let h = space.stemStride === 2 ? convOutputSize(space.input.height, 1, 2, 0) : space.input.height;
  let w = space.stemStride === 2 ? convOutputSize(space.input.width, 1, 2, 0) : space.input.width;
  let downsamples = 0;
  const stages: ClusterStage[] = [];
  for (let i = 0; i < count; i++) {
    const canHalve = h >= 2 && w >= 2 && (b.maxDownsamples === undefined || downsamples < b.maxDownsamples);
    const stride: 1 | 2 = b.strides.includes(2) && (canHalve || !b.strides.includes(1)) ? 2 : 1;
    if (stride === 2) {
      downsamples++;
      h = convOutputSize(h, 1, 2, 0);
      w = convOutputSize(w, 1, 2, 0);
    }
    stages.push({ cluster: Math.min(21, numClusters - 1), channels: clampWidth(reference[Math.min(i, 3)]!, b.minChannels, b.maxChannels), stride, repeats: 1 });
  }
  return { stages, headWidth: clampWidth(128, b.minHeadWidth, b.maxHeadWidth) };
}

/** A uniformly random cluster genotype of the space (the §10.4 generator with cluster ids for cells). */
export function randomClusterGenotype(space: SpaceContext, numClusters: number, rng: Rng): ClusterGenotype {
  // The same draw order and stage rules as sampleArch (space/macro.ts), a cluster id per stage.
  const b = space.bounds;
  const count = rng.int(b.minStages, Math.min(b.maxStages, b.maxTotalCells));
  let h = space.stemStride === 2 ? convOutputSize(space.input.height, 1, 2, 0) : space.input.height;
  let w = space.stemStride === 2 ? convOutputSize(space.input.width, 1, 2, 0) : space.input.width;
  let downsamples = 0;
  let used = 0;
  const stages: ClusterStage[] = [];
  for (let i = 0; i < count; i++) {
    const channels = 8 * rng.int(b.minChannels / 8, b.maxChannels / 8);
    let stride = rng.pick(b.strides);
    const canHalve = h >= 2 && w >= 2 && (b.maxDownsamples === undefined || downsamples < b.maxDownsamples);
    if (stride === 2 && !canHalve && b.strides.includes(1)) stride = 1;
    if (stride === 2) {
      downsamples++;
      h = convOutputSize(h, 1, 2, 0);
      w = convOutputSize(w, 1, 2, 0);
    }
    const left = b.maxTotalCells - used - (count - i - 1);
    const repeats = rng.int(1, Math.min(b.maxRepeats, left));
    used += repeats;
    stages.push({ cluster: rng.int(0, numClusters - 1), channels, stride, repeats });
  }
  return { stages, headWidth: 8 * rng.int(b.minHeadWidth / 8, b.maxHeadWidth / 8) };
}

/**
 * §10.3 on a cluster genotype: the cell kind draws a uniform cluster id, the other kinds act as
 * on networks. It runs the committed `mutateArch` on a stand-in network whose cells are token
 * objects, one per cluster id, so the stage-level kinds, their fixed order and the §14 P7 repeats
 * rule have a single implementation; the tokens are mapped back to ids afterwards. Null when the
 * child breaks a domain rule (§10.3: discarded, not counted).
 */
export function mutateClusterGenotype(genotype: ClusterGenotype, space: SpaceContext, numClusters: number, rng: Rng): ClusterGenotype | null {
  const tokens = clusterTokens(numClusters);
  const ids = new Map<Cell, number>(tokens.map((t, i) => [t, i]));
  const standIn = concreteArch(space, genotype, genotype.stages.map((s) => tokens[s.cluster]!));
  const child = mutateArch(standIn, rng, {
    bounds: space.bounds,
    cellMutation: 'resample',
    resampleCell: (r) => tokens[r.int(0, numClusters - 1)]!,
  });
  if (child === null) return null;
  return {
    stages: child.stages.map((s) => ({ cluster: ids.get(s.cell)!, channels: s.channels, stride: s.stride, repeats: s.repeats })),
    headWidth: child.headWidth,
  };
}

/**
 * Domain problems of a cluster genotype in the space that do not depend on its cells (stage
 * count, widths, strides on small maps, repeats, cluster ids): checked once per transformer
 * skeleton, before any cell is drawn for it.
 */
export function skeletonProblems(genotype: ClusterGenotype, space: SpaceContext, numClusters: number): string[] {
  const problems = genotype.stages.flatMap((s, i) =>
    Number.isInteger(s.cluster) && s.cluster >= 0 && s.cluster < numClusters ? [] : [`stages[${i}].cluster: expected an integer in 0..${numClusters - 1}, got ${s.cluster}`],
  );
  if (problems.length > 0) return problems;
  const token = clusterTokens(1)[0]!;
  return validateArch(concreteArch(space, genotype, genotype.stages.map(() => token)), space.bounds);
}

let tokenCache: Cell[] = [];
/** Distinct valid cell objects standing for cluster ids (identity, not content, carries the id). */
function clusterTokens(n: number): Cell[] {
  if (tokenCache.length < n) {
    // Any fixed valid cell works (validateArch checks the stand-in's cells); its own generator
    // keeps the caller's random stream untouched.
    const base = tokenCache[0] ?? sampleCell(new Rng(0));
    tokenCache = Array.from({ length: n }, (_, i) => tokenCache[i] ?? { adj: base.adj, ops: base.ops, kernels: base.kernels });
  }
  return tokenCache.slice(0, n);
}

export interface GuidedChild {
  readonly arch: Arch;
  /** Whether the cell kind was drawn (the GMM_GUIDE resample); otherwise only stage-level kinds changed. */
  readonly cellChanged: boolean;
}

/**
 * §10.3 on a network with the cell kind GMM_GUIDE: stage m's cell is replaced by
 * `sampleLike(cell, τ = 1.0)`. `mutateArch` runs with a sentinel cell for the cell kind; the
 * sentinel is then replaced by the generator's cell (in both halves of a §14 P7 split). Null when
 * the child breaks a domain rule or the generator returned no cell.
 */
export function gmmGuidedMutation(parent: Arch, space: SpaceContext, cells: CellGenerator, rng: Rng, temperature = GUIDE_TEMPERATURE): GuidedChild | null {
  const sentinel: Cell = { ...parent.stages[0]!.cell };
  let drawn = false;
  const child = mutateArch(parent, rng, {
    bounds: space.bounds,
    cellMutation: 'resample',
    resampleCell: () => {
      drawn = true;
      return sentinel;
    },
  });
  if (child === null) return null;
  const at = child.stages.findIndex((s) => s.cell === sentinel);
  if (at < 0) return { arch: child, cellChanged: false };
  // Stages before m are untouched, so the sentinel's first position is m in the parent too.
  const [cell] = cells.sampleLike(parent.stages[at]!.cell, 1, { temperature, seed: rng.nextUint32() });
  if (!cell) return null;
  const stages: Stage[] = child.stages.map((s) => (s.cell === sentinel ? { ...s, cell } : s));
  const arch: Arch = { ...child, stages };
  return validateArch(arch, space.bounds).length === 0 ? { arch, cellChanged: drawn } : null;
}

export interface Member<T> {
  readonly item: T;
  readonly fitness: number;
  readonly id: number;
}

/**
 * The population of method.md §11.2–11.3: a uniformly random parent, and when it grows past
 * `capacity` the member with the lowest fitness leaves (the older among equals).
 */
export class RemoveWorstPopulation<T> {
  private members: Member<T>[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`population must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.members.length;
  }

  add(member: Member<T>): void {
    this.members.push(member);
    while (this.members.length > this.capacity) {
      let worst = 0;
      for (let i = 1; i < this.members.length; i++) if (this.members[i]!.fitness < this.members[worst]!.fitness) worst = i;
      this.members.splice(worst, 1);
    }
  }

  pick(rng: Rng): Member<T> {
    return rng.pick(this.members);
  }

  all(): readonly Member<T>[] {
    return this.members;
  }

  clear(): void {
    this.members = [];
  }
}

/** A successful evaluation with a finite fitness (the only kind that may become a parent). */
export function usable(e: Evaluation): e is Evaluation & { fitness: number } {
  return e.ok && e.fitness !== null && Number.isFinite(e.fitness);
}
