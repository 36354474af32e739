import type { Logger } from 'pino';

/** At most one progress line this often: a person sees it move; a 10,000-object export does not print 10,000 lines. */
const PROGRESS_EVERY_MS = 2000;

export interface ProgressOptions {
  everyMs?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/**
 * Progress of a long step as log lines (not a hand-drawn bar, so it reads the
 * same in either log format): `exporting done=120 total=900 perSecond=40`, at
 * most every `everyMs`, and always the last one.
 */
export function progressLogger(log: Logger, message: string, options: ProgressOptions = {}): (done: number, total: number) => void {
  const now = options.now ?? Date.now;
  const every = options.everyMs ?? PROGRESS_EVERY_MS;
  const started = now();
  let last: number | undefined;
  return (done, total) => {
    const at = now();
    if (done < total && last !== undefined && at - last < every) return;
    last = at;
    const seconds = (at - started) / 1000;
    log.info({ progress: { done, total, ...(seconds > 0 ? { perSecond: Math.round(done / seconds) } : {}) } }, message);
  };
}
