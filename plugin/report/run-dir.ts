/**
 * The run directory: every artefact of a run in one place. Files are written atomically (temp
 * file + rename) so an interrupted run never leaves a half-written JSON, and an existing run is
 * never overwritten: nothing already written is lost.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';

export class RunDir {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** A new, empty run directory; refuses one that already holds files unless `resume` is set. */
  static create(path: string, options: { resume?: boolean } = {}): RunDir {
    const dir = resolve(path);
    if (existsSync(dir) && readdirSync(dir).length > 0 && !options.resume) {
      throw new InputError(
        `run directory ${dir} already exists and is not empty`,
        'choose another --out, delete it, or pass --resume to continue that run',
      );
    }
    mkdirSync(dir, { recursive: true });
    return new RunDir(dir);
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
