import { setMaxListeners } from 'node:events';

/** One promise per value of `T` (a tuple or an array), as Promise.all takes them. */
type Promises<T extends readonly unknown[]> = readonly [...{ [K in keyof T]: Promise<T[K]> }];

/**
 * The values of `work` once every one of it has ended; else the first failure among them, once
 * every one has ended too. Promise.all rejects at the first failure while the rest still runs: a
 * listing that failed for one kind left the other kinds' pages going after the run had reported
 * (and their calls logged in again once the run had ended its session).
 */
export async function allEnded<T extends readonly unknown[]>(work: Promises<T>): Promise<T> {
  const outcomes = await Promise.allSettled(work as readonly Promise<unknown>[]);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value) as unknown as T;
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
  if (within?.aborted) stop.abort(within.reason);
  else within?.addEventListener('abort', () => stop.abort(within.reason), { once: true, signal: stop.signal });
  return stop;
}

/**
 * `work`, whose first failure stops `stop` (and the calls it was given to: a listing beside a read
 * of git or of the files), reported once every piece has ended (`allEnded`, in `work`'s order),
 * without waiting for the others to finish what they had left (a full listing's other kinds,
 * minutes of pages at 100,000 objects; with ThoughtSpot down, minutes of retries).
 */
export function allEndedStopping<T extends readonly unknown[]>(stop: AbortController, work: Promises<T>): Promise<T> {
  const stopOnFailure = <V>(piece: Promise<V>) =>
    piece.catch((error: unknown) => {
      stop.abort(error);
      throw error;
    });
  return allEnded<T>(work.map(stopOnFailure) as unknown as Promises<T>);
}

/** `start`'s work, given one signal that its first failure stops (`allEndedStopping`), and `within` too. */
export function allEndedFailFast<T extends readonly unknown[]>(within: AbortSignal | undefined, start: (signal: AbortSignal) => Promises<T>): Promise<T> {
  const stop = sharedStop(within);
  return allEndedStopping<T>(stop, start(stop.signal));
}
