import type { Command } from 'commander';
import { runPretrain } from '../../pipeline/pretrain.js';
import { loadRunRecipe } from '../../pipeline/recipe-checks.js';
import { createProgress } from '../../report/progress.js';
import { addCommonOptions, printJson, recipeOverrides, DATA_OPTION, type CommonOptions } from '../shared.js';

interface PretrainOptions extends CommonOptions {
  readonly resume?: boolean;
}

export function registerPretrainCommand(program: Command): void {
  addCommonOptions(
    program
      .command('pretrain')
      .description('build a generator checkpoint: cell data, graph VAE, GMM clusters, CCNF and macro transformer (method.md §6–§12)')
      .argument('<recipe>', 'YAML recipe with a pretrain section, e.g. recipes/pretrain.yaml')
      .option(...DATA_OPTION)
      .option('--resume', 'continue an interrupted pretraining in the same checkpoint directory (finished stages are reused)'),
  ).action(async (recipePath: string, options: PretrainOptions) => {
    const loaded = await loadRunRecipe(recipePath, recipeOverrides(options));
    const recipe = loaded.recipe;
    const progress = createProgress(options.json ? (recipe.output.progress === 'bar' ? 'plain' : recipe.output.progress) : recipe.output.progress);
    const report = await runPretrain({ recipe, progress, out: options.out ?? null, resume: Boolean(options.resume) });
    if (options.json) printJson(report);
    else process.stdout.write(`\n${report.summary.join('\n')}\n\ncheckpoint: ${report.checkpoint}\n`);
  });
}
