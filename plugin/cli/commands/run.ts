import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { runMainJob, type RunResult } from '../../pipeline/main-job.js';
import { generatorProvider } from '../../pipeline/load-generators.js';
import { loadRunRecipe } from '../../pipeline/recipe-checks.js';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createProgress } from '../../report/progress.js';
import { defaultRunPath, RunDir } from '../../report/run-dir.js';
import { addCommonOptions, printJson, recipeOverrides, DATA_OPTION, type CommonOptions } from '../shared.js';

interface RunOptions extends CommonOptions {
  readonly resume?: string;
  readonly optuna?: string;
}

export function registerRunCommand(program: Command): void {
  addCommonOptions(
    program
      .command('run')
      .description('validate the recipe, search an architecture, train the winner and report the test metric')
      .argument('<recipe>', 'YAML recipe, e.g. recipes/mnist.yaml')
      .option(...DATA_OPTION)
      .option('--resume <run-dir>', 'continue an interrupted run in that directory')
      .option('--optuna <journal-file>', 'also record the search as an Optuna study (JournalStorage file)'),
  ).action(async (recipePath: string, options: RunOptions) => {
    const loaded = await loadRunRecipe(recipePath, recipeOverrides(options));
    const recipe = loaded.recipe;
    if (options.resume && options.out) {
      throw new InputError('--resume and --out both name a run directory', 'use --resume <run-dir> alone to continue a run');
    }
    const createdHere = !options.resume && !(options.out !== undefined && existsSync(options.out));
    const runDir = options.resume
      ? RunDir.create(options.resume, { resume: true })
      : options.out
        ? RunDir.create(options.out)
        : RunDir.createUnique(defaultRunPath(recipe.output.dir, recipe.name));
    const progress = createProgress(options.json ? (recipe.output.progress === 'bar' ? 'plain' : recipe.output.progress) : recipe.output.progress);
    progress.log(`run directory: ${runDir.path}`);
    process.once('SIGINT', () => {
      // Candidates and search state are written after every round, so nothing scored is lost.
      process.stderr.write(`\ninterrupted: continue with  hgnas run ${recipePath} --resume ${runDir.path}\n`);
      process.exit(130);
    });
    const generators = generatorProvider({ pretrainDir: join(runDir.path, 'checkpoint'), progress });
    let result: RunResult;
    try {
      result = await runMainJob({ loaded, runDir, progress, generators, resume: Boolean(options.resume), ...(options.optuna ? { optuna: options.optuna } : {}) });
    } catch (error) {
      // Bad input found before the first search round (e.g. a corrupt checkpoint) leaves a fresh
      // directory that --resume cannot continue; remove it so the same command works once fixed.
      if (error instanceof InputError && createdHere && !existsSync(join(runDir.path, 'search-state.json')) && !existsSync(join(runDir.path, 'checkpoint'))) {
        rmSync(runDir.path, { recursive: true, force: true });
      }
      throw error;
    }
    if (options.json) {
      printJson({ runDir: runDir.path, ...result });
      return;
    }
    const m = result.metric;
    process.stdout.write(
      [
        '',
        `task ${result.task}: test ${m.name} ${m.value.toFixed(4)} (${m.direction === 'max' ? 'higher' : 'lower'} is better)`,
        `architecture: ${result.params} params (budget ${result.budget.params ?? 'none'}), ${(result.flops / 1e6).toFixed(2)} MFLOPs`,
        `search: ${result.search.evaluations} candidates scored by ${result.search.fitness} in ${result.costs.searchSeconds.toFixed(1)}s; training ${result.costs.trainSeconds.toFixed(1)}s; total ${result.costs.totalSeconds.toFixed(1)}s`,
        `backend ${result.backend.name}, seed ${result.seed}; results in ${runDir.path}`,
        '',
      ].join('\n'),
    );
  });
}
