/**
 * `hgnas pretrain`: the task-agnostic stages of method.md §6–§12 in order, each timed —
 * labelled cells (cell-level REA scored in the proxy network, streamed to disk and resumable),
 * unlabelled cells, graph VAE, GMM over predicted conditions, CCNF (every objective the recipe
 * lists; the first is kept), macro corpus and transformer — then the checks the issue asks for
 * (reconstruction, sample validity/uniqueness, held-out likelihood, condition following) and one
 * checkpoint directory.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { trainCcnf } from '../generators/ccnf-train.js';
import type { Ccnf } from '../generators/ccnf.js';
import { labelledCells, labelledDataset, unlabelledCells, type LabelledCell } from '../generators/cell-data.js';
import { PretrainedCellGenerator } from '../generators/cell-generator.js';
import { createCellScorer, type CellScorer } from '../generators/cell-scorer.js';
import { writeGeneratorCheckpoint } from '../generators/checkpoint.js';
import { buildCorpus } from '../generators/corpus.js';
import { fitGmm, predictCluster } from '../generators/gmm.js';
import { trainMacroLm } from '../generators/macro-lm-train.js';
import { MacroLanguageModel } from '../generators/macro-lm.js';
import type { Condition } from '../generators/types.js';
import { GraphVae, trainVae, vaeMetrics } from '../generators/vae.js';
import { initBackend } from '../nn/backend.js';
import { recipeToYaml } from '../recipe/index.js';
import type { Recipe } from '../recipe/types.js';
import type { Progress } from '../report/progress.js';
import { archCost } from '../space/cost.js';
import { cellFingerprint, validateCell } from '../space/cell.js';
import type { Cell } from '../space/types.js';
import { firstExamples } from '../tasks/batches.js';
import { loadTask } from '../tasks/registry.js';
import { mean, standardDeviation } from '../util/stats.js';
import { buildMacroCorpus, corpusSettings } from './macro-corpus.js';
import { spaceContext } from './space-context.js';
import { versions } from './versions.js';
import { proxyNetworkBuildArch } from '../generators/cell-scorer.js';

export interface PretrainOptions {
  readonly recipe: Recipe;
  readonly progress: Progress;
  /** Checkpoint directory (--out); null = recipe pretrain.output or <output.dir>/<name>-checkpoint. */
  readonly out: string | null;
  readonly resume: boolean;
}

export interface ConditionFollowing {
  readonly high: { readonly cluster: number; readonly labelledMeanTcet: number; readonly sampledMeanTcet: number; readonly sampledStd: number; readonly scored: number };
  readonly low: { readonly cluster: number; readonly labelledMeanTcet: number; readonly sampledMeanTcet: number; readonly sampledStd: number; readonly scored: number };
  /** sampled high − sampled low, its standard error and Welch t. */
  readonly difference: number;
  readonly standardError: number;
  readonly welchT: number;
}

export interface PretrainMetrics {
  readonly cells: { readonly unlabelled: number; readonly labelled: number; readonly heldOut: number };
  readonly vae: {
    readonly parameters: number;
    readonly epochsRun: number;
    readonly bestEpoch: number;
    readonly opKernelAccuracy: number;
    readonly activeOpKernelAccuracy: number;
    /** Training-set accuracies next to the held-out ones show the generalisation gap. */
    readonly trainOpKernelAccuracy: number;
    readonly trainEdgeAccuracy: number;
    readonly edgeAccuracy: number;
    readonly meanProbTrueEdges: number;
    readonly meanProbAbsentEdges: number;
    readonly validity: number;
    readonly exactMatch: number;
  };
  readonly gmm: { readonly components: number; readonly iterations: number; readonly converged: boolean; readonly meanLogLikelihood: number };
  /** Held-out negative log-likelihood (bits/dim, exact trace) per trained objective. */
  readonly ccnf: Record<string, { readonly heldOutBitsPerDim: number; readonly bestEpoch: number; readonly seconds: number }>;
  readonly samples: { readonly requested: number; readonly returned: number; readonly validAfterRepair: number; readonly unique: number; readonly decoded: number; readonly repairFailures: number };
  readonly conditionFollowing: ConditionFollowing | null;
  readonly macro: { readonly corpusLines: number; readonly finalLoss: number; readonly samples: number; readonly parsed: number; readonly unique: number };
}

export interface PretrainReport {
  readonly checkpoint: string;
  readonly metrics: PretrainMetrics;
  readonly costs: Record<string, number>;
  readonly summary: string[];
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** Seconds spent scoring labelled cells by earlier runs into the same directory (next to their stream). */
export const SCORING_COST_FILE = 'labelled-cells.cost.json';

function readScoringSeconds(file: string): number {
  if (!existsSync(file)) return 0;
  try {
    const seconds = (JSON.parse(readFileSync(file, 'utf8')) as { seconds?: unknown }).seconds;
    return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : 0;
  } catch {
    return 0; // a cost note cut short by a crash: the cells themselves are safe in the stream
  }
}

function checkpointDirectory(recipe: Recipe, out: string | null): string {
  return out ?? recipe.pretrain.output ?? join(recipe.output.dir, `${recipe.name}-checkpoint`);
}

/** Runs `fn`, recording its wall seconds under `name`. */
async function timed<T>(costs: Record<string, number>, name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    costs[name] = round((performance.now() - t0) / 1000, 1);
  }
}

export async function runPretrain(options: PretrainOptions): Promise<PretrainReport> {
  const { recipe, progress } = options;
  const p = recipe.pretrain;
  const dir = checkpointDirectory(recipe, options.out);
  if (existsSync(join(dir, 'manifest.json'))) {
    throw new InputError(`${dir}: already holds a finished checkpoint; it is not overwritten`, 'choose another directory with --out, or delete it first');
  }
  if (existsSync(join(dir, 'work')) && !options.resume) {
    throw new InputError(`${dir}: holds an unfinished pretraining`, `continue it with --resume, or choose another directory with --out`);
  }
  const costs: Record<string, number> = {};
  const started = performance.now();
  const backend = await initBackend(recipe.runtime.backend);
  const task = loadTask({ id: recipe.task.id, data: recipe.task.data, split: recipe.task.split });
  const space = spaceContext(recipe, task);
  const labels = { ops: space.ops, kernels: space.kernels };
  progress.log(`hgnas ${versions().hgnas} pretrain | checkpoint ${dir} | scoring batch: ${p.proxyNetwork.batch} ${task.id} images | backend ${backend.name} | seed ${recipe.seed}`);

  // --- cells (§6) -----------------------------------------------------------------------------
  const zc = firstExamples(task.splits.train, task.inputShape, p.proxyNetwork.batch);
  if (task.inputShape.height !== task.inputShape.width) {
    throw new InputError(`task.id: the proxy network needs square images, ${task.id} has ${task.inputShape.height}×${task.inputShape.width}`, 'pretrain on mnist or cifar10');
  }
  const scorer: CellScorer = await createCellScorer(
    { x: zc.x, y: zc.y, shape: [zc.count, task.inputShape.height, task.inputShape.width, task.inputShape.channels], numClasses: task.numClasses },
    {
      workers: recipe.runtime.workers,
      network: { stageChannels: p.proxyNetwork.channels, cellsPerStage: p.proxyNetwork.cellsPerStage, inputSize: task.inputShape.height, inputChannels: task.inputShape.channels, numClasses: task.numClasses },
      seed: recipe.seed,
      backend: recipe.runtime.backend,
      timeoutSeconds: recipe.runtime.jobTimeoutSeconds,
    },
  );
  let labelled: LabelledCell[];
  let conditionFollowingCells: { high: Cell[]; low: Cell[] } | null = null;
  let metrics: Partial<Record<keyof PretrainMetrics, unknown>> = {};
  try {
    const bar = progress.task('cells', p.cells.labelled, 'scored');
    // Scoring is the one stage a resumed build reads back instead of redoing; its seconds so far are
    // kept next to the stream, so the checkpoint's cost counts the scoring of every run that built it.
    const scoringCost = join(dir, 'work', SCORING_COST_FILE);
    const earlierScoring = readScoringSeconds(scoringCost);
    const scoringStarted = performance.now();
    const saveScoringSeconds = () => writeFileSync(scoringCost, `${JSON.stringify({ seconds: round(earlierScoring + (performance.now() - scoringStarted) / 1000, 1) })}\n`);
    labelled = await timed(costs, 'labelledCellsSeconds', () =>
      labelledCells(scorer.score, {
        directory: join(dir, 'work'),
        seed: recipe.seed,
        initial: p.cells.initial,
        population: p.cells.population,
        history: p.cells.labelled,
        maxParams: p.cells.maxProxyParams,
        paramsOf: (cell) => archCost(proxyNetworkBuildArch(cell, scorer.network)).params,
        labels,
        scoreBatch: 4 * recipe.runtime.workers,
        evolutionBatch: recipe.runtime.workers,
        onProgress: (e) => {
          bar.update(e.history, `${e.phase}${e.replayed > 0 ? `, ${e.replayed} read back` : ''}`);
          if (e.replayed < e.history) saveScoringSeconds();
        },
      }),
    );
    if (earlierScoring > 0) {
      costs.labelledCellsSeconds = round(earlierScoring + costs.labelledCellsSeconds!, 1);
      progress.log(`cells: ${earlierScoring.toFixed(1)} s of scoring by an earlier run counted in this checkpoint's cost`);
    }
    saveScoringSeconds();
    bar.finish(`${labelled.length} labelled cells`);
    const unlabelled = await timed(costs, 'unlabelledCellsSeconds', () => unlabelledCells({ count: p.cells.unlabelled, seed: recipe.seed + 1, labels }));
    const dataset = labelledDataset(labelled, { fraction: p.cells.heldOut, seed: 0 });
    metrics.cells = { unlabelled: unlabelled.length, labelled: labelled.length, heldOut: dataset.heldOut.cells.length };

    // --- graph VAE (§7) -------------------------------------------------------------------------
    const vae = GraphVae.create({ gcnLayers: p.vae.gcnLayers, hidden: p.vae.hidden, latent: p.vae.latent, decoderHidden: p.vae.decoderHidden }, recipe.seed);
    const vaeBar = progress.task('vae', p.vae.epochs, 'epochs');
    const vaeReport = await timed(costs, 'vaeSeconds', () =>
      trainVae(vae, { unlabelled, labelled: dataset.train.cells, conditions: dataset.train.conditions, heldOut: dataset.heldOut }, {
        epochs: p.vae.epochs,
        batchSize: Math.min(p.vae.batchSize, unlabelled.length),
        // A small labelled set still gets its triplet and MSE terms every step.
        labelledBatchSize: Math.min(p.vae.batchSize, dataset.train.cells.length),
        seed: recipe.seed,
        lr: p.vae.lr,
        minEpochs: p.vae.minEpochs,
        patience: p.vae.patience,
        onEpoch: (e) => vaeBar.update(e.epoch, `loss ${e.loss.toFixed(3)}, held-out ${e.heldOutLoss.toFixed(3)}`),
      }),
    );
    vaeBar.finish(`best epoch ${vaeReport.bestEpoch} of ${vaeReport.epochsRun}${vaeReport.stoppedEarly ? ' (early stop)' : ''}`);
    const vm = vaeMetrics(vae, dataset.heldOut.cells, labels);
    const trainVm = vaeMetrics(vae, dataset.train.cells, labels);
    metrics.vae = {
      parameters: vae.parameterCount(),
      epochsRun: vaeReport.epochsRun,
      bestEpoch: vaeReport.bestEpoch,
      opKernelAccuracy: round(vm.opKernelAccuracy),
      activeOpKernelAccuracy: round(vm.activeOpKernelAccuracy),
      trainOpKernelAccuracy: round(trainVm.opKernelAccuracy),
      trainEdgeAccuracy: round(trainVm.edgeAccuracy),
      edgeAccuracy: round(vm.edgeAccuracy),
      meanProbTrueEdges: round(vm.meanProbTrueEdges),
      meanProbAbsentEdges: round(vm.meanProbAbsentEdges),
      validity: round(vm.validity),
      exactMatch: round(vm.exactMatch),
    };
    progress.log(`vae: held-out op+kernel accuracy ${vm.opKernelAccuracy.toFixed(4)}, edge accuracy ${vm.edgeAccuracy.toFixed(4)}, exact reconstructions ${vm.exactMatch.toFixed(4)}`);

    // --- GMM over predicted conditions (§8) -----------------------------------------------------
    const unlabelledCodes = vae.encode(unlabelled);
    const labelledCodes = vae.encode(labelled.map((r) => r.cell));
    const gmmFit = await timed(costs, 'gmmSeconds', () =>
      fitGmm([...unlabelledCodes.condition, ...labelledCodes.condition], { components: p.gmm.components, seed: recipe.seed }),
    );
    const mixture = gmmFit.mixture;
    metrics.gmm = { components: p.gmm.components, iterations: gmmFit.iterations, converged: gmmFit.converged, meanLogLikelihood: round(gmmFit.logLikelihood) };
    progress.log(`gmm: ${p.gmm.components} clusters, ${gmmFit.iterations} EM iterations${gmmFit.converged ? '' : ' (not converged)'}, mean log-likelihood ${gmmFit.logLikelihood.toFixed(3)}`);

    // --- CCNF (§9): pairs (μ, ĉ) of the unlabelled cells; held out: the held-out labelled cells ---
    const heldOutCodes = vae.encode(dataset.heldOut.cells);
    const ccnfMetrics: Record<string, { heldOutBitsPerDim: number; bestEpoch: number; seconds: number }> = {};
    let kept: Ccnf | null = null;
    for (const objective of p.ccnf.objectives) {
      const epochs = objective === 'likelihood' ? p.ccnf.likelihoodEpochs : p.ccnf.epochs;
      const ccnfBar = progress.task(objective === 'likelihood' ? 'ccnf-lik' : 'ccnf-cfm', epochs, 'epochs');
      const t0 = performance.now();
      const trained = trainCcnf(unlabelledCodes.mu, unlabelledCodes.condition, {
        config: { latent: p.vae.latent, conditionDim: 4, hidden: p.ccnf.hidden, layers: p.ccnf.layers, objective },
        epochs,
        batchSize: Math.min(p.ccnf.batchSize, Math.max(2, Math.floor(unlabelled.length / 4))),
        seed: recipe.seed,
        heldOut: { latents: heldOutCodes.mu, conditions: heldOutCodes.condition },
        onEpoch: (e) => ccnfBar.update(e.epoch, `train ${e.trainLoss.toFixed(4)}, held-out ${e.heldOutLoss?.toFixed(4) ?? '-'}`),
      });
      const bits = trained.model.logLikelihood(heldOutCodes.mu, heldOutCodes.condition);
      const seconds = (performance.now() - t0) / 1000;
      costs[`ccnf-${objective}Seconds`] = round(seconds, 1);
      ccnfMetrics[objective] = { heldOutBitsPerDim: round(mean(Array.from(bits))), bestEpoch: trained.bestEpoch, seconds: round(seconds, 1) };
      ccnfBar.finish(`held-out NLL ${ccnfMetrics[objective]!.heldOutBitsPerDim.toFixed(4)} bits/dim (exact trace), best epoch ${trained.bestEpoch}`);
      if (kept === null) kept = trained.model;
      else trained.model.dispose();
    }
    metrics.ccnf = ccnfMetrics;
    const ccnf = kept!;
    const generator = new PretrainedCellGenerator({ vae, ccnf, mixture, labels, solver: p.ccnf.solver });

    // --- samples: validity after repair and uniqueness ------------------------------------------
    const samples = await timed(costs, 'samplingSeconds', () => {
      const perCluster = Math.ceil(p.evaluation.samples / p.gmm.components);
      const cells: Cell[] = [];
      for (let k = 0; k < p.gmm.components && cells.length < p.evaluation.samples; k++) {
        const want = Math.min(perCluster, p.evaluation.samples - cells.length);
        cells.push(...generator.sampleByCluster(k, want, { temperature: recipe.generators.cellTemperature, seed: recipe.seed * 7919 + k }));
      }
      return cells;
    });
    const validAfterRepair = samples.filter((c) => validateCell(c).length === 0).length;
    const unique = new Set(samples.map(cellFingerprint)).size;
    metrics.samples = {
      requested: p.evaluation.samples,
      returned: samples.length,
      validAfterRepair,
      unique,
      decoded: generator.counters.decoded,
      repairFailures: generator.counters.invalid,
    };

    // --- condition following: highest- vs lowest-TCET cluster -------------------------------------
    const clusterOfLabelled = labelledCodes.condition.map((c) => predictCluster(mixture, c));
    const clusterTcet = meanTcetByCluster(labelled, clusterOfLabelled, p.gmm.components);
    const ranked = clusterTcet.flatMap((m, k) => (m.count >= 3 ? [{ k, mean: m.mean }] : [])).sort((a, b) => b.mean - a.mean);
    if (ranked.length >= 2) {
      const high = ranked[0]!;
      const low = ranked[ranked.length - 1]!;
      conditionFollowingCells = {
        high: generator.sampleByCluster(high.k, p.evaluation.conditionCells, { temperature: recipe.generators.cellTemperature, seed: recipe.seed + 101 }),
        low: generator.sampleByCluster(low.k, p.evaluation.conditionCells, { temperature: recipe.generators.cellTemperature, seed: recipe.seed + 202 }),
      };
      const [highScores, lowScores] = await timed(costs, 'conditionFollowingSeconds', async () => [
        await scorer.score(conditionFollowingCells!.high),
        await scorer.score(conditionFollowingCells!.low),
      ]);
      metrics.conditionFollowing = conditionFollowing(high, low, highScores!, lowScores!);
    } else {
      metrics.conditionFollowing = null;
      progress.log('condition following: fewer than two clusters hold 3 labelled cells; not measured (raise pretrain.cells.labelled)');
    }

    // --- macro corpus and transformer (§12) -------------------------------------------------------
    const poolSize = 16;
    const cellPools = await timed(costs, 'cellPoolsSeconds', () =>
      Array.from({ length: p.gmm.components }, (_, k) => generator.sampleByCluster(k, poolSize, { temperature: recipe.generators.cellTemperature, seed: recipe.seed * 104729 + k })),
    );
    const overall = mean(clusterTcet.filter((m) => m.count > 0).map((m) => m.mean));
    const clusterScore = clusterTcet.map((m) => (m.count > 0 ? m.mean : overall));
    const corpusBar = progress.task('corpus', p.macro.records, 'records');
    const records = await timed(costs, 'corpusSeconds', () =>
      buildMacroCorpus({
        settings: corpusSettings(recipe, space.input, task.numClasses, space.stemStride),
        space,
        cellPools,
        clusterScore,
        records: p.macro.records,
        seed: recipe.seed,
        onProgress: (done) => corpusBar.update(done),
      }),
    );
    corpusBar.finish(`${records.length} in-budget records`);
    const lines = buildCorpus(records, recipe.seed, p.gmm.components);
    const macro = MacroLanguageModel.create({
      numClusters: p.gmm.components,
      transformer: { layers: p.macro.layers, width: p.macro.width, heads: p.macro.heads, mlp: p.macro.mlp, context: p.macro.context, dropout: p.macro.dropout },
      seed: recipe.seed,
    });
    const lmBar = progress.task('macro-lm', p.macro.steps, 'steps');
    const lm = await timed(costs, 'transformerSeconds', () =>
      trainMacroLm(macro, lines, { steps: p.macro.steps, batchSize: p.macro.batchSize, seed: recipe.seed, onStep: (s) => s.step % 10 === 0 && lmBar.update(s.step, `loss ${s.loss.toFixed(3)}`) }),
    );
    const finalLoss = mean(lm.losses.slice(-50));
    lmBar.finish(`final loss ${finalLoss.toFixed(3)} nats/token`);
    const prompt = { numClasses: task.numClasses, inputSize: task.inputShape.height, params: recipe.constraints.params, flops: recipe.constraints.flops, zcScore: null };
    const macroSamples = macro.sample(prompt, 200, { temperature: recipe.generators.macroTemperature, topK: recipe.generators.topK, seed: recipe.seed });
    metrics.macro = {
      corpusLines: lines.length,
      finalLoss: round(finalLoss),
      samples: 200,
      parsed: macroSamples.length,
      unique: new Set(macroSamples.map((g) => JSON.stringify(g))).size,
    };

    costs.totalSeconds = round((performance.now() - started) / 1000 + earlierScoring, 1);
    await writeGeneratorCheckpoint(dir, { vae, normaliser: dataset.normaliser, mixture, ccnf, ccnfObjective: p.ccnf.objectives[0]!, macro }, {
      versions: versions(),
      created: new Date().toISOString(),
      seed: recipe.seed,
      backend: { name: backend.name, detail: backend.detail },
      task: task.id,
      recipe: recipeToYaml(recipe),
      proxyNetwork: scorer.network,
      metrics,
      costs,
    });
  } finally {
    await scorer.close();
  }
  const m = metrics as PretrainMetrics;
  return { checkpoint: dir, metrics: m, costs, summary: summaryLines(m, costs) };
}

function meanTcetByCluster(labelled: readonly LabelledCell[], clusters: readonly number[], k: number): { mean: number; count: number }[] {
  const sums = Array.from({ length: k }, () => ({ sum: 0, count: 0 }));
  labelled.forEach((r, i) => {
    const tcet = r.score.tcet;
    if (tcet === undefined || !Number.isFinite(tcet)) return;
    sums[clusters[i]!]!.sum += tcet;
    sums[clusters[i]!]!.count++;
  });
  return sums.map((s) => ({ mean: s.count > 0 ? s.sum / s.count : Number.NaN, count: s.count }));
}

function conditionFollowing(
  high: { k: number; mean: number },
  low: { k: number; mean: number },
  highScores: readonly ({ tcet?: number } | null)[],
  lowScores: readonly ({ tcet?: number } | null)[],
): ConditionFollowing {
  const values = (scores: readonly ({ tcet?: number } | null)[]) => scores.flatMap((s) => (s?.tcet !== undefined && Number.isFinite(s.tcet) ? [s.tcet] : []));
  const h = values(highScores);
  const l = values(lowScores);
  const hs = standardDeviation(h);
  const ls = standardDeviation(l);
  const se = Math.sqrt((hs * hs) / Math.max(1, h.length) + (ls * ls) / Math.max(1, l.length));
  const difference = mean(h) - mean(l);
  return {
    high: { cluster: high.k, labelledMeanTcet: round(high.mean), sampledMeanTcet: round(mean(h)), sampledStd: round(hs), scored: h.length },
    low: { cluster: low.k, labelledMeanTcet: round(low.mean), sampledMeanTcet: round(mean(l)), sampledStd: round(ls), scored: l.length },
    difference: round(difference),
    standardError: round(se),
    welchT: round(se > 0 ? difference / se : Number.NaN, 2),
  };
}

function summaryLines(m: PretrainMetrics, costs: Record<string, number>): string[] {
  const lines = [
    `cells: ${m.cells.unlabelled} unlabelled, ${m.cells.labelled} labelled (${m.cells.heldOut} held out)`,
    `VAE (${m.vae.parameters} parameters, best epoch ${m.vae.bestEpoch}/${m.vae.epochsRun}): held-out op+kernel accuracy ${m.vae.opKernelAccuracy.toFixed(4)}, edge accuracy ${m.vae.edgeAccuracy.toFixed(4)} (target ≥ 0.95 each), active nodes only ${m.vae.activeOpKernelAccuracy.toFixed(4)}, exact ${m.vae.exactMatch.toFixed(4)}; on the labelled training cells ${m.vae.trainOpKernelAccuracy.toFixed(4)} / ${m.vae.trainEdgeAccuracy.toFixed(4)}`,
    ...Object.entries(m.ccnf).map(([objective, c]) => `CCNF ${objective}: held-out NLL ${c.heldOutBitsPerDim.toFixed(4)} bits/dim (exact trace, dopri5), best epoch ${c.bestEpoch}, ${c.seconds.toFixed(0)} s`),
    `samples: ${m.samples.returned}/${m.samples.requested} cells, valid after repair ${((100 * m.samples.validAfterRepair) / Math.max(1, m.samples.returned)).toFixed(1)}%, unique ${m.samples.unique} (${((100 * m.samples.unique) / Math.max(1, m.samples.returned)).toFixed(1)}%); ${m.samples.repairFailures} of ${m.samples.decoded} decodes failed repair and were redrawn`,
  ];
  const cf = m.conditionFollowing;
  if (cf !== null) {
    lines.push(
      `condition following (TCET in the proxy network): cluster ${cf.high.cluster} (labelled mean ${cf.high.labelledMeanTcet}) → sampled ${cf.high.sampledMeanTcet} ± ${cf.high.sampledStd} (n ${cf.high.scored}); cluster ${cf.low.cluster} (labelled mean ${cf.low.labelledMeanTcet}) → sampled ${cf.low.sampledMeanTcet} ± ${cf.low.sampledStd} (n ${cf.low.scored}); difference ${cf.difference} ± ${cf.standardError} (Welch t ${cf.welchT})`,
    );
  }
  lines.push(`macro transformer: ${m.macro.corpusLines} corpus lines, final loss ${m.macro.finalLoss} nats/token; ${m.macro.parsed}/${m.macro.samples} samples parse, ${m.macro.unique} unique`);
  lines.push(`time: ${Object.entries(costs).map(([k, v]) => `${k.replace(/Seconds$/, '')} ${v}s`).join(', ')}`);
  return lines;
}

export type { Condition };
