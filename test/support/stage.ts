import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { startGitServer, type GitServer } from './git-server.js';

export interface Stage {
  readonly server: GitServer;
  readonly emulator: RunningEmulator;
  /** A temporary folder, removed after the file's tests. */
  readonly work: string;
}

export interface StageOptions {
  /** How the emulator starts (its seed, Orgs, request log…); the demo seed without. */
  emulator?: EmulatorOptions;
  /** `false`: no `git daemon`, for files whose remotes are bare repositories on disk (`server` is then an error). */
  gitServer?: boolean;
}

/**
 * The usual stage of an end-to-end test file: an emulator (demo-seeded
 * unless `options.emulator` says otherwise) and a `git daemon` on 127.0.0.1,
 * started before the file's tests and stopped after.
 */
export function useStage(prefix: string, options: StageOptions = {}): Stage {
  const work = mkdtempSync(join(tmpdir(), prefix));
  let server: GitServer | undefined;
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    [emulator, server] = await Promise.all([startEmulator(options.emulator), options.gitServer === false ? undefined : startGitServer()]);
  });
  afterAll(async () => {
    await Promise.all([emulator?.close(), server?.close()]);
    rmSync(work, { recursive: true, force: true });
  });
  return {
    get server() {
      if (options.gitServer === false) throw new Error('this stage has no git server (useStage gitServer: false)');
      return server!;
    },
    get emulator() {
      return emulator!;
    },
    work,
  };
}
