import type { Command } from 'commander';
import { loadRunRecipe } from '../../pipeline/recipe-checks.js';
import { addCommonOptions, printJson, recipeOverrides, DATA_OPTION, type CommonOptions } from '../shared.js';

export function registerValidateCommand(program: Command): void {
  addCommonOptions(
    program
      .command('validate')
      .description('check a recipe: YAML, schema, semantics, task and budget feasibility (exit 0 valid, 2 invalid)')
      .argument('<recipe>', 'YAML recipe')
      .option(...DATA_OPTION),
    { seed: true, overrides: true },
  ).action(async (recipePath: string, options: CommonOptions) => {
    const loaded = await loadRunRecipe(recipePath, recipeOverrides(options));
    if (options.json) printJson({ valid: true, recipe: loaded.recipe });
    else process.stdout.write(`${recipePath}: valid\n`);
  });
}
