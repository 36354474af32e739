/**
 * `npm run bench`: the export benchmark (a report, not a test).
 *
 * For each size (default 1,000 and 10,000 generated objects; `--sizes 1000`
 * runs fewer) the emulator runs as a separate process at 20 ms latency, and
 * these phases run side by side against it:
 *   1. full: `runExport` into a fresh work tree and an empty local bare remote;
 *   2. incremental: `runExport` again after exactly one object changed;
 *   3. daemon: the same, as a daemon's next run makes it: one process, client
 *      and repository kept from an unmeasured run before it;
 *      then git alone in its work tree: the fetch, one commit of one file and its
 *      push, none of our code, the floor git sets under an incremental run;
 *   4. naive: the same listing, then one object per `tml/export` call, one call
 *      at a time, writing nothing to git; on at most `--naive-sample` objects
 *      (default 1,000, evenly spread over the listing), extrapolated linearly.
 * Each of these runs `--repeats` times (default 3; the full export into a
 * fresh work tree and remote each time), and the tables give the median run
 * with the spread (min–max) of its wall time.
 * Then, last because it writes into the emulator, the deploy of issue 5: the
 * branch the full export wrote is deployed back once (unmeasured), one file is
 * changed in git and pushed, and `runDeploy` of that commit is measured (its
 * write-path calls: validate, import, round-trip export); and the first
 * promotion of issue 16: that branch deployed whole into an empty emulator of
 * its own. Sizes above `--deploy-max` (default 10,000) skip both.
 * Each phase runs in a child process of its own (this file with `--phase`,
 * printing JSON), so that its peak RSS is its own and not the high-water mark
 * of an earlier phase or of the emulator; the emulator is a process of its
 * own too, and its CPU time (from /proc) is reported beside ours. A phase
 * runs compiled (`compilePhases`), as `tmlsync` runs its build, and bounds its
 * heap's growth as the CLI does (`boundHeapGrowth`), so that its RSS is the
 * one a `tmlsync` process has.
 *
 * Reported per phase: wall time, API calls by kind, peak RSS, CPU, and the ratio of
 * the wall time to the bound the queue's limits set (`queueBound`), plus where
 * the time went. The targets are checked and printed as PASS/FAIL, but the exit
 * code is 0 either way unless something crashed. The output is markdown with
 * the command and the commit that produced it, for the README as it is.
 *
 * `--api v1|v2` (default v1): the REST API the measured runs speak.
 *
 * Network traffic goes only to the emulator on 127.0.0.1.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { thoughtspotPort } from '../src/app/index.js';
import { boundHeapGrowth } from '../src/cli/heap.js';
import { ASYNC_IMPORT_FROM } from '../src/app/thoughtspot-port.js';
import { scaleConnection } from '../src/emulator/seed/scale.js';
import { ensureBareRepo, GitRepo } from '../src/git/index.js';
import { runDeploy } from '../src/sync/deploy/deploy.js';
import { runExport } from '../src/sync/export/export.js';
import { runSync } from '../src/sync/sync/sync.js';
// The content types every export lists (cohorts too); the naive exporter lists the same.
import { CONTENT_TYPES } from '../src/sync/kernel/target.js';
import type { ContentCommits, ContentRepo, ThoughtSpotPort } from '../src/sync/ports.js';
import { DEFAULT_RATE_LIMIT, HostQueue, HostQueues, ThoughtSpotClient, ThoughtSpotV2Client, type RateLimit } from '../src/thoughtspot/index.js';
import { format, parse } from '../src/tml/index.js';

const LATENCY_MS = 20;
const DEFAULT_SIZES = [1_000, 10_000];
const DEFAULT_NAIVE_SAMPLE = 1_000;
/** Each phase this many times (`--repeats`): the median and the spread are reported, one run moves too much on a shared machine. */
const DEFAULT_REPEATS = 3;
/** Sizes above this skip the deploy phases (`--deploy-max`): priming 100,000 objects through imports alone would take the bench's 15 minutes. */
const DEFAULT_DEPLOY_MAX = 10_000;
/** Peak RSS of an export (issue 12: 300 MB at 10,000 objects; issue 16: 500 MB at 100,000), the tmlsync process alone. */
const RSS_LIMIT_10K_MB = 300;
const RSS_LIMIT_100K_MB = 500;
/** Issue 16: the first promotion of a whole repository within 2× of its queue bound. */
const PROMOTION_TARGET = 2;
/** Issue 16: an incremental run of one change within 1.5× of its queue bound. */
const INCREMENTAL_TARGET = 1.5;
const RATIO_TARGET = 1.3;
/** Issue 5: a deploy of one changed file makes at most this many calls beyond the listing (validate, import, round-trip export). */
const DEPLOY_WRITE_CALLS = 3;
const SAMPLE_EVERY_MS = 50;
/**
 * How long one phase may run before the bench stops it (an emulator that stopped answering):
 * at least 10 minutes, and 9 ms per object above that, since a phase's work grows with the
 * instance (a full export of 100,000 objects makes some 2,200 calls, 44 s at the queue's bound,
 * but the fixed 600 s stopped it on this machine at a load average of 30). A hang is still
 * caught; a slow run is reported, and judged by the budget below, rather than cut off.
 */
const PHASE_TIMEOUT_FLOOR_MS = 600_000;
const PHASE_TIMEOUT_PER_OBJECT_MS = 9;
function phaseTimeoutMs(objects: number): number {
  return Math.max(PHASE_TIMEOUT_FLOOR_MS, objects * PHASE_TIMEOUT_PER_OBJECT_MS);
}
/**
 * Issue 16: `--sizes 100000` within 15 minutes on this 2-core machine, seeding included; with
 * `--repeats` k the phases run k times, so the budget is checked as 15 minutes per repetition.
 * Sizes below 100,000 have no budget of their own (their deploy phases dominate).
 */
const BUDGET_SIZE = 100_000;
const BUDGET_PER_REPEAT_MS = 15 * 60_000;
const EXPORT_ENDPOINT = 'metadata/tml/export';
/** Calls every export makes besides the content listing: the users (authors), `user/list`, the groups' privileges. */
const PRINCIPAL_CALLS = 3;
const COMMITTER = { name: 'tmlsync bench', email: 'bench@localhost' };
/** The environment the export phases run (`tmlsync export` of it, or a daemon's scheduled run). */
const BENCH_ENVIRONMENT = { name: 'bench', branch: 'main' };
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where `compilePhases` puts this file and the sources it imports, compiled: in the project, whose node_modules the packages resolve from. */
const PHASES_BUILD = join(ROOT, 'node_modules', '.cache', 'tmlsync-bench');

type PhaseName = 'full' | 'incremental' | 'daemon' | 'naive' | 'deploy-setup' | 'deploy-edit' | 'deploy' | 'promotion' | 'sync-setup' | 'sync-edit' | 'sync';

interface PhaseArgs {
  name: PhaseName;
  /** The REST API the measured runs speak (`--api`). */
  api: 'v1' | 'v2';
  url: string;
  remote: string;
  workTree: string;
  naiveSample: number;
  /** Which repetition of its phase (0 first): each repetition changes another description, deploys into another environment. */
  repeat: number;
  /** The emulator's process, whose CPU the phase reports beside its own (the orchestrator's, who started it). */
  emulatorPid?: number;
}

/** Time spent in one kind of operation: how often, in total, and from the first start to the last end (ms since the phase began). */
interface Span {
  count: number;
  totalMs: number;
  firstStart: number;
  lastEnd: number;
}

export interface PhaseResult {
  name: PhaseName;
  wallMs: number;
  /** API calls by endpoint, as the client's `onCall` hook saw them (after retries, so one per logical call). */
  calls: Record<string, number>;
  /** Content objects listed. */
  objects: number;
  peakRssMb: number;
  /** RSS when the phase began (Node and the compiled modules loaded): what the phase itself adds is the difference. */
  baselineRssMb: number;
  /** ThoughtSpot operations as the exporter waited for them (queue wait included): `list`, `export`. */
  operations: Record<string, Span>;
  /** Requests in flight, by the operation that made them (queue wait excluded): what the server took. */
  flights: Record<string, Span>;
  /** git operations by `ContentRepo` method (each spawns git processes). */
  git: Record<string, Span>;
  /** CPU seconds of this Node process, and of the git processes it waited for; undefined where /proc is missing. */
  cpuS: number;
  gitCpuS: number | undefined;
  /** Share of the exports window the event loop was busy (not waiting for I/O or timers): near 1, answers wait for the exporter's own work. */
  exportsLoopBusy: number | undefined;
  /** `runExport`'s outcome counts (full and incremental). */
  counts?: Record<string, number>;
  outcome?: string;
  /** The naive exporter: objects actually exported, failures, and the two parts of its wall time. */
  naive?: { sampled: number; failed: number; listingMs: number; exportMs: number };
  /** The deploy: the file changed, and objects whose re-export differed. */
  deploy?: { changed: string; drift: number };
  /** Most requests of each operation in flight at once (what the queue let through together). */
  inFlightPeak: Record<string, number>;
  /** Listings by type: whole (`listHeaders`) and newest first (`listHeadersSince`), each call once however many pages. */
  listings: { whole: Record<string, number>; since: Record<string, number> };
  /** The sync: conflicts it found (none expected: the two changes are of different objects). */
  conflicts?: number;
  /** CPU seconds the emulator (a process of its own) spent during the phase: the server's work, apart from ours. */
  emulatorCpuS?: number;
}

// ---------------------------------------------------------------- instrumentation (inside a phase)

/** The ThoughtSpot operation a request belongs to, carried through the client's async calls down to the queue. */
const operation = new AsyncLocalStorage<string>();

function addSpan(spans: Record<string, Span>, key: string, start: number, end: number): void {
  const span = (spans[key] ??= { count: 0, totalMs: 0, firstStart: start, lastEnd: end });
  span.count += 1;
  span.totalMs += end - start;
  span.firstStart = Math.min(span.firstStart, start);
  span.lastEnd = Math.max(span.lastEnd, end);
}

/**
 * The client's queue with a stopwatch on each request: the task starts when
 * the queue lets it, so its duration is the request's time in flight, the
 * queue's wait left out. A subclass given through `queues`, because the queue
 * itself has no hook and src/ is not to be changed for the benchmark.
 */
class TimedQueue extends HostQueue {
  constructor(
    origin: string,
    limits: RateLimit,
    private readonly flights: Record<string, Span>,
    private readonly clock: () => number,
    private readonly peaks: Record<string, number>,
  ) {
    super(origin, limits);
  }

  #inFlight: Record<string, number> = {};

  override run<T>(request: () => Promise<T>, priority = 0): Promise<T> {
    const kind = operation.getStore() ?? 'other';
    return super.run(async () => {
      const start = this.clock();
      this.#inFlight[kind] = (this.#inFlight[kind] ?? 0) + 1;
      this.peaks[kind] = Math.max(this.peaks[kind] ?? 0, this.#inFlight[kind]);
      try {
        return await request();
      } finally {
        this.#inFlight[kind] -= 1;
        addSpan(this.flights, kind, start, this.clock());
      }
    }, priority);
  }
}

class TimedQueues extends HostQueues {
  #queue: TimedQueue | undefined;

  constructor(
    private readonly flights: Record<string, Span>,
    private readonly clock: () => number,
    private readonly peaks: Record<string, number>,
  ) {
    super();
  }

  override for(url: string | URL, limits: RateLimit): HostQueue {
    this.#queue ??= new TimedQueue(new URL(url).origin, limits, this.flights, this.clock, this.peaks);
    return this.#queue;
  }
}

/** Event-loop utilization when the first export call began and when the last one ended. */
interface ExportsLoop {
  first?: EventLoopUtilization;
  last?: EventLoopUtilization;
}

/** The port `runExport` gets, timing each operation (queue wait included) and naming it for the queue. */
function timedPort(port: ThoughtSpotPort, spans: Record<string, Span>, clock: () => number, loop: ExportsLoop, listings: PhaseResult['listings']): ThoughtSpotPort {
  async function timed<T>(kind: string, work: () => Promise<T>): Promise<T> {
    const start = clock();
    if (kind === 'export') loop.first ??= performance.eventLoopUtilization();
    try {
      return await operation.run(kind, work);
    } finally {
      addSpan(spans, kind, start, clock());
      if (kind === 'export') loop.last = performance.eventLoopUtilization();
    }
  }
  return {
    // The export loop uses only the four timed below; the rest pass through.
    ...port,
    listHeaders: (type, subtypes, onPage, signal) => ((listings.whole[type] = (listings.whole[type] ?? 0) + 1), timed('list', () => port.listHeaders(type, subtypes, onPage, signal))),
    listHeadersSince: (type, since, onPage, signal) => ((listings.since[type] = (listings.since[type] ?? 0) + 1), timed('list', () => port.listHeadersSince!(type, since, onPage, signal))),
    listPrincipals: () => timed('list', () => port.listPrincipals()),
    listGroupPrivileges: () => timed('list', () => port.listGroupPrivileges()),
    syncPrincipals: (request) => port.syncPrincipals(request),
    changePrivilege: (change, privilege, groups) => port.changePrivilege(change, privilege, groups),
    exportTml: (ids) => timed('export', () => port.exportTml(ids)),
    importTml: (documents, policy) => timed(policy === 'VALIDATE_ONLY' ? 'validate' : 'import', () => port.importTml(documents, policy)),
    deleteObjects: (type, ids) => timed('delete', () => port.deleteObjects(type, ids)),
  };
}

/**
 * The repository `runExport` gets, timing each git operation. `GitRepo` keeps private fields, so methods run on the target, not the proxy.
 * Commits are timed as `commit`: from the `finish` of a commit stream (its blobs went to git during the exports) to its end.
 */
function timedRepo(repo: GitRepo, spans: Record<string, Span>, clock: () => number): ContentRepo {
  const timed = <T,>(key: string, work: () => Promise<T>) => async (): Promise<T> => {
    const start = clock();
    try {
      return await work();
    } finally {
      addSpan(spans, key, start, clock());
    }
  };
  return new Proxy(repo, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'startCommits') {
        return (branch: string): ContentCommits => {
          const stream = target.startCommits(branch);
          return {
            file: (path, text) => stream.file(path, text),
            commit: (paths, message, author) => stream.commit(paths, message, author),
            finish: (states, written) => timed('commit', () => stream.finish(states, written))(),
            expect: () => stream.expect(),
            discard: () => stream.discard(),
          };
        };
      }
      const method = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => timed(String(key), () => method.apply(target, args))();
    },
  });
}

/** CPU seconds from /proc/<pid>/stat: the process's own (utime + stime), and its waited-for children's (cutime + cstime). */
function procCpu(pid: number | 'self'): { own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": the command name may hold spaces, so split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // utime, stime, cutime, cstime are fields 14-17 (1-based); the slice starts at field 3. Clock ticks are 100 per second on Linux.
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
    return { own: (utime + stime) / 100, children: (cutime + cstime) / 100 };
  } catch {
    return undefined;
  }
}

const megabytes = (bytes: number) => bytes / 1e6;

/** The deploy goes back into the emulator the content came from, from the branch the export wrote: no mapping, every object already there. */
const DEPLOY_ENVIRONMENT = { name: 'bench-deploy', branch: 'main' };
const deployTree = (args: PhaseArgs) => `${args.workTree}-deploy`;

/** An engineer's commit on the content branch: one answer's description changed. Returns its path. */
async function changeOneFile(args: PhaseArgs): Promise<string> {
  // The phase in the text, so that the sync's first edit is a change after the deploy's last.
  const editor = await GitRepo.open(`${args.workTree}-edit`, { remoteUrl: args.remote, committer: COMMITTER });
  await editor.fetch();
  await editor.checkout('main');
  const folder = join(editor.dir, 'tml', 'answer');
  const [name] = readdirSync(folder).sort();
  if (!name) throw new Error('the content branch has no answer to change');
  const path = `tml/answer/${name}`;
  const doc = parse(readFileSync(join(editor.dir, path), 'utf8'));
  doc.body.description = `changed in git by the benchmark's ${args.name} (${args.repeat + 1})`;
  writeFileSync(join(editor.dir, path), format(doc));
  await editor.commitAll('bench: change one answer', COMMITTER);
  await editor.push('main');
  return path;
}

/**
 * The first promotion (issue 16): the whole branch the full export wrote,
 * deployed into an empty environment (another emulator, holding only the
 * connection the content uses), from a fresh clone, as a new environment.
 */
async function firstPromotion(args: PhaseArgs, port: ThoughtSpotPort, result: Partial<PhaseResult>, git: Record<string, Span>, clock: () => number): Promise<void> {
  const openStart = clock();
  const opened = await GitRepo.open(`${args.workTree}-promotion-${args.repeat}`, { remoteUrl: args.remote, committer: COMMITTER });
  addSpan(git, 'open', openStart, clock());
  const report = await runDeploy({ environment: { name: `bench-promotion-${args.repeat}`, branch: 'main' }, thoughtspot: port, repo: timedRepo(opened, git, clock) });
  result.objects = report.objects.length;
  result.counts = report.counts;
  result.outcome = report.outcome;
  result.deploy = { changed: '', drift: report.drift.length };
}

/** The sync's work tree: its own, on the branch the full export wrote, as a daemon keeps one. */
const syncTree = (args: PhaseArgs) => `${args.workTree}-sync`;

/**
 * The sync phases (issue 16: one listing per kind, at most three write-path calls). `sync-setup`,
 * unmeasured: a first sync of the deploy's environment (its deploy ledger primed by the deploy
 * phases), which lists and exports everything once and records the export ledger. `sync-edit`:
 * one answer's description changed in git and pushed, and one liveboard's in ThoughtSpot (other
 * objects: no conflict). `sync`: the sync of both, measured.
 */
async function syncPhase(args: PhaseArgs, port: ThoughtSpotPort, result: Partial<PhaseResult>, git: Record<string, Span>, clock: () => number): Promise<void> {
  if (args.name === 'sync-edit') {
    result.deploy = { changed: await changeOneFile(args), drift: 0 };
    await changeOneObject(args.url, 'PINBOARD_ANSWER_BOOK');
    return;
  }
  const openStart = clock();
  const opened = await GitRepo.open(syncTree(args), { remoteUrl: args.remote, committer: COMMITTER });
  addSpan(git, 'open', openStart, clock());
  const report = await runSync({ environment: DEPLOY_ENVIRONMENT, thoughtspot: port, repo: args.name === 'sync' ? timedRepo(opened, git, clock) : opened, committer: COMMITTER });
  if (report.outcome !== 'ok') throw new Error(`the ${args.name} phase's sync failed: ${report.error ?? JSON.stringify(report.counts)}`);
  result.objects = report.objects.length;
  result.counts = report.counts;
  result.outcome = report.outcome;
  result.conflicts = report.conflicts.length;
  const updated = (objects: { outcome: string; path?: string }[] | undefined) => (objects ?? []).filter((o) => o.outcome === 'updated').map((o) => o.path).join(', ');
  result.deploy = { changed: `deployed ${updated(report.deploy?.objects) || 'none'}; exported ${updated(report.export?.objects) || 'none'}`, drift: report.deploy?.drift.length ?? 0 };
}

/**
 * Where a phase's measures start: its clock, its RSS and CPU, and the emulator's CPU. A daemon's phase
 * starts them again after the run it does unmeasured (`restart`), and empties the records its hooks
 * filled meanwhile. The peak RSS is the process's whole life's (the kernel's high-water mark): a
 * daemon's phase counts its unmeasured run in it, and its RSS at start is after that run.
 */
class PhaseMeter {
  origin = 0;
  baselineRss = 0;
  peakRss = 0;
  cpuBefore!: NodeJS.CpuUsage;
  gitCpuBefore: number | undefined;
  emulatorCpuBefore: number | undefined;
  readonly clock = () => performance.now() - this.origin;
  // Sampling sees the RSS between event-loop turns; the kernel's high-water mark (maxRSS, at `stop`) also catches what falls between samples.
  readonly #sampler = setInterval(() => (this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss)), SAMPLE_EVERY_MS);

  constructor(private readonly emulatorPid: number | undefined) {
    this.#start();
    this.peakRss = this.baselineRss;
  }

  /** Starts the measures again, the peak RSS kept, with `records` emptied (what the phase's calls and git filled so far). */
  restart(records: Record<string, unknown>[]): void {
    for (const record of records) for (const key of Object.keys(record)) delete record[key];
    this.#start();
  }

  #start(): void {
    this.origin = performance.now();
    this.baselineRss = process.memoryUsage().rss;
    this.cpuBefore = process.cpuUsage();
    this.gitCpuBefore = procCpu('self')?.children;
    this.emulatorCpuBefore = this.#emulatorCpu();
  }

  #emulatorCpu(): number | undefined {
    return this.emulatorPid === undefined ? undefined : procCpu(this.emulatorPid)?.own;
  }

  /** The measures since the start: wall time, peak RSS, CPU of this process, of the git processes it waited for, and of the emulator. */
  stop(): Pick<PhaseResult, 'wallMs' | 'peakRssMb' | 'baselineRssMb' | 'cpuS' | 'gitCpuS' | 'emulatorCpuS'> {
    const wallMs = this.clock();
    clearInterval(this.#sampler);
    const cpu = process.cpuUsage(this.cpuBefore);
    const gitCpuAfter = procCpu('self')?.children;
    const emulatorCpuAfter = this.#emulatorCpu();
    const peakRss = Math.max(this.peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    return {
      wallMs,
      peakRssMb: megabytes(peakRss),
      baselineRssMb: megabytes(this.baselineRss),
      cpuS: (cpu.user + cpu.system) / 1e6,
      gitCpuS: this.gitCpuBefore === undefined || gitCpuAfter === undefined ? undefined : gitCpuAfter - this.gitCpuBefore,
      ...(this.emulatorCpuBefore !== undefined && emulatorCpuAfter !== undefined ? { emulatorCpuS: emulatorCpuAfter - this.emulatorCpuBefore } : {}),
    };
  }
}

/** Runs inside a phase child: one phase, measured; its result goes to stdout as one JSON line. */
async function phase(args: PhaseArgs): Promise<PhaseResult> {
  boundHeapGrowth();
  const meter = new PhaseMeter(args.emulatorPid);
  const { clock } = meter;

  const calls: Record<string, number> = {};
  const operations: Record<string, Span> = {};
  const flights: Record<string, Span> = {};
  const git: Record<string, Span> = {};
  const inFlightPeak: Record<string, number> = {};
  // The queue limits are the client's defaults (DEFAULT_RATE_LIMIT), the same a real run has.
  const options = {
    url: args.url,
    username: 'tsadmin',
    password: 'admin',
    env: {},
    queues: new TimedQueues(flights, clock, inFlightPeak),
    onCall: (endpoint: string) => void (calls[endpoint] = (calls[endpoint] ?? 0) + 1),
  };
  const client = args.api === 'v2' ? new ThoughtSpotV2Client(options) : new ThoughtSpotClient(options);
  const loop: ExportsLoop = {};
  const listings: PhaseResult['listings'] = { whole: {}, since: {} };
  const port = timedPort(thoughtspotPort(client), operations, clock, loop, listings);

  const result: Omit<PhaseResult, 'wallMs' | 'peakRssMb' | 'baselineRssMb' | 'cpuS' | 'gitCpuS' | 'exportsLoopBusy'> = { name: args.name, calls, objects: 0, operations, flights, git, inFlightPeak, listings };
  if (args.name === 'promotion') {
    await firstPromotion(args, port, result, git, clock);
  } else if (args.name === 'sync-setup' || args.name === 'sync-edit' || args.name === 'sync') {
    await syncPhase(args, port, result, git, clock);
  } else if (args.name === 'deploy-edit') {
    result.deploy = { changed: await changeOneFile(args), drift: 0 };
  } else if (args.name === 'naive') {
    // The same listing as runExport's, one type after the other, then one object per call, each awaited before the next.
    const ids: string[] = [];
    for (const type of CONTENT_TYPES) ids.push(...(await port.listHeaders(type)).map((h) => h.id));
    const listingMs = clock();
    // An even spread over the listing, so every kind is in the sample in its proportion.
    const count = Math.min(args.naiveSample, ids.length);
    const picks = Array.from({ length: count }, (_, i) => ids[Math.floor((i * ids.length) / count)]!);
    let failed = 0;
    for (const id of picks) {
      const [exported] = await port.exportTml([id]);
      if (!exported || 'error' in exported) failed += 1;
    }
    result.objects = ids.length;
    result.naive = { sampled: count, failed, listingMs, exportMs: clock() - listingMs };
  } else if (args.name === 'deploy-setup') {
    // Not measured: the content branch deployed once (every object), then one file changed and pushed.
    const repo = await GitRepo.open(deployTree(args), { remoteUrl: args.remote, committer: COMMITTER });
    const primed = await runDeploy({ environment: DEPLOY_ENVIRONMENT, thoughtspot: port, repo });
    if (primed.outcome !== 'ok') throw new Error(`the priming deploy failed: ${primed.error ?? JSON.stringify(primed.counts)}`);
    result.objects = primed.objects.length;
    result.counts = primed.counts;
    result.outcome = primed.outcome;
    result.deploy = { changed: await changeOneFile(args), drift: primed.drift.length };
  } else if (args.name === 'deploy') {
    const openStart = clock();
    const opened = await GitRepo.open(deployTree(args), { remoteUrl: args.remote, committer: COMMITTER });
    addSpan(git, 'open', openStart, clock());
    const report = await runDeploy({ environment: DEPLOY_ENVIRONMENT, thoughtspot: port, repo: timedRepo(opened, git, clock) });
    result.objects = report.objects.length;
    result.counts = report.counts;
    result.outcome = report.outcome;
    result.deploy = { changed: report.objects.filter((o) => o.outcome === 'updated').map((o) => o.path).join(', '), drift: report.drift.length };
  } else {
    // Opening the work tree (git init, remote, config) is part of every run, so it is timed as git too.
    const openStart = clock();
    const opened = await GitRepo.open(args.workTree, { remoteUrl: args.remote, committer: COMMITTER });
    addSpan(git, 'open', openStart, clock());
    if (args.name === 'daemon') {
      // A daemon's run after its first keeps that run's process, client (its session) and repository: the run before,
      // unmeasured, finds nothing changed; then one object changes, and the next run is measured, as its schedule would start it.
      await runExport({ environment: BENCH_ENVIRONMENT, thoughtspot: thoughtspotPort(client), repo: opened, committer: COMMITTER });
      await changeOneObject(args.url);
      // What the run before filled through the shared client (its calls) and the work tree's opening (git); it made no
      // operation and no listing of the timed port's.
      meter.restart([calls, flights, git, inFlightPeak]);
    }
    const report = await runExport({ environment: BENCH_ENVIRONMENT, thoughtspot: port, repo: timedRepo(opened, git, clock), committer: COMMITTER });
    result.objects = report.objects.length;
    result.counts = report.counts;
    result.outcome = report.outcome;
  }
  return {
    ...result,
    ...meter.stop(),
    exportsLoopBusy: loop.first && loop.last ? performance.eventLoopUtilization(loop.last, loop.first).utilization : undefined,
  };
}

// ---------------------------------------------------------------- orchestration

/** Children and directories to remove however the run ends (an error, Ctrl-C). */
const children = new Set<ChildProcess>();
const scratchDirs = new Set<string>();

function cleanUp(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  children.clear();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  scratchDirs.clear();
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts the emulator as a process of its own, so its memory and CPU are not the exporter's; resolves with its URL once it listens. */
async function startEmulator(scale: number): Promise<{ child: ChildProcess; url: string; seedMs: number }> {
  const started = performance.now();
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', CLI, 'emulator', '--port', '0', '--seed', 'none', '--seed-scale', String(scale), '--latency-ms', String(LATENCY_MS), '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code, signal) => reject(new Error(`the emulator exited before listening (${code ?? signal})`)));
  });
  return { child, url, seedMs: performance.now() - started };
}

async function stopEmulator(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * This file and the sources it imports, compiled to JavaScript as `npm ci` builds dist/ (`tsc
 * --noCheck`), for the phases to run as a `tmlsync` process runs its build. Through tsx, which no
 * user runs, a phase's process held 127 MB at its start against 86 MB, which the peak RSS targets
 * counted as the exporter's (the full export of 10,004 objects: 197 MB through tsx, 163 MB
 * compiled; wall times moved within the noise). Returns the compiled file.
 */
function compilePhases(): string {
  rmSync(PHASES_BUILD, { recursive: true, force: true });
  scratchDirs.add(PHASES_BUILD);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const settings = ['--ignoreConfig', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2023', '--types', 'node', '--resolveJsonModule', '--verbatimModuleSyntax', '--skipLibCheck', '--noCheck'];
  execFileSync(process.execPath, [tsc, SELF, '--outDir', PHASES_BUILD, '--rootDir', ROOT, ...settings], { cwd: ROOT, stdio: 'inherit' });
  return join(PHASES_BUILD, 'scripts', 'bench.mjs');
}

/** Runs one phase in a fresh Node process (the compiled `script`) and reads its JSON result. */
async function runPhase(script: string, args: PhaseArgs, timeoutMs: number): Promise<PhaseResult> {
  const child = track(spawn(process.execPath, [script, '--phase', JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // A phase that hangs (an emulator that stopped answering) ends the run rather than holding it forever.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  if (timedOut) throw new Error(`phase ${args.name} took longer than ${timeoutMs / 1000} s and was stopped`);
  if (code !== 0) throw new Error(`phase ${args.name} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as PhaseResult;
}

/** Changes exactly one object in the emulator: the first of `type` (an answer) re-imported with a new description, which moves its `modified`. */
async function changeOneObject(url: string, type: 'QUESTION_ANSWER_BOOK' | 'PINBOARD_ANSWER_BOOK' = 'QUESTION_ANSWER_BOOK'): Promise<string> {
  const client = new ThoughtSpotClient({ url, username: 'tsadmin', password: 'admin', env: {} });
  const [answer] = await client.listObjectHeaders({ type, batchSize: 1 });
  if (!answer) throw new Error(`the emulator has no ${type} to change`);
  const [exported] = await client.exportTml([answer.id], { formatType: 'YAML', exportFqn: true, schemaVersion: 'v2', throwOnError: true });
  if (!exported?.ok) throw new Error(`cannot export ${answer.id}`);
  const doc = parse(exported.edoc);
  doc.body.description = `changed by the benchmark at ${new Date().toISOString()}`;
  await client.importTml([format(doc)], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
  await client.logout();
  return answer.id;
}

/** What git alone takes for one change, as an incremental run needs it: the fetch, one commit, its push (ms each). */
interface GitAlone {
  fetchMs: number;
  commitMs: number;
  pushMs: number;
}

const gitAloneMs = (g: GitAlone) => g.fetchMs + g.commitMs + g.pushMs;

/**
 * git's own share of an incremental run, with no ThoughtSpot and none of our code: in the work tree
 * the daemon's run just published from, the fetch it starts with (nothing new), one commit of one
 * file changed (`fast-import`, as tmlsync commits) and its push to the same remote, one after the
 * other, as a run's commit needs the fetch's tip and its push the commit. A floor under tmlsync's
 * own git work, which also commits and pushes its ledger. The commit goes to a ref no branch
 * fetches (`refs/bench/git-alone`), so that the phases after it see the branch as it was.
 */
function measureGitAlone(workTree: string, repeat: number): GitAlone {
  const git = (args: string[], input?: string) => execFileSync('git', args, { cwd: workTree, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  const path = git(['ls-tree', '--name-only', 'HEAD', 'tml/answer/']).split('\n')[0]!;
  const text = `${git(['cat-file', 'blob', `HEAD:${path}`])}# git alone, repetition ${repeat + 1}\n`;
  const parent = git(['rev-parse', 'HEAD']).trim();
  const message = `git alone ${repeat + 1}\n`;
  const commands = [
    'commit refs/bench/git-alone',
    `committer ${COMMITTER.name} <${COMMITTER.email}> ${Math.floor(Date.now() / 1000)} +0000`,
    `data ${Buffer.byteLength(message)}`,
    message + `from ${parent}`,
    `M 100644 inline ${path}`,
    `data ${Buffer.byteLength(text)}`,
    `${text}`,
    'done',
    '',
  ].join('\n');
  const start = performance.now();
  git(['fetch', '--prune', '--quiet', 'origin']);
  const fetched = performance.now();
  git(['fast-import', '--quiet', '--done', '--force'], commands);
  const committed = performance.now();
  git(['push', '--quiet', 'origin', '+refs/bench/git-alone:refs/bench/git-alone']);
  return { fetchMs: fetched - start, commitMs: committed - fetched, pushMs: performance.now() - committed };
}

/**
 * The least wall time the queue's limits allow for `calls` requests of
 * `LATENCY_MS` each: no more than `intervalCap` starts per `intervalMs`
 * (sliding window), and no more than `concurrency` requests in flight:
 *   bound = max(calls × intervalMs ÷ intervalCap, calls × latency ÷ concurrency)
 * It counts every API call of the phase (login included) and nothing else:
 * no server work beyond the latency, no local work, and no ordering between
 * calls (the listing must end before the exports begin).
 */
export function queueBound(calls: number, limits: RateLimit = DEFAULT_RATE_LIMIT, latencyMs = LATENCY_MS): number {
  return Math.max((calls * limits.intervalMs) / limits.intervalCap, (calls * latencyMs) / limits.concurrency);
}

/**
 * For reference, the strict minimum under the queue as it runs (p-queue's
 * sliding window): start n may come no sooner than `intervalMs` after start
 * n − `intervalCap`, nor before start n − `concurrency` has ended. The first
 * `intervalCap` calls start at once, so this is below `queueBound` (the
 * sustained rate, which the target is defined on) by up to one interval: 0.16 s
 * instead of 0.58 s for 29 calls, 4.14 s instead of 4.52 s for 226.
 */
export function windowMinimum(calls: number, limits: RateLimit = DEFAULT_RATE_LIMIT, latencyMs = LATENCY_MS): number {
  const starts: number[] = [];
  for (let n = 0; n < calls; n += 1) {
    const byRate = n >= limits.intervalCap ? starts[n - limits.intervalCap]! + limits.intervalMs : 0;
    const byConcurrency = n >= limits.concurrency ? starts[n - limits.concurrency]! + latencyMs : 0;
    starts.push(Math.max(byRate, byConcurrency));
  }
  return calls === 0 ? 0 : starts.at(-1)! + latencyMs;
}

function totalCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}

/** Calls split as the table shows them: listing (headers, users), exports, and session calls. */
function callKinds(calls: Record<string, number>): { listing: number; exports: number; session: number } {
  const exports = calls[EXPORT_ENDPOINT] ?? 0;
  const session = Object.entries(calls).filter(([endpoint]) => endpoint.startsWith('session/') || endpoint.startsWith('auth/')).reduce((sum, [, n]) => sum + n, 0);
  return { listing: totalCalls(calls) - exports - session, exports, session };
}

/** Settings of one bench run (the command line). */
interface BenchOptions {
  naiveSample: number;
  api: PhaseArgs['api'];
  repeats: number;
  /** Sizes above this skip the deploy phases (their priming deploy of every object would take most of the run). */
  deployMax: number;
  /** The compiled file the phases run (`compilePhases`). */
  phases: string;
}

interface SizeResult {
  size: number;
  scale: number;
  seedMs: number;
  /** From starting the emulator (seeding included) to the end of the size's last phase. */
  elapsedMs: number;
  /** Each phase's median repetition (by wall time); `runs` has them all. */
  full: PhaseResult;
  incremental: PhaseResult;
  /** The incremental run as a daemon makes it: its process, session and repository kept from the run before. */
  daemon: PhaseResult;
  naive: PhaseResult;
  /** What a naive export of every object would take: its listing plus the sample's export time scaled to all objects. */
  naiveWallMs: number;
  naiveCalls: number;
  /** git alone, one change's fetch, commit and push in the daemon's work tree, each repetition (`measureGitAlone`). */
  gitAlone: GitAlone[];
  /** The deploy of one changed file, and the unmeasured deploy of everything before it (up to `deployMax` objects). */
  deploy?: PhaseResult;
  deploySetup?: PhaseResult;
  sync?: PhaseResult;
  syncSetup?: PhaseResult;
  /** The first promotion into an empty environment (up to `deployMax` objects). */
  promotion?: PhaseResult;
  runs: Partial<Record<PhaseName, PhaseResult[]>>;
}

/** The repetition with the median wall time (the lower middle of an even count). */
function medianRun(runs: PhaseResult[]): PhaseResult {
  return [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor((runs.length - 1) / 2)]!;
}

async function benchSize(size: number, options: BenchOptions): Promise<SizeResult> {
  const started = performance.now();
  // 7 generated objects per unit of scale (+1 connection): the least scale that reaches `size`.
  const scale = Math.ceil(size / 7);
  process.stderr.write(`bench ${size}: seeding the emulator with ${7 * scale + 1} objects…\n`);
  const emulator = await startEmulator(scale);
  const work = mkdtempSync(join(tmpdir(), 'tmlsync-bench-'));
  scratchDirs.add(work);
  try {
    const runs: Partial<Record<PhaseName, PhaseResult[]>> = {};
    const gitAlone: GitAlone[] = [];
    const measured = async (args: PhaseArgs, server = emulator): Promise<PhaseResult> => {
      process.stderr.write(`bench ${size}: ${args.name} ${args.repeat + 1}/${options.repeats}…\n`);
      const result = await runPhase(options.phases, { ...args, emulatorPid: server.child.pid }, phaseTimeoutMs(size));
      (runs[args.name] ??= []).push(result);
      return result;
    };
    const treeOf = (i: number) => ({ workTree: join(work, `tree-${i}`), remote: join(work, `remote-${i}.git`) });
    const common = { api: options.api, url: emulator.url, naiveSample: options.naiveSample };
    for (let repeat = 0; repeat < options.repeats; repeat += 1) {
      // Each full export into a fresh work tree and an empty remote; the incremental run in the same tree, as a daemon keeps it.
      await ensureBareRepo(treeOf(repeat).remote);
      await measured({ name: 'full', ...common, ...treeOf(repeat), repeat });
      await changeOneObject(emulator.url);
      await measured({ name: 'incremental', ...common, ...treeOf(repeat), repeat });
      await measured({ name: 'daemon', ...common, ...treeOf(repeat), repeat });
      process.stderr.write(`bench ${size}: git alone ${repeat + 1}/${options.repeats}…\n`);
      gitAlone.push(measureGitAlone(treeOf(repeat).workTree, repeat));
    }
    for (let repeat = 0; repeat < options.repeats; repeat += 1) await measured({ name: 'naive', ...common, ...treeOf(repeat), repeat });
    const naive = medianRun(runs.naive!);
    const { sampled, listingMs, exportMs } = naive.naive!;
    const result: SizeResult = {
      size, scale, seedMs: emulator.seedMs, elapsedMs: 0, full: medianRun(runs.full!), incremental: medianRun(runs.incremental!), daemon: medianRun(runs.daemon!), naive, runs, gitAlone,
      naiveWallMs: listingMs + (exportMs / Math.max(1, sampled)) * naive.objects,
      naiveCalls: totalCalls(naive.calls) - (naive.calls[EXPORT_ENDPOINT] ?? 0) + naive.objects,
    };
    if (size <= options.deployMax) await benchDeploys(result, { ...common, ...treeOf(0) }, options, measured);
    result.elapsedMs = performance.now() - started;
    return result;
  } finally {
    await stopEmulator(emulator.child);
    rmSync(work, { recursive: true, force: true });
    scratchDirs.delete(work);
  }
}

type Measure = (args: PhaseArgs, server?: Awaited<ReturnType<typeof startEmulator>>) => Promise<PhaseResult>;

/**
 * Last, because they write: the branch the first full export wrote, deployed
 * back into its emulator once (unmeasured), then one file changed per
 * repetition and its deploy measured; then the first promotion of that
 * branch into an empty emulator of its own, once per repetition.
 */
async function benchDeploys(result: SizeResult, common: Omit<PhaseArgs, 'name' | 'repeat'>, options: BenchOptions, measured: Measure): Promise<void> {
  result.deploySetup = await measured({ name: 'deploy-setup', ...common, repeat: 0 });
  for (let repeat = 0; repeat < options.repeats; repeat += 1) {
    if (repeat > 0) await measured({ name: 'deploy-edit', ...common, repeat });
    await measured({ name: 'deploy', ...common, repeat });
  }
  result.deploy = medianRun(result.runs.deploy!);
  result.syncSetup = await measured({ name: 'sync-setup', ...common, repeat: 0 });
  for (let repeat = 0; repeat < options.repeats; repeat += 1) {
    await measured({ name: 'sync-edit', ...common, repeat });
    await measured({ name: 'sync', ...common, repeat });
  }
  result.sync = medianRun(result.runs.sync!);
  for (let repeat = 0; repeat < options.repeats; repeat += 1) {
    const target = await startEmulator(0);
    try {
      await createScaleConnection(target.url);
      await measured({ name: 'promotion', ...common, url: target.url, repeat }, target);
    } finally {
      await stopEmulator(target.child);
    }
  }
  result.promotion = medianRun(result.runs.promotion!);
}

/** The connection the generated content uses, which an environment has of its own (a deploy never creates one). */
async function createScaleConnection(url: string): Promise<void> {
  const client = new ThoughtSpotClient({ url, username: 'tsadmin', password: 'admin', env: {} });
  await client.importTml([format(scaleConnection())], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
  await client.logout();
}

/** The median and the spread of a phase's wall time over its repetitions: "1.23 (1.20–1.31)". */
function wallCell(runs: PhaseResult[] | undefined, median: PhaseResult, digits = 2): string {
  const walls = (runs ?? [median]).map((r) => r.wallMs);
  const spread = walls.length > 1 ? ` (${seconds(Math.min(...walls), digits)}–${seconds(Math.max(...walls), digits)})` : '';
  return `${seconds(median.wallMs, digits)}${spread}`;
}

const cpuCell = (p: PhaseResult) => `${p.cpuS.toFixed(1)} / ${p.emulatorCpuS === undefined ? 'n/a' : p.emulatorCpuS.toFixed(1)}`;

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const seconds = (ms: number, digits = 1) => (ms / 1000).toFixed(digits);
const count = (n: number) => n.toLocaleString('en-US');

/** How the tables name an export phase. */
function exportLabel(name: PhaseName): string {
  return name === 'incremental' ? 'incremental (1 change)' : name === 'daemon' ? 'incremental in a running daemon (1 change)' : name;
}

function mainTable(results: SizeResult[]): string[] {
  const lines = [
    '| objects | export | wall s, median (min–max) | API calls (listing + export) | peak RSS MB | queue bound s | ratio | CPU s, tmlsync / emulator | naive wall s | speed-up |',
    '|---:|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const p of [r.full, r.incremental, r.daemon]) {
      const kinds = callKinds(p.calls);
      const isFull = p.name === 'full';
      lines.push(
        row([
          count(p.objects),
          exportLabel(p.name),
          wallCell(r.runs[p.name], p),
          `${kinds.listing} + ${kinds.exports}${kinds.session ? ` (+${kinds.session} login)` : ''}`,
          Math.max(...(r.runs[p.name] ?? [p]).map((run) => run.peakRssMb)).toFixed(0),
          ...boundCells(p),
          cpuCell(p),
          isFull ? `${seconds(r.naiveWallMs)}${r.naive.naive!.sampled < r.naive.objects ? '*' : ''}` : '',
          isFull ? `${(r.naiveWallMs / p.wallMs).toFixed(1)}×` : '',
        ]),
      );
    }
  }
  return lines;
}

/** How long at least one of the spans was running (each from its first start to its last end). */
function unionMs(spans: (Span | undefined)[]): number {
  const sorted = spans.filter((x): x is Span => x !== undefined).sort((x, y) => x.firstStart - y.firstStart);
  let total = 0;
  let end = -Infinity;
  for (const { firstStart, lastEnd } of sorted) {
    if (lastEnd <= end) continue;
    total += lastEnd - Math.max(firstStart, end);
    end = lastEnd;
  }
  return total;
}

function spanS(span: Span | undefined): string {
  return span ? seconds(span.lastEnd - span.firstStart, 2) : '–';
}

/**
 * The git column's headings and the `ContentRepo` methods each sums. Since issue 15 an export publishes its commits and its
 * ledger in one atomic push (`publish`); `writeState` is the ledger written alone (a run that committed nothing). A method
 * named under no heading counts in the column's total only.
 */
const GIT_STEPS: readonly (readonly [heading: string, methods: readonly string[]])[] = [
  ['setup: open+fetch+checkout+ledger read', ['open', 'fetch', 'checkout', 'readState', 'readStates', 'revParse']],
  ['commit', ['commit']],
  ['publication: atomic push of commits+ledger', ['publish', 'writeState']],
];

/** Where each phase's wall time went, and what the server took per call: the evidence behind the ratio. */
function breakdownTable(results: SizeResult[]): string[] {
  const lines = [
    `| objects | export | listing s | exports s | export call in flight, mean ms | event loop busy during exports | git s, all (${GIT_STEPS.map(([heading]) => heading).join(' / ')}) | other s | exporter CPU s | git CPU s | emulator CPU s | RSS at start MB |`,
    '|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const p of [r.full, r.incremental, r.daemon, r.naive]) {
      if (p === r.naive) lines.push(gitAloneRow(r));
      const exportFlights = p.flights.export;
      const g = (keys: readonly string[]) => keys.reduce((sum, key) => sum + (p.git[key]?.totalMs ?? 0), 0);
      const gitColumn = p.name === 'naive' ? 'none (writes nothing)' : `${gitCell(p)} (${GIT_STEPS.map(([, keys]) => seconds(g(keys), 2)).join(' / ')})`;
      // Listing and exports overlap (batches go out while pages arrive), and git's setup overlaps the listing: what is
      // left outside every timed step (git, listing, exports) is local work (the last writes, grouping, the ledger).
      const other = p.wallMs - unionMs([p.operations.list, p.operations.export, ...Object.values(p.git)]);
      lines.push(
        row([
          count(p.objects),
          p.name === 'naive' ? `naive (${count(p.naive!.sampled)} objects exported)` : exportLabel(p.name),
          spanS(p.operations.list),
          spanS(p.operations.export),
          exportFlights ? (exportFlights.totalMs / exportFlights.count).toFixed(1) : '–',
          p.exportsLoopBusy === undefined ? '–' : `${(p.exportsLoopBusy * 100).toFixed(0)} %`,
          gitColumn,
          seconds(other, 2),
          p.cpuS.toFixed(2),
          p.gitCpuS === undefined ? 'n/a' : p.gitCpuS.toFixed(2),
          p.emulatorCpuS === undefined ? 'n/a' : p.emulatorCpuS.toFixed(2),
          p.baselineRssMb.toFixed(0),
        ]),
      );
    }
  }
  return lines;
}

/** The median repetition of git alone (by its total; the lower middle of an even count). */
function medianGitAlone(r: SizeResult): GitAlone {
  return [...r.gitAlone].sort((a, b) => gitAloneMs(a) - gitAloneMs(b))[Math.floor((r.gitAlone.length - 1) / 2)]!;
}

/** The breakdown's row for git alone: only its git column, split as the runs' (fetch / commit / push). */
function gitAloneRow(r: SizeResult): string {
  const g = medianGitAlone(r);
  const totals = r.gitAlone.map(gitAloneMs);
  const spread = totals.length > 1 ? `, ${seconds(Math.min(...totals), 2)}–${seconds(Math.max(...totals), 2)}` : '';
  const git = `${seconds(gitAloneMs(g), 2)} (${[g.fetchMs, g.commitMs, g.pushMs].map((ms) => seconds(ms, 2)).join(' / ')})${spread}`;
  return row([count(r.full.objects), 'git alone: fetch, one commit, its push (no ThoughtSpot, none of our code)', '–', '–', '–', '–', git, '–', '–', '–', '–', '–']);
}

/** Beside an incremental target's ratio: what git alone takes of the same bound (`measureGitAlone`). */
function gitAloneNote(r: SizeResult, p: PhaseResult): string {
  const ms = gitAloneMs(medianGitAlone(r));
  return `; git alone ${seconds(ms, 2)} s, ${(ms / queueBound(totalCalls(p.calls))).toFixed(2)}× of this bound`;
}

/** Calls of the deploy phase by step: listing pages, then the write path (validate, import, round-trip export). */
function deployCalls(p: PhaseResult): { listing: number; validate: number; import: number; export: number; session: number } {
  const kinds = callKinds(p.calls);
  return { listing: kinds.listing, validate: p.operations.validate?.count ?? 0, import: p.operations.import?.count ?? 0, export: kinds.exports, session: kinds.session };
}

const writePath = (c: ReturnType<typeof deployCalls>) => c.validate + c.import + c.export;

/** A phase's wall time over its queue bound. */
function boundRatio(p: PhaseResult): number {
  return p.wallMs / queueBound(totalCalls(p.calls));
}

/** A phase's queue bound and its wall time's ratio to it, as table cells. */
function boundCells(p: PhaseResult): [bound: string, ratio: string] {
  return [seconds(queueBound(totalCalls(p.calls)), 2), `${boundRatio(p).toFixed(2)}×`];
}

/** The time a phase spent in git, as a table cell. */
const gitCell = (p: PhaseResult) => seconds(Object.values(p.git).reduce((sum, span) => sum + span.totalMs, 0), 2);

function deployTable(results: SizeResult[]): string[] {
  const lines = [
    '| objects in the repository | deploy | wall s, median (min–max) | API calls: listing + validate + import + round-trip export | write-path calls | queue bound s | ratio | CPU s, tmlsync / emulator | git s | peak RSS MB |',
    '|---:|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const p = r.deploy;
    if (!p) continue;
    const c = deployCalls(p);
    lines.push(
      row([
        count(p.objects), '1 changed file', wallCell(r.runs.deploy, p),
        `${c.listing} + ${c.validate} + ${c.import} + ${c.export}${c.session ? ` (+${c.session} login)` : ''}`,
        String(writePath(c)), ...boundCells(p), cpuCell(p), gitCell(p), p.peakRssMb.toFixed(0),
      ]),
    );
  }
  return lines;
}

/** The types a phase listed whole, with how often (`LOGICAL_TABLE ×1`), and those listed again newest first. */
function listingsCell(p: PhaseResult): string {
  const cell = (counts: Record<string, number>) => Object.entries(counts).sort().map(([type, n]) => `${type} ×${n}`).join(', ') || 'none';
  return `${cell(p.listings.whole)} / ${cell(p.listings.since)}`;
}

function syncTable(results: SizeResult[]): string[] {
  const lines = [
    '| objects | sync | wall s, median (min–max) | API calls | listings: whole / newest first | validate + import + export calls | queue bound s | ratio | CPU s, tmlsync / emulator | git s | peak RSS MB |',
    '|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const p = r.sync;
    if (!p) continue;
    // Its export calls: the deploy half's round-trip export, and the export half's of ThoughtSpot's change.
    const c = deployCalls(p);
    lines.push(
      row([
        count(p.objects), 'one change in git, one in ThoughtSpot', wallCell(r.runs.sync, p), `${count(totalCalls(p.calls))}: ${callList(p.calls)}`, listingsCell(p),
        `${c.validate} + ${c.import} + ${c.export}`, ...boundCells(p), cpuCell(p), gitCell(p), p.peakRssMb.toFixed(0),
      ]),
    );
  }
  return lines;
}

/**
 * The sync's targets (issue 16): each content type listed whole once, shared by both halves, and
 * only a type the deploy wrote listed again (newest first); at most three write-path calls
 * (validate, import, the round-trip export), beside the export half's one export call for
 * ThoughtSpot's change.
 */
function syncChecks(r: SizeResult, verdict: (ok: boolean) => string): string[] {
  const p = r.sync;
  if (!p || !r.syncSetup) return [];
  const wholeOnce = CONTENT_TYPES.every((type) => p.listings.whole[type] === 1);
  const again = Object.keys(p.listings.since);
  const c = deployCalls(p);
  const objects = count(p.objects);
  return [
    `${verdict(wholeOnce && again.length <= 1)} ${objects} objects: sync with one change on each side → one listing per kind (the ${CONTENT_TYPES.length} content types listed whole once each: ${wholeOnce ? 'yes' : 'no'}; listed again newest first: ${again.join(', ') || 'none'})`,
    `${verdict(c.validate <= 1 && c.import <= 1 && c.export <= 2)} ${objects} objects: sync with one change on each side → at most 3 write-path calls (${c.validate} validate, ${c.import} import, ${Math.max(0, c.export - 1)} round-trip export) beside the export of ThoughtSpot's change (${c.export} export calls in all)`,
    `${verdict(p.outcome === 'ok' && p.conflicts === 0 && /deployed tml\/answer\//.test(p.deploy?.changed ?? '') && /exported .*tml\/liveboard\//.test(p.deploy?.changed ?? '') && p.deploy?.drift === 0)} ${objects} objects: sync sanity (${p.deploy?.changed ?? 'nothing'}; conflicts ${p.conflicts ?? 'n/a'}; drift ${p.deploy?.drift ?? 'n/a'}; the priming sync took ${seconds(r.syncSetup.wallMs)} s)`,
  ];
}

/** API calls of a phase by endpoint, most first: "200 metadata/tml/import, 7 metadata/listobjectheaders". */
const callList = (calls: Record<string, number>) => Object.entries(calls).sort((a, b) => b[1] - a[1]).map(([endpoint, n]) => `${n} ${endpoint}`).join(', ');

function promotionTable(results: SizeResult[]): string[] {
  const lines = [
    '| objects | first promotion | wall s, median (min–max) | API calls | queue bound s | ratio | imports in flight, peak | CPU s, tmlsync / emulator | peak RSS MB |',
    '|---:|---|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const p = r.promotion;
    if (!p) continue;
    lines.push(
      row([
        count(p.objects), 'whole repository into an empty environment', wallCell(r.runs.promotion, p), `${count(totalCalls(p.calls))}: ${callList(p.calls)}`,
        ...boundCells(p), String(p.inFlightPeak.import ?? 0), cpuCell(p), p.peakRssMb.toFixed(0),
      ]),
    );
  }
  return lines;
}

/** The deploy targets: one changed file costs at most three write-path calls; the first promotion within 2× of its bound. */
function deployChecks(r: SizeResult, verdict: (ok: boolean) => string): string[] {
  const lines: string[] = [];
  if (r.deploy && r.deploySetup) {
    const d = deployCalls(r.deploy);
    lines.push(`${verdict(writePath(d) <= DEPLOY_WRITE_CALLS)} ${count(r.deploy.objects)} objects: deploy of one changed file → at most ${DEPLOY_WRITE_CALLS} calls beyond listing (${d.validate} validate, ${d.import} import, ${d.export} round-trip export; ${d.listing} listing)`);
    const deployOk = r.deploy.outcome === 'ok' && r.deploy.counts?.updated === 1 && r.deploy.counts.unchanged === r.deploy.objects - 1 && r.deploy.deploy?.drift === 0;
    lines.push(`${verdict(deployOk)} ${count(r.deploy.objects)} objects: deploy sanity (updated ${r.deploy.counts?.updated ?? 0}: ${r.deploy.deploy?.changed || 'none'}; unchanged ${r.deploy.counts?.unchanged ?? 0}; drift ${r.deploy.deploy?.drift ?? 0}; the priming deploy of every object took ${seconds(r.deploySetup.wallMs)} s)`);
  }
  const p = r.promotion;
  if (p) {
    const ratio = boundRatio(p);
    lines.push(`${verdict(ratio <= PROMOTION_TARGET)} ${count(p.objects)} objects: first promotion within ${PROMOTION_TARGET}× of its queue bound (${ratio.toFixed(2)}×; emulator CPU ${p.emulatorCpuS?.toFixed(1) ?? 'n/a'} s)`);
    lines.push(`${verdict(p.outcome === 'ok' && p.counts?.added === p.objects && p.deploy?.drift === 0)} ${count(p.objects)} objects: first promotion sanity (added ${p.counts?.added ?? 0}/${p.objects}, drift ${p.deploy?.drift ?? 0})`);
  }
  return lines;
}

/**
 * The incremental run as a daemon makes it (its process, session and work tree kept from the run
 * before), against the same targets as the run of a process of its own: the one a daemon makes
 * all its life (issue 16).
 */
function daemonChecks(r: SizeResult, verdict: (ok: boolean) => string): string[] {
  const { daemon } = r;
  const kinds = callKinds(daemon.calls);
  const ratio = boundRatio(daemon);
  const objects = count(r.full.objects);
  const ok = oneUpdate(daemon);
  return [
    `${verdict(kinds.exports === 1 && kinds.listing <= INCREMENTAL_LISTING && kinds.session === 0)} ${objects} objects: in a running daemon, one change → at most one listing page per kind + 1 export call, no login (${kinds.listing} listing, ${kinds.exports} export, ${kinds.session} login calls)`,
    `${verdict(ratio <= INCREMENTAL_TARGET)} ${objects} objects: incremental run in a running daemon within ${INCREMENTAL_TARGET}× of its queue bound (${ratio.toFixed(2)}×${gitAloneNote(r, daemon)})`,
    `${verdict(ok)} ${objects} objects: daemon's run sanity (updated ${daemon.counts?.updated ?? 0}, unchanged ${daemon.counts?.unchanged ?? 0})`,
  ];
}

/** One page per content kind, and the calls every run makes for commit authors and the principals file (users, user/list, groups). */
const INCREMENTAL_LISTING = CONTENT_TYPES.length + PRINCIPAL_CALLS;

/** The one change made exactly one update: what an incremental run's timings mean. */
function oneUpdate(p: PhaseResult): boolean {
  return p.outcome === 'ok' && p.counts?.updated === 1 && p.counts.added === 0 && p.counts.deleted === 0;
}

/** Issue 16's time budget, for the sizes it sets one for. */
function budgetCheck(r: SizeResult, repeats: number, verdict: (ok: boolean) => string): string[] {
  if (r.size < BUDGET_SIZE) return [];
  const budget = BUDGET_PER_REPEAT_MS * repeats;
  const minutes = (ms: number) => (ms / 60_000).toFixed(1);
  return [`${verdict(r.elapsedMs <= budget)} ${count(r.full.objects)} objects: seeding and every phase within ${minutes(budget)} min (${minutes(r.elapsedMs)} min, of which seeding ${seconds(r.seedMs)} s)`];
}

function checks(results: SizeResult[], repeats: number): string[] {
  const lines: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  for (const r of results) {
    lines.push(...budgetCheck(r, repeats, verdict));
    const { full, incremental } = r;
    const ratio = boundRatio(full);
    lines.push(`${verdict(ratio <= RATIO_TARGET)} ${count(full.objects)} objects: full export within ${RATIO_TARGET}× of the queue's bound, median of ${r.runs.full?.length ?? 1} (${ratio.toFixed(2)}×)`);
    const inc = callKinds(incremental.calls);
    const listing = callKinds(full.calls).listing;
    const incRatio = boundRatio(incremental);
    lines.push(`${verdict(inc.exports === 1 && inc.listing <= INCREMENTAL_LISTING)} ${count(full.objects)} objects: one change → at most one listing page per kind + 1 export call (${inc.listing} listing calls of at most ${INCREMENTAL_LISTING}, the full export's ${listing}; ${inc.exports} export)`);
    lines.push(`${verdict(incRatio <= INCREMENTAL_TARGET)} ${count(full.objects)} objects: incremental run within ${INCREMENTAL_TARGET}× of its queue bound (${incRatio.toFixed(2)}×${gitAloneNote(r, incremental)})`);
    lines.push(...daemonChecks(r, verdict));
    if (r.size >= 10_000) {
      // The target is the full export's (issue 16); the daemon's row, whose process made a run before it, shows its own.
      const peak = Math.max(...[...(r.runs.full ?? []), ...(r.runs.incremental ?? [])].map((p) => p.peakRssMb));
      const limit = r.size >= 100_000 ? RSS_LIMIT_100K_MB : RSS_LIMIT_10K_MB;
      lines.push(`${verdict(peak < limit)} ${count(full.objects)} objects: peak RSS under ${limit} MB (highest of every full and incremental run: ${peak.toFixed(0)} MB)`);
    }
    // What the timings mean depends on these: a full export of everything, exactly one update after the change.
    const fullOk = full.outcome === 'ok' && full.counts?.added === full.objects;
    const incOk = oneUpdate(incremental);
    const naiveOk = r.naive.naive!.failed === 0;
    lines.push(...deployChecks(r, verdict), ...syncChecks(r, verdict));
    lines.push(
      `${verdict(fullOk && incOk && naiveOk)} ${count(full.objects)} objects: sanity (full added ${full.counts?.added ?? 0}/${full.objects}; incremental updated ${incremental.counts?.updated ?? 0}, unchanged ${incremental.counts?.unchanged ?? 0}; naive failures ${r.naive.naive!.failed})`,
    );
  }
  return lines;
}

/**
 * The commit measured, and whether src/ differed from it: numbers are only comparable between runs of the same code.
 * Read as the phases are compiled (`orchestrate`), which is the code measured: read at the report, it named as dirty a
 * run whose src/ was edited while it ran, after its phases had been compiled.
 */
function revision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `commit ${head}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    return 'commit unknown';
  }
}

function report(results: SizeResult[], options: BenchOptions & { revision: string }, sizes: number[], load: { start: number; end: number }): string {
  const l = DEFAULT_RATE_LIMIT;
  const extrapolated = results.filter((r) => r.naive.naive!.sampled < r.naive.objects);
  return [
    `tmlsync benchmark, ${new Date().toISOString().slice(0, 10)}, ${options.revision}: \`npm run bench -- --sizes ${sizes.join(',')} --repeats ${options.repeats} --naive-sample ${options.naiveSample} --deploy-max ${options.deployMax} --api ${options.api}\``,
    // The emulator, the exporter and git share the machine's cores: other load skews every number.
    `${cpus().length} CPUs, load average ${load.start.toFixed(2)} at start and ${load.end.toFixed(2)} at the end${Math.max(load.start, load.end) > cpus().length / 2 ? ' (a shared machine: other work ran beside the bench)' : ''}; emulator at ${LATENCY_MS} ms latency per call; queue ${l.concurrency} in flight, ${l.intervalCap} starts per ${l.intervalMs} ms (sliding)`,
    `queue bound = max(calls × ${l.intervalMs} ms ÷ ${l.intervalCap}, calls × ${LATENCY_MS} ms ÷ ${l.concurrency}); ratio = wall ÷ bound; MB = 10^6 bytes`,
    `for reference, the sliding window's strict minimum (the first ${l.intervalCap} calls start at once): ${results.map((r) => `${seconds(windowMinimum(totalCalls(r.full.calls)), 2)} s for the ${count(totalCalls(r.full.calls))} calls of the full export of ${count(r.full.objects)} (ratio ${(r.full.wallMs / windowMinimum(totalCalls(r.full.calls))).toFixed(2)}×)`).join(', ')}`,
    '',
    ...mainTable(results),
    '',
    ...extrapolated.map((r) => {
      const { sampled, listingMs, exportMs } = r.naive.naive!;
      return `* ${count(r.naive.objects)} objects, naive extrapolated: it listed everything (${seconds(listingMs, 2)} s) and exported ${count(sampled)} objects spread evenly over the listing, one call each (${seconds(exportMs, 2)} s); wall = ${seconds(listingMs, 2)} + ${seconds(exportMs, 2)} × ${count(r.naive.objects)} ÷ ${count(sampled)} s, ${count(r.naiveCalls)} calls for all.`;
    }),
    'The naive exporter writes nothing to git; tmlsync\'s wall times include fetch, commit and push.',
    '',
    'Where the time went. listing and exports: from the first call\'s start to the last one\'s end, queue waits included; the exports',
    'window includes parsing, formatting and writing each batch\'s files as its answer arrives. In flight: from the queue starting a call',
    'to its answer being read, so it includes the emulator\'s work and any time the exporter\'s event loop was busy. Event loop busy:',
    'the share of the exports window the exporter spent running JavaScript or synchronous I/O (near 100 %, answers wait for it). git',
    'CPU: the git processes the exporter waited for. Each phase runs in its own process, compiled; RSS at start is Node and the loaded modules.',
    'git alone: in the daemon\'s work tree after its run, the fetch, one commit of one file changed (`fast-import`) and its push, one after',
    'the other, with no ThoughtSpot call and none of tmlsync\'s code: the floor git sets under an incremental run (median of the repetitions,',
    'then the spread of its total). The incremental targets say what share of their queue bound it takes alone.',
    '',
    ...breakdownTable(results),
    '',
    'Deploy of one changed file (`runDeploy`, lock to round-trip check): the branch the full export wrote is deployed back into the same',
    'emulator once, unmeasured; then one answer\'s description is changed in git and pushed, and the deploy of that commit is measured.',
    '',
    ...deployTable(results),
    '',
    'Sync with one change on each side (`runSync`): the deploy\'s environment synced once, unmeasured (it lists and exports everything and',
    'records the export ledger); then one answer\'s description is changed in git and pushed, one liveboard\'s in ThoughtSpot, and the sync of both is measured.',
    '',
    ...syncTable(results),
    '',
    `First promotion: that branch deployed whole into an empty environment (an emulator of its own holding only the connection), as a new`,
    `environment; imports of one dependency level in flight together, over v2 as async imports from ${ASYNC_IMPORT_FROM} documents. Sizes above ${count(options.deployMax)} skip both deploys.`,
    '',
    ...promotionTable(results),
    '',
    ...checks(results, options.repeats),
    '',
  ].join('\n');
}

const USAGE = `usage: npm run bench -- [--sizes 1000,10000] [--repeats 3] [--naive-sample 1000] [--api v1|v2] [--deploy-max 10000]
  --sizes         objects per emulator, comma-separated (default 1,000 and 10,000)
  --repeats       runs of each phase: the median and the spread are reported (default 3)
  --naive-sample  objects the naive exporter exports, extrapolated to all (default 1,000)
  --api           the REST API the measured runs speak (default v1)
  --deploy-max    sizes above this skip the deploy phases (default 10,000; 0: every size skips them)
`;
/** A command line the bench cannot run. */
class UsageError extends Error {}

const FLAGS = new Set(['--sizes', '--repeats', '--naive-sample', '--api', '--deploy-max']);

/** The settings of the command line; undefined after `--help` (printed). An unknown flag is refused: a run of several minutes should not start on a typo. */
function parseArgs(argv: string[]): (Omit<BenchOptions, 'phases'> & { sizes: number[] }) | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return undefined;
  }
  const unknown = argv.filter((arg, i) => arg.startsWith('-') && !FLAGS.has(arg) && !FLAGS.has(argv[i - 1] ?? ''));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(', ')}`);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const given = argv[i + 1];
    if (given === undefined || given.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return given;
  };
  const count = (text: string, flag: string, least = 1) => {
    const n = Number(text.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < least) throw new UsageError(`${flag}: ${text} is not ${least === 0 ? 'a whole number' : 'a positive integer'}`);
    return n;
  };
  const positive = (text: string, flag: string) => count(text, flag);
  const sizes = value('--sizes')?.split(/[ ,]+/).filter(Boolean).map((s) => positive(s, '--sizes')) ?? DEFAULT_SIZES;
  const sample = value('--naive-sample');
  const api = value('--api') ?? 'v1';
  if (api !== 'v1' && api !== 'v2') throw new UsageError(`--api: ${api} is not v1 or v2`);
  const repeats = value('--repeats');
  const deployMax = value('--deploy-max');
  return {
    sizes, api, naiveSample: sample === undefined ? DEFAULT_NAIVE_SAMPLE : positive(sample, '--naive-sample'),
    repeats: repeats === undefined ? DEFAULT_REPEATS : positive(repeats, '--repeats'), deployMax: deployMax === undefined ? DEFAULT_DEPLOY_MAX : count(deployMax, '--deploy-max', 0),
  };
}

async function orchestrate(argv: string[]): Promise<void> {
  const parsed = parseArgs(argv);
  if (!parsed) return;
  const { sizes, ...options } = parsed;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(130);
    });
  }
  const [start = 0] = loadavg();
  try {
    const benchOptions = { ...options, revision: revision(), phases: compilePhases() };
    const results: SizeResult[] = [];
    for (const size of sizes) results.push(await benchSize(size, benchOptions));
    process.stdout.write(report(results, benchOptions, sizes, { start, end: loadavg()[0] ?? 0 }));
  } finally {
    cleanUp();
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--phase') {
  const result = await phase(JSON.parse(argv[1]!) as PhaseArgs);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  await orchestrate(argv).catch((error: unknown) => {
    // A wrong command line is said in one line with the usage, not as a stack trace.
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  });
}
