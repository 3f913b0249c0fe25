/**
 * Piscina worker entry point: one tensor backend per thread, one job per call. A job that fails
 * for its candidate's own reasons (invalid genotype, NaN proxy, a layer that never fired) comes
 * back as `{ ok: false, reason }`; only infrastructure failures throw, and the pool retries those.
 */
import { threadId, workerData } from 'node:worker_threads';
import { initBackend } from '../plugin/nn/backend.js';
import { buildNetwork } from '../plugin/nn/network.js';
import { tf } from '../plugin/nn/tf.js';
import { scoreProxies } from '../plugin/proxies/registry.js';
import { archFromJson } from '../plugin/space/arch-json.js';
import type { Job, JobResult, WorkerSetup } from './protocol.js';

const setup = workerData as WorkerSetup;
let ready: Promise<string> | null = null;

function backendReady(): Promise<string> {
  ready ??= initBackend(setup.backend).then((info) => info.name);
  return ready;
}

export default async function runJob(job: Job): Promise<JobResult> {
  const backend = await backendReady();
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  if (job.fault === 'throw') throw new Error('injected fault');
  if (job.fault === 'crash') process.exit(70);
  if (job.fault === 'hang') await new Promise(() => undefined);

  let arch;
  try {
    arch = archFromJson(job.arch);
  } catch (error) {
    return { ok: false, reason: `invalid genotype: ${(error as Error).message}`, seconds: seconds() };
  }
  let net;
  try {
    net = buildNetwork(arch, { seed: job.seed });
  } catch (error) {
    return { ok: false, reason: `build failed: ${(error as Error).message}`, seconds: seconds() };
  }
  const { zcBatch } = setup;
  const x = tf.tensor4d(zcBatch.x, [...zcBatch.shape]);
  const y = tf.tensor1d(zcBatch.y, 'int32');
  const zcTask = zcBatch.task;
  const targets = zcTask ? tf.tensor2d(zcTask.targets, [zcBatch.shape[0], zcTask.targets.length / zcBatch.shape[0]]) : null;
  const task = zcTask && targets ? { task: { loss: zcTask.loss, targets, ...(zcTask.decode ? { decode: zcTask.decode } : {}) } } : {};
  try {
    const results = scoreProxies(net, { x, y, numClasses: zcBatch.numClasses, ...task }, job.proxies);
    const values: Record<string, number> = {};
    const perLayer: Record<string, Record<string, number>> = {};
    for (const [name, result] of Object.entries(results)) {
      if (!result.ok) return { ok: false, reason: `${name}: ${result.reason}`, seconds: seconds() };
      values[name] = result.value;
      if (result.perLayer) perLayer[name] = result.perLayer;
    }
    return { ok: true, values, perLayer, seconds: seconds(), backend, threadId };
  } finally {
    x.dispose();
    y.dispose();
    targets?.dispose();
    net.dispose();
  }
}
