/** NAS-Bench-360 and CIFAR metrics (nas-bench-360.md §3–4). */
export type { MetricResult, MacroMetricResult, ScoreMetric } from './result.js';
export { lowerIsBetter, tableForm, type TableForm } from './table.js';
export { accuracy, errorPercent, argmaxRows } from './classification.js';
export { rocAuc, averagePrecision } from './ranking.js';
export { deepseaMacroAuroc, fsd50kClipScores, fsd50kMeanAveragePrecision } from './multilabel.js';
export {
  darcyRelativeL2,
  psicovMae,
  cosmicMetrics,
  type PsicovProtein,
  type PsicovMaeOptions,
  type PsicovMaeResult,
  type CosmicResult,
} from './dense.js';
export { ecgRecordF1, ecgWindowF1, macroF1, majorityVote, ECG_CLASSES } from './ecg.js';
export { darcyMetric, deepseaMetric, fsd50kMetric, cosmicMetric } from './score-metrics.js';
