import { readFileSync } from 'node:fs';

/** What a command may touch of the process, so that tests run commands in-process. */
export interface CliIo {
  /** Command results: summaries, `--format json`. */
  stdout: { write(text: string): unknown };
  /** Human messages and, through the logger, log lines (readable on a terminal, JSON otherwise). */
  stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Answers to questions (`tmlsync init` asks only when this is a terminal). */
  stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
}

/** The package version, read from package.json beside `src/` or `dist/`. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
