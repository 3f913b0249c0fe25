/**
 * Bad input is the user's to fix and exits with code 2; everything else that stops a run exits
 * with 1. Messages name the place (file, field, line) and the fix.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
