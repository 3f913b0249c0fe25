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

export function exitWithError(error: unknown): never {
  const write = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
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
  write(`hgnas failed: ${e?.stack ?? String(error)}`);
  process.exit(EXIT_FAILED);
}
