/**
 * The worker pool: Piscina threads, each with its own tensor backend. A job that throws, crashes
 * its thread or runs past the timeout is retried once, then reported as failed; the pool never
 * hangs the process (close() tears every thread down).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Job, JobResult, WorkerSetup } from './protocol.js';

export interface PoolOptions {
  readonly workers: number;
  readonly setup: WorkerSetup;
  readonly timeoutSeconds: number;
  /** Extra attempts after the first (the recipe's runtime.retries, 1 by default). */
  readonly retries: number;
}

/** The compiled worker; vitest runs this file from source, so look in dist/ then. */
export function workerFilename(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts')
    ? resolve(dirname(here), '..', 'dist', 'runners', 'worker.js')
    : resolve(dirname(here), 'worker.js');
  if (!existsSync(file)) {
    throw new Error(`worker script ${file} is missing: run \`npm run build\` first`);
  }
  return file;
}

export class WorkerPool {
  private readonly piscina: Piscina;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    if (options.workers < 1) throw new RangeError('a pool needs at least one worker');
    this.piscina = new Piscina({
      filename: workerFilename(),
      minThreads: options.workers,
      maxThreads: options.workers,
      // One job per thread at a time: tensor work is CPU-bound and each thread owns a backend.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      workerData: options.setup,
    });
  }

  get size(): number {
    return this.options.workers;
  }

  async run(job: Job): Promise<JobResult> {
    const attempts = 1 + this.options.retries;
    const started = performance.now();
    const errors: string[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closed) break;
      try {
        const result = (await this.piscina.run(job, {
          signal: AbortSignal.timeout(this.options.timeoutSeconds * 1000),
        })) as JobResult;
        return result;
      } catch (error) {
        errors.push(describeFailure(error, this.options.timeoutSeconds));
      }
    }
    return {
      ok: false,
      reason: `worker failed ${errors.length} time(s): ${errors.join('; ') || 'pool closed'}`,
      seconds: (performance.now() - started) / 1000,
      attempts: errors.length,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}

function describeFailure(error: unknown, timeoutSeconds: number): string {
  const e = error as { name?: string; message?: string; code?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || /abort/i.test(e?.message ?? '')) {
    return `timed out after ${timeoutSeconds}s`;
  }
  return e?.message ? `${e.name ?? 'Error'}: ${e.message}` : String(error);
}
