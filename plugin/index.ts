/**
 * hgnas as a library: the same building blocks the `hgnas` command uses, for harnesses and
 * scripts that drive searches themselves (ask/tell) or score genotypes directly.
 */
export * from './space/index.js';
export * from './recipe/index.js';
export type { Candidate, Evaluation, SearchMethod } from './search/types.js';
export { RandomSearch, type SpaceContext, type RandomSearchOptions } from './search/random.js';
export { runSearch, type Evaluator, type SearchBudget, type SearchOutcome } from './search/driver.js';
export { budgetViolation, type Budget } from './search/budget.js';
export { initBackend, backendInfo, type BackendInfo, type BackendPreference } from './nn/backend.js';
export { buildNetwork } from './nn/network.js';
export type { Network, LayerInfo as NetworkLayer, ForwardOptions, ForwardResult, Mode } from './nn/types.js';
export { trainNetwork, evaluate, type TrainConfig, type TrainHistory } from './nn/train.js';
export { saveNetworkWeights, loadNetworkWeights, readNetworkMetadata } from './nn/weights-io.js';
export { scoreProxies, getProxy, listProxies } from './proxies/registry.js';
export type { Proxy, ProxyResult, ProxyBatch } from './proxies/types.js';
export { loadTask, availableTasks, taskFacts } from './tasks/registry.js';
export type { Task, Metric, Split } from './tasks/types.js';
export { runMainJob, trainArchitecture, type RunResult } from './pipeline/main-job.js';
export { loadRunRecipe } from './pipeline/recipe-checks.js';
export { WorkerPool } from '../runners/pool.js';
export { InputError } from './errors.js';
