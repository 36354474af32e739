import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { silentLogger, type Logger } from '../log/index.js';
import { createGit, type GitAccess } from './factory.js';

export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export interface Identity {
  name: string;
  email: string;
}

export interface RepoOptions extends GitAccess {
  remoteUrl: string;
  committer: Identity;
  logger?: Logger;
  /** Attempts of fetch-rebase-push on a non-fast-forward push. */
  pushAttempts?: number;
}

/** Scrubs credentials from git's messages before they reach a user or a log. */
function gitMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@').trim().split('\n').slice(0, 6).join('\n');
}

/**
 * One working tree with its remote `origin`: clone-free (init + fetch, so an
 * empty remote works), branch checkout, commits with a given author, pushes
 * that survive a race, and state commits on refs outside the branches.
 */
export class GitRepo {
  readonly #git: SimpleGit;
  readonly #log: Logger;

  private constructor(
    readonly dir: string,
    private readonly options: RepoOptions,
  ) {
    this.#git = createGit(dir, options);
    this.#log = (options.logger ?? silentLogger()).child({ component: 'git' });
  }

  static async open(dir: string, options: RepoOptions): Promise<GitRepo> {
    mkdirSync(dir, { recursive: true });
    const repo = new GitRepo(dir, options);
    await repo.#run('init', async (git) => {
      await git.init(['--quiet']);
      const remotes = await git.getRemotes(true);
      if (remotes.some((r) => r.name === 'origin')) await git.remote(['set-url', 'origin', options.remoteUrl]);
      else await git.addRemote('origin', options.remoteUrl);
      await git.addConfig('user.name', options.committer.name);
      await git.addConfig('user.email', options.committer.email);
    });
    return repo;
  }

  async #run<T>(what: string, task: (git: SimpleGit) => Promise<T>): Promise<T> {
    try {
      return await task(this.#git);
    } catch (error) {
      if (error instanceof GitError) throw error;
      throw new GitError(`git ${what} failed: ${gitMessage(error)}`, what);
    }
  }

  /** Fetches every branch and every tmlsync state ref. */
  async fetch(): Promise<void> {
    await this.#run('fetch', (git) => git.fetch(['--prune', '--quiet', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tmlsync/*:refs/tmlsync/*']));
  }

  async revParse(ref: string): Promise<string | undefined> {
    try {
      return (await this.#git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Puts the working tree on `branch` as the remote has it, discarding local
   * leftovers of an interrupted run; an empty branch when the remote has none.
   */
  async checkout(branch: string): Promise<void> {
    const remote = await this.revParse(`refs/remotes/origin/${branch}`);
    await this.#run('checkout', async (git) => {
      if (remote) {
        await git.raw(['checkout', '--quiet', '--force', '-B', branch, remote]);
      } else {
        await git.raw(['checkout', '--quiet', '--force', '--orphan', branch]);
        await git.raw(['rm', '-r', '--quiet', '--cached', '--ignore-unmatch', '.']);
      }
      await git.raw(['clean', '-fdxq']);
    });
  }

  /** Puts the working tree on a commit (tag, SHA, remote branch) without moving any branch. */
  async checkoutRef(ref: string): Promise<string> {
    const sha = (await this.revParse(ref)) ?? (await this.revParse(`refs/remotes/origin/${ref}`));
    if (!sha) throw new GitError(`no commit ${ref} in the remote`, 'checkout');
    await this.#run('checkout', (git) => git.raw(['checkout', '--quiet', '--force', '--detach', sha]));
    return sha;
  }

  /** Paths added, changed or renamed between a commit and the working tree's HEAD (deletions left out). */
  async changedPaths(since: string): Promise<string[]> {
    const sha = (await this.revParse(since)) ?? (await this.revParse(`refs/remotes/origin/${since}`));
    if (!sha) throw new GitError(`no commit ${since} in the remote`, 'diff');
    const out = await this.#run('diff', (git) => git.raw(['diff', '--name-only', '--no-renames', '--diff-filter=d', '-z', sha, 'HEAD']));
    return out.split('\0').filter(Boolean);
  }

  /** Stages everything; commits with `author` if anything changed. Returns the new commit or undefined. */
  async commitAll(message: string, author: Identity): Promise<string | undefined> {
    return this.commitPaths(['.'], message, author);
  }

  /**
   * Stages the given paths (additions, changes and deletions) and commits
   * them with `author`; other changes in the tree stay for a later commit.
   */
  async commitPaths(paths: string[], message: string, author: Identity): Promise<string | undefined> {
    if (paths.length === 0) return undefined;
    // Paths and message go through files: one git process for thousands of paths, and no argument-list limit.
    const scratch = mkdtempSync(join(tmpdir(), 'tmlsync-commit-'));
    try {
      writeFileSync(join(scratch, 'paths'), `${paths.join('\n')}\n`);
      writeFileSync(join(scratch, 'message'), message);
      return await this.#run('commit', async (git) => {
        await git.raw(['--literal-pathspecs', 'add', '--all', `--pathspec-from-file=${join(scratch, 'paths')}`]);
        const staged = (await git.raw(['diff', '--cached', '--name-only'])).trim();
        if (!staged) return undefined;
        await git.raw(['commit', '--quiet', '--no-verify', `--author=${author.name} <${author.email}>`, '-F', join(scratch, 'message')]);
        return (await git.revparse(['HEAD'])).trim();
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Pushes the branch. On a non-fast-forward (another commit landed since the
   * fetch), fetches, rebases onto it, and tries again.
   */
  async push(branch: string): Promise<void> {
    const attempts = this.options.pushAttempts ?? 4;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#git.raw(['push', '--quiet', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`]);
        return;
      } catch (error) {
        const text = gitMessage(error);
        const rejected = /non-fast-forward|fetch first|rejected|stale info/i.test(text);
        if (!rejected || attempt >= attempts) throw new GitError(`git push of ${branch} failed: ${text}`, 'push');
        this.#log.warn({ branch, attempt }, 'push rejected; rebasing on the remote and retrying');
        await this.fetch();
        await this.#run('rebase', async (git) => {
          try {
            await git.raw(['rebase', '--quiet', `refs/remotes/origin/${branch}`]);
          } catch (rebaseError) {
            await git.raw(['rebase', '--abort']).catch(() => undefined);
            throw new GitError(`cannot rebase ${branch} on the remote: ${gitMessage(rebaseError)}`, 'rebase');
          }
        });
      }
    }
  }

  /**
   * Takes a lock held in the remote (a ref that can be created only once):
   * returns undefined when taken, or the current holder's description. A lock
   * that `isStale` judges abandoned (its holder died) is taken over.
   */
  async acquireLock(ref: string, holder: string, isStale: (holder: string, since: Date) => boolean): Promise<string | undefined> {
    const commit = await this.#stateCommit({ 'lock.json': `${JSON.stringify({ holder, at: new Date().toISOString() })}\n` }, `lock: ${holder}`);
    try {
      await this.#git.raw(['push', '--quiet', '--porcelain', 'origin', `${commit}:${ref}`]);
      return undefined;
    } catch {
      await this.#run('fetch', (git) => git.fetch(['--quiet', 'origin', `+${ref}:${ref}`])).catch(() => undefined);
      const current = await this.readState(ref, 'lock.json');
      const parsed = current ? (JSON.parse(current) as { holder: string; at: string }) : undefined;
      if (parsed && isStale(parsed.holder, new Date(parsed.at))) {
        this.#log.warn({ ref, holder: parsed.holder, since: parsed.at }, 'taking over a stale lock');
        await this.#run('lock', (git) => git.raw(['push', '--quiet', '--force', 'origin', `${commit}:${ref}`]));
        return undefined;
      }
      return parsed ? `${parsed.holder} since ${parsed.at}` : 'another run';
    }
  }

  async releaseLock(ref: string): Promise<void> {
    await this.#run('unlock', (git) => git.raw(['push', '--quiet', 'origin', `:${ref}`]));
  }

  /** Reads a file of a state ref (e.g. `refs/tmlsync/dev/export`), or undefined when absent. */
  async readState(ref: string, file: string): Promise<string | undefined> {
    if (!(await this.revParse(ref))) return undefined;
    try {
      return await this.#git.raw(['show', `${ref}:${file}`]);
    } catch {
      return undefined;
    }
  }

  /**
   * Records files as a commit on a ref outside the branches and pushes it:
   * state that survives the working tree, never seen as content.
   */
  async writeState(ref: string, files: Record<string, string>, message: string): Promise<void> {
    const parent = await this.revParse(ref);
    const commit = await this.#stateCommit(files, message, parent);
    await this.#run('state', async (git) => {
      await git.raw(['update-ref', ref, commit]);
      await git.raw(['push', '--quiet', '--force', 'origin', `${ref}:${ref}`]);
    });
  }

  /**
   * Makes `branch` in the remote hold `base`'s tree with `files` on top, as
   * one commit on `base` by `author`, force-pushed; the working tree and the
   * local branches are not touched (a sync's conflicts branch). Returns the commit.
   */
  async publishBranch(branch: string, base: string | undefined, files: Record<string, string>, message: string, author: Identity): Promise<string> {
    const commit = await this.#stateCommit(files, message, base, { tree: base, author });
    await this.#run('push', (git) => git.raw(['push', '--quiet', '--force', 'origin', `${commit}:refs/heads/${branch}`]));
    return commit;
  }

  /** Deletes a branch of the remote if it has one (as of the last fetch); says whether it did. */
  async removeBranch(branch: string): Promise<boolean> {
    if (!(await this.revParse(`refs/remotes/origin/${branch}`))) return false;
    await this.#run('push', (git) => git.raw(['push', '--quiet', 'origin', `:refs/heads/${branch}`]));
    return true;
  }

  /** A commit of the given files (on an empty tree, or on `from.tree`), on no branch, made with a private index. */
  async #stateCommit(files: Record<string, string>, message: string, parent?: string, from: { tree?: string | undefined; author?: Identity } = {}): Promise<string> {
    const scratch = mkdtempSync(join(tmpdir(), 'tmlsync-state-'));
    try {
      const author: Record<string, string> = from.author ? { GIT_AUTHOR_NAME: from.author.name, GIT_AUTHOR_EMAIL: from.author.email } : {};
      const git = createGit(this.dir, this.options, { GIT_INDEX_FILE: join(scratch, 'index'), ...author });
      return await this.#run('state', async () => {
        await git.raw(from.tree ? ['read-tree', from.tree] : ['read-tree', '--empty']);
        for (const [name, content] of Object.entries(files)) {
          const path = join(scratch, 'blob');
          writeFileSync(path, content);
          const blob = (await git.raw(['hash-object', '-w', path])).trim();
          await git.raw(['update-index', '--add', '--cacheinfo', `100644,${blob},${name}`]);
        }
        const tree = (await git.raw(['write-tree'])).trim();
        return (await git.raw(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])).trim();
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** Whether a file is tracked by the git repository it sits in (false outside any repository). */
export async function isTracked(file: string): Promise<boolean> {
  try {
    await createGit(dirname(file)).raw(['ls-files', '--error-unmatch', '--', basename(file)]);
    return true;
  } catch {
    return false;
  }
}

/** Creates an empty bare repository (the embedded default's local remote) unless one is there. */
export async function ensureBareRepo(path: string): Promise<boolean> {
  if (existsSync(join(path, 'HEAD'))) return false;
  mkdirSync(path, { recursive: true });
  await createGit(path).raw(['init', '--quiet', '--bare', '--initial-branch=main']);
  return true;
}
