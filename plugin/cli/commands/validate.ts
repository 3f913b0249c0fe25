import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { budgetProblems } from '../../pipeline/feasibility.js';
import { recipeBudget, spaceContext } from '../../pipeline/space-context.js';
import { loadRecipe } from '../../recipe/load.js';
import { loadTask } from '../../tasks/registry.js';
import { addCommonOptions, printJson, recipeOverrides, type CommonOptions } from '../shared.js';

export function registerValidateCommand(program: Command): void {
  addCommonOptions(
    program.command('validate').description('check a recipe: schema, semantics and budget feasibility').argument('<recipe>', 'YAML recipe'),
  ).action(async (recipePath: string, options: CommonOptions) => {
    const loaded = await loadRecipe(recipePath, { overrides: recipeOverrides(options) });
    const task = loadTask({ id: loaded.recipe.task.id, data: loaded.recipe.task.data, split: loaded.recipe.task.split });
    const problems = budgetProblems(spaceContext(loaded.recipe, task), recipeBudget(loaded.recipe));
    if (problems.length > 0) throw new InputError(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    if (options.json) printJson({ valid: true, recipe: loaded.recipe });
    else process.stdout.write(`${recipePath}: valid\n`);
  });
}
