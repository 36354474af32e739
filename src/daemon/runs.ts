import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunRecord } from '../sync/kernel/runs.js';

/** Runs kept after they end, so that `GET /api/v1/runs/{id}` answers across restarts. */
const KEPT = 500;

/**
 * The daemon's record of runs and of the webhook deliveries it has seen,
 * persisted as one JSON file replaced atomically.
 */
export class RunStore {
  readonly #runs = new Map<string, RunRecord>();
  readonly #deliveries: string[] = [];

  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { runs: RunRecord[]; deliveries: string[] };
      for (const run of saved.runs) {
        // A run that was queued or running when the daemon stopped did not finish.
        if (run.status === 'queued' || run.status === 'running') Object.assign(run, { status: 'failed', error: 'the daemon stopped before the run finished' });
        this.#runs.set(run.id, run);
      }
      this.#deliveries.push(...saved.deliveries);
    } catch {
      // No file yet, or unreadable: start empty.
    }
  }

  get(id: string): RunRecord | undefined {
    return this.#runs.get(id);
  }

  put(run: RunRecord): void {
    this.#runs.set(run.id, run);
    while (this.#runs.size > KEPT) this.#runs.delete(this.#runs.keys().next().value!);
    this.save();
  }

  /** The most recent runs, newest requested first (the status page lists them). */
  recent(limit: number): RunRecord[] {
    return [...this.#runs.values()].slice(-limit).reverse();
  }

  /** Records a webhook delivery id; false when it was seen before (GitHub redelivers). */
  firstDelivery(id: string): boolean {
    if (this.#deliveries.includes(id)) return false;
    this.#deliveries.push(id);
    if (this.#deliveries.length > KEPT) this.#deliveries.shift();
    this.save();
    return true;
  }

  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify({ runs: [...this.#runs.values()], deliveries: this.#deliveries }));
    renameSync(temp, this.file);
  }
}
