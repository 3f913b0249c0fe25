import { loadGenerators } from '../../pipeline/load-generators.js';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { runCompare } from '../../pipeline/compare.js';
import { createProgress } from '../../report/progress.js';
import { addCommonOptions, printJson, recipeOverrides, DATA_OPTION, type CommonOptions } from '../shared.js';

interface CompareCliOptions extends CommonOptions {
  readonly methods?: string;
  readonly seeds?: string;
}

export function registerCompareCommand(program: Command): void {
  addCommonOptions(
    program
      .command('compare')
      .description('run several search methods × seeds under the same budget and training protocol, and write a leaderboard')
      .argument('<recipe>', 'YAML recipe shared by every run, e.g. recipes/mnist.yaml')
      .requiredOption('--methods <list>', 'comma-separated search methods, e.g. random,zen-nas')
      .option('--seeds <n>', 'seeds per method: the recipe seed, seed + 1, …', '1')
      .option(...DATA_OPTION),
    { out: true, seed: false, overrides: true },
  ).action(async (recipePath: string, options: CompareCliOptions) => {
    const methods = (options.methods ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
    const seeds = parseSeeds(options.seeds);
    const progress = createProgress(options.json ? 'plain' : 'auto');
    process.once('SIGINT', () => {
      // Finished runs are kept and interrupted ones continue from their last search round.
      process.stderr.write(`\ninterrupted: continue with the same command and --out <the compare directory printed above>\n`);
      process.exit(130);
    });
    const outcome = await runCompare({
      recipePath,
      methods,
      seeds,
      overrides: recipeOverrides(options),
      progress,
      generators: loadGenerators,
      ...(options.out !== undefined ? { out: options.out } : {}),
    });
    if (options.json) {
      printJson({ dir: outcome.dir, runs: outcome.runs, leaderboard: outcome.leaderboard });
      return;
    }
    const board = outcome.leaderboard;
    const lines = board.methods.map(
      (s) => `${String(s.rank).padStart(2)}. ${s.method.padEnd(10)} test ${board.metric.name} ${s.metric.mean.toFixed(4)}${s.metric.std === null ? '' : ` ± ${s.metric.std.toFixed(4)}`} (${s.metric.n} run${s.metric.n === 1 ? '' : 's'})`,
    );
    process.stdout.write(['', ...lines, '', `leaderboard: ${outcome.dir}/leaderboard.md (.csv, .json)`, ''].join('\n'));
  });
}

function parseSeeds(value: string | undefined): number {
  const text = (value ?? '1').trim();
  if (!/^-?\d+$/.test(text) || Number(text) < 1) throw new InputError(`--seeds: must be an integer ≥ 1, got "${value}"`, 'pass --seeds 1 or more');
  return Number(text);
}
