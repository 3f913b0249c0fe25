/**
 * The cell-level and macro-level generator interfaces the search methods use (design.md §5,
 * method.md §9.8, §12). They hide tensors: a search method asks for cells or macro skeletons and
 * gets plain genotypes back, so methods stay testable with simple deterministic doubles.
 */
import type { Cell } from '../space/types.js';

/** The 4-D condition of method.md §6.3, in normalised units ([0, 1] per dimension over the labelled set). */
export type Condition = readonly [snipSnr: number, nwot: number, params: number, flops: number];

export interface CellSampleOptions {
  /** Base-noise scale τ (method.md §9.8). */
  readonly temperature: number;
  /** Seed of this draw; the same seed gives the same cells. */
  readonly seed: number;
}

export interface EncodedCell {
  /** μ of the VAE encoder (inference mode). */
  readonly latent: Float32Array;
  /** regressor(μ), normalised units. */
  readonly condition: Condition;
  /** GMM cluster of the predicted condition. */
  readonly cluster: number;
}

/**
 * A pretrained cell generator (VAE + GMM + CCNF). Every returned cell is valid (decoded,
 * repaired to a fixed point and checked, method.md §9.9); a call may return fewer than `n`
 * cells only when every retry failed, never an invalid one.
 */
export interface CellGenerator {
  /** Number of GMM clusters (cluster ids are 0..numClusters-1). */
  readonly numClusters: number;
  /** GMM means in normalised condition units, one per cluster. */
  clusterMeans(): readonly Condition[];
  encode(cells: readonly Cell[]): EncodedCell[];
  sampleByCluster(cluster: number, n: number, options: CellSampleOptions): Cell[];
  /** Fresh cells with the same predicted ZC/cost profile as `cell` (not its neighbourhood in latent space). */
  sampleLike(cell: Cell, n: number, options: CellSampleOptions): Cell[];
  sampleByCondition(condition: Condition, n: number, options: CellSampleOptions): Cell[];
}

/** One stage of a cluster-level macro genotype (method.md §10.1). */
export interface ClusterStage {
  readonly cluster: number;
  readonly channels: number;
  readonly stride: 1 | 2;
  readonly repeats: number;
}

/** A cluster-level macro genotype: the completion of the transformer's text format (method.md §12.2). */
export interface ClusterGenotype {
  readonly stages: readonly ClusterStage[];
  readonly headWidth: number;
}

/** The prompt of method.md §12.2: task descriptors and budgets (null = no limit / not given). */
export interface MacroPrompt {
  readonly numClasses: number;
  readonly inputSize: number;
  readonly params: number | null;
  readonly flops: number | null;
  readonly zcScore: number | null;
}

export interface MacroSampleOptions {
  readonly temperature: number;
  readonly topK: number;
  readonly seed: number;
}

/** A trained macro transformer: samples always parse into valid genotypes (grammar-constrained). */
export interface MacroGenerator {
  readonly numClusters: number;
  sample(prompt: MacroPrompt, n: number, options: MacroSampleOptions): ClusterGenotype[];
}

/** One weight tensor as plain data, for checkpoints (written by generators/checkpoint.ts). */
export interface NamedTensorData {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
