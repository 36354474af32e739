/**
 * The one place that turns any failure into what a user sees: a message
 * without a stack trace, and an exit code (0 ok, 1 failed, 2 invalid input or
 * configuration). Stacks go to the debug log only.
 */

export type ExitCode = 0 | 1 | 2;

export const EXIT_OK: ExitCode = 0;
export const EXIT_FAILED: ExitCode = 1;
export const EXIT_INVALID: ExitCode = 2;

/** Bad flags, bad files, bad configuration: the user can fix it; exit 2. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** Errors whose cause is the user's input, by name, so that no module needs to know about exit codes. */
const INVALID_INPUT_ERRORS = new Set(['InvalidInputError', 'ConfigError', 'TmlParseError', 'TmlValidationError', 'MissingSourceError', 'UnsafeSourceError', 'PruneRefusedError', 'PrincipalsFileError']);

export function exitCodeFor(error: unknown): ExitCode {
  if (!(error instanceof Error)) return EXIT_FAILED;
  if (INVALID_INPUT_ERRORS.has(error.name)) return EXIT_INVALID;
  // Rejected credentials are a configuration problem, not a failed run.
  const status = (error as { status?: unknown }).status;
  if (error.name === 'ThoughtSpotApiError' && status === 401) return EXIT_INVALID;
  return EXIT_FAILED;
}

export function messageFor(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
