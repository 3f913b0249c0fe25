/** Failure → message on stderr and exit code (2 for bad input, 1 otherwise). */
import { InputError, EXIT_BAD_INPUT, EXIT_FAILED } from '../errors.js';
import { RecipeError, formatIssues } from '../recipe/load.js';
import { ArchFormatError } from '../space/arch-json.js';

const USER_PATH_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a path component is a file, expected a directory',
  EACCES: 'permission denied',
  EEXIST: 'already exists',
};

/** Lines past this are cut: a binary file given as a recipe must not flood the terminal. */
const MAX_LINE = 400;

function capLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${line.length - MAX_LINE} more characters)` : line))
    .join('\n');
}

export function exitWithError(error: unknown): never {
  const json = process.argv.includes('--json');
  const write = (text: string, code = EXIT_BAD_INPUT) => {
    const capped = capLines(text.trimEnd());
    process.stderr.write(`${capped}\n`);
    // With --json, callers parse stdout: give them the failure there too.
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: capped })}\n`);
  };
  if (error instanceof RecipeError) {
    write(formatIssues(error.issues, error.file));
    process.exit(EXIT_BAD_INPUT);
  }
  if (error instanceof InputError) {
    write(`error: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ''}`);
    process.exit(EXIT_BAD_INPUT);
  }
  if (error instanceof ArchFormatError) {
    write(`error: ${error.message}`);
    process.exit(EXIT_BAD_INPUT);
  }
  const fsError = error as NodeJS.ErrnoException;
  if (fsError?.code && USER_PATH_ERRORS[fsError.code] && fsError.path) {
    // A path the user gave that cannot be used as asked: their input, not a crash.
    write(`error: ${fsError.path}: ${USER_PATH_ERRORS[fsError.code]}`);
    process.exit(EXIT_BAD_INPUT);
  }
  const e = error as Error;
  write(`hgnas failed: ${e?.stack ?? String(error)}`, EXIT_FAILED);
  process.exit(EXIT_FAILED);
}
