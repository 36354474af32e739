import { setMaxListeners } from 'node:events';

/**
 * The values of `work` once every one of it has ended; else the first failure among them, once
 * every one has ended too. Promise.all rejects at the first failure while the rest still runs: a
 * listing that failed for one kind left the other kinds' pages going after the run had reported
 * (and their calls logged in again once the run had ended its session).
 */
export async function allEnded<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(work);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

/**
 * A stop for many calls at once (a listing of every kind, which a run stops when it no longer needs
 * it): each call holds a few abort listeners on the one signal (its wait for the login, the queue's,
 * got's), past Node's warning threshold of 10, which would print a leak warning on every such run.
 * `within`: a wider stop that stops this one too (this one can also stop alone).
 */
export function sharedStop(within?: AbortSignal): AbortController {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  within?.addEventListener('abort', () => stop.abort(within.reason), { once: true, signal: stop.signal });
  return stop;
}
