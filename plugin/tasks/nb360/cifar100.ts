/**
 * CIFAR-100 as NAS-Bench-360 defines it (nas-bench-360.md §3.1), task id `cifar100-permuted`:
 * the official python (or binary) files, train = training images 0..39 999, val = 40 000..49 999
 * (by index, unshuffled), test = the 10 000 test images; pixels scaled to [0, 1] and normalised
 * with the CIFAR-100 constants of the reference (mean (0.5071, 0.4867, 0.4408), std (0.2675,
 * 0.2565, 0.2761)), not the CIFAR-10 ones of method.md that task `cifar100` uses. The files may
 * sit in `<data>/cifar-100/` (the benchmark's layout) or in `<data>` itself.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCifarTask } from '../cifar.js';
import type { Task } from '../types.js';
import { checkOptions, type TaskOptions } from './common.js';

export const NB360_CIFAR100_MEAN = [0.5071, 0.4867, 0.4408] as const;
export const NB360_CIFAR100_STD = [0.2675, 0.2565, 0.2761] as const;

export function loadNb360Cifar100Task(data: string | null, options: TaskOptions = {}): Task {
  checkOptions('cifar100-permuted', options, []);
  const dir = data !== null && existsSync(join(data, 'cifar-100')) ? join(data, 'cifar-100') : data;
  return loadCifarTask('cifar100', dir, { id: 'cifar100-permuted', mean: NB360_CIFAR100_MEAN, std: NB360_CIFAR100_STD });
}
