/**
 * Task ids → adapters. MNIST ships with the package; CIFAR-10/100 read the user's copy of the
 * official files (task.data); the other ids of the recipe schema arrive with their adapters.
 */
import { InputError } from '../errors.js';
import { loadCifarTask } from './cifar.js';
import { loadMnistTask, type SplitFractions } from './mnist.js';
import type { InputShape } from '../space/types.js';
import type { Task } from './types.js';

export interface TaskRequest {
  readonly id: string;
  readonly data: string | null;
  readonly split: SplitFractions;
}

/** What a task looks like to a network, known without reading its data (for recipe checks). */
export interface TaskFacts {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  readonly defaultStemStride: 1 | 2;
  /** True when the task reads the user's files (task.data / --data); false for embedded data. */
  readonly needsData: boolean;
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
