/**
 * Deterministic stand-ins for the pretrained generators (plugin/generators/types.ts), for search
 * tests. Cluster k means "every intermediate node carries op OP_NAMES[k mod 9] with kernel
 * KERNEL_SIZES[floor(k / 9) mod 3]": cells are drawn by the space's own §2.8 sampler restricted
 * to that label, and `encode` reads the cluster back from the labels, so a test can check which
 * cluster a concrete cell came from without trusting the code under test.
 */
import type { CellGenerator, CellSampleOptions, ClusterGenotype, Condition, EncodedCell, MacroGenerator, MacroPrompt, MacroSampleOptions } from '../../plugin/generators/types.js';
import type { MacroBounds } from '../../plugin/space/macro.js';
import { activeIntermediates } from '../../plugin/space/cell.js';
import { sampleCell } from '../../plugin/space/sampler.js';
import { KERNEL_SIZES, OP_NAMES, type Cell } from '../../plugin/space/types.js';
import { Rng } from '../../plugin/util/rng.js';
import type { Candidate, Evaluation } from '../../plugin/search/types.js';
import type { SpaceContext } from '../../plugin/search/random.js';

/** The space of recipes/mnist.yaml (stride-2 stem, 1–3 stages, ≤ 8 cells, 16–64 channels). */
export const MNIST_RECIPE_SPACE: SpaceContext = {
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  stemStride: 2,
  se: false,
  bounds: { minStages: 1, maxStages: 3, maxTotalCells: 8, minChannels: 16, maxChannels: 64, maxRepeats: 3, strides: [1, 2], minHeadWidth: 16, maxHeadWidth: 128 },
  ops: [...OP_NAMES],
  kernels: [...KERNEL_SIZES],
};

export function clusterLabel(k: number): { op: (typeof OP_NAMES)[number]; kernel: (typeof KERNEL_SIZES)[number] } {
  return { op: OP_NAMES[k % 9]!, kernel: KERNEL_SIZES[Math.floor(k / 9) % 3]! };
}

/** The cluster a cell's labels say (first active node), by the rule above. */
export function clusterOfCell(cell: Cell): number {
  const v = activeIntermediates(cell)[0]!;
  return OP_NAMES.indexOf(cell.ops[v - 1]!) + 9 * KERNEL_SIZES.indexOf(cell.kernels[v - 1]!);
}

export interface CellCall {
  readonly kind: 'cluster' | 'like';
  readonly cluster: number;
  readonly n: number;
  readonly temperature: number;
}

export class FakeCellGenerator implements CellGenerator {
  readonly calls: CellCall[] = [];
  constructor(readonly numClusters: number) {
    if (numClusters > 27) throw new RangeError('the double labels at most 27 clusters');
  }

  clusterMeans(): readonly Condition[] {
    return Array.from({ length: this.numClusters }, (_, k) => [k / this.numClusters, 0.5, 0.5, 0.5] as const);
  }

  encode(cells: readonly Cell[]): EncodedCell[] {
    return cells.map((cell) => {
      const cluster = clusterOfCell(cell);
      return { latent: Float32Array.of(cluster, 0), condition: [cluster / this.numClusters, 0.5, 0.5, 0.5] as const, cluster };
    });
  }

  sampleByCluster(cluster: number, n: number, options: CellSampleOptions): Cell[] {
    this.calls.push({ kind: 'cluster', cluster, n, temperature: options.temperature });
    return this.draw(cluster, n, options.seed);
  }

  sampleLike(cell: Cell, n: number, options: CellSampleOptions): Cell[] {
    const cluster = clusterOfCell(cell);
    this.calls.push({ kind: 'like', cluster, n, temperature: options.temperature });
    return this.draw(cluster, n, options.seed);
  }

  sampleByCondition(condition: Condition, n: number, options: CellSampleOptions): Cell[] {
    const cluster = Math.min(this.numClusters - 1, Math.max(0, Math.round(condition[0] * this.numClusters)));
    return this.draw(cluster, n, options.seed);
  }

  private draw(cluster: number, n: number, seed: number): Cell[] {
    const rng = new Rng((seed ^ Math.imul(cluster + 1, 0x9e3779b1)) >>> 0);
    const { op, kernel } = clusterLabel(cluster);
    return Array.from({ length: n }, () => sampleCell(rng, { ops: [op], kernels: [kernel] }));
  }
}

/** Skeletons drawn from the seed: 1..3 stages within `bounds`, stride 1, 1..2 repeats, uniform clusters. */
export class FakeMacroGenerator implements MacroGenerator {
  readonly prompts: MacroPrompt[] = [];
  /** Every skeleton returned, per call. */
  readonly samples: ClusterGenotype[][] = [];
  constructor(
    readonly numClusters: number,
    private readonly bounds: MacroBounds,
  ) {}

  sample(prompt: MacroPrompt, n: number, options: MacroSampleOptions): ClusterGenotype[] {
    this.prompts.push(prompt);
    const rng = new Rng(options.seed);
    const b = this.bounds;
    const out: ClusterGenotype[] = [];
    for (let i = 0; i < n; i++) {
      const count = rng.int(1, Math.min(3, b.maxStages));
      const stages = Array.from({ length: count }, () => ({
        cluster: rng.int(0, this.numClusters - 1),
        channels: 8 * rng.int(b.minChannels / 8, Math.min(b.maxChannels, 64) / 8),
        stride: 1 as const,
        repeats: rng.int(1, Math.min(2, Math.floor(b.maxTotalCells / count))),
      }));
      out.push({ stages, headWidth: 8 * rng.int(b.minHeadWidth / 8, Math.min(b.maxHeadWidth, 64) / 8) });
    }
    this.samples.push(out);
    return out;
  }
}

/**
 * A deterministic stand-in for the worker pool: fitness from the fingerprint (distinct per
 * genotype), and about one candidate in sixteen fails (fingerprint starting with 'f').
 */
export function fakeEvaluate(candidates: readonly Candidate[]): Promise<Evaluation[]> {
  return Promise.resolve(
    candidates.map((candidate): Evaluation => {
      if (candidate.fingerprint.startsWith('f')) return { candidate, ok: false, fitness: null, proxies: {}, reason: 'fake: failed', seconds: 0 };
      const fitness = parseInt(candidate.fingerprint.slice(0, 8), 16) / 0x100000000;
      return { candidate, ok: true, fitness, proxies: { tcet: fitness }, seconds: 0 };
    }),
  );
}
