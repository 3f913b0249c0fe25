/**
 * One test per kind of bad input. Positions are counted by hand in the YAML below:
 * line = index in `lines(...)` + 1, column = characters before the token + 1.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatIssues } from '../../plugin/recipe/load.js';
import { issueAt, issuesOf, lines, rejectionOf, tempProject } from './helpers.js';

describe('loadRecipe rejects bad input with path, line:column and what is expected', () => {
  test('YAML syntax error: position from the parser', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //             line 1
        '  id: mnist', //       line 2
        'search:', //           line 3
        '  fitness: tcet: x', // line 4: "  fitness: " is 11 characters, the nested key starts at column 12
      ),
    );
    const issue = issueAt(issues, '');
    expect([issue.line, issue.column]).toEqual([4, 12]);
    expect(issue.message).toContain('YAML syntax error');
    expect(issue.message).toContain('Nested mappings are not allowed');
  });

  test('empty file', async () => {
    const issue = issueAt(await issuesOf('# only a comment\n'), '');
    expect(issue.message).toContain('the recipe is empty');
    expect(issue.hint).toContain('task: { id: mnist }');
  });

  test('top level not a mapping', async () => {
    const issue = issueAt(await issuesOf(lines('- task', '- space')), '');
    expect([issue.line, issue.column]).toEqual([1, 1]);
    expect(issue.message).toContain('must be a mapping of sections');
    expect(issue.message).toContain('got a list');
  });

  test('duplicate keys', async () => {
    const issues = await issuesOf(lines('task:', '  id: mnist', 'seed: 1', 'seed: 2'));
    const issue = issueAt(issues, 'seed');
    expect([issue.line, issue.column]).toEqual([4, 1]);
    expect(issue.message).toContain("duplicate key 'seed' (first given at line 3:1)");
  });

  test('wrong types: a word for an integer, a YAML 1.1 boolean, a scalar for a section', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //           line 1
        '  id: mnist', //     line 2
        'runtime:', //        line 3
        '  workers: two', //  line 4: value at column 12
        'space:', //          line 5
        '  se: yes', //       line 6: value at column 7
        'output: runs', //    line 7: value at column 9
      ),
    );
    const workers = issueAt(issues, 'runtime.workers');
    expect([workers.line, workers.column]).toEqual([4, 12]);
    expect(workers.message).toBe('must be an integer in [1, 1024], got "two"');
    const se = issueAt(issues, 'space.se');
    expect([se.line, se.column]).toEqual([6, 7]);
    expect(se.message).toBe('must be true or false, got "yes"');
    expect(se.hint).toContain('write true or false');
    const output = issueAt(issues, 'output');
    expect([output.line, output.column]).toEqual([7, 9]);
    expect(output.message).toMatch(/^must be a mapping with keys: dir, saveModel, progress, got "runs"$/);
  });

  test('unknown keys with did-you-mean, at the key', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //              line 1
        '  id: mnist', //        line 2
        'costraints:', //        line 3, column 1
        '  params: 100k', //     line 4
        'search:', //            line 5
        '  budget:', //          line 6
        '    evaluatons: 10', // line 7: key at column 5
      ),
    );
    const top = issueAt(issues, 'costraints');
    expect([top.line, top.column]).toEqual([3, 1]);
    expect(top.message).toBe("unknown key 'costraints' at the top level");
    expect(top.hint).toBe("did you mean 'constraints'?");
    const nested = issueAt(issues, 'search.budget.evaluatons');
    expect([nested.line, nested.column]).toEqual([7, 5]);
    expect(nested.hint).toBe("did you mean 'evaluations'?");
  });

  test('enum typo with did-you-mean', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //              line 1
        '  id: mnsit', //        line 2: value at column 7
        'search:', //            line 3
        '  method: hgnass', //   line 4: value at column 11
        'space:', //             line 5
        '  ops: [conv, sepconv]', // line 6: "  ops: [conv, " is 14 characters → item 1 at column 15
      ),
    );
    const id = issueAt(issues, 'task.id');
    expect([id.line, id.column]).toEqual([2, 7]);
    expect(id.hint).toBe("did you mean 'mnist'?");
    const method = issueAt(issues, 'search.method');
    expect([method.line, method.column]).toEqual([4, 11]);
    expect(method.message).toBe('must be one of random, hgnas, hgnas-ea, zen-nas, zico, tcet-ea, got "hgnass"');
    expect(method.hint).toBe("did you mean 'hgnas'?");
    const op = issueAt(issues, 'space.ops[1]');
    expect([op.line, op.column]).toEqual([6, 15]);
    expect(op.hint).toBe("did you mean 'sep_conv'?");
  });

  test('negative and zero numbers', async () => {
    const issues = await issuesOf(
      lines(
        'seed: -1', //            line 1: value at column 7
        'task:', //               line 2
        '  id: mnist', //         line 3
        'search:', //             line 4
        '  batch: 0', //          line 5: value at column 10
        'evaluation:', //         line 6
        '  train:', //            line 7
        '    lr: -0.1', //        line 8: value at column 9
        'constraints:', //        line 9
        '  params: 0', //         line 10: value at column 11
      ),
    );
    const seed = issueAt(issues, 'seed');
    expect([seed.line, seed.column, seed.message]).toEqual([1, 7, 'must be an integer in [0, 4294967295], got -1']);
    const batch = issueAt(issues, 'search.batch');
    expect([batch.line, batch.column, batch.message]).toEqual([5, 10, 'must be a positive integer, got 0']);
    const lr = issueAt(issues, 'evaluation.train.lr');
    expect([lr.line, lr.column, lr.message]).toEqual([8, 9, 'must be a positive number, got -0.1']);
    const params = issueAt(issues, 'constraints.params');
    expect([params.line, params.column, params.message]).toEqual([10, 11, 'must be a positive integer, got 0']);
  });

  test('"1X" is not a human number', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //               line 1
        '  id: mnist', //         line 2
        'constraints:', //        line 3
        '  params: 1X', //        line 4: value at column 11
        'search:', //             line 5
        '  budget: { evaluations: 2.5.1k }', // line 6: "  budget: { evaluations: " is 25 characters → column 26
      ),
    );
    const params = issueAt(issues, 'constraints.params');
    expect([params.line, params.column]).toEqual([4, 11]);
    expect(params.message).toBe('must be a positive integer, got "1X"');
    expect(params.hint).toContain('100k, 1.5M, 450M, 2G, 1e6, 1_000_000');
    const evaluations = issueAt(issues, 'search.budget.evaluations');
    expect([evaluations.line, evaluations.column]).toEqual([6, 26]);
    expect(evaluations.message).toBe('must be a positive integer, got "2.5.1k"');
  });

  test('missing required task.id points at its section', async () => {
    const issue = issueAt(await issuesOf(lines('seed: 1', 'task:', '  data: null')), 'task.id');
    expect([issue.line, issue.column]).toEqual([2, 1]);
    expect(issue.message).toContain("required key 'id' is missing: one of mnist, cifar10");
  });

  test('split fractions not summing to 1', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //                                     line 1
        '  id: mnist', //                               line 2
        '  split: { train: 0.7, val: 0.2, test: 0.2 }', // line 3: the mapping starts at column 10
      ),
    );
    const issue = issueAt(issues, 'task.split');
    expect([issue.line, issue.column]).toEqual([3, 10]);
    // 0.7 + 0.2 + 0.2 = 1.1 by hand.
    expect(issue.message).toBe('fractions must sum to 1, got 0.7 + 0.2 + 0.2 = 1.1');
  });

  test('min > max', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //                            line 1
        '  id: mnist', //                      line 2
        'space:', //                           line 3
        '  channels: { min: 64, max: 32 }', // line 4: "  channels: { min: " is 19 characters → column 20
      ),
    );
    const issue = issueAt(issues, 'space.channels.min');
    expect([issue.line, issue.column]).toEqual([4, 20]);
    expect(issue.message).toBe('min (64) must be ≤ max (32)');
  });

  test('channel and head bounds not multiples of 8', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //                            line 1
        '  id: mnist', //                      line 2
        'space:', //                           line 3
        '  channels: { min: 12, max: 64 }', // line 4: min at column 20
        '  headWidth:', //                     line 5
        '    max: 100', //                     line 6: value at column 10
      ),
    );
    const channels = issueAt(issues, 'space.channels.min');
    expect([channels.line, channels.column, channels.message]).toEqual([4, 20, 'must be a multiple of 8 in [8, 1024], got 12']);
    const head = issueAt(issues, 'space.headWidth.max');
    expect([head.line, head.column, head.message]).toEqual([6, 10, 'must be a multiple of 8 in [8, 1024], got 100']);
  });

  test('duplicate and empty lists', async () => {
    const issues = await issuesOf(
      lines(
        'task:', //                    line 1
        '  id: mnist', //              line 2
        'space:', //                   line 3
        '  kernels: [3, 5, 3]', //     line 4: "  kernels: [3, 5, " is 18 characters → item 2 at column 19
        '  strides: []', //            line 5: value at column 12
      ),
    );
    const kernel = issueAt(issues, 'space.kernels[2]');
    expect([kernel.line, kernel.column, kernel.message]).toEqual([4, 19, '3 is listed twice, also as space.kernels[0]']);
    const strides = issueAt(issues, 'space.strides');
    expect([strides.line, strides.column]).toEqual([5, 12]);
    expect(strides.message).toContain('must not be empty');
  });

  test('a fixed-length list names its length: the proxy network has exactly 3 stages', async () => {
    const short = issueAt(await issuesOf(lines('task: { id: mnist }', 'pretrain:', '  proxyNetwork: { channels: [8, 16] }')), 'pretrain.proxyNetwork.channels');
    expect(short.message).toBe('must have at least 3 items, got 2: expected a list of exactly 3 values');
    const long = issueAt(await issuesOf(lines('task: { id: mnist }', 'pretrain:', '  proxyNetwork: { channels: [8, 16, 32, 64] }')), 'pretrain.proxyNetwork.channels');
    expect(long.message).toBe('must be a list of exactly 3 values, got a list ([8,16,32,64])');
  });

  test('total cells below the minimum number of stages; topK above the evaluations', async () => {
    const issues = await issuesOf(
      lines(
        'task: { id: mnist }', //                 line 1
        'space:', //                              line 2
        '  stages: { min: 4, max: 6 }', //        line 3
        '  totalCells: { max: 3 }', //            line 4: "  totalCells: { max: " is 21 characters → column 22
        'search:', //                             line 5
        '  budget: { evaluations: 2 }', //        line 6: "  budget: { evaluations: " is 25 characters → column 26
      ),
    );
    const cells = issueAt(issues, 'space.totalCells.max');
    expect([cells.line, cells.column]).toEqual([4, 22]);
    expect(cells.message).toContain('must be ≥ space.stages.min (4)');
    // search.topK keeps its default (3), so the issue points at the user's evaluations.
    const topK = issueAt(issues, 'search.budget.evaluations');
    expect([topK.line, topK.column]).toEqual([6, 26]);
    expect(topK.message).toBe('search.topK (3) must be ≤ search.budget.evaluations (2)');
  });

  test('missing data directory names the checked path and the base directory', async () => {
    const dir = tempProject({
      'recipes/r.yaml': lines(
        'task:', //                  line 1
        '  id: cifar10', //          line 2
        '  data: ../data/cifar', //  line 3: value at column 9
      ),
    });
    const issue = issueAt(await rejectionOf(join(dir, 'recipes/r.yaml')), 'task.data');
    expect([issue.line, issue.column]).toEqual([3, 9]);
    expect(issue.message).toContain(`data directory not found: ${join(dir, 'data/cifar')}`);
    expect(issue.message).toContain(`resolved against the recipe file's directory, ${join(dir, 'recipes')}`);
  });

  test('existing data directory and checkpoint resolve against the recipe file', async () => {
    const dir = tempProject({ 'recipes/r.yaml': lines('task: { id: cifar10, data: ../data }', 'generators: { checkpoint: ckpt }') });
    const issues = await rejectionOf(join(dir, 'recipes/r.yaml'));
    // data exists once created; the checkpoint directory does not.
    expect(issues.map((i) => i.path)).toEqual(['task.data', 'generators.checkpoint']);
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'recipes/ckpt'));
    const { loadRecipe } = await import('../../plugin/recipe/load.js');
    const loaded = await loadRecipe(join(dir, 'recipes/r.yaml'));
    expect(loaded.recipe.task.data).toBe(join(dir, 'data'));
    expect(loaded.recipe.generators.checkpoint).toBe(join(dir, 'recipes/ckpt'));
  });

  test('missing file and directory instead of file name the path', async () => {
    const dir = tempProject();
    const missing = issueAt(await rejectionOf('nope.yaml', { cwd: dir }), '');
    expect(missing.message).toBe(`recipe file not found: ${join(dir, 'nope.yaml')}`);
    expect(missing.line).toBeNull();
    const folder = issueAt(await rejectionOf(dir), '');
    expect(folder.message).toBe(`recipe path is a directory, not a file: ${dir}`);
  });

  test('every problem is reported at once, one formatted line each', async () => {
    const text = lines(
      'task:', //             line 1
      '  id: mnist', //       line 2
      'seed: x', //           line 3: value at column 7
      'costraints: {}', //    line 4
    );
    const issues = await issuesOf(text);
    expect(issues).toHaveLength(2);
    expect(formatIssues(issues, 'r.yaml').split('\n')).toEqual([
      'r.yaml:3:7: seed: must be an integer in [0, 4294967295], got "x"',
      "r.yaml:4:1: costraints: unknown key 'costraints' at the top level (did you mean 'constraints'?)",
    ]);
  });
});
