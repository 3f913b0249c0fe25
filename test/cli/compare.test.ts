/** `hgnas compare` through the compiled command: bad requests exit 2 with the fix, before any work. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist', 'plugin', 'cli', 'main.js');

function hgnas(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hgnas compare (bad input)', () => {
  it('names the available methods for an unknown one, and the fix for --seeds 0 (exit 2, nothing written)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hgnas-cmp-cli-')), 'cmp');
    const unknown = hgnas(['compare', 'recipes/mnist.yaml', '--methods', 'random,evolution', '--seeds', '2', '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--methods: 'evolution' is not available/);
    expect(unknown.stderr).toMatch(/fix: choose from: random, zen-nas, zico, tcet-ea/);
    for (const seeds of ['0', '-1', 'two']) {
      const r = hgnas(['compare', 'recipes/mnist.yaml', '--methods', 'random', '--seeds', seeds, '--out', out, '--json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--seeds: must be an integer ≥ 1/);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    }
    expect(hgnas(['compare', 'recipes/mnist.yaml', '--seeds', '1']).code).toBe(2); // --methods is required
    expect(existsSync(out)).toBe(false);
  });
});
