import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatIssues, loadRecipe } from '../../plugin/recipe/load.js';
import { issueAt, lines, rejectionOf, tempProject } from './helpers.js';

const RECIPE = lines('task: { id: mnist }', 'search:', '  budget: { evaluations: 100 }', 'space:', '  ops: [conv]');

describe('--set overrides', () => {
  test('valid overrides are applied last, over the recipe', async () => {
    const dir = tempProject({ 'r.yaml': RECIPE });
    const { recipe } = await loadRecipe(join(dir, 'r.yaml'), {
      overrides: ['search.budget.evaluations=50', 'constraints.params=1.5M', 'space.ops=[conv, sep_conv]', 'seed=3', 'search.budget.seconds=120', 'output.dir=out'],
      cwd: dir,
    });
    expect(recipe.search.budget.evaluations).toBe(50);
    expect(recipe.search.budget.seconds).toBe(120);
    expect(recipe.constraints.params).toBe(1_500_000);
    expect(recipe.space.ops).toEqual(['conv', 'sep_conv']);
    expect(recipe.seed).toBe(3);
    expect(recipe.output.dir).toBe(join(dir, 'out'));
  });

  test('the later of two overrides of one field wins; null clears a limit', async () => {
    const dir = tempProject({ 'r.yaml': RECIPE });
    const { recipe } = await loadRecipe(join(dir, 'r.yaml'), { overrides: ['seed=1', 'seed=2', 'constraints.params=null'] });
    expect(recipe.seed).toBe(2);
    expect(recipe.constraints.params).toBeNull();
  });

  test('unknown paths get did-you-mean; paths through values and missing "=" are rejected', async () => {
    const dir = tempProject({ 'r.yaml': RECIPE });
    const issues = await rejectionOf(join(dir, 'r.yaml'), { overrides: ['search.methd=hgnas', 'seed.x=1', 'seed', 'space.ops[0]=conv'] });
    const methd = issueAt(issues, 'search.methd');
    expect([methd.origin, methd.line, methd.column]).toEqual(['set', null, null]);
    expect(methd.message).toBe("unknown key 'methd' in 'search'");
    expect(methd.hint).toBe("did you mean 'method'?");
    expect(issueAt(issues, 'seed.x').message).toContain("'seed' is a value, not a section");
    expect(issueAt(issues, 'seed').message).toContain('--set expects path=value');
    expect(issueAt(issues, 'space.ops[0]').hint).toContain('space.ops=[a, b]');
  });

  test('invalid override values are validated like recipe values and say (--set)', async () => {
    const dir = tempProject({ 'r.yaml': RECIPE });
    const issues = await rejectionOf(join(dir, 'r.yaml'), { overrides: ['runtime.workers=0', 'constraints.flops=2X'] });
    expect(issueAt(issues, 'runtime.workers').origin).toBe('set');
    expect(formatIssues(issues, 'r.yaml').split('\n').sort()).toEqual([
      'r.yaml (--set): constraints.flops: must be a positive integer, got "2X" (human numbers are accepted: 100k, 1.5M, 450M, 2G, 1e6, 1_000_000; null means no limit)',
      'r.yaml (--set): runtime.workers: must be an integer in [1, 1024], got 0',
    ]);
  });
});
