import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './net.js';

/** A real git remote for tests: bare repositories served by `git daemon` on 127.0.0.1. */
export interface GitServer {
  root: string;
  /** Creates an empty bare repository (pushes to it run no `gc --auto`) and returns its git:// URL. */
  createRepo(name: string): string;
  /** The bare repository's path on disk. */
  pathOf(name: string): string;
  close(): Promise<void>;
}


async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) throw new Error('git daemon exited');
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`git daemon did not listen on ${port}`);
}

/**
 * The empty bare repository every remote of a server is copied from (`cpSync`, no process; a
 * `git init --bare` per remote was one): no sample hooks (an empty `hooks` folder), and `receive.autogc` off, so that a push
 * does not end in `gc --auto` (a process of its own on the server for every push, ~25 ms of CPU,
 * for remotes that never grow to where it would pack anything: 1 of the 6 server processes of a push).
 */
function remoteTemplate(): string {
  const template = mkdtempSync(join(tmpdir(), 'tmlsync-gitd-template-'));
  execFileSync('git', ['init', '--quiet', '--bare', '--template=', '--initial-branch=main', template]);
  appendFileSync(join(template, 'config'), '[receive]\n\tautogc = false\n');
  // Empty, for a test to put a hook in.
  mkdirSync(join(template, 'hooks'));
  return template;
}

/** `readOnly`: served without receive-pack, so every push (a dry run too) is refused, as by a read-only token. */
export async function startGitServer(options: { readOnly?: boolean } = {}): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'tmlsync-gitd-'));
  const port = await freePort();
  const child = spawn('git', ['daemon', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${root}`, '--export-all', ...(options.readOnly ? [] : ['--enable=receive-pack']), root], { stdio: 'ignore' });
  const template = remoteTemplate();
  await waitForPort(port, child);
  return {
    root,
    createRepo(name) {
      cpSync(template, join(root, `${name}.git`), { recursive: true });
      return `git://127.0.0.1:${port}/${name}.git`;
    },
    pathOf: (name) => join(root, `${name}.git`),
    close: async () => {
      child.kill();
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      for (const dir of [root, template]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A remote on `server` (`createRepo`); every remote of the server is quiet now, see `remoteTemplate`. Kept for the files that still call it. */
export function createQuietRemote(server: Pick<GitServer, 'createRepo'>, name: string): string {
  return server.createRepo(name);
}

/** A file's git server (its remotes) and temporary folders for its work trees. */
export interface GitServerStage extends Omit<GitServer, 'close'> {
  /** A new temporary folder, removed after the file's tests. */
  tempDir(): string;
}

/**
 * One `git daemon` for the calling file's tests: started before them, stopped
 * after, with the temporary folders they asked for removed. Each test makes the
 * remotes it needs on it (`createRepo`): repositories are cheap, servers are not.
 */
export function useGitServer(prefix = 'tmlsync-wt-'): GitServerStage {
  let server: GitServer | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startGitServer();
  });
  afterAll(async () => {
    await server?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get root() {
      return server!.root;
    },
    createRepo: (name) => server!.createRepo(name),
    pathOf: (name) => server!.pathOf(name),
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}

/** Runs git in a directory with a fixed identity (a fresh machine may have none). */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'core.quotepath=off', ...args], { cwd: dir, encoding: 'utf8' }).trim();
}
