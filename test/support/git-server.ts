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
 * A bare repository at `path` that pushes leave quiet: `receive.autogc` off, so that a push does
 * not end in `gc --auto` and its `for-each-ref` (processes of their own for every push, ~25 ms of
 * CPU each, for remotes that never grow to where gc would pack anything: 2 of the 6 server
 * processes of a push), and no sample hooks (an empty `hooks` folder, for a test to put one in).
 * And no `for-each-ref` after each push: receive-pack keeps what it receives in a quarantine
 * folder that reads the repository's objects as an alternate, and its connectivity check asks
 * that alternate for its refs (`rev-list --alternate-refs`), a git process that lists the very
 * refs the check's `--all` names already. `alternateRefsCommand = true` answers none, with no
 * shell and no git: a push's server processes go from 5 to 4 (`git daemon --serve`, receive-pack,
 * unpack-objects, the check's rev-list), and the check itself is unchanged.
 * For a configuration whose remote is a path on this machine; the git server copies one such
 * repository for each of its remotes (`cpSync`, no process, where a `git init --bare` was one).
 */
export function createLocalRemote(path: string): string {
  execFileSync('git', ['init', '--quiet', '--bare', '--template=', '--initial-branch=main', path]);
  appendFileSync(join(path, 'config'), '[receive]\n\tautogc = false\n[core]\n\talternateRefsCommand = true\n');
  mkdirSync(join(path, 'hooks'));
  return path;
}

/** `readOnly`: served without receive-pack, so every push (a dry run too) is refused, as by a read-only token. */
export async function startGitServer(options: { readOnly?: boolean } = {}): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'tmlsync-gitd-'));
  const port = await freePort();
  const child = spawn('git', ['daemon', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${root}`, '--export-all', ...(options.readOnly ? [] : ['--enable=receive-pack']), root], { stdio: 'ignore' });
  const template = createLocalRemote(mkdtempSync(join(tmpdir(), 'tmlsync-gitd-template-')));
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
