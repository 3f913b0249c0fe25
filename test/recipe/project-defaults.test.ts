import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatIssues, loadRecipe, RecipeError } from '../../plugin/recipe/load.js';
import { issueAt, lines, rejectionOf, tempProject } from './helpers.js';

describe('project defaults (cosmiconfig, module hgnas)', () => {
  test('hgnas.config.yaml in the project root is merged under the recipe, and the recipe wins', async () => {
    const dir = tempProject({
      'hgnas.config.yaml': lines('seed: 7', 'search:', '  budget: { evaluations: 20k }', 'runtime:', '  workers: 1', '  retries: 3'),
      'recipes/deep/r.yaml': lines('task: { id: mnist }', 'runtime:', '  workers: 4'),
    });
    const loaded = await loadRecipe(join(dir, 'recipes/deep/r.yaml'));
    expect(loaded.projectDefaults).toEqual({ path: join(dir, 'hgnas.config.yaml') });
    expect(loaded.recipe.seed).toBe(7);
    expect(loaded.recipe.search.budget.evaluations).toBe(20_000);
    expect(loaded.recipe.runtime.workers).toBe(4); // the recipe's value
    expect(loaded.recipe.runtime.retries).toBe(3); // the project's value, same section
    expect(loaded.recipe.runtime.jobTimeoutSeconds).toBe(600); // the schema default, same section
  });

  test('package.json#hgnas is read', async () => {
    const dir = tempProject({ 'r.yaml': lines('task: { id: mnist }') });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', hgnas: { search: { topK: 2 }, constraints: { params: '250k' } } }, null, 2));
    const loaded = await loadRecipe(join(dir, 'r.yaml'));
    expect(loaded.projectDefaults).toEqual({ path: join(dir, 'package.json') });
    expect(loaded.recipe.search.topK).toBe(2);
    expect(loaded.recipe.constraints.params).toBe(250_000);
  });

  test('.hgnasrc.json in the recipe directory is found before the project root', async () => {
    const dir = tempProject({
      'hgnas.config.yaml': 'seed: 1\n',
      'sub/.hgnasrc.json': '{ "seed": 2 }\n',
      'sub/r.yaml': lines('task: { id: mnist }'),
    });
    const loaded = await loadRecipe(join(dir, 'sub/r.yaml'));
    expect(loaded.projectDefaults?.path).toBe(join(dir, 'sub/.hgnasrc.json'));
    expect(loaded.recipe.seed).toBe(2);
  });

  test('problems in the defaults file are reported with its name and position', async () => {
    const dir = tempProject({
      '.hgnasrc.yaml': lines(
        'seed: -3', //          line 1: value at column 7
        'serach:', //           line 2: key at column 1
        '  topK: 2',
      ),
      'r.yaml': lines('task: { id: mnist }'),
    });
    const defaults = join(dir, '.hgnasrc.yaml');
    const issues = await rejectionOf(join(dir, 'r.yaml'));
    const seed = issueAt(issues, 'seed');
    expect([seed.file, seed.line, seed.column]).toEqual([defaults, 1, 7]);
    const unknown = issueAt(issues, 'serach');
    expect([unknown.file, unknown.line, unknown.column, unknown.hint]).toEqual([defaults, 2, 1, "did you mean 'search'?"]);
    expect(formatIssues(issues, 'r.yaml')).toContain(`${defaults}:1:7: seed: must be an integer`);
  });

  test('a syntax error in the defaults file names that file', async () => {
    const dir = tempProject({ 'hgnas.config.yml': 'seed: [1\n', 'r.yaml': lines('task: { id: mnist }') });
    const issue = issueAt(await rejectionOf(join(dir, 'r.yaml')), '');
    expect(issue.file).toBe(join(dir, 'hgnas.config.yml'));
    expect(issue.message).toContain('YAML syntax error');
  });

  test('a relative data path in the defaults file resolves against that file', async () => {
    const dir = tempProject({ 'hgnas.config.yaml': lines('task:', '  data: datasets/x'), 'recipes/r.yaml': lines('task: { id: cifar10 }') });
    try {
      await loadRecipe(join(dir, 'recipes/r.yaml'));
      expect.unreachable();
    } catch (error) {
      const issue = issueAt((error as RecipeError).issues, 'task.data');
      expect([issue.file, issue.line, issue.column]).toEqual([join(dir, 'hgnas.config.yaml'), 2, 9]);
      expect(issue.message).toContain(`not found: ${join(dir, 'datasets/x')}`);
      expect(issue.message).toContain(`the directory of ${join(dir, 'hgnas.config.yaml')}`);
    }
  });

  test('projectDefaults: false skips the search', async () => {
    const dir = tempProject({ 'hgnas.config.yaml': 'seed: 9\n', 'r.yaml': lines('task: { id: mnist }') });
    const loaded = await loadRecipe(join(dir, 'r.yaml'), { projectDefaults: false });
    expect(loaded.projectDefaults).toBeUndefined();
    expect(loaded.recipe.seed).toBe(0);
  });
});
