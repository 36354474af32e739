import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startGitServer, type GitServer } from './git-server.js';

export interface Stage {
  readonly server: GitServer;
  readonly emulator: RunningEmulator;
  /** A temporary folder, removed after the file's tests. */
  readonly work: string;
}

/**
 * The usual stage of an end-to-end test file: a demo-seeded emulator and a
 * `git daemon` on 127.0.0.1, started before the file's tests and stopped after.
 */
export function useStage(prefix: string): Stage {
  const work = mkdtempSync(join(tmpdir(), prefix));
  let server: GitServer | undefined;
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    server = await startGitServer();
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });
  return {
    get server() {
      return server!;
    },
    get emulator() {
      return emulator!;
    },
    work,
  };
}
