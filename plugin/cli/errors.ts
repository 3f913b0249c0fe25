/** Failure → message on stderr and exit code (2 for bad input, 1 otherwise). */
import { InputError, EXIT_BAD_INPUT, EXIT_FAILED } from '../errors.js';
import { RecipeError, formatIssues } from '../recipe/load.js';
import { ArchFormatError } from '../space/arch-json.js';

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
  const e = error as Error;
  write(`hgnas failed: ${e?.stack ?? String(error)}`);
  process.exit(EXIT_FAILED);
}
