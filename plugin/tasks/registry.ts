/**
 * Task ids → adapters. MNIST ships with the package; the other ids of the recipe schema read the
 * user's files and arrive with their adapters.
 */
import { InputError } from '../errors.js';
import { loadMnistTask, type SplitFractions } from './mnist.js';
import type { Task } from './types.js';

export interface TaskRequest {
  readonly id: string;
  readonly data: string | null;
  readonly split: SplitFractions;
}

const ADAPTERS: Readonly<Record<string, (request: TaskRequest) => Task>> = {
  mnist: (request) => loadMnistTask(request.split),
};

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
  return adapter(request);
}
