import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { startHttp, type EnvironmentStatus, type RunningHttp } from '../server/http.js';
import { Metrics } from '../server/metrics.js';
import { runExport } from '../sync/export.js';
import type { ContentRepo } from '../sync/ports.js';
import type { RunReport } from '../sync/report.js';
import type { ThoughtSpotClient } from '../thoughtspot/index.js';
import { clientFor, repoFor, thoughtspotPort, type Services } from './compose.js';

interface Slot {
  environment: EnvironmentConfig;
  cron?: Cron;
  running?: Promise<void>;
  pending: boolean;
  last?: RunReport;
  client?: ThoughtSpotClient;
  repo?: ContentRepo;
}

/**
 * The service (DESIGN.md "daemon"): per environment, an export at start-up
 * and then on its schedule, one run at a time (a run asked for during a run
 * happens right after it), and the HTTP surface. `stop()` lets running runs
 * finish: files are written atomically and commits are whole, so nothing is
 * left half done.
 */
export class Daemon {
  readonly metrics = new Metrics();
  readonly #slots: Slot[];
  private readonly services: Services;
  #http: RunningHttp | undefined;
  #stopping = false;

  constructor(
    private readonly config: LoadedConfig,
    services: Services,
  ) {
    this.services = { ...services, onApiCall: (endpoint, result) => this.metrics.apiCalls.inc({ endpoint, result }) };
    this.#slots = config.environments.filter((e) => e.direction !== 'deploy').map((environment) => ({ environment, pending: false }));
  }

  async start(): Promise<RunningHttp> {
    this.#http = await startHttp({ ...this.config.server, status: this, metrics: this.metrics, log: this.services.log });
    this.services.log.info({ url: this.#http.url, environments: this.#slots.map((s) => s.environment.name) }, 'daemon started');
    for (const slot of this.#slots) {
      slot.cron = new Cron(slot.environment.schedule, { protect: true }, () => this.request(slot.environment.name));
      this.request(slot.environment.name);
    }
    return this.#http;
  }

  /** Asks for a run of an environment now; queued behind a running one. */
  request(name: string): void {
    const slot = this.#slots.find((s) => s.environment.name === name);
    if (!slot || this.#stopping) return;
    if (slot.running) {
      slot.pending = true;
      return;
    }
    slot.running = this.#run(slot).finally(() => {
      slot.running = undefined;
      if (slot.pending && !this.#stopping) {
        slot.pending = false;
        this.request(name);
      }
    });
  }

  /** Resolves when no run is going on (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = this.#slots.flatMap((s) => (s.running ? [s.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  async #run(slot: Slot): Promise<void> {
    const { environment } = slot;
    const runId = randomUUID();
    const log = this.services.log.child({ runId, environment: environment.name });
    const started = Date.now();
    try {
      slot.client ??= clientFor(environment, this.services);
      slot.repo ??= await repoFor(this.config, environment, this.services);
      const report = await runExport({
        environment: environment.name, branch: environment.branch, thoughtspot: thoughtspotPort(slot.client), repo: slot.repo,
        committer: this.config.repository.committer, log: this.services.log, runId,
      });
      slot.last = report;
      for (const o of report.objects) this.metrics.objects.inc({ environment: environment.name, loop: 'export', kind: o.kind, outcome: o.outcome });
    } catch (error) {
      log.error({ err: error }, 'export run failed');
      slot.last = {
        runId, environment: environment.name, loop: 'export', dryRun: false, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started,
        outcome: 'failed', counts: { added: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0 }, commits: [], objects: [], error: error instanceof Error ? error.message : String(error),
      };
    }
    this.metrics.runs.inc({ environment: environment.name, loop: 'export', outcome: slot.last.outcome });
    this.metrics.runDuration.observe({ environment: environment.name, loop: 'export' }, (Date.now() - started) / 1000);
    if (slot.client) this.metrics.queueDepth.set({ host: new URL(environment.url).host }, slot.client.queue.waiting);
  }

  status(): EnvironmentStatus[] {
    return this.#slots.map((slot) => {
      const next = slot.cron?.nextRun();
      const last = slot.last;
      return {
        name: slot.environment.name,
        direction: slot.environment.direction,
        branch: slot.environment.branch,
        running: slot.running !== undefined,
        pending: slot.pending,
        ...(next ? { nextRun: next.toISOString() } : {}),
        ...(last
          ? { lastRun: { runId: last.runId, loop: last.loop, outcome: last.outcome, startedAt: last.startedAt, durationMs: last.durationMs, counts: last.counts, ...(last.error ? { error: last.error } : {}) } }
          : {}),
      };
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const slot of this.#slots) slot.cron?.stop();
    await this.idle();
    await Promise.all(this.#slots.flatMap((s) => (s.client ? [s.client.logout().catch(() => undefined)] : [])));
    await this.#http?.close();
    this.services.log.info('daemon stopped');
  }
}
