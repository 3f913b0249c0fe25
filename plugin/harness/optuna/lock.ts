/**
 * Optuna's journal file locks (harness-protocols.md §1.7), interoperable with Python workers on
 * the same file: the symlink lock (default: `<journal>.lock` is a symbolic link to the journal)
 * and the open lock (`<journal>.lock` created with O_CREAT|O_EXCL, for file systems without
 * symlinks). Waiters back off from 1 ms, doubling up to 1 s. Release renames the lock to a unique
 * name and unlinks it, so a release never removes a lock someone else has since taken.
 *
 * Synchronous on purpose: the lock is held only around one append, and a blocking wait keeps
 * the journal write atomic with respect to this process's own event loop.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, lstatSync, openSync, renameSync, statSync, symlinkSync, unlinkSync } from 'node:fs';

export type LockKind = 'symlink' | 'open';

export interface LockOptions {
  readonly kind?: LockKind;
  /**
   * Opt-in stale-lock breaking (Optuna ≥ 4.3 behaviour): a waiter force-releases a lock whose
   * file (for the symlink lock: the journal it points to) has not changed for this many seconds.
   * Null (the default) waits forever, as Optuna 3.1 does.
   */
  readonly gracePeriodSeconds?: number | null;
  /** Give up with LockTimeoutError after this many milliseconds (default: wait forever). */
  readonly timeoutMs?: number;
}

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export class JournalFileLock {
  readonly lockFile: string;
  private readonly kind: LockKind;

  constructor(private readonly journalFile: string, private readonly options: LockOptions = {}) {
    this.lockFile = `${journalFile}.lock`;
    this.kind = options.kind ?? 'symlink';
  }

  acquire(): void {
    let wait = 1;
    const started = Date.now();
    for (;;) {
      try {
        if (this.kind === 'symlink') symlinkSync(this.journalFile, this.lockFile);
        else closeSync(openSync(this.lockFile, 'wx'));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (this.options.timeoutMs !== undefined && Date.now() - started > this.options.timeoutMs) {
        throw new LockTimeoutError(`could not take ${this.lockFile} within ${this.options.timeoutMs} ms; if no writer is alive, delete it by hand`);
      }
      this.breakIfStale();
      sleepSync(wait);
      wait = Math.min(wait * 2, 1000);
    }
  }

  release(): void {
    const renamed = `${this.lockFile}${randomUUID()}.rename`;
    try {
      renameSync(this.lockFile, renamed);
    } catch (error) {
      throw new Error(`did not possess the journal lock ${this.lockFile}: ${(error as Error).message}`);
    }
    unlinkSync(renamed);
  }

  /** Runs `body` while holding the lock. */
  with<T>(body: () => T): T {
    this.acquire();
    try {
      return body();
    } finally {
      this.release();
    }
  }

  private breakIfStale(): void {
    const grace = this.options.gracePeriodSeconds;
    if (grace === null || grace === undefined) return;
    let modified: number;
    try {
      // statSync follows the symlink to the journal, lstat of the open lock is the file itself.
      modified = (this.kind === 'symlink' ? statSync(this.lockFile) : lstatSync(this.lockFile)).mtimeMs;
    } catch {
      return;
    }
    if (Date.now() - modified <= grace * 1000) return;
    const renamed = `${this.lockFile}${randomUUID()}.rename`;
    try {
      renameSync(this.lockFile, renamed);
      unlinkSync(renamed);
    } catch {
      // Another waiter broke it first, or its holder released it: either way, retry.
    }
  }
}
