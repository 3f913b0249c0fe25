/**
 * In-process evaluation of a genotype for `hgnas worker`: build the network, score the proxies
 * on the task's first training images (the same batch and seed rule as `hgnas run`'s pool jobs,
 * so a worker reproduces the run's scores). In-process rather than through the Piscina pool:
 * a worker is one process per core on each machine, and scaling out is done by starting more
 * workers on the shared journal, not threads inside one.
 */
import { InputError } from '../../errors.js';
import { initBackend, type BackendPreference } from '../../nn/backend.js';
import { buildNetwork } from '../../nn/network.js';
import { tf } from '../../nn/tf.js';
import { listProxies, scoreProxies } from '../../proxies/registry.js';
import { archFromJson } from '../../space/arch-json.js';
import { archCost } from '../../space/cost.js';
import { firstExamples } from '../../tasks/batches.js';
import { loadTask } from '../../tasks/registry.js';
import type { Task } from '../../tasks/types.js';

export type GenotypeScore =
  | { readonly ok: true; readonly values: Record<string, number>; readonly params: number; readonly flops: number; readonly seconds: number }
  | { readonly ok: false; readonly reason: string; readonly seconds: number };

export interface GenotypeEvaluator {
  readonly task: Task;
  readonly backend: string;
  score(archDoc: unknown, seed: number): GenotypeScore;
  dispose(): void;
}

export function checkProxyNames(names: readonly string[]): void {
  const known = new Set(listProxies());
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new InputError(`unknown proxy ${unknown.join(', ')}`, `available: ${[...known].join(', ')}`);
}

export async function createGenotypeEvaluator(options: {
  readonly task: string;
  readonly proxies: readonly string[];
  readonly backend?: BackendPreference;
  readonly batchSize?: number;
}): Promise<GenotypeEvaluator> {
  checkProxyNames(options.proxies);
  const task = loadTask({ id: options.task, data: null, split: { train: 0.7, val: 0.1, test: 0.2 } });
  const backend = await initBackend(options.backend ?? 'auto');
  const shape = task.inputShape;
  const zc = firstExamples(task.splits.train, shape, options.batchSize ?? 64);
  const x = tf.tensor4d(zc.x, [zc.count, shape.height, shape.width, shape.channels]);
  const y = tf.tensor1d(zc.y, 'int32');
  return {
    task,
    backend: backend.name,
    score(archDoc, seed) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      let arch;
      try {
        arch = archFromJson(archDoc);
      } catch (error) {
        return { ok: false, reason: `invalid genotype: ${(error as Error).message}`, seconds: seconds() };
      }
      const a = arch.input;
      if (a.height !== shape.height || a.width !== shape.width || a.channels !== shape.channels || arch.numClasses !== task.numClasses) {
        return { ok: false, reason: `genotype is for ${a.height}×${a.width}×${a.channels} input with ${arch.numClasses} classes, task ${task.id} has ${shape.height}×${shape.width}×${shape.channels} and ${task.numClasses}`, seconds: seconds() };
      }
      const cost = archCost(arch);
      let net;
      try {
        net = buildNetwork(arch, { seed });
      } catch (error) {
        return { ok: false, reason: `build failed: ${(error as Error).message}`, seconds: seconds() };
      }
      try {
        const results = scoreProxies(net, { x, y, numClasses: task.numClasses }, options.proxies);
        const values: Record<string, number> = {};
        for (const [name, r] of Object.entries(results)) {
          if (!r.ok) return { ok: false, reason: `${name}: ${r.reason}`, seconds: seconds() };
          values[name] = r.value;
        }
        return { ok: true, values, params: cost.params, flops: cost.flops, seconds: seconds() };
      } catch (error) {
        return { ok: false, reason: `scoring failed: ${(error as Error).message}`, seconds: seconds() };
      } finally {
        net.dispose();
      }
    },
    dispose() {
      x.dispose();
      y.dispose();
    },
  };
}
