import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatIssues, loadRecipe, semanticChecks, type CheckContext, type SemanticCheck } from '../../plugin/recipe/load.js';
import { checkWorkers } from '../../plugin/recipe/semantic.js';
import type { Recipe, RecipeIssue } from '../../plugin/recipe/types.js';
import { issueAt, issuesOf, lines, rejectionOf, tempProject } from './helpers.js';

describe('semantic checks', () => {
  test('an integrator check passed to loadRecipe gets positioned issues', async () => {
    const budgetCheck: SemanticCheck = (recipe, ctx) =>
      recipe.constraints.params !== null && recipe.constraints.params < 1000 ? [ctx.issue('constraints.params', 'no network in the space is this small', 'raise the budget')] : [];
    const dir = tempProject({
      'r.yaml': lines(
        'task: { id: mnist }', // line 1
        'constraints:', //        line 2
        '  params: 0.5k', //      line 3: value at column 11
      ),
    });
    const issue = issueAt(await rejectionOf(join(dir, 'r.yaml'), { checks: [budgetCheck] }), 'constraints.params');
    expect([issue.line, issue.column, issue.message, issue.hint]).toEqual([3, 11, 'no network in the space is this small', 'raise the budget']);
    expect(semanticChecks).not.toContain(budgetCheck);
  });

  test('a default value in conflict is reported as (default) when no user value is involved', async () => {
    const check: SemanticCheck = (_recipe, ctx) => [ctx.issue(['search.population', 'search.tournament'], 'for the test')];
    const dir = tempProject({ 'r.yaml': lines('task: { id: mnist }') });
    const issues = await rejectionOf(join(dir, 'r.yaml'), { checks: [check] });
    expect(issues).toEqual([{ path: 'search.population', line: null, column: null, message: 'for the test', origin: 'default' }]);
    expect(formatIssues(issues, 'r.yaml')).toBe('r.yaml (default): search.population: for the test');
  });

  test('pretrain cell counts out of order: more initial cells than labelled, a population above the initial cells', async () => {
    const issues = await issuesOf(
      lines(
        'task: { id: mnist }', //                                        line 1
        'pretrain:', //                                                   line 2
        '  cells: { initial: 8, population: 10, labelled: 2 }', //       line 3: "  cells: { initial: " is 20 characters
      ),
    );
    const initial = issueAt(issues, 'pretrain.cells.initial');
    expect([initial.line, initial.column]).toEqual([3, 21]);
    expect(initial.message).toMatch(/^pretrain\.cells\.initial \(8\) must be ≤ pretrain\.cells\.labelled \(2\)/);
    expect(issueAt(issues, 'pretrain.cells.population').message).toMatch(/^pretrain\.cells\.population \(10\) must be ≤ pretrain\.cells\.initial \(8\)/);
  });

  test('tournament larger than population, warm-up longer than training, no budget at all', async () => {
    const issues = await issuesOf(
      lines(
        'task: { id: mnist }', //                                 line 1
        'search:', //                                              line 2
        '  population: 8', //                                      line 3
        '  tournament: 9', //                                      line 4: value at column 15
        '  budget: { evaluations: null, seconds: null }', //       line 5: evaluations at column 26
        'evaluation:', //                                          line 6
        '  train: { epochs: 2, warmupEpochs: 3 }', //              line 7: "  train: { epochs: 2, warmupEpochs: " is 36 characters
      ),
    );
    const tournament = issueAt(issues, 'search.tournament');
    expect([tournament.line, tournament.column, tournament.message]).toEqual([4, 15, 'search.tournament (9) must be ≤ search.population (8)']);
    const budget = issueAt(issues, 'search.budget.evaluations');
    expect([budget.line, budget.column]).toEqual([5, 26]);
    expect(budget.message).toContain('the search needs a budget');
    const warmup = issueAt(issues, 'evaluation.train.warmupEpochs');
    expect([warmup.line, warmup.column, warmup.message]).toEqual([7, 37, 'warmupEpochs (3) must be ≤ epochs (2)']);
  });

  test('workers below 1 (unreachable through the schema, checked for recipes built in code)', () => {
    const ctx: CheckContext = {
      issue: (paths, message): RecipeIssue => ({ path: typeof paths === 'string' ? paths : paths[0], line: null, column: null, message }),
      baseOf: () => ({ dir: '/', label: 'the working directory' }),
    };
    const recipe = { runtime: { workers: 0 } } as Recipe;
    expect(checkWorkers(recipe, ctx)).toEqual([{ path: 'runtime.workers', line: null, column: null, message: 'must be ≥ 1, got 0' }]);
  });

  test('a valid recipe passes every built-in check', async () => {
    const dir = tempProject({ 'r.yaml': lines('task: { id: mnist }', 'search: { budget: { evaluations: 3 } }') });
    await expect(loadRecipe(join(dir, 'r.yaml'))).resolves.toBeDefined();
  });
});
