import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { Cron } from 'croner';
import { connect, endSession, remoteUrl, repoFor, workflowEnvironment, workTree, type Services, type ThoughtSpotConnection } from '../app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { startHttp, type EnvironmentStatus, type RunningHttp } from '../server/http.js';
import { Metrics } from '../server/metrics.js';
import { failedRun, notifierFor, settledRun, type RunAbout, type RunFinishedListener } from '../notify/index.js';
import { checksSummary, type ChecksSummary } from '../sync/deploy/checks.js';
import { runDeploy, type DeployReport } from '../sync/deploy/deploy.js';
import { runExport } from '../sync/export/export.js';
import type { ContentRepo } from '../sync/ports.js';
import type { RunReport } from '../sync/kernel/report.js';
import { runSync, type SyncReport } from '../sync/sync/sync.js';
import { watchTml } from './watch.js';
import type { Loop, RunRecord } from '../sync/kernel/runs.js';
import { RunStore } from './runs.js';
import { checkWorkDir } from '../app/work-dir.js';
import { RunLeases, type Held } from './leases.js';
import { DaemonPipeline } from './pipeline.js';
import type { Logger } from '../log/index.js';

/** A deploy's data checks as `/status` shows them: counts and what did not pass. */
function checksStatus(report: RunReport): { checks?: ChecksSummary } {
  const { checks } = report as Partial<DeployReport>;
  return checks ? { checks: checksSummary(checks) } : {};
}

interface Slot {
  environment: EnvironmentConfig;
  cron?: Cron;
  current?: Promise<void>;
  queue: RunRecord[];
  last?: RunReport;
  thoughtspot?: ThoughtSpotConnection;
  repo?: ContentRepo;
  /** The other daemon holding this environment's lease, once said in the log. */
  standingBy?: string;
}

/** The loop an environment runs: export where ThoughtSpot leads, deploy where git does, both where both do. */
function loopOf(environment: EnvironmentConfig): Loop {
  return environment.direction;
}

/**
 * The service (DESIGN.md "daemon"): per environment, a run at start-up and
 * then on its schedule, plus runs asked for by webhooks and the trigger API;
 * one run at a time per environment (a run asked for while the same one is
 * queued joins it). `stop()` lets running runs finish: files are written
 * atomically and commits are whole, so nothing is left half done.
 */
export class Daemon {
  readonly metrics = new Metrics();
  readonly runs: RunStore;
  readonly leases: RunLeases;
  readonly #slots: Slot[];
  readonly #pipeline: DaemonPipeline;
  private readonly services: Services;
  #http: RunningHttp | undefined;
  #stopping = false;
  #watchers: FSWatcher[] = [];
  /** Told of each finished run once it is recorded (the notifications); each catches its own failures. */
  readonly #onRunFinished: RunFinishedListener[];

  constructor(
    private readonly config: LoadedConfig,
    services: Services,
  ) {
    this.services = { ...services, onApiCall: (endpoint, result) => this.metrics.apiCalls.inc({ endpoint, result }) };
    this.runs = new RunStore(join(config.workDir, 'runs.json'));
    this.leases = new RunLeases(config, this.services);
    this.#slots = config.environments.map((environment) => ({ environment, queue: [] }));
    this.#pipeline = new DaemonPipeline(config.environments);
    this.#onRunFinished = [notifierFor(config.notifications ?? [], services)];
  }

  /** Starts serving and running; a `workDir` it cannot use stops it here, before anything listens (`WorkDirError`, exit 2). */
  async start(): Promise<RunningHttp> {
    checkWorkDir(this.config.workDir);
    this.#http = await startHttp({ ...this.config.server, status: this, metrics: this.metrics, log: this.services.log, daemon: this });
    this.services.log.info({ url: this.#http.url, environments: this.#slots.map((s) => s.environment.name) }, 'daemon started');
    this.#watchLocalRemote();
    this.#watchWorkingTrees();
    for (const slot of this.#slots) {
      const loop = loopOf(slot.environment);
      slot.cron = new Cron(slot.environment.schedule, { protect: true }, () => void this.request(slot.environment.name, loop, 'schedule'));
      this.request(slot.environment.name, loop, 'start');
    }
    return this.#http;
  }

  /**
   * A remote that is a path on this machine needs no polling: chokidar
   * watches its branch refs, and a push starts the deploy at once.
   */
  #watchLocalRemote(): void {
    const remote = remoteUrl(this.config.repository.url);
    const deployed = this.#slots.filter((s) => s.environment.direction !== 'export');
    if (!remote.startsWith('/') || deployed.length === 0) return;
    const heads = existsSync(join(remote, 'refs', 'heads')) ? join(remote, 'refs', 'heads') : undefined;
    if (!heads) return;
    const watcher = watch([heads, join(remote, 'packed-refs')], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 } });
    this.#watchers.push(watcher);
    const changed = (path: string) => {
      const branch = relative(heads, path).split(sep).join('/');
      for (const slot of deployed) {
        if (path.endsWith('packed-refs') || branch === slot.environment.branch) this.request(slot.environment.name, loopOf(slot.environment), `push to ${remote}`);
      }
    };
    watcher.on('add', changed).on('change', changed);
    this.services.log.info({ remote }, 'watching the local remote for pushes');
  }

  /** `watch:` on a sync environment: TML files are validated as they are saved, problems logged with file and line. */
  #watchWorkingTrees(): void {
    for (const slot of this.#slots) {
      const setting = slot.environment.watch;
      if (slot.environment.direction !== 'sync' || setting === false) continue;
      const dir = setting === true ? workTree(this.config, slot.environment) : resolve(setting);
      mkdirSync(dir, { recursive: true });
      const log = this.services.log.child({ environment: slot.environment.name, component: 'watch' });
      // Only the run's own work tree is written by the run: its saves are not a person's. A folder
      // of the person's own (`watch: <path>`) is checked during runs too; it used to be skipped, and
      // a file saved while a run was in progress was never checked (test/daemon/watch.test.ts).
      const busy = setting === true ? () => slot.current !== undefined : undefined;
      const watcher = watchTml({ dir, log, busy });
      this.#watchers.push(watcher);
      // Said once chokidar has scanned the folder: a file saved before then is taken for one that was there.
      watcher.once('ready', () => log.info({ dir }, 'validating TML files as they are saved'));
    }
  }

  environments(): readonly EnvironmentConfig[] {
    return this.#slots.map((s) => s.environment);
  }

  /**
   * Asks for a run; returns its record. An environment that is deployed from
   * git is never exported into it, and an export-only one never deployed to;
   * a sync environment answers either with a sync run (both ways, always).
   */
  request(name: string, asked: Loop, trigger: string): RunRecord | undefined {
    const slot = this.#slots.find((s) => s.environment.name === name);
    if (!slot || this.#stopping) return undefined;
    const loop = loopOf(slot.environment);
    if (asked !== loop && loop !== 'sync') return undefined;
    const queued = slot.queue.find((r) => r.loop === loop);
    if (queued) {
      this.services.log.debug({ environment: name, trigger, runId: queued.id }, 'run asked for joins the one queued');
      return queued;
    }
    const run: RunRecord = { id: randomUUID(), environment: name, loop, status: 'queued', trigger, requestedAt: new Date().toISOString() };
    this.runs.put(run);
    slot.queue.push(run);
    this.#next(slot);
    return run;
  }

  /** Approves (in the remote) and asks for the next run of a pipeline stage (the trigger API); undefined when the environment is not one. */
  async promote(name: string, trigger: string): Promise<RunRecord | undefined> {
    const slot = this.#slots.find((s) => s.environment.name === name);
    if (!slot || this.#stopping || !this.#pipeline.isStage(name)) return undefined;
    slot.repo ??= await repoFor(this.config, slot.environment, this.services);
    // The approval fetches and pushes in the slot's work tree: it waits for the slot's run, and holds the slot as one while it goes.
    while (slot.current) await slot.current.catch(() => undefined);
    const approving = this.#pipeline.approve(name, slot.repo, trigger, this.services.log.child({ environment: name }));
    slot.current = approving.catch(() => undefined).then(() => {
      slot.current = undefined;
      this.#next(slot);
    });
    await approving;
    return this.request(name, 'deploy', trigger);
  }

  #next(slot: Slot): void {
    if (slot.current || this.#stopping) return;
    const run = slot.queue.shift();
    if (!run) return;
    slot.current = this.#run(slot, run).finally(() => {
      slot.current = undefined;
      this.#next(slot);
    });
  }

  /** Resolves when no run is going on or waiting (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = this.#slots.flatMap((s) => (s.current ? [s.current] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /**
   * One run, holding the environment's lease (several daemons on one configuration run each
   * environment one at a time). A replica that finds the lease held stands by: a run of the
   * schedule or of start-up is left to the holder, which runs the same loop; a run someone
   * asked for (a push, a webhook, the API) may concern a change the holder's run began
   * before, so it waits for the lease and then runs.
   */
  async #run(slot: Slot, run: RunRecord): Promise<void> {
    const { environment } = slot;
    const log = this.services.log.child({ runId: run.id, environment: environment.name });
    for (;;) {
      let held: Held<void>;
      try {
        slot.repo ??= await repoFor(this.config, environment, this.services);
        held = await this.leases.hold(environment, slot.repo, log, (fenced) => this.#execute(slot, run, log, fenced));
      } catch (error) {
        // The work tree or the lease could not be had (the remote unreachable): the run did not start.
        if (run.status !== 'queued') return;
        logFailure(run, log, error);
        await this.#complete(slot, run, failedRun(aboutRun(slot, run), Date.now(), error), Date.now());
        return;
      }
      if (held.held) return;
      const waits = !['schedule', 'start'].includes(run.trigger);
      this.#standingBy(slot, held.holder, log, { trigger: run.trigger, decision: waits ? 'waits for the lease' : 'left to the holder' });
      if (!waits || this.#stopping) {
        // A run asked for ends as the runs queued at a stop do: it did not run, and nobody ran it for it.
        Object.assign(run, waits ? { status: 'failed', error: 'the daemon stopped before the run started' } : { status: 'standby' }, { finishedAt: new Date().toISOString() });
        this.runs.put(run);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.leases.timing.renewEveryMs));
    }
  }

  /** Says once per holder that another daemon runs this environment (and at debug level what became of each run meanwhile). */
  #standingBy(slot: Slot, holder: string, log: Logger, run: { trigger: string; decision: string }): void {
    if (slot.standingBy === holder) {
      log.debug({ holder, ...run }, 'standing by');
      return;
    }
    slot.standingBy = holder;
    log.info({ holder }, 'another daemon holds this environment; standing by');
  }

  /** The run itself, once the lease is held, on the repository whose ledger writes the lease fences. */
  async #execute(slot: Slot, run: RunRecord, log: Logger, repo: ContentRepo): Promise<void> {
    slot.standingBy = undefined;
    const started = Date.now();
    Object.assign(run, { status: 'running', startedAt: new Date(started).toISOString() });
    this.runs.put(run);
    const settled = await settledRun(aboutRun(slot, run), () => this.#workflow(slot, run, repo));
    if (settled.failed) logFailure(run, log, settled.error);
    await this.#complete(slot, run, settled.report, started);
  }

  /** The run's workflow: export where ThoughtSpot leads, deploy where git does, sync where both do. */
  async #workflow(slot: Slot, run: RunRecord, repo: ContentRepo): Promise<RunReport> {
    const { environment } = slot;
    slot.thoughtspot ??= connect(environment, this.services);
    const common = { thoughtspot: slot.thoughtspot.port, repo, log: this.services.log, runId: run.id, environment: workflowEnvironment(environment) };
    const committer = this.config.repository.committer;
    if (run.loop === 'export') return runExport({ ...common, committer });
    if (run.loop === 'sync') return runSync({ ...common, committer });
    return runDeploy(common);
  }

  /** Where every run that ran ends: its record, the status, the metrics. */
  async #complete(slot: Slot, run: RunRecord, report: RunReport, started: number): Promise<void> {
    const { environment } = slot;
    slot.last = report;
    Object.assign(run, { status: report.outcome, counts: report.counts, ...(report.error ? { error: report.error } : {}) });
    run.finishedAt = new Date().toISOString();
    this.runs.put(run);
    for (const o of report.objects) this.metrics.objects.inc({ environment: environment.name, loop: run.loop, kind: o.kind, outcome: o.outcome });
    this.metrics.runs.inc({ environment: environment.name, loop: run.loop, outcome: report.outcome });
    this.metrics.runDuration.observe({ environment: environment.name, loop: run.loop }, (Date.now() - started) / 1000);
    if (slot.thoughtspot) this.metrics.queueDepth.set({ host: new URL(environment.url).host }, slot.thoughtspot.queue.waiting);
    for (const listener of this.#onRunFinished) await listener(slot.last);
    if (slot.repo) await this.#pipeline.afterRun(report, slot.repo, (name, trigger) => this.request(name, 'deploy', trigger), this.services.log.child({ environment: environment.name }));
  }

  status(): EnvironmentStatus[] {
    return this.#slots.map((slot) => {
      const next = slot.cron?.nextRun();
      const last = slot.last;
      return {
        name: slot.environment.name,
        direction: slot.environment.direction,
        branch: slot.environment.branch,
        running: slot.current !== undefined,
        pending: slot.queue.length > 0,
        ...(slot.thoughtspot?.api ? { api: slot.thoughtspot.api } : {}),
        ...this.#pipeline.statusOf(slot.environment.name),
        ...(next ? { nextRun: next.toISOString() } : {}),
        ...(last
          ? { lastRun: { runId: last.runId, loop: last.loop, outcome: last.outcome, startedAt: last.startedAt, durationMs: last.durationMs, counts: last.counts, ...(last.error ? { error: last.error } : {}), ...conflictsOf(last), ...checksStatus(last) } }
          : {}),
      };
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const running = this.#slots.filter((s) => s.current !== undefined).map((s) => s.environment.name);
    // A run can take a while: said, so that a person who pressed Ctrl-C knows what the wait is for.
    if (running.length > 0) this.services.log.info({ environments: running }, 'stopping: letting the running runs finish');
    await Promise.all(this.#watchers.map((w) => w.close()));
    for (const slot of this.#slots) {
      slot.cron?.stop();
      for (const run of slot.queue.splice(0)) this.runs.put({ ...run, status: 'failed', error: 'the daemon stopped before the run started' });
    }
    await this.idle();
    await Promise.all(this.#slots.flatMap((s) => (s.thoughtspot ? [endSession(s.thoughtspot)] : [])));
    await this.#http?.close();
    this.services.log.info('daemon stopped');
  }
}

/** A daemon run as the notifications' `settledRun` and `failedRun` know it: a failed one keeps the run's id. */
function aboutRun(slot: Slot, run: RunRecord): RunAbout {
  return { runId: run.id, environment: slot.environment.name, loop: run.loop, dryRun: false };
}

/** A run that threw: the error with its stack in the log (the report keeps its message). */
function logFailure(run: RunRecord, log: Logger, error: unknown): void {
  log.error({ err: error }, `${run.loop} run failed`);
}

/** A sync run's conflicts, as `/status` shows them. */
function conflictsOf(report: RunReport): { conflicts?: { kind: string; name: string; path: string; resolution: string }[]; conflictsBranch?: string } {
  const { conflicts, conflictsBranch } = report as Partial<SyncReport>;
  if (!conflicts || conflicts.length === 0) return {};
  return { conflicts: conflicts.map((c) => ({ kind: c.kind, name: c.name, path: c.path, resolution: c.resolution })), ...(conflictsBranch ? { conflictsBranch } : {}) };
}
