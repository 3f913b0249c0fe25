/**
 * The macro transformer's training corpus (method.md §12.6): in-budget records of cluster-level
 * evolutionary walks over several tasks and budgets. Each record's prompt carries the **measured**
 * params and FLOPs of the concrete network its skeleton produced (cells drawn per cluster from the
 * CCNF), so the model learns what a request yields.
 *
 * Scoring every record with TCET in a macro network would cost ~0.3 s each on 2 cores (thousands
 * of records), so the walks use a surrogate fitness instead: the sum over cell instances of their
 * cluster's TCET measured on the labelled cells in the proxy network. TCET is itself a sum over
 * layers, so — like the TCET-maximising searches whose records the paper's corpus holds — the
 * walks grow networks towards their params/FLOPs caps, and the corpus shows the transformer what
 * a budget near the cap yields. (A mean over cells, our first choice, ignored size: the records
 * stayed small and the model answered a 100 k-params MNIST prompt with 5 k-params networks.)
 * Records keep `tcet: null` (no zc_score in their lines) because the surrogate is not a measured TCET.
 */
import type { CorpusRecord } from '../generators/corpus.js';
import type { Recipe } from '../recipe/types.js';
import type { ClusterGenotype } from '../generators/types.js';
import { concreteArch, mutateClusterGenotype, randomClusterGenotype, RemoveWorstPopulation } from '../search/generative.js';
import type { SpaceContext } from '../search/random.js';
import { archCost } from '../space/cost.js';
import type { Cell, InputShape } from '../space/types.js';
import { Rng } from '../util/rng.js';

export interface CorpusTask {
  readonly input: InputShape;
  readonly numClasses: number;
  readonly stemStride: 1 | 2;
}

export interface CorpusSetting {
  readonly task: CorpusTask;
  /** Params cap of this walk; every record is within it. */
  readonly maxParams: number;
  /** FLOPs cap of this walk (null: none); every record is within it. */
  readonly maxFlops: number | null;
}

export interface MacroCorpusOptions {
  readonly settings: readonly CorpusSetting[];
  /** Template space: bounds, SE flag, ops (input, classes and stem come from each setting's task). */
  readonly space: SpaceContext;
  /** Cells sampled by the CCNF for each cluster (index = cluster id); empty pools are never drawn. */
  readonly cellPools: readonly (readonly Cell[])[];
  /** Surrogate quality of each cluster (higher is better), e.g. its labelled cells' mean TCET. */
  readonly clusterScore: readonly number[];
  readonly records: number;
  readonly seed: number;
  readonly population?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Σ over stages of repeats × the stage cluster's score: one term per cell instance, as TCET sums over layers. */
export function surrogateFitness(genotype: ClusterGenotype, score: readonly number[]): number {
  return genotype.stages.reduce((sum, s) => sum + s.repeats * score[s.cluster]!, 0);
}

function fingerprint(g: ClusterGenotype): string {
  return `${g.stages.map((s) => `${s.cluster}.${s.channels}.${s.stride}.${s.repeats}`).join('|')}|${g.headWidth}`;
}

/** Records of `records` in-budget genotypes, spread evenly over the settings. */
export function buildMacroCorpus(options: MacroCorpusOptions): CorpusRecord[] {
  const rng = new Rng(options.seed);
  const usableClusters = options.cellPools.flatMap((pool, k) => (pool.length > 0 ? [k] : []));
  if (usableClusters.length === 0) throw new Error('macro corpus: the CCNF produced no cells for any cluster');
  const numClusters = options.cellPools.length;
  const records: CorpusRecord[] = [];
  const perSetting = Math.ceil(options.records / options.settings.length);
  const seen = new Set<string>();

  for (const setting of options.settings) {
    const space: SpaceContext = { ...options.space, input: setting.task.input, numClasses: setting.task.numClasses, stemStride: setting.task.stemStride };
    const population = new RemoveWorstPopulation<ClusterGenotype>(options.population ?? 32);
    const target = Math.min(perSetting, options.records - records.length);
    let kept = 0;
    let tries = 0;
    // Draws outside the budget or with an empty cluster pool are not records; stop a setting whose
    // budget admits too little instead of looping for ever.
    const maxTries = 200 * target + 1000;
    while (kept < target && tries < maxTries) {
      tries++;
      const parent = population.size > 0 && rng.next() < 0.9 ? population.pick(rng).item : null;
      const genotype = parent === null ? randomClusterGenotype(space, numClusters, rng) : mutateClusterGenotype(parent, space, numClusters, rng);
      if (genotype === null) continue;
      if (genotype.stages.some((s) => options.cellPools[s.cluster]!.length === 0)) continue;
      const cells = genotype.stages.map((s) => rng.pick(options.cellPools[s.cluster]!));
      const cost = archCost(concreteArch(space, genotype, cells));
      if (cost.params > setting.maxParams || (setting.maxFlops !== null && cost.flops > setting.maxFlops)) continue;
      const fitness = surrogateFitness(genotype, options.clusterScore);
      population.add({ item: genotype, fitness, id: tries });
      const key = `${setting.task.numClasses}/${setting.task.input.height}/${cost.params}/${cost.flops}/${fingerprint(genotype)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      records.push({ numClasses: setting.task.numClasses, inputSize: setting.task.input.height, params: cost.params, flops: cost.flops, tcet: null, genotype });
      kept++;
      options.onProgress?.(records.length, options.records);
    }
  }
  return records;
}

/**
 * The corpus walks: the recipe's task plus the CIFAR-10/100 shapes, each under five log-spaced
 * params caps around constraints.params; with constraints.flops, every cap is walked a second time
 * under a FLOPs cap too, scaled to each task by its stem output area (FLOPs grow with it), so that
 * the corpus holds networks that a params-and-FLOPs prompt like the search's can be answered with.
 */
export function corpusSettings(recipe: Recipe, input: { height: number; width: number; channels: number }, numClasses: number, stemStride: 1 | 2): CorpusSetting[] {
  const tasks = [
    { input, numClasses, stemStride },
    { input: { height: 32, width: 32, channels: 3 }, numClasses: 10, stemStride: 1 as const },
    { input: { height: 32, width: 32, channels: 3 }, numClasses: 100, stemStride: 1 as const },
  ];
  const unique = tasks.filter((t, i) => tasks.findIndex((u) => JSON.stringify(u) === JSON.stringify(t)) === i);
  const top = recipe.constraints.params ?? 1_000_000;
  const caps = [top / 8, top / 4, top / 2, top, top * 2].map(Math.round);
  const flops = recipe.constraints.flops;
  const area = (t: CorpusTask): number => (t.input.height / t.stemStride) * (t.input.width / t.stemStride);
  return unique.flatMap((task) =>
    caps.flatMap((maxParams) => [
      { task, maxParams, maxFlops: null },
      ...(flops === null ? [] : [{ task, maxParams, maxFlops: Math.round((flops * area(task)) / area(tasks[0]!)) }]),
    ]),
  );
}
