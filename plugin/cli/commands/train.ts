import type { Command } from 'commander';
import { trainArchitecture } from '../../pipeline/main-job.js';
import { loadRunRecipe } from '../../pipeline/recipe-checks.js';
import { createProgress } from '../../report/progress.js';
import { defaultRunPath, RunDir } from '../../report/run-dir.js';
import { archFromJson } from '../../space/arch-json.js';
import { addCommonOptions, printJson, readJsonFile, recipeOverrides, DATA_OPTION, type CommonOptions } from '../shared.js';
import { InputError } from '../../errors.js';
import { taskFacts } from '../../tasks/registry.js';

interface TrainOptions extends CommonOptions {
  readonly recipe?: string;
}

export function registerTrainCommand(program: Command): void {
  addCommonOptions(
    program
      .command('train')
      .description("train an architecture with a recipe's task and training protocol and report the test metric")
      .argument('<arch.json>', 'architecture file (hgnas/arch@1)')
      .option('--recipe <recipe>', 'recipe with the task and evaluation.train settings', 'recipes/mnist.yaml')
      .option(...DATA_OPTION),
  ).action(async (path: string, options: TrainOptions) => {
    const arch = archFromJson(readJsonFile(path, 'architecture'));
    if (!options.recipe) throw new InputError('--recipe is required');
    const loaded = await loadRunRecipe(options.recipe, recipeOverrides(options));
    // Check the genotype fits the task before a run directory is created for it.
    const facts = taskFacts(loaded.recipe.task.id);
    const input = arch.input;
    if (facts && (input.height !== facts.inputShape.height || input.width !== facts.inputShape.width || input.channels !== facts.inputShape.channels || arch.numClasses !== facts.numClasses)) {
      throw new InputError(
        `${path}: the architecture expects ${input.height}×${input.width}×${input.channels} input and ${arch.numClasses} classes; task ${loaded.recipe.task.id} has ${facts.inputShape.height}×${facts.inputShape.width}×${facts.inputShape.channels} and ${facts.numClasses}`,
        'use a genotype made for this task (e.g. best.arch.json of a run on it), or a recipe whose task matches the genotype',
      );
    }
    const runDir = options.out ? RunDir.create(options.out) : RunDir.createUnique(defaultRunPath(loaded.recipe.output.dir, `${loaded.recipe.name}-train`));
    const progress = createProgress(loaded.recipe.output.progress);
    progress.log(`run directory: ${runDir.path}`);
    const result = await trainArchitecture(arch, loaded, runDir, progress);
    if (options.json) printJson({ runDir: runDir.path, ...result });
    else process.stdout.write(`test ${result.metric.name} ${result.metric.value.toFixed(4)}; results in ${runDir.path}\n`);
  });
}
