/**
 * The pretrained cell generator the search uses (method.md §9.8): CCNF latents for a condition →
 * VAE decoder → masked argmax + repair (§9.9). Failed solves and cells that still fail validation
 * are failed tries; a call keeps drawing until it has n cells or its patience is spent, so every
 * cell it returns is valid.
 */
import type { CellLabelOptions } from '../space/sampler.js';
import type { Cell } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { Ccnf } from './ccnf.js';
import { predictCluster, type GaussianMixture } from './gmm.js';
import { OdeSolveError } from './ode.js';
import { decodeCell } from './repair.js';
import type { CellGenerator, CellSampleOptions, Condition, EncodedCell } from './types.js';
import type { GraphVae } from './vae.js';

export interface CellGeneratorParts {
  readonly vae: GraphVae;
  readonly ccnf: Ccnf;
  readonly mixture: GaussianMixture;
  /** Ops and kernels the decoder may emit (the recipe's space). */
  readonly labels?: CellLabelOptions;
  readonly solver?: 'dopri5' | 'rk4';
  /** Draw rounds per call before giving up on the missing cells. */
  readonly patience?: number;
}

export interface GeneratorCounters {
  solves: number;
  failedSolves: number;
  decoded: number;
  invalid: number;
}

function rows(flat: ArrayLike<number>, width: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let r = 0; r * width < flat.length; r++) out.push(Float32Array.from({ length: width }, (_, c) => flat[r * width + c]!));
  return out;
}

export class PretrainedCellGenerator implements CellGenerator {
  readonly numClusters: number;
  readonly counters: GeneratorCounters = { solves: 0, failedSolves: 0, decoded: 0, invalid: 0 };
  private readonly solver: 'dopri5' | 'rk4';
  private readonly patience: number;

  constructor(private readonly parts: CellGeneratorParts) {
    this.numClusters = parts.mixture.means.length;
    this.solver = parts.solver ?? 'dopri5';
    this.patience = parts.patience ?? 20;
  }

  clusterMeans(): readonly Condition[] {
    return this.parts.mixture.means.map((m) => [m[0]!, m[1]!, m[2]!, m[3]!] as const);
  }

  encode(cells: readonly Cell[]): EncodedCell[] {
    if (cells.length === 0) return [];
    const { mu, condition } = this.parts.vae.encode(cells);
    return mu.map((latent, i) => {
      const c = condition[i]!;
      return { latent, condition: [c[0]!, c[1]!, c[2]!, c[3]!] as const, cluster: predictCluster(this.parts.mixture, c) };
    });
  }

  sampleByCluster(cluster: number, n: number, options: CellSampleOptions): Cell[] {
    if (!Number.isInteger(cluster) || cluster < 0 || cluster >= this.numClusters) {
      throw new RangeError(`cell generator: cluster ${cluster} is outside 0..${this.numClusters - 1}`);
    }
    return this.sampleByCondition(this.clusterMeans()[cluster]!, n, options);
  }

  sampleLike(cell: Cell, n: number, options: CellSampleOptions): Cell[] {
    return this.sampleByCondition(this.encode([cell])[0]!.condition, n, options);
  }

  sampleByCondition(condition: Condition, n: number, options: CellSampleOptions): Cell[] {
    const out: Cell[] = [];
    const rng = new Rng(options.seed);
    for (let round = 0; round < this.patience && out.length < n; round++) {
      const want = n - out.length;
      const conditions = Array.from({ length: want }, () => [...condition]);
      let latents: Float32Array[];
      this.counters.solves++;
      try {
        latents = this.parts.ccnf.sample(conditions, {
          temperature: options.temperature,
          seed: rng.int(0, 2 ** 31 - 1),
          solver: this.solver,
        });
      } catch (error) {
        if (error instanceof OdeSolveError) {
          this.counters.failedSolves++;
          continue;
        }
        throw error;
      }
      for (const probs of this.parts.vae.decode(latents)) {
        this.counters.decoded++;
        const cell = decodeCell({ adj: rows(probs.adj, 9), feat: rows(probs.feat, 15) }, this.parts.labels);
        if (cell === null) this.counters.invalid++;
        else out.push(cell);
      }
    }
    return out;
  }
}
