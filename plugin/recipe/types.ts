/**
 * The fully-resolved recipe: what `loadRecipe` returns after defaults, project defaults, the
 * recipe file and `--set` overrides are merged, human numbers normalised, the schema checked and
 * relative paths resolved. Mirrors `schemas/recipe.schema.json` field for field; every field is
 * present, `null` where the recipe asks for "none".
 */
import type { KernelSize, OpName } from '../space/types.js';

export const TASK_IDS = [
  'mnist',
  'cifar10',
  'cifar100',
  'cifar100-permuted',
  'spherical',
  'ninapro',
  'fsd50k',
  'darcyflow',
  'psicov',
  'cosmic',
  'ecg',
  'satellite',
  'deepsea',
] as const;
export type TaskId = (typeof TASK_IDS)[number];

export const SEARCH_METHODS = ['random', 'hgnas', 'hgnas-ea', 'zen-nas', 'zico', 'tcet-ea'] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

export const FITNESS_NAMES = [
  'auto',
  'tcet',
  'snip-snr',
  'nwot',
  'zen',
  'zico',
  'synflow',
  'grad_norm',
  'snip',
  'jacov',
  'fisher',
  'params',
  'flops',
] as const;
export type FitnessName = (typeof FITNESS_NAMES)[number];

export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_NAMES)[number];

export const PROGRESS_MODES = ['auto', 'bar', 'plain', 'none'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export interface Range {
  min: number;
  max: number;
}

export interface TaskSection {
  id: TaskId;
  /** Absolute directory of the task's data files; null = embedded data. */
  data: string | null;
  split: { train: number; val: number; test: number };
  /** Adapter options (NAS-Bench-360 split sizes, grid stride); absent = the benchmark's constants. */
  options?: Record<string, number | string | boolean>;
  stemStride: 'auto' | 1 | 2;
}

export interface SpaceSection {
  stages: Range;
  totalCells: { max: number };
  repeats: { max: number };
  channels: Range;
  strides: Array<1 | 2>;
  headWidth: Range;
  ops: OpName[];
  kernels: KernelSize[];
  se: boolean;
}

export interface ConstraintsSection {
  params: number | null;
  flops: number | null;
  minParams: number | null;
}

export interface GeneratorsSection {
  /** 'builtin' or the absolute path of a checkpoint directory. */
  checkpoint: string;
  pretrain: boolean;
  cellTemperature: number;
  macroTemperature: number;
  topK: number;
}

/** `pretrain` (schema: recipe.schema.json#/properties/pretrain): sizes of every pretraining stage. */
export interface PretrainSection {
  /** Absolute checkpoint directory, or null for <output.dir>/<name>-checkpoint. */
  output: string | null;
  cells: { unlabelled: number; initial: number; population: number; labelled: number; maxProxyParams: number; heldOut: number };
  proxyNetwork: { channels: [number, number, number]; cellsPerStage: number; batch: number };
  vae: {
    gcnLayers: number;
    hidden: number;
    latent: number;
    decoderHidden: number;
    epochs: number;
    minEpochs: number;
    patience: number;
    batchSize: number;
    lr: number;
  };
  gmm: { components: number };
  ccnf: {
    objectives: Array<'flow-matching' | 'likelihood'>;
    hidden: number;
    layers: number;
    epochs: number;
    likelihoodEpochs: number;
    batchSize: number;
    solver: 'dopri5' | 'rk4';
  };
  macro: {
    records: number;
    layers: number;
    width: number;
    heads: number;
    mlp: number;
    context: number;
    dropout: number;
    steps: number;
    batchSize: number;
  };
  evaluation: { samples: number; conditionCells: number };
}

export interface SearchSection {
  method: SearchMethod;
  fitness: FitnessName;
  budget: { evaluations: number | null; seconds: number | null };
  batch: number;
  zcBatchSize: number;
  population: number;
  tournament: number;
  topK: number;
  maxSamplingTries: number;
  hgnas: HgnasSection;
  hgnasEa: HgnasEaSection;
}

export interface HgnasSection {
  proposalShare: number;
  sequences: number;
  perSequence: number;
  refine: boolean;
  refineTopK: number;
  refineSteps: number;
}

export interface HgnasEaSection {
  explorationShare: number;
  /** null = scaled from the exploration count. */
  population: number | null;
}

export interface TrainSection {
  epochs: number;
  batchSize: number;
  optimizer: 'sgd' | 'adamw';
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  schedule: 'cosine' | 'constant';
  warmupEpochs: number;
  labelSmoothing: number;
  bnMomentum: number;
  augment: { randomCrop: number; flip: boolean };
}

export interface EvaluationSection {
  rerank: { topK: number; epochs: number };
  train: TrainSection;
  /** Final training data (absent = 'train'); 'train+val' is NAS-Bench-360's final mode. */
  finalData?: 'train' | 'train+val';
  /** 'auto' or a metric name the task adapter knows. */
  metric: string;
}

export interface RuntimeSection {
  backend: BackendChoice;
  workers: number;
  jobTimeoutSeconds: number;
  retries: number;
}

export interface OutputSection {
  /** Absolute parent directory of run directories. */
  dir: string;
  saveModel: boolean;
  progress: ProgressMode;
}

export interface Recipe {
  version: 1;
  name: string;
  seed: number;
  description: string | null;
  task: TaskSection;
  space: SpaceSection;
  constraints: ConstraintsSection;
  pretrain: PretrainSection;
  generators: GeneratorsSection;
  search: SearchSection;
  evaluation: EvaluationSection;
  runtime: RuntimeSection;
  output: OutputSection;
}

/** One problem with a recipe, located as precisely as its origin allows. */
export interface RecipeIssue {
  /** Dotted path into the recipe, e.g. `constraints.params`, `space.ops[2]`; '' for the whole file. */
  path: string;
  /** 1-based position in the file the value came from; null for `--set` values and defaults. */
  line: number | null;
  column: number | null;
  /** What is wrong and what is expected, e.g. `must be a positive integer, got "1X"`. */
  message: string;
  /** How to fix it, e.g. `did you mean 'constraints'?`. */
  hint?: string;
  /** The file the value came from when it is not the recipe itself (project defaults). */
  file?: string;
  /** Set when the value did not come from a file. */
  origin?: 'set' | 'default';
}

export interface LoadedRecipe {
  recipe: Recipe;
  source: { path: string; text: string };
  /** The cosmiconfig project-defaults file merged under the recipe, when one was found. */
  projectDefaults?: { path: string };
}
