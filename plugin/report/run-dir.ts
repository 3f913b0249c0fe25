/**
 * The run directory: every artefact of a run in one place. Files are written atomically (temp
 * file + rename) so an interrupted run never leaves a half-written JSON, and an existing run is
 * never overwritten: nothing already written is lost.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';

export class RunDir {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** A new, empty run directory; refuses one that already holds files unless `resume` is set. */
  static create(path: string, options: { resume?: boolean } = {}): RunDir {
    const dir = resolve(path);
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      throw new InputError(`${dir} is a file, expected a run directory`, 'choose another --out');
    }
    if (options.resume && !existsSync(join(dir, 'search-state.json'))) {
      throw new InputError(`${dir} is not an hgnas run directory (no search-state.json)`, 'pass the directory of an interrupted `hgnas run` to --resume');
    }
    if (existsSync(dir) && readdirSync(dir).length > 0 && !options.resume) {
      throw new InputError(
        `run directory ${dir} already exists and is not empty`,
        'choose another --out, delete it, or pass --resume to continue that run',
      );
    }
    mkdirSync(dir, { recursive: true });
    return new RunDir(dir);
  }

  /**
   * A fresh directory `<base>`, or `<base>-2`, `-3`, … when it exists: created with an exclusive
   * mkdir, so two runs started in the same second never share a directory.
   */
  static createUnique(base: string): RunDir {
    const root = resolve(base);
    mkdirSync(dirname(root), { recursive: true });
    for (let n = 1; n < 1000; n++) {
      const dir = n === 1 ? root : `${root}-${n}`;
      try {
        mkdirSync(dir);
        return new RunDir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new InputError(`cannot create a run directory next to ${root}: 999 already exist`, 'clean up output.dir');
  }

  file(name: string): string {
    return join(this.path, name);
  }

  writeText(name: string, text: string): void {
    const target = this.file(name);
    const temp = `${target}.tmp-${process.pid}`;
    writeFileSync(temp, text);
    renameSync(temp, target);
  }

  writeJson(name: string, value: unknown): void {
    this.writeText(name, `${JSON.stringify(value, null, 2)}\n`);
  }

  appendJsonl(name: string, records: readonly unknown[]): void {
    if (records.length === 0) return;
    appendFileSync(this.file(name), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  subdir(name: string): string {
    const dir = this.file(name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** `<parent>/<name>-<UTC timestamp>` */
export function defaultRunPath(parent: string, name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join(parent, `${name}-${stamp}`);
}
