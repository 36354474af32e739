import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { SimpleGit } from 'simple-git';
import { silentLogger, urlHoldsCredentials, type Logger } from '../log/index.js';
import { BatchReader } from './cat-file.js';
import { atomicPush, causeOf, compareAndSwapPush, isRefused, MOVED_ON_REMOTE, remoteSaid, withRemoteSaid } from './atomic-push.js';
import { createGit, spawnGit, type GitAccess, type GitInstanceOptions } from './factory.js';
import { maintenanceDue } from './maintenance.js';
import { originUrlIn } from './config-file.js';

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

/** A state ref's next commit: exactly `files`, on top of what the ref holds (`writeState`, `publish`; a run's last write, with its lock's release). */
export interface StateWrite {
  ref: string;
  files: Record<string, string>;
  message: string;
  /** On top of what the ref holds (only `files` and `removed` change), instead of exactly `files`. */
  onTop?: boolean;
  /** Files that go, `onTop`. */
  removed?: string[];
}

/**
 * A ref moved only if the remote still has it at `from` (compare-and-swap): the daemon's lease,
 * which fences what a run publishes, or a deploy's lock, released with its last write. `to: ''`
 * deletes the ref (the refspec `:<ref>`).
 */
export interface RefMove {
  ref: string;
  from: string;
  to: string;
}

/** What a run publishes in one atomic push (`GitRepo.publish`): all of it lands, or none. */
export interface Publication {
  /** The checked-out branch, when the run committed to it: its new commits go out. */
  branch?: string;
  /** The state refs written with it; asked again after the branch was rebased onto commits pushed meanwhile. */
  states: () => Promise<StateWrite[]>;
  /** A ref to move in the same push, asked once and only when there is something to publish; when the remote had moved it first, nothing is published. */
  fence?: () => Promise<RefMove>;
}

export interface RepoOptions extends GitAccess {
  remoteUrl: string;
  committer: Identity;
  logger?: Logger;
  /** Attempts of fetch-rebase-push on a non-fast-forward push. */
  pushAttempts?: number;
}

/** Git's whole output for a failed command, credentials scrubbed. */
function gitOutput(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@').trim();
}

/**
 * One line saying why git failed, credentials scrubbed: git writes several (`fatal:` lines,
 * advice, `hint:` lines, a push's status per ref) and the first `fatal:` or `error:` line is
 * the cause; a push refused by the remote says why on its `[rejected]` line (`--porcelain`),
 * followed by the remote's own words when it gave any (`remoteSaid`: a hook's reason).
 */
function gitMessage(error: unknown): string {
  const output = gitOutput(error);
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const rejected = lines.map((line) => /\[((?:remote )?rejected)\]\s*(.*)$/.exec(line)).find((match) => match !== null);
  if (rejected) return withRemoteSaid(`${rejected[1]!}${rejected[2] ? ` ${rejected[2]}` : ''}`, remoteSaid(output));
  const cause = lines.find((line) => /^fatal:/i.test(line)) ?? lines.find((line) => /^error:/i.test(line)) ?? lines.find((line) => !/^hint:/i.test(line));
  return cause?.replace(/^(fatal|error):\s*/i, '') ?? 'no message from git';
}

/**
 * One working tree with its remote `origin`: clone-free (init + fetch, so an
 * empty remote works), branch checkout, commits with a given author, pushes
 * that survive a race, and state commits on refs outside the branches.
 */
export class GitRepo {
  readonly #git: SimpleGit;
  readonly #log: Logger;
  /** The commit this repository pushed to each lock it holds: its release is fenced on it. */
  readonly #locks = new Map<string, string>();
  /** Where `TIPS` refs point (commits only), read once per fetch by `#tips`; dropped by whatever moves them here. */
  #tipsRead: Promise<Map<string, string>> | undefined;
  /** What HEAD is since this repository last moved it (`on`: the branch checked out), unknown before. */
  #head: { on?: string; sha: string | undefined } | undefined;
  /** The index and the tree mark brought in step with the last commits a stream made (`#settle`); never rejects. */
  #settling: Promise<void> = Promise.resolve();
  /** That work, not started yet: it starts with the publication's push, or when anything waits for it (`settled`). */
  #unsettled: (() => Promise<void>) | undefined;
  /** Answers `readStates`: one `cat-file --batch` for the reads of a burst. */
  readonly #reader: BatchReader;
  /** State commits made ahead of their publication (`CommitStream.finish`), by the write they are, with the tip they went on. */
  readonly #ahead = new WeakMap<StateWrite, { commit: string; parent: string | undefined }>();

  private constructor(
    readonly dir: string,
    private readonly options: RepoOptions,
  ) {
    this.#git = this.#instance();
    this.#log = (options.logger ?? silentLogger()).child({ component: 'git' });
    this.#reader = new BatchReader(() => spawnGit(dir, options, [], ['cat-file', '--batch']), READS_IDLE_MS, options.timeoutMs);
  }

  /**
   * A working tree for `remoteUrl` in `dir`: `init` (a no-op on a repository)
   * and the remote's URL, set once. A work tree is verified against its remote
   * before use (issue 15, item 10): one whose origin is another URL belongs to
   * another configuration (its branches and state refs are that remote's) and
   * is never reused; the caller keys work trees by remote (app/repository.ts),
   * so a changed `repository.url` gets a tree of its own. The committer's
   * identity goes with every command instead of into `.git/config`.
   */
  static async open(dir: string, options: RepoOptions): Promise<GitRepo> {
    if (urlHoldsCredentials(options.remoteUrl)) throw new GitError('the remote URL holds credentials, which git would store in .git/config; pass the token as httpsToken (repository.tokenEnv)', 'init');
    mkdirSync(dir, { recursive: true });
    const repo = new GitRepo(dir, options);
    await repo.#run('init', async (git) => {
      // Two git processes fewer per run: `init` on a repository only says so, and the URL is read from the file;
      // in a repository `init` has just made, it is written there.
      const fresh = !isRepository(dir);
      if (fresh) await git.raw(['init', '--quiet']);
      const origin = fresh ? '' : (originUrlIn(join(dir, '.git')) ?? (await git.raw(['config', '--get', 'remote.origin.url']).catch(() => '')).trim());
      if (origin === options.remoteUrl) return;
      if (origin !== '') throw new GitError(`${dir} is the work tree of ${gitOutput(origin)}, not of ${options.remoteUrl}; tmlsync never reuses a work tree for another remote: remove the folder, or give this configuration another workDir`, 'init');
      if (!(fresh && addOrigin(join(dir, '.git'), options.remoteUrl))) await git.raw(['config', 'remote.origin.url', options.remoteUrl]);
    });
    return repo;
  }

  /** A git instance for this working tree: access options, the committer's identity, the remote's tracking refs, and what the command needs. */
  #instance(instance: GitInstanceOptions = {}): SimpleGit {
    const { name, email } = this.options.committer;
    const tracking = REFSPECS.map((refspec) => `remote.origin.fetch=${refspec}`);
    return createGit(this.dir, this.options, { ...instance, config: [`user.name=${name}`, `user.email=${email}`, ...tracking, ...(instance.config ?? [])] });
  }

  async #run<T>(what: string, task: (git: SimpleGit) => Promise<T>, git: SimpleGit = this.#git): Promise<T> {
    try {
      return await task(git);
    } catch (error) {
      if (error instanceof GitError) throw error;
      throw new GitError(`git ${what} failed: ${gitMessage(error)}`, what);
    }
  }

  /** Fetches every branch and every tmlsync state ref; then git's maintenance, when it has work. */
  async fetch(): Promise<void> {
    this.#tipsRead = undefined;
    try {
      await this.#run('fetch', (git) => git.fetch(['--prune', '--quiet', 'origin', ...REFSPECS]));
    } finally {
      // Tips read while the fetch ran (an export reads its ledger beside it) may predate it: read again when asked.
      this.#tipsRead = undefined;
    }
    await this.#maintain();
  }

  /**
   * `git maintenance run --auto` where git ran it itself after every fetch (factory.ts turns that
   * off), but only when it would do something (`maintenanceDue`): a work tree that lives for years
   * still has its loose objects and small packs packed. Its `gc` goes on in the background
   * (`gc.autoDetach`); a failure costs the run nothing, and the next fetch tries again.
   */
  async #maintain(): Promise<void> {
    if (!maintenanceDue(join(this.dir, '.git', 'objects'))) return;
    await this.#git.raw(['maintenance', 'run', '--auto', '--quiet']).catch((error: unknown) => this.#log.warn({ error: gitMessage(error) }, 'git maintenance failed'));
  }

  /**
   * The commit `ref` names. HEAD, the remote's branches and the state refs are answered from what
   * this repository knows (`#head`, `#tips`): a run asked for them one `rev-parse` at a time, 4 of
   * a no-op sync's 13 git processes and 7 of the 29 of a sync with one change on each side.
   */
  async revParse(ref: string): Promise<string | undefined> {
    if (ref === 'HEAD' && this.#head) return this.#head.sha;
    if (TIPS.test(ref)) {
      const tips = await this.#tips();
      if (!tips.has(NOT_A_COMMIT)) return tips.get(ref);
    }
    try {
      return (await this.#git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Where `ref` points in this work tree now, read from git's files (the ref's own, else
   * `packed-refs`) without a process: what the last fetch or push here left, whatever the remote
   * holds meanwhile. An export goes by its ledger's while its fetch runs (sync/export/list.ts).
   * Undefined when the ref is absent, or names no commit by itself (a symbolic ref).
   */
  localTip(ref: string): Promise<string | undefined> {
    return Promise.resolve(refInFiles(join(this.dir, '.git'), ref));
  }

  /**
   * Where the `TIPS` refs point, by one `for-each-ref` after each fetch (`NOT_A_COMMIT` among them
   * when one does not name a commit: `revParse` then asks git). Only this repository moves them
   * between fetches, and it brings this in step when it does (`#pushed`); lock refs, which the
   * daemon's leases move in the same work tree, are not among them.
   */
  #tips(): Promise<Map<string, string>> {
    this.#tipsRead ??= this.#run('for-each-ref', async (git) => {
      const out = await git.raw(['for-each-ref', '--format=%(objectname) %(objecttype) %(refname)', 'refs/remotes/origin/', 'refs/tmlsync/']);
      const tips = new Map<string, string>();
      for (const [sha, type, ref] of out.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string, string])) {
        if (!TIPS.test(ref)) continue;
        tips.set(type === 'commit' ? ref : NOT_A_COMMIT, sha);
      }
      return tips;
    });
    return this.#tipsRead;
  }

  /**
   * Puts the working tree on `branch` as the remote has it, discarding local
   * leftovers of an interrupted run; an empty branch when the remote has none.
   * A caller that only `reads` the tree (a deploy, a plan) leaves the tree mark
   * for the remote's commit: nothing it does changes the tree, so the next run,
   * killed or not, finds it as the mark says.
   */
  async checkout(branch: string, { reads = false }: { reads?: boolean } = {}): Promise<void> {
    await this.settled();
    const remote = await this.revParse(`refs/remotes/origin/${branch}`);
    this.#head = undefined;
    const mark = takeTreeMark(this.dir);
    // The tree as the last run left it, at the commit the remote still has: nothing to put back,
    // and a checkout and a clean each stat every file (0.2 s at 10,004 objects, issue 16).
    if (remote !== undefined && mark === treeMark(branch, remote)) {
      this.#head = { on: branch, sha: remote };
      if (reads) markTree(this.dir, mark);
      return;
    }
    // A forced checkout puts back every tracked file; only what git does not track can be left, and
    // a clean (a process, ~20 ms of CPU) removes it. There is none in a tree that holds nothing but
    // `.git` (a fresh `init`: every environment's first run), nor in one the mark says holds exactly
    // a commit's tree (the remote moved since: another run pushed, or another branch is checked out).
    const untracked = mark === undefined && !holdsNothing(this.dir);
    await this.#run('checkout', async (git) => {
      if (remote) await git.raw(['checkout', '--quiet', '--force', '-B', branch, remote]);
      else await this.#startEmpty(git, branch, untracked);
      if (untracked) await git.raw(['clean', '-fdxq']);
    });
    this.#head = { on: branch, sha: remote };
    if (reads && remote !== undefined) markTree(this.dir, treeMark(branch, remote));
  }

  /**
   * Puts HEAD on `branch` as a branch of its own with nothing in it, for a branch the remote does
   * not have (a new one, one deleted there, or a remote created anew). A repository as `init` left
   * it (no branch, no index) only needs HEAD to name it: 0 or 1 process where it took 4. Else what
   * is left of the branch here from before is dropped, and the index emptied; with nothing
   * `untracked`, the files go from the tree with it, so that no clean is needed.
   */
  async #startEmpty(git: SimpleGit, branch: string, untracked: boolean): Promise<void> {
    const unborn = unbornBranch(join(this.dir, '.git'));
    if (unborn !== undefined) {
      if (unborn !== branch) await git.raw(['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
      return;
    }
    await git.raw(['update-ref', '-d', `refs/heads/${branch}`]);
    await git.raw(['checkout', '--quiet', '--force', '--orphan', branch]);
    await git.raw(['rm', '-r', '--quiet', untracked ? '--cached' : '--force', '--ignore-unmatch', '.']);
  }

  /** Puts the working tree on a commit (tag, SHA, remote branch) without moving any branch. */
  async checkoutRef(ref: string): Promise<string> {
    await this.settled();
    const sha = (await this.revParse(ref)) ?? (await this.revParse(`refs/remotes/origin/${ref}`));
    if (!sha) throw new GitError(`no commit ${ref} in the remote`, 'checkout');
    this.#head = undefined;
    takeTreeMark(this.dir);
    await this.#run('checkout', (git) => git.raw(['checkout', '--quiet', '--force', '--detach', sha]));
    this.#head = { sha };
    return sha;
  }

  /** Paths added, changed or renamed between a commit and the working tree's HEAD (deletions left out). */
  async changedPaths(since: string): Promise<string[]> {
    const sha = (await this.revParse(since)) ?? (await this.revParse(`refs/remotes/origin/${since}`));
    if (!sha) throw new GitError(`no commit ${since} in the remote`, 'diff');
    const out = await this.#run('diff', (git) => git.raw(['diff', '--name-only', '--no-renames', '--diff-filter=d', '-z', sha, 'HEAD']));
    return out.split('\0').filter(Boolean);
  }

  /**
   * The texts each of `paths` had in the commits of `since..HEAD` that changed it, newest first
   * (the last `limit` commits that changed any): one `log` and one `cat-file`, for any number of
   * paths. A `since` this repository does not have (a branch rewritten, its commits gone) has no
   * versions to tell.
   */
  async fileVersions(paths: string[], since: string, limit: number): Promise<Map<string, string[]>> {
    const versions = new Map<string, string[]>();
    if (paths.length === 0) return versions;
    let out: string;
    try {
      // -z: `commit <sha>` and each path a NUL-terminated field; a commit's first path comes after a newline.
      out = await this.#run('log', (git) => git.raw(['--literal-pathspecs', 'log', '-z', '--format=commit %H', '--name-only', `--max-count=${limit}`, `${since}..HEAD`, '--', ...paths]));
    } catch (error) {
      if (/bad revision|unknown revision|invalid revision range|ambiguous argument|invalid object name/i.test(gitMessage(error))) return versions;
      throw error;
    }
    const asked = new Set(paths);
    const reads: { ref: string; file: string }[] = [];
    let commit: string | undefined;
    for (const field of out.split('\0')) {
      const path = field.replace(/^\n/, '');
      if (!asked.has(path)) commit = /^commit ([0-9a-f]{40,64})$/.exec(field)?.[1] ?? commit;
      else if (commit) reads.push({ ref: commit, file: path });
    }
    const texts = await this.readStates(reads);
    reads.forEach(({ file }, i) => {
      const text = texts[i];
      if (text === undefined) return;
      const known = versions.get(file);
      if (known) known.push(text);
      else versions.set(file, [text]);
    });
    return versions;
  }

  /** Commits reachable from `to` and not from `from` (all of `to`'s history without `from`): how far a pipeline stage is behind its source. */
  async commitsBetween(from: string | undefined, to: string): Promise<number> {
    const out = await this.#run('rev-list', (git) => git.raw(['rev-list', '--count', to, ...(from ? [`^${from}`] : []), '--']));
    return Number(out.trim());
  }

  /** Stages everything; commits with `author` if anything changed. Returns the new commit or undefined. */
  async commitAll(message: string, author: Identity): Promise<string | undefined> {
    await this.settled();
    takeTreeMark(this.dir);
    return this.#run('commit', async (git) => {
      await git.raw(['add', '--all']);
      return this.#commitStaged(message, author);
    });
  }

  /**
   * Starts commits on `branch` (the one checked out) of files handed over
   * while they are being written; see `CommitStream`.
   */
  startCommits(branch: string): CommitStream {
    return new CommitStream(this.dir, this.options, branch, {
      parent: () => this.revParse('HEAD'),
      // The commits went onto the branch: HEAD's when it is checked out, else HEAD is left to git.
      committed: (tip) => {
        this.#head = this.#head?.on === branch ? { on: branch, sha: tip } : undefined;
      },
      settle: (moved, inTree) => this.#settle(branch, moved, inTree),
      ahead: (states, started) => this.#commitAhead(states, started),
    });
  }

  /**
   * The next commits of state refs, made while a stream makes the branch's (a run's ledger: its
   * own `fast-import`, the two processes side by side), for `publish` to push as they are when it
   * is handed the same writes and the refs have not moved since. At 10,004 objects the ledger's
   * commit came after the branch's, 0.02-0.03 s on an incremental run's path (issue 16). `started`:
   * the process the stream started for them before they were known (`CommitStream.expect`).
   */
  async #commitAhead(writes: StateWrite[], started: FastImport | undefined): Promise<void> {
    if (writes.length === 0) return endUnused(started);
    let parents: Map<string, string>;
    try {
      parents = await this.#stateTips(writes.map((w) => w.ref));
    } catch (error) {
      await endUnused(started);
      throw error;
    }
    const commits = await this.#fastImportCommits(writes.map((w, i) => this.#stateCommitSpec(`refs/tmlsync-publish/ahead/${i}`, w, parents.get(w.ref))), started);
    writes.forEach((w, i) => this.#ahead.set(w, { commit: commits[i]!, parent: parents.get(w.ref) }));
  }

  /**
   * Brings the index in step with the commits a stream made on `branch` (when it `moved` HEAD),
   * then marks the tree as that commit's. A mixed reset: the index takes the new HEAD's tree, so
   * that `status` and the next checkout see a clean tree; without its refresh, which stats every
   * file of the tree (0.12 s of a run with one change at 10,004 objects, issue 16), only the
   * entries it changed lose their file stat, and git compares those few files' content when it
   * next looks. The stream does not wait for it: the reset, some 0.03 s of a run at 10,004 files,
   * goes on beside the publication's push, which needs no index, and starts after the push did
   * (each start forks this process: the push's came some 20 ms later behind the reset's). Whatever
   * reads or writes the index waits for it (`settled`), and so does `publish` before it returns. A
   * failed reset leaves no tree mark, so that the next checkout puts the tree back: a warning, not
   * the run's failure. The mark waits for the files still being written too (`inTree`: whether
   * they all are), and is left out when they failed (the run reports that failure itself).
   */
  #settle(branch: string, moved: boolean, inTree: Promise<boolean>): void {
    const tip = this.#head?.on === branch ? this.#head.sha : undefined;
    const before = this.#unsettled;
    this.#unsettled = async () => {
      await before?.();
      if (moved) await this.#run('reset', (git) => git.raw(['reset', '--quiet', '--no-refresh']));
      if (!(await inTree)) return;
      if (tip !== undefined && this.#head?.on === branch && this.#head.sha === tip) markTree(this.dir, treeMark(branch, tip));
    };
  }

  /** Once the index and the tree are as the last commits left them (`#settle`, started now if it was not): before any command that reads or writes the index. */
  settled(): Promise<void> {
    const work = this.#unsettled;
    this.#unsettled = undefined;
    if (work) {
      this.#settling = this.#settling
        .then(work)
        .catch((error: unknown) => this.#log.warn({ error: gitMessage(error) }, 'the index was not brought in step with the new commits; the next checkout puts the tree back'));
    }
    return this.#settling;
  }

  /** Commits the index; undefined when it holds no change. */
  async #commitStaged(message: string, author: Identity): Promise<string | undefined> {
    const commit = this.#instance({ input: message, failOnExitCode: true });
    const head = this.#head;
    this.#head = undefined;
    try {
      await commit.raw(['commit', '--quiet', '--no-verify', `--author=${author.name} <${author.email}>`, '-F', '-']);
    } catch (error) {
      // Nothing staged is the one failure that is not an error: say so by returning no commit.
      if ((await this.#git.raw(['diff', '--cached', '--name-only'])).trim() === '') {
        this.#head = head;
        return undefined;
      }
      throw error;
    }
    const sha = (await this.#git.raw(['rev-parse', 'HEAD'])).trim();
    this.#head = head?.on ? { on: head.on, sha } : undefined;
    return sha;
  }

  /** Pushes the branch; on a non-fast-forward (another commit landed since the fetch), fetches, rebases onto it, and tries again. */
  async push(branch: string): Promise<void> {
    await this.publish({ branch, states: () => Promise.resolve([]) });
  }

  /**
   * Publishes a run's outcome in one `git push --atomic`: the branch's new commits, the state
   * refs (the ledgers) and the fence, so that a run killed at any point has published all of it
   * or none. Issue 15: a sync killed between its export's push and its deploy ledger's took its
   * own exported text for a person's edit, and every later run reported that object a conflict.
   * A branch rejected because a commit landed since the fetch is rebased onto it and the whole
   * is pushed again (`states` asked anew: what a run records may depend on the rebase), up to
   * `pushAttempts` times. False when the fence had moved: nothing was published.
   */
  async publish(publication: Publication): Promise<boolean> {
    try {
      return await this.#publish(publication);
    } finally {
      // The index follows the commits beside the push (`#settle`): the run ends with its tree settled.
      await this.settled();
    }
  }

  async #publish({ branch, states, fence }: Publication): Promise<boolean> {
    const attempts = this.options.pushAttempts ?? 4;
    let move: RefMove | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const written = await this.#stateCommits(await states());
      if (branch === undefined && written.length === 0) return true;
      move ??= await fence?.();
      const refspecs = [...(branch ? [`HEAD:refs/heads/${branch}`] : []), ...written.map((w) => `+${w.commit}:${w.ref}`), ...(move ? [`${move.to}:${move.ref}`] : [])];
      const pushing = atomicPush(this.#git, move, refspecs, (error) => new GitError(`git push of ${branch ?? 'the state refs'} failed: ${gitMessage(error)}`, 'push'));
      // The index follows the commits while the push runs (`#settle`); `publish` waits for both.
      void this.settled();
      const rejected = await pushing;
      if (rejected === undefined) {
        this.#pushed([...written.map((w): [string, string] => [w.ref, w.commit]), ...(branch ? [[`refs/remotes/origin/${branch}`, this.#head?.sha ?? UNKNOWN] as [string, string]] : [])]);
        return true;
      }
      if (move && isRefused(rejected.refs.get(move.ref))) return false;
      if (branch === undefined || !MOVED_ON_REMOTE.test(rejected.refs.get(`refs/heads/${branch}`) ?? '') || attempt >= attempts) throw new GitError(`git push of ${branch ?? 'the state refs'} failed: ${causeOf(rejected)}`, 'push');
      this.#log.warn({ branch, attempt }, 'push rejected; rebasing on the remote and retrying');
      await this.fetch();
      await this.#rebase(branch);
    }
  }

  async #rebase(branch: string): Promise<void> {
    await this.settled();
    this.#head = undefined;
    takeTreeMark(this.dir);
    await this.#run('rebase', async (git) => {
      try {
        await git.raw(['rebase', '--quiet', `refs/remotes/origin/${branch}`]);
      } catch (rebaseError) {
        await git.raw(['rebase', '--abort']).catch(() => undefined);
        throw new GitError(`cannot rebase ${branch} on the remote: ${gitMessage(rebaseError)}`, 'rebase');
      }
    });
  }

  /**
   * The next commit of each state ref (exactly its files, on what the ref holds): the one made
   * ahead on the ref's tip (`#commitAhead`), else made by one `fast-import` on scratch refs. The
   * refs themselves move once the remote took them (git's tracking refs, `REFSPECS`).
   */
  async #stateCommits(writes: StateWrite[]): Promise<{ ref: string; commit: string }[]> {
    if (writes.length === 0) return [];
    const parents = await this.#stateTips(writes.map((w) => w.ref));
    const madeAhead = (w: StateWrite) => {
      const ahead = this.#ahead.get(w);
      return ahead && ahead.parent === parents.get(w.ref) ? ahead.commit : undefined;
    };
    const rest = writes.filter((w) => madeAhead(w) === undefined);
    const commits = rest.length === 0 ? [] : await this.#fastImportCommits(rest.map((w, i) => this.#stateCommitSpec(`refs/tmlsync-publish/${i}`, w, parents.get(w.ref))));
    return writes.map((w) => ({ ref: w.ref, commit: madeAhead(w) ?? commits[rest.indexOf(w)]! }));
  }

  /** A state write as a commit on the scratch ref `scratch`, on `parent`. */
  #stateCommitSpec(scratch: string, w: StateWrite, parent: string | undefined): CommitSpec & { ref: string } {
    return { ref: scratch, files: w.files, removed: w.removed, onTop: w.onTop, message: w.message, committer: this.options.committer, parent };
  }

  /** Where each of the local refs points (absent ones left out): known since the fetch, else by one process. */
  async #stateTips(refs: string[]): Promise<Map<string, string>> {
    if (refs.every((ref) => TIPS.test(ref))) {
      const tips = await this.#tips();
      if (!tips.has(NOT_A_COMMIT)) return new Map(refs.flatMap((ref): [string, string][] => (tips.has(ref) ? [[ref, tips.get(ref)!]] : [])));
    }
    const out = await this.#run('state', (git) => git.raw(['for-each-ref', '--format=%(refname) %(objectname)', ...refs]));
    return new Map(out.split('\n').filter(Boolean).map((line): [string, string] => line.split(' ') as [string, string]));
  }

  /**
   * The tips known since the fetch, in step with the refs a push the remote took has moved here
   * (git moves their tracking refs: `REFSPECS`): each to its commit, `''` deleted, `UNKNOWN` to a
   * commit this repository cannot name, when the tips are read again at the next question.
   */
  #pushed(moved: [ref: string, sha: string][]): void {
    const tips = this.#tipsRead;
    const known = moved.filter(([ref]) => TIPS.test(ref));
    if (known.some(([, sha]) => sha === UNKNOWN)) this.#tipsRead = undefined;
    else if (known.length > 0) this.#tipsRead = tips?.then((read) => withMoves(read, known));
  }

  /**
   * Takes a lock held in the remote (a ref that can be created only once):
   * returns undefined when taken, or the current holder's description, read
   * from the remote. A lock that `isStale` judges abandoned (its holder died)
   * is taken over. Each push is a compare-and-swap on what the remote was
   * seen to hold (nothing at first), so that only a lost race (the ref had
   * moved: another holder) names a holder; a push refused for anything else
   * (a hook, the remote's permissions, the network) is a `GitError` naming
   * the ref and the remote's reason, where it was once taken for a lost race
   * and the holder read back was the lock commit just made here.
   */
  async acquireLock(ref: string, holder: string, isStale: (holder: string, since: Date) => boolean): Promise<string | undefined> {
    const commit = await this.#stateCommit(ref, { 'lock.json': `${JSON.stringify({ holder, at: new Date().toISOString() })}\n` }, `lock: ${holder}`);
    // What the remote was last seen to hold: nothing, then the commit of a stale holder taken over.
    let from = '';
    for (let attempt = 1; ; attempt += 1) {
      if (await this.#pushLock(ref, from, commit)) {
        this.#locks.set(ref, commit);
        return undefined;
      }
      const current = await this.#remoteLock(ref);
      if (current === undefined) {
        if (attempt >= LOCK_ATTEMPTS) return `other runs, one after another (${ref} was taken and released ${attempt} times while this one tried to take it)`;
        // Released since the push saw it: try again, as the first run would.
        from = '';
        continue;
      }
      const parsed = lockOf(current.text);
      if (!parsed) return `a lock whose lock.json cannot be read (delete ${ref} in the remote to release it)`;
      if (!isStale(parsed.holder, new Date(parsed.at)) || attempt >= LOCK_ATTEMPTS) return `${parsed.holder} since ${parsed.at}`;
      this.#log.warn({ ref, holder: parsed.holder, since: parsed.at }, 'taking over a stale lock');
      from = current.commit;
    }
  }

  /** Moves the remote's lock `ref` from `from` (`''`: absent) to `commit`: true when taken, false when the remote held something else (a lost race); else a `GitError` with the remote's reason. */
  #pushLock(ref: string, from: string, commit: string): Promise<boolean> {
    return compareAndSwapPush(this.#git, { ref, from }, [`${commit}:${ref}`], (error) => lockPushFailed(ref, gitMessage(error)));
  }

  /** The remote's lock `ref` as it is now (fetched), or undefined when it has none. */
  async #remoteLock(ref: string): Promise<{ commit: string; text: string } | undefined> {
    try {
      await this.#run('fetch', (git) => git.fetch(['--quiet', 'origin', `+${ref}:${ref}`]));
    } catch (error) {
      if (error instanceof GitError && /couldn't find remote ref/i.test(error.message)) return undefined;
      throw error;
    }
    const commit = await this.revParse(ref);
    if (commit === undefined) return undefined;
    return { commit, text: (await this.readState(commit, 'lock.json')) ?? '' };
  }

  /**
   * Gives a lock back. With `last`, the run's last state write (a deploy's
   * ledger naming the commit it passed) goes in the same push: `--atomic`, so
   * the remote takes the write and the release together or neither. Fenced on
   * the lock commit this repository pushed (`publish` with the lock's deletion
   * as its fence, as the daemon's lease fences a run's publication): a run whose lock was taken over as stale never deletes the new
   * holder's lock, and records nothing (a `GitError` says so).
   */
  async releaseLock(ref: string, last?: StateWrite): Promise<void> {
    const held = this.#locks.get(ref);
    this.#locks.delete(ref);
    if (!last) {
      const failure = (error: unknown) => new GitError(`git push releasing ${ref} failed: ${gitMessage(error)}`, 'unlock');
      // A lock taken elsewhere (a person releasing one by hand) is deleted as it is.
      if (held) await compareAndSwapPush(this.#git, { ref, from: held }, [`:${ref}`], failure);
      else await this.#run('unlock', (git) => git.raw(['push', '--quiet', 'origin', `:${ref}`]));
      return;
    }
    if (!held) throw lockLost(ref, last.ref);
    // Through `publish`, so that the state ref moves here only once the remote took the write.
    if (!(await this.publish({ states: () => Promise.resolve([last]), fence: () => Promise.resolve({ ref, from: held, to: '' }) }))) throw lockLost(ref, last.ref);
  }

  /** Reads a file of a state ref (e.g. `refs/tmlsync/dev/export`) or of a commit, or undefined when the ref or the file is absent. */
  async readState(ref: string, file: string): Promise<string | undefined> {
    return (await this.readStates([{ ref, file }]))[0];
  }

  /**
   * Files of state refs or commits (`readState` of each) by `git cat-file --batch`, where `git
   * show` took a process per file; undefined for each absent one. One process answers the reads
   * of a burst (`BatchReader`), each name resolved when it is read. The contents are UTF-8
   * (ledgers, tmlsync's own exported texts).
   */
  async readStates(reads: { ref: string; file: string }[]): Promise<(string | undefined)[]> {
    const absent = await this.#absentTips(reads.map(({ ref }) => ref));
    const asked = reads.filter(({ ref }) => !absent.has(ref));
    if (asked.length === 0) return reads.map(() => undefined);
    const objects = await this.#run('cat-file', () => this.#reader.read(asked.map(({ ref, file }) => `${ref}:${file}`)));
    const texts = asked.map((_, i) => (objects[i]?.type === 'blob' ? objects[i].content.toString('utf8') : undefined));
    return reads.map(({ ref }) => (absent.has(ref) ? undefined : texts.shift()));
  }

  /**
   * Which of `refs` are state refs or remote branches this repository knows to be absent (`#tips`):
   * they hold no file, and an environment's first run asked git for its ledgers by a `cat-file` of
   * its own. The tips are read only when one of `refs` is among them (a run reads them anyway, at
   * its checkout).
   */
  async #absentTips(refs: string[]): Promise<Set<string>> {
    if (!refs.some((ref) => TIPS.test(ref))) return new Set();
    const tips = await this.#tips();
    if (tips.has(NOT_A_COMMIT)) return new Set();
    return new Set(refs.filter((ref) => TIPS.test(ref) && !tips.has(ref)));
  }

  /**
   * Records files as a commit on a ref outside the branches and pushes it:
   * state that survives the working tree, never seen as content.
   */
  async writeState(ref: string, files: Record<string, string>, message: string): Promise<void> {
    await this.publish({ states: () => Promise.resolve([{ ref, files, message }]) });
  }

  /**
   * Makes `branch` in the remote hold `base`'s tree with `files` on top, as
   * one commit on `base` by `author`, force-pushed; the working tree and the
   * local branches are not touched (a sync's conflicts branch). Returns the commit.
   */
  async publishBranch(branch: string, base: string | undefined, files: Record<string, string>, message: string, author: Identity): Promise<string> {
    const commit = await this.#stateCommit(`refs/tmlsync-publish/${branch}`, files, message, base, { onTop: true, author });
    await this.#run('push', (git) => git.raw(['push', '--quiet', '--force', 'origin', `${commit}:refs/heads/${branch}`]));
    this.#pushed([[`refs/remotes/origin/${branch}`, commit]]);
    return commit;
  }

  /** Deletes a branch of the remote if it has one (as of the last fetch); says whether it did. */
  async removeBranch(branch: string): Promise<boolean> {
    if (!(await this.revParse(`refs/remotes/origin/${branch}`))) return false;
    await this.#run('push', (git) => git.raw(['push', '--quiet', 'origin', `:refs/heads/${branch}`]));
    this.#pushed([[`refs/remotes/origin/${branch}`, '']]);
    return true;
  }

  /**
   * A commit of exactly the given files (or, `onTop`, of `parent`'s tree with
   * them added) on the local `ref`, on top of `parent` or with none, made by
   * one `git fast-import` (blobs, tree, commit and ref at once; no index, no
   * working tree). Returns its SHA.
   */
  async #stateCommit(ref: string, files: Record<string, string>, message: string, parent?: string, options: { onTop?: boolean; author?: Identity } = {}): Promise<string> {
    const [commit] = await this.#fastImportCommits([{ ref, files, message, committer: this.options.committer, parent, ...options }]);
    return commit!;
  }

  /**
   * Makes `commits` with one `git fast-import` (`--force`: scratch and state refs move freely),
   * fed piece by piece (`writePieces`), and returns their SHAs in order. A ledger of 100,000
   * objects is a 24 MB text: joined into one stream and handed to git as a whole, it was copied
   * into strings and buffers some four times, the export's peak RSS (h-perf's heap snapshots).
   */
  async #fastImportCommits(commits: (CommitSpec & { ref: string })[], started?: FastImport): Promise<string[]> {
    const fastImport = started ?? startFastImport(this.dir, this.options, STATE_IMPORT);
    const { stdin } = fastImport.process;
    for (const [i, commit] of commits.entries()) {
      if (!(await writePieces(stdin, commitCommands(commit.ref, i + 1, commit)))) break;
    }
    stdin.end(`${commits.map((_, i) => `get-mark :${i + 1}\n`).join('')}done\n`);
    const { code, out, err } = await fastImport.exit;
    if (code !== 0) throw new GitError(`git state failed: ${gitMessage(err || `exit code ${code}`)}`, 'state');
    return out.split('\n').filter(Boolean);
  }
}

/**
 * How long `readStates`' process waits for the next read before it ends: an incremental export reads
 * its ledger's head before it lists and its shards as the listing's pages arrive, over the listing's
 * time (0.2-0.3 s at 20 ms of latency per call, seconds over a real network). Idle, the process keeps
 * nothing running (`BatchReader`).
 */
const READS_IDLE_MS = 2_000;

/**
 * What a fetch brings: every branch of the remote, as `origin/<branch>`, and every tmlsync ref
 * (ledgers, locks) under its own name. Given to every command of the work tree as the remote's
 * `fetch` refspecs too, so that a push moves the refs it pushed here once the remote took them
 * (git's tracking refs), where an `update-ref` after each publication took a process of its own.
 */
const REFSPECS = ['+refs/heads/*:refs/remotes/origin/*', '+refs/tmlsync/*:refs/tmlsync/*'];

/**
 * The refs whose tips `GitRepo` keeps from one `for-each-ref` after each fetch: the remote's
 * branches and the state refs, which only the repository itself moves between fetches. Not the
 * locks (`refs/tmlsync/<env>/lock`): the daemon's leases move them in the same work tree.
 */
const TIPS = /^refs\/(remotes\/origin\/|tmlsync\/(?!.*\/lock$))/;
/** Pushes of a lock that a race may refuse before `acquireLock` names the holder it last read. */
const LOCK_ATTEMPTS = 3;
/** Stands among the tips for a ref that names no commit (a tag object): `revParse` then asks git. */
const NOT_A_COMMIT = '';
/** A ref a push moved to a commit this repository does not know by name (`GitRepo.#pushed`). */
const UNKNOWN = 'unknown';

/** `tips` with each of `moved` pointing at its commit, or gone (`''`). */
function withMoves(tips: Map<string, string>, moved: [string, string][]): Map<string, string> {
  const next = new Map(tips);
  for (const [ref, sha] of moved) {
    if (sha === '') next.delete(ref);
    else next.set(ref, sha);
  }
  return next;
}

/** What a commit of `commitCommands` is made of. */
interface CommitSpec {
  files: Record<string, string>;
  /** Paths that go, `onTop`. */
  removed?: string[] | undefined;
  message: string;
  committer: Identity;
  parent?: string | undefined;
  onTop?: boolean | undefined;
  author?: Identity;
}

/** One commit in fast-import's commands, as pieces (each file's text one of them): exactly `files` (or, `onTop`, `parent`'s tree with them added and `removed` taken away), on `parent` or on none. */
function commitCommands(ref: string, mark: number, commit: CommitSpec): string[] {
  return [
    // Without a parent, `reset` starts the ref afresh (a lock is a commit of its own).
    commit.parent ? '' : `reset ${ref}\n\n`,
    `commit ${ref}\nmark :${mark}\n`,
    commit.author ? signature('author', commit.author) : '',
    signature('committer', commit.committer),
    data(commit.message),
    commit.parent ? `from ${commit.parent}\n` : '',
    commit.onTop ? '' : 'deleteall\n',
    ...(commit.onTop ? (commit.removed ?? []) : []).map((file) => `D ${quotePath(file)}\n`),
    ...Object.entries(commit.files).flatMap(([file, content]) => [`M 100644 inline ${quotePath(file)}\ndata ${Buffer.byteLength(content)}\n`, content, '\n']),
    '\n',
  ];
}

/** Longest slice of a piece written at once (characters). */
const SLICE = 1 << 20;

/**
 * Writes `pieces` to a process's standard input in slices of at most a megabyte, waiting while
 * the pipe is full, so that no text is copied whole into one buffer. False when the process
 * stopped reading (it died; its exit says why).
 */
async function writePieces(stdin: Writable, pieces: Iterable<string>): Promise<boolean> {
  for (const piece of pieces) {
    for (let at = 0; at < piece.length; ) {
      let end = Math.min(piece.length, at + SLICE);
      // A character outside the BMP is two UTF-16 units: never cut between them.
      if (end < piece.length && /[\uD800-\uDBFF]/.test(piece[end - 1]!)) end -= 1;
      if (!stdin.write(piece.slice(at, end)) && !(await drained(stdin))) return false;
      at = end;
    }
  }
  return true;
}

/** Waits until `stdin` takes more: true when drained, false when it closed or failed first. */
function drained(stdin: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      stdin.off('drain', onDrain).off('close', onEnd).off('error', onEnd);
      resolve(ok);
    };
    const [onDrain, onEnd] = [done(true), done(false)];
    stdin.once('drain', onDrain).once('close', onEnd).once('error', onEnd);
  });
}


/** A lock's push refused for another reason than a lost race. */
function lockPushFailed(ref: string, cause: string): GitError {
  return new GitError(`git push of ${ref} failed: ${cause}`, 'lock');
}


/** A run's last write refused: its lock is not this repository's (never taken here, or taken over as stale by another run meanwhile). */
function lockLost(lock: string, ref: string): GitError {
  return new GitError(`the lock ${lock} is no longer this run's (another run took it over as stale): ${ref} was not written, the lock not released`, 'unlock');
}

/** A fast-import `author` or `committer` line, dated now: neither name nor email may hold angle brackets or line breaks. */
function signature(role: 'author' | 'committer', { name, email }: Identity): string {
  return `${role} ${name.replace(/[<>\n]/g, '')} <${email.replace(/[<>\n]/g, '')}> ${Math.floor(Date.now() / 1000)} +0000\n`;
}

/** A fast-import `data` block holding `text`. */
function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

/**
 * Commits of files handed over while they are being written (an export's
 * files, batch by batch as the answers arrive): one `git fast-import` takes
 * each file's content at once and packs it while the caller goes on, so that
 * little is left when the commits are made. Committing 10,000 files from the
 * working tree afterwards (`update-index`, `commit`) took about 0.7 s after the
 * last export; here the blobs are packed meanwhile and only the trees and
 * commits remain.
 *
 * `commit` names the paths of one commit: a path handed over with `file` is
 * committed with its latest content, any other is removed. Commits are made
 * in order at `finish`, each on the one before, the first on the branch's
 * HEAD; every one is made, so callers name only paths that changed. Nothing
 * moves until `finish`: a run stopped before it leaves the branch as it was
 * (the blobs already packed stay unreferenced until git's garbage collection).
 */
export class CommitStream {
  #git: FastImport | undefined;
  /** The state commits' `fast-import`, started before they are known (`expect`), for `finish` to hand to the repository. */
  #stateImport: FastImport | undefined;
  readonly #marks = new Map<string, number>();
  readonly #commits: { paths: string[]; message: string; author: Identity }[] = [];
  #next = 0;
  /** Set once `finish` or `discard` is called: `expect` starts nothing after that. */
  #closing = false;
  #ended = false;
  /** Blobs handed over since the last write: one write per turn of the event loop, not one per file. */
  #pending: string[] = [];
  #pendingBytes = 0;
  #flushing = false;

  constructor(
    private readonly dir: string,
    private readonly options: RepoOptions,
    private readonly branch: string,
    private readonly repo: {
      parent: () => Promise<string | undefined>;
      committed: (tip: string) => void;
      settle: (moved: boolean, inTree: Promise<boolean>) => void;
      ahead: (states: StateWrite[], started: FastImport | undefined) => Promise<void>;
    },
  ) {}

  /**
   * The fast-import process, started once `LAZY_START` bytes of blobs wait, or at the first
   * commit: a run that hands over only a few unchanged files (a no-op export or sync: the
   * principals file) spawns none.
   */
  #started(): ChildProcessWithoutNullStreams {
    this.#git ??= startFastImport(this.dir, this.options);
    return this.#git.process;
  }

  /**
   * Told that commits are coming (the run has objects due): both processes that make them start
   * now, while the answers are awaited, where they started at `finish`, one after the other on the
   * run's path. Each start forks this process, some 5-15 ms of its main thread here, then git's
   * own start.
   */
  expect(): void {
    if (this.#closing) return;
    try {
      this.#started();
      this.#stateImport ??= startFastImport(this.dir, this.options, STATE_IMPORT);
    } catch {
      // A start that fails now (no file descriptor left: spawn's pipes come back undefined) is tried
      // again by `finish`, which reports it as the run's failure; thrown here, in the caller's
      // `setImmediate`, it would end the process.
    }
  }

  /** Hands over a file's content as written to the working tree. */
  file(path: string, text: string): void {
    const mark = (this.#next += 1);
    this.#marks.set(path, mark);
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => this.#flush());
    }
    const blob = `blob\nmark :${mark}\n${data(text)}`;
    this.#pending.push(blob);
    this.#pendingBytes += blob.length;
  }

  /** Writes the blobs handed over; before the process runs, only once enough wait (or `now`, for a commit). */
  #flush(now = false): void {
    this.#flushing = false;
    if (this.#pending.length === 0 || this.#ended) return;
    if (!this.#git && !now && this.#pendingBytes < LAZY_START) return;
    this.#started().stdin.write(this.#pending.join(''));
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Queues one commit of `paths` by `author`. */
  commit(paths: string[], message: string, author: Identity): void {
    this.#commits.push({ paths, message, author });
  }

  /**
   * Makes the queued commits on the branch, and the next commits of the state refs `states` beside
   * them (`GitRepo#commitAhead`); returns the branch's, oldest first. The index follows them while
   * the caller goes on (`GitRepo#settle`).
   */
  async finish(states: StateWrite[] = [], written: Promise<void> = Promise.resolve()): Promise<string[]> {
    this.#closing = true;
    // Observed at once: the files may fail before the commits are made, and that failure is the caller's to report.
    const inTree = written.then(() => true, () => false);
    const [made, ahead] = await Promise.allSettled([this.#finish(inTree), this.repo.ahead(states, this.#takeStateImport())]);
    if (made.status === 'rejected') throw made.reason;
    if (ahead.status === 'rejected') throw ahead.reason;
    return made.value;
  }

  async #finish(inTree: Promise<boolean>): Promise<string[]> {
    if (this.#commits.length === 0) {
      await this.#drop();
      this.repo.settle(false, inTree);
      return [];
    }
    const parent = await this.repo.parent();
    this.#flush(true);
    for (const [i, commit] of this.#commits.entries()) {
      if (!(await writePieces(this.#started().stdin, this.#commitCommand(commit, i === 0 ? parent : undefined)))) break;
    }
    const { code, out, err } = await this.#end();
    if (code !== 0) throw new GitError(`git fast-import failed: ${gitMessage(err || `exit code ${code}`)}`, 'commit');
    const commits = out.split('\n').filter(Boolean);
    if (commits.length > 0) this.repo.committed(commits.at(-1)!);
    this.repo.settle(commits.length > 0, inTree);
    return commits;
  }

  /**
   * One queued commit as fast-import commands, a thousand paths a piece: the command for a whole
   * export's commit (100,000 paths) was built as one string, the export's peak of memory (issue 16:
   * 11 → 40 MB of buffers at 100,003 objects), and is now written as it is made (`writePieces`).
   */
  *#commitCommand({ paths, message, author }: { paths: string[]; message: string; author: Identity }, parent: string | undefined): Generator<string> {
    const mark = (this.#next += 1);
    yield [`commit refs/heads/${this.branch}\nmark :${mark}\n`, signature('author', author), signature('committer', this.options.committer), data(message), parent ? `from ${parent}\n` : ''].join('');
    for (let at = 0; at < paths.length; at += PATHS_A_PIECE) {
      yield paths.slice(at, at + PATHS_A_PIECE).map((path) => {
        const blob = this.#marks.get(path);
        return blob === undefined ? `D ${quotePath(path)}\n` : `M 100644 :${blob} ${quotePath(path)}\n`;
      }).join('');
    }
    yield `\nget-mark :${mark}\n`;
  }

  /** Ends the stream without committing anything. */
  async discard(): Promise<void> {
    this.#closing = true;
    // The state commits' process started for this stream (`expect`), if `finish` did not take it, ends unused.
    await Promise.all([this.#drop(), endUnused(this.#takeStateImport())]);
  }

  /** The state commits' process `expect` started, handed over once. */
  #takeStateImport(): FastImport | undefined {
    const started = this.#stateImport;
    this.#stateImport = undefined;
    return started;
  }

  async #drop(): Promise<void> {
    this.#commits.length = 0;
    this.#pending = [];
    await this.#end();
  }

  async #end(): Promise<GitExit> {
    if (!this.#ended) {
      if (this.#git) this.#flush(true);
      this.#ended = true;
      this.#git?.process.stdin.end('done\n');
    }
    return this.#git?.exit ?? { code: 0, out: '', err: '' };
  }
}

/** Paths of a commit written to fast-import in one piece (`CommitStream`): about 100 kB. */
const PATHS_A_PIECE = 1000;

/** Blobs waiting before `CommitStream` starts its process: more than a few changed objects' files (a TML file is 1-20 KiB). */
const LAZY_START = 256 * 1024;

/**
 * The state commits' `fast-import` options. --force: their scratch refs move freely. --depth=0: no
 * deltas. fast-import deltifies each blob against the one written before it, in chains of up to 50,
 * so that reading one ledger shard meant applying up to 50 deltas of other shards: 25 shards of
 * 100,003 objects' ledger took 0.14 s to read, 0.025 s stored whole (`cat-file --batch`; the pack
 * is 3.0 MB either way, the shards share little).
 */
const STATE_IMPORT = ['--force', '--depth=0'];

/** How a git process ended: its exit code and its whole output. */
interface GitExit {
  code: number | null;
  out: string;
  err: string;
}

/** Ends a `fast-import` started for commits that never came (`CommitStream.expect`): with `done`, it commits nothing and leaves no crash report. */
async function endUnused(fastImport: FastImport | undefined): Promise<void> {
  if (!fastImport) return;
  fastImport.process.stdin.end('done\n');
  await fastImport.exit;
}

/** A running `git fast-import` and its exit. */
interface FastImport {
  process: ChildProcessWithoutNullStreams;
  exit: Promise<GitExit>;
}

/** A `git fast-import` (fed by `CommitStream`, or by `GitRepo`'s state commits). */
function startFastImport(dir: string, options: RepoOptions, args: string[] = []): FastImport {
  // --done: a stream cut off before its end (the process died mid-way) commits nothing.
  const child = spawnGit(dir, options, [], ['fast-import', '--quiet', '--done', ...args]);
  // A fast-import that stopped early fails at `finish` with its own message, not as an EPIPE here.
  child.stdin.on('error', () => undefined);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const exit = new Promise<GitExit>((resolve) => {
    const done = (code: number | null) => resolve({ code, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') });
    child.on('close', done);
    child.on('error', (error) => {
      err.push(Buffer.from(error.message));
      done(-1);
    });
  });
  return { process: child, exit };
}

/**
 * A lock's holder and start, or undefined when lock.json cannot be read: it sits in the
 * remote, where anyone who can push may have written anything, so a bad one is reported
 * (and never taken over: nothing says its holder is gone) rather than a crash.
 */
function lockOf(text: string): { holder: string; at: string } | undefined {
  try {
    const { holder, at } = JSON.parse(text) as { holder?: unknown; at?: unknown };
    return typeof holder === 'string' && typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? { holder, at } : undefined;
  } catch {
    return undefined;
  }
}

/** A path in fast-import's C-style quoting, which holds any file name. */
function quotePath(path: string): string {
  return `"${path.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

/**
 * The tree mark (issue 16): a file in `.git` naming the branch and commit whose tree the work tree
 * holds, no more and no less, as a commit stream's `finish` left it (the caller hands over and
 * names every file it wrote). A checkout takes it away, whatever it then does, since the run
 * writes into the tree next: a run cut short leaves no mark, and the next checkout puts the tree
 * back whole; a checkout for a caller that only reads the tree (`reads`: a deploy, a plan) puts it
 * back at once. Only the export writes into the tree, and only tmlsync works in it.
 */
const TREE_MARK = 'tmlsync-tree';

function treeMark(branch: string, sha: string): string {
  return `${branch}\n${sha}\n`;
}

function markTree(dir: string, mark: string): void {
  writeFileSync(join(dir, '.git', TREE_MARK), mark);
}

/** The tree mark, removed (undefined when there was none). */
function takeTreeMark(dir: string): string | undefined {
  const file = join(dir, '.git', TREE_MARK);
  try {
    const mark = readFileSync(file, 'utf8');
    rmSync(file, { force: true });
    return mark;
  } catch {
    return undefined;
  }
}

/** A URL git writes into its config as it is: no quoting, no escape, no whitespace at either end. */
const WRITTEN_AS_IS = /^[^\s"\\;#](?:[^"\\;#\n\r\t\b]*[^\s"\\;#])?$/;

/**
 * Adds `remote.origin.url` to the config `init` just wrote, as `git config` would add it, where
 * that took a process of its own (one of the two of every work tree made). Only a URL git writes
 * as it is, which `originUrlIn` reads back: false for any other, which git then writes.
 */
function addOrigin(gitDir: string, url: string): boolean {
  if (!WRITTEN_AS_IS.test(url)) return false;
  appendFileSync(join(gitDir, 'config'), `[remote "origin"]\n\turl = ${url}\n`);
  return true;
}

/** An object name, SHA-1 or SHA-256. */
const OBJECT_NAME = '[0-9a-f]{40}|[0-9a-f]{64}';
/** A loose ref's file: the object name on a line of its own. */
const LOOSE_REF = new RegExp(`^(${OBJECT_NAME})\\n?$`);
/** A line of packed-refs: the object name, then the ref. */
const PACKED_REF = new RegExp(`^(${OBJECT_NAME}) `);

/** A ref's commit as `gitDir`'s files hold it, loose or packed (`GitRepo.localTip`); undefined for anything else. */
function refInFiles(gitDir: string, ref: string): string | undefined {
  if (!ref.startsWith('refs/') || ref.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined;
  try {
    return LOOSE_REF.exec(readFileSync(join(gitDir, ref), 'utf8'))?.[1];
  } catch {
    // Not loose (or a folder of refs): git then keeps it in packed-refs, if anywhere.
  }
  try {
    const line = readFileSync(join(gitDir, 'packed-refs'), 'utf8').split('\n').find((entry) => entry.endsWith(` ${ref}`));
    return line === undefined ? undefined : PACKED_REF.exec(line)?.[1];
  } catch {
    return undefined;
  }
}

/** Whether the work tree `dir` holds nothing but its `.git`. */
function holdsNothing(dir: string): boolean {
  return readdirSync(dir).every((name) => name === '.git');
}

/**
 * The branch HEAD names in a repository as `init` left it: no index, and no branch at all (none
 * loose in `refs/heads`, none packed), so HEAD's is unborn and no stale branch of any name is
 * left. Undefined otherwise, and for anything this reading does not know (a ref storage other
 * than files', a detached HEAD).
 */
function unbornBranch(gitDir: string): string | undefined {
  try {
    if (existsSync(join(gitDir, 'index')) || readdirSync(join(gitDir, 'refs', 'heads')).length > 0) return undefined;
    const packed = join(gitDir, 'packed-refs');
    if (existsSync(packed) && /^[0-9a-f]+ refs\/heads\//m.test(readFileSync(packed, 'utf8'))) return undefined;
    return /^ref: refs\/heads\/(\S+)\n?$/.exec(readFileSync(join(gitDir, 'HEAD'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds a repository of its own: a real `.git/HEAD` file (an `init` cut short may leave less, which `init` then completes). */
function isRepository(dir: string): boolean {
  return lstatSync(join(dir, '.git', 'HEAD'), { throwIfNoEntry: false })?.isFile() === true;
}

/**
 * Whether a file is tracked by the git repository it sits in (false outside any repository). Asked
 * of every configuration file a command loads: one outside any repository (no `.git` in its folder
 * or above) is answered without a git process.
 */
export async function isTracked(file: string): Promise<boolean> {
  if (!insideRepository(dirname(resolve(file)))) return false;
  try {
    await createGit(dirname(file)).raw(['ls-files', '--error-unmatch', '--', basename(file)]);
    return true;
  } catch {
    return false;
  }
}

/** Whether `dir` or a folder above it holds a `.git` (a repository's folder, or a work tree's or submodule's file). */
function insideRepository(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return true;
    if (dirname(at) === at) return false;
  }
}

/** Creates an empty bare repository (the embedded default's local remote) unless one is there. */
export async function ensureBareRepo(path: string): Promise<boolean> {
  if (existsSync(join(path, 'HEAD'))) return false;
  mkdirSync(path, { recursive: true });
  await createGit(path).raw(['init', '--quiet', '--bare', '--initial-branch=main']);
  return true;
}
