/**
 * Task ids → adapters. MNIST ships with the package; CIFAR-10/100 read the user's copy of the
 * official files (task.data); the other ids of the recipe schema arrive with their adapters.
 */
import { InputError } from '../errors.js';
import { loadCifarTask } from './cifar.js';
import { loadMnistTask, type SplitFractions } from './mnist.js';
import { loadNb360Cifar100Task } from './nb360/cifar100.js';
import type { TaskOptions } from './nb360/common.js';
import { loadDarcyflowTask } from './nb360/darcyflow.js';
import { loadCosmicTask } from './nb360/cosmic.js';
import { loadDeepseaTask } from './nb360/deepsea.js';
import { loadEcgTask } from './nb360/ecg.js';
import { loadFsd50kTask } from './nb360/fsd50k.js';
import { loadNinaproTask } from './nb360/ninapro.js';
import { loadPsicovTask } from './nb360/psicov.js';
import { loadSatelliteTask } from './nb360/satellite.js';
import { loadSphericalTask } from './nb360/spherical.js';
import type { InputShape } from '../space/types.js';
import type { Task } from './types.js';

export interface TaskRequest {
  readonly id: string;
  readonly data: string | null;
  readonly split: SplitFractions;
  /** Adapter options (recipe `task.options`): split sizes, grid parameters; defaults are the real constants. */
  readonly options?: TaskOptions;
}

/** What a task looks like to a network, known without reading its data (for recipe checks). */
export interface TaskFacts {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  readonly defaultStemStride: 1 | 2;
  /** True when the task reads the user's files (task.data / --data); false for embedded data. */
  readonly needsData: boolean;
  /** Output head of the task's networks (absent = pooled). */
  readonly head?: 'pooled' | 'dense';
}

interface Adapter {
  readonly facts: TaskFacts;
  load(request: TaskRequest): Task;
}

const ADAPTERS: Readonly<Record<string, Adapter>> = {
  mnist: {
    facts: { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10, defaultStemStride: 1, needsData: false },
    load: (request) => loadMnistTask(request.split),
  },
  cifar10: {
    facts: { inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10, defaultStemStride: 1, needsData: true },
    load: (request) => loadCifarTask('cifar10', request.data),
  },
  cifar100: {
    facts: { inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 100, defaultStemStride: 1, needsData: true },
    load: (request) => loadCifarTask('cifar100', request.data),
  },
  // NAS-Bench-360 (nas-bench-360.md §3); facts give the real shapes (fixtures may shrink grids).
  'cifar100-permuted': {
    facts: { inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 100, defaultStemStride: 1, needsData: true },
    load: (request) => loadNb360Cifar100Task(request.data, request.options),
  },
  spherical: {
    facts: { inputShape: { height: 60, width: 60, channels: 3 }, numClasses: 100, defaultStemStride: 1, needsData: true },
    load: (request) => loadSphericalTask(request.data, request.options),
  },
  ninapro: {
    facts: { inputShape: { height: 16, width: 52, channels: 1 }, numClasses: 18, defaultStemStride: 1, needsData: true },
    load: (request) => loadNinaproTask(request.data, request.options),
  },
  fsd50k: {
    facts: { inputShape: { height: 96, width: 101, channels: 1 }, numClasses: 200, defaultStemStride: 1, needsData: true },
    load: (request) => loadFsd50kTask(request.data, request.options),
  },
  darcyflow: {
    facts: { inputShape: { height: 85, width: 85, channels: 3 }, numClasses: 1, defaultStemStride: 1, needsData: true, head: 'dense' },
    load: (request) => loadDarcyflowTask(request.data, request.options),
  },
  psicov: {
    facts: { inputShape: { height: 128, width: 128, channels: 57 }, numClasses: 1, defaultStemStride: 1, needsData: true, head: 'dense' },
    load: (request) => loadPsicovTask(request.data, request.options),
  },
  cosmic: {
    facts: { inputShape: { height: 128, width: 128, channels: 1 }, numClasses: 1, defaultStemStride: 1, needsData: true, head: 'dense' },
    load: (request) => loadCosmicTask(request.data, request.options),
  },
  satellite: {
    facts: { inputShape: { height: 1, width: 46, channels: 1 }, numClasses: 24, defaultStemStride: 1, needsData: true },
    load: (request) => loadSatelliteTask(request.data, request.options),
  },
  ecg: {
    facts: { inputShape: { height: 1, width: 1000, channels: 1 }, numClasses: 4, defaultStemStride: 1, needsData: true },
    load: (request) => loadEcgTask(request.data, request.options),
  },
  deepsea: {
    facts: { inputShape: { height: 1, width: 1000, channels: 4 }, numClasses: 36, defaultStemStride: 1, needsData: true },
    load: (request) => loadDeepseaTask(request.data, request.options),
  },
};

export function taskFacts(id: string): TaskFacts | null {
  return ADAPTERS[id]?.facts ?? null;
}

export function availableTasks(): string[] {
  return Object.keys(ADAPTERS);
}

export function loadTask(request: TaskRequest): Task {
  const adapter = ADAPTERS[request.id];
  if (!adapter) {
    throw new InputError(
      `task.id: no adapter for task '${request.id}' in this version of hgnas`,
      `available tasks: ${availableTasks().join(', ')}`,
    );
  }
  return adapter.load(request);
}
