import { describe, expect, it } from 'vitest';
import { allEndedFailFast, sharedStop } from '../../src/sync/kernel/settle.js';
import { callUntilStopped, DOWN_MS } from './fake-ports.js';

/** Work that ends only when `signal` stops it (a listing of ThoughtSpot down); `ended` says when it has. */
function untilStopped(signal: AbortSignal, ended: string[], name: string): Promise<void> {
  return callUntilStopped(DOWN_MS, signal).catch((error: unknown) => {
    ended.push(name);
    throw error;
  });
}

describe('work that stops together', () => {
  it('stops the rest at the first failure, and reports that failure once every piece has ended', async () => {
    const ended: string[] = [];
    const failing = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      ended.push('failed');
      throw new Error('HTTP 503 listing LOGICAL_TABLE');
    })();
    const all = allEndedFailFast(undefined, (signal) => [untilStopped(signal, ended, 'users'), failing, untilStopped(signal, ended, 'answers')]);
    await expect(all).rejects.toThrow('HTTP 503 listing LOGICAL_TABLE');
    expect(ended).toEqual(['failed', 'users', 'answers']);
  });

  it('stops all of it when the wider stop does, and keeps each piece\'s value otherwise', async () => {
    const run = sharedStop();
    const ended: string[] = [];
    const all = allEndedFailFast(run.signal, (signal) => [untilStopped(signal, ended, 'users'), untilStopped(signal, ended, 'answers')]);
    run.abort(new Error('git fetch failed'));
    await expect(all).rejects.toThrow('git fetch failed');
    expect(ended).toEqual(['users', 'answers']);
    expect(await allEndedFailFast(undefined, () => [Promise.resolve(1), Promise.resolve('two')] as const)).toEqual([1, 'two']);
  });

  it('makes a stop within one that has already stopped stopped too', () => {
    const run = sharedStop();
    run.abort(new Error('the run failed'));
    expect(sharedStop(run.signal).signal.reason).toEqual(new Error('the run failed'));
  });
});
