import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { initBackend } from '../../nn/backend.js';
import { buildNetwork } from '../../nn/network.js';
import { tf } from '../../nn/tf.js';
import { listProxies, scoreProxies } from '../../proxies/registry.js';
import { archFromJson } from '../../space/arch-json.js';
import { archCost } from '../../space/cost.js';
import { firstExamples } from '../../tasks/batches.js';
import { loadTask } from '../../tasks/registry.js';
import { addCommonOptions, parseIntOption, printJson, readJsonFile, type CommonOptions } from '../shared.js';

interface ScoreOptions extends CommonOptions {
  readonly proxies?: string;
  readonly task?: string;
  readonly batch?: string;
  readonly repeats?: string;
  readonly backend?: string;
}

export function registerScoreCommand(program: Command): void {
  addCommonOptions(
    program
      .command('score')
      .description('zero-cost proxy scores, params and FLOPs of an architecture on a fixed batch of real task data')
      .argument('<arch.json>', 'architecture file (hgnas/arch@1)')
      .option('--proxies <a,b,...>', 'proxies to compute', 'tcet,nwot,snip-snr')
      .option('--task <id>', 'task whose training images form the batch', 'mnist')
      .option('--batch <n>', 'batch size (the first n training examples)', '64')
      .option('--repeats <r>', 'score r fresh initialisations (seed, seed+1, …) and report each', '1')
      .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto'),
    { seed: true },
  ).action(async (path: string, options: ScoreOptions) => {
    const names = (options.proxies ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new InputError('--proxies: name at least one proxy', `available: ${listProxies().join(', ')}`);
    const known = new Set(listProxies());
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) throw new InputError(`--proxies: unknown proxy ${unknown.join(', ')}`, `available: ${[...known].join(', ')}`);
    const batchSize = parseIntOption(options.batch, '--batch', 64, 2, 1024);
    const repeats = parseIntOption(options.repeats, '--repeats', 1, 1);
    const seed = parseIntOption(options.seed, '--seed', 0, 0);
    const backendName = options.backend ?? 'auto';
    if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backendName)) {
      throw new InputError(`--backend: must be auto, tensorflow, wasm or cpu, got "${backendName}"`);
    }
    const arch = archFromJson(readJsonFile(path, 'architecture'));
    const task = loadTask({ id: options.task ?? 'mnist', data: null, split: { train: 0.7, val: 0.1, test: 0.2 } });
    const s = arch.input;
    const t = task.inputShape;
    if (s.height !== t.height || s.width !== t.width || s.channels !== t.channels || arch.numClasses !== task.numClasses) {
      throw new InputError(
        `${path}: the architecture expects ${s.height}×${s.width}×${s.channels} input and ${arch.numClasses} classes, task ${task.id} has ${t.height}×${t.width}×${t.channels} and ${task.numClasses}`,
        'score it on a matching task (--task) or change the genotype input/numClasses',
      );
    }
    const backend = await initBackend(backendName as 'auto');
    const cost = archCost(arch);
    const zc = firstExamples(task.splits.train, task.inputShape, batchSize);
    const x = tf.tensor4d(zc.x, [zc.count, t.height, t.width, t.channels]);
    const y = tf.tensor1d(zc.y, 'int32');
    const runs: Record<string, number | string>[] = [];
    try {
      for (let r = 0; r < repeats; r++) {
        const net = buildNetwork(arch, { seed: seed + r });
        try {
          const results = scoreProxies(net, { x, y, numClasses: task.numClasses }, names);
          const row: Record<string, number | string> = { seed: seed + r };
          for (const [name, res] of Object.entries(results)) row[name] = res.ok ? res.value : `invalid: ${res.reason}`;
          runs.push(row);
        } finally {
          net.dispose();
        }
      }
    } finally {
      x.dispose();
      y.dispose();
    }
    const report = { arch: path, task: task.id, batch: zc.count, backend: backend.name, params: cost.params, flops: cost.flops, scores: runs };
    if (options.json) {
      printJson(report);
      return;
    }
    const lines = [`params ${cost.params}`, `FLOPs  ${cost.flops}`, `batch  ${zc.count} ${task.id} training images, backend ${backend.name}`];
    for (const row of runs) {
      lines.push(`seed ${row.seed}: ${names.map((n) => `${n} ${formatScore(row[n])}`).join(', ')}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

/** Integers (params, FLOPs) exactly; other scores to 6 significant digits; failures as given. */
function formatScore(value: number | string | undefined): string {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? String(value) : value.toPrecision(6);
}
