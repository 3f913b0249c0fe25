// Shared by the Optuna tests: tiny MNIST genotypes, candidates, and child processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candidate } from '../../../../plugin/search/types.js';
import { archFromJson, type ArchJson } from '../../../../plugin/space/arch-json.js';
import { archCost } from '../../../../plugin/space/cost.js';
import { archFingerprint } from '../../../../plugin/space/macro.js';

export const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const root = resolve(here, '..', '..', '..');
const registerTs = join(here, 'helpers', 'register-ts.mjs');
export const PYTHON = '/usr/bin/python3';

export function tempJournal(prefix = 'hgnas-optuna-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'journal.log');
}

/** A one-stage MNIST genotype: a single conv node, `channels` wide, kernel k. */
export function tinyArchJson(channels: number, kernel: 1 | 3 | 5 = 3, headWidth = 16): ArchJson {
  return {
    format: 'hgnas/arch@1',
    input: { height: 28, width: 28, channels: 1 },
    numClasses: 10,
    stemStride: 2,
    se: false,
    headWidth,
    stages: [
      {
        channels,
        stride: 2,
        repeats: 1,
        // in → n1 (conv k×k) → n2 (conv 1×1) → out; n3..n6 are isolated (their labels have no effect).
        cell: {
          nodes: [
            { op: 'conv', kernel, inputs: ['in'] },
            { op: 'conv', kernel: 1, inputs: ['n1'] },
            ...[3, 4, 5, 6].map(() => ({ op: 'conv' as const, kernel: 3 as const, inputs: [] })),
          ],
          output: ['n2'],
        },
      },
    ],
  };
}

export function tinyCandidate(id: number, channels: number, kernel: 1 | 3 | 5 = 3): Candidate {
  const arch = archFromJson(tinyArchJson(channels, kernel));
  return { id, arch, fingerprint: archFingerprint(arch), cost: archCost(arch), origin: 'test' };
}

/** What optuna_helper.py's objective returns for a genotype: Σ stage channels + head width. */
export function pythonObjective(doc: ArchJson): number {
  return doc.stages.reduce((s, st) => s + st.channels, 0) + doc.headWidth;
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a TypeScript file of this folder in a fresh Node process (asynchronously, so several can race). */
export function runTs(script: string, args: readonly string[]): Promise<ProcessResult> {
  return collect(spawn(process.execPath, ['--import', registerTs, join(here, script), ...args], { cwd: root }));
}

export function hgnasOptuna(args: readonly string[]): Promise<ProcessResult> {
  return runTs('helpers/hgnas-optuna-cli.ts', args);
}

export function python(args: readonly string[]): Promise<ProcessResult> {
  return collect(spawn(PYTHON, [join(here, 'optuna_helper.py'), ...args], { cwd: root }));
}

function collect(child: ReturnType<typeof spawn>): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Fails (never skips) with the fix when Debian's Optuna is missing. */
export function requireOptuna(): void {
  const r = spawnSync(PYTHON, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import optuna (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}).\n` +
        'The Optuna interop tests need Debian\'s python3-optuna: apt-get update && apt-get install -y python3-optuna',
    );
  }
}
