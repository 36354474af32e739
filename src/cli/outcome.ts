/**
 * The one place that turns any failure into what a user sees: a message
 * without a stack trace, and an exit code (0 ok, 1 failed, 2 invalid input or
 * configuration). Stacks go to the debug log only.
 */
import { InvalidInputError } from '../errors/index.js';
import { ThoughtSpotApiError } from '../thoughtspot/index.js';
import { TmlParseError } from '../tml/index.js';
import { DeployGateError } from '../sync/deploy/types.js';
import type { Finding } from '../sync/kernel/validate.js';

export type ExitCode = 0 | 1 | 2;

export const EXIT_OK: ExitCode = 0;
export const EXIT_FAILED: ExitCode = 1;
export const EXIT_INVALID: ExitCode = 2;

/**
 * The user's input, by type: every error that extends `InvalidInputError`,
 * and tml's parse error, which cannot extend it because `tml/` imports
 * nothing of ours (it is pure and stands alone; lint keeps it so). Listing
 * that one class here keeps `tml/` free of the rest of tmlsync.
 */
const INPUT_ERRORS = [InvalidInputError, TmlParseError] as const;

export function exitCodeFor(error: unknown): ExitCode {
  if (INPUT_ERRORS.some((type) => error instanceof type)) return EXIT_INVALID;
  // Rejected credentials are a configuration problem, not a failed run.
  if (error instanceof ThoughtSpotApiError && error.status === 401) return EXIT_INVALID;
  return EXIT_FAILED;
}

export function messageFor(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** What `--format json` prints on stdout for a command that failed before its own report: the outcome, the exit code, the message, and the findings of a gate that stopped it. */
export interface FailureReport {
  outcome: 'failed';
  exitCode: ExitCode;
  error: string;
  findings?: Finding[];
}

export function failureReport(error: unknown, message: string, exitCode: ExitCode): FailureReport {
  return { outcome: 'failed', exitCode, error: message, ...(error instanceof DeployGateError ? { findings: error.findings } : {}) };
}
