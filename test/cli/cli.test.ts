/**
 * The `hgnas` command as a user runs it (the compiled dist/ build): exit codes, messages that
 * name the place, and the reference-architecture import.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist', 'plugin', 'cli', 'main.js');
const fixture = join(root, 'test', 'fixtures', 'reference-architectures.json');

function hgnas(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function recipeFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hgnas-cli-'));
  const file = join(dir, 'recipe.yaml');
  writeFileSync(file, text);
  return file;
}

describe('hgnas validate', () => {
  it('accepts the embedded default recipe', () => {
    const r = hgnas(['validate', 'recipes/mnist.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
  });

  it.each([
    ['bad YAML', 'task:\n  id: mnist\nsearch: [unclosed\n', /recipe\.yaml:4:1: YAML syntax error/],
    ['wrong type', 'task:\n  id: mnist\nseed: many\n', /recipe\.yaml:3:7: seed: .*integer/],
    ['unknown key', 'task:\n  id: mnist\nserach:\n  batch: 4\n', /recipe\.yaml:3:1: serach: .*did you mean 'search'/],
    ['impossible budget', 'task:\n  id: mnist\nconstraints:\n  params: 300\n', /recipe\.yaml:4:11: constraints\.params: impossible budget.*at least 434/],
    ['missing data directory', 'task:\n  id: mnist\n  data: ./no-such-dir\n', /recipe\.yaml:3:9: task\.data: .*no-such-dir/],
  ])('rejects %s with exit code 2 and the place', (_kind, text, pattern) => {
    const r = hgnas(['validate', recipeFile(text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
  });

  it('rejects a missing recipe file with exit code 2', () => {
    const r = hgnas(['validate', 'recipes/does-not-exist.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does-not-exist\.yaml.*not found/);
  });

  it('rejects a bad --set override with exit code 2', () => {
    const r = hgnas(['validate', 'recipes/mnist.yaml', '--set', 'search.budget.evaluatons=5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean 'evaluations'/);
  });
});

describe('usage and path mistakes', () => {
  it('exit with code 2 and a one-line message, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['run'], /missing required argument/],
      [['validate', 'recipes/mnist.yaml', '--no-such-flag'], /unknown option/],
      [['no-such-command'], /unknown command/],
      [['inspect', 'recipes'], /is a directory/],
      [['score', 'recipes/mnist.yaml', '--batch', '100000'], /--batch: must be an integer in \[2, 1024\]/],
      [['arch', 'import', 'recipes/mnist.yaml', '--set', 'x'], /not a readable reference-architectures file/],
      [['run', 'recipes/mnist.yaml', '--out', 'package.json'], /is a file, expected a run directory/],
    ];
    for (const [args, pattern] of cases) {
      const r = hgnas(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });
});

describe('hgnas arch import / inspect', () => {
  it('imports CIFAR row 0 with 100 and 10 classes and ImageNet row 0 with the published parameter counts', () => {
    const cases: [string[], number][] = [
      [['--set', 'cifar-1m-params', '--row', '0', '--classes', '100'], 996_206],
      [['--set', 'cifar-1m-params', '--row', '0', '--classes', '10'], 992_516],
      [['--set', 'imagenet-450m-flops', '--row', '0'], 4_726_320],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-arch-'));
    for (const [args, params] of cases) {
      const r = hgnas(['arch', 'import', fixture, ...args]);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as { format: string; meta: { params: number } };
      expect(doc.format).toBe('hgnas/arch@1');
      expect(doc.meta.params).toBe(params);
      const file = join(dir, `${params}.json`);
      writeFileSync(file, r.stdout);
      const inspected = hgnas(['inspect', file, '--json']);
      expect(inspected.code).toBe(0);
      expect((JSON.parse(inspected.stdout) as { params: number }).params).toBe(params);
    }
  });

  it('counts the built tfjs network exactly like the cost model (inspect --build)', () => {
    const r = hgnas(['arch', 'import', fixture, '--set', 'cifar-1m-params', '--row', '0', '--classes', '10']);
    const file = join(mkdtempSync(join(tmpdir(), 'hgnas-arch-')), 'a.json');
    writeFileSync(file, r.stdout);
    const inspected = JSON.parse(hgnas(['inspect', file, '--build', '--json']).stdout) as { params: number; builtParams: number; flops: number };
    expect(inspected.builtParams).toBe(992_516);
    expect(inspected.params).toBe(992_516);
    // method.md §17.2: 2 090 283 828 FLOPs with the 10-class head (derived by the §4.2 rules).
    expect(inspected.flops).toBe(2_090_283_828);
  });

  it('names the problem for a bad set, row or file (exit 2)', () => {
    expect(hgnas(['arch', 'import', fixture, '--set', 'cifar-2m']).stderr).toMatch(/available sets: cifar-1m-params, imagenet-450m-flops/);
    const row = hgnas(['arch', 'import', fixture, '--set', 'cifar-1m-params', '--row', '10']);
    expect(row.code).toBe(2);
    expect(row.stderr).toMatch(/has 10 rows/);
    const broken = recipeFile('{"format": "hgnas/arch@1", "stages": 3}');
    const bad = hgnas(['inspect', broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/stages/);
  });
});
