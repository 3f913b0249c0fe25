/** Versions every run records (result.json), read from the installed packages. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Versions {
  readonly hgnas: string;
  readonly node: string;
  readonly tfjs: string;
  readonly platform: string;
}

export function packageRoot(): string {
  // dist/plugin/pipeline/versions.js or plugin/pipeline/versions.ts → walk up to package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'hgnas') return dir;
    } catch {
      // not here; keep walking
    }
    dir = dirname(dir);
  }
  throw new Error('cannot locate the hgnas package root');
}

export function versions(): Versions {
  const root = packageRoot();
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const require = createRequire(join(root, 'package.json'));
  const tfjs = JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs/package.json'), 'utf8')) as { version: string };
  return {
    hgnas: own.version,
    node: process.version,
    tfjs: tfjs.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
