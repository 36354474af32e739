import { describe, expect, it } from 'vitest';
import { BATCH_SIZE, exportBack } from '../../src/sync/kernel/batches.js';
import type { ExportedObject } from '../../src/sync/ports.js';
import { within } from '../support/net.js';
import { callUntilStopped, DOWN_MS } from './fake-ports.js';

const answerTml = (id: string) => `guid: ${id}\nanswer:\n  name: Answer ${id}\n`;

/**
 * A ThoughtSpot whose export calls are answered only once `together` of them are under way: a
 * caller that waits for each answer before it sends the next call never gets one. Object `bad`
 * comes back with an error, `lost` not at all.
 */
function exportsAnsweredTogether(together: number) {
  const calls: string[][] = [];
  let release: () => void = () => undefined;
  const allSent = new Promise<void>((resolve) => (release = resolve));
  const exportTml = async (ids: string[]): Promise<ExportedObject[]> => {
    calls.push(ids);
    if (calls.length === together) release();
    await allSent;
    return ids.filter((id) => id !== 'lost').map((id) => (id === 'bad' ? { id, error: 'no such object' } : { id, type: 'QUESTION_ANSWER_BOOK', name: `Answer ${id}`, edoc: answerTml(id) }));
  };
  return { port: { exportTml } as never, calls };
}

describe('exportBack, the round-trip export of what a run imported', () => {
  it('sends its batches together, and brings every object back, or why it is not there', async () => {
    const ids = [...Array.from({ length: 2 * BATCH_SIZE + 1 }, (_, i) => `answer-${i}`), 'bad', 'lost'];
    const thoughtspot = exportsAnsweredTogether(3);
    const back = await within(2_000, exportBack(thoughtspot.port, ids), 'the batches were sent one after the other');
    expect(thoughtspot.calls.map((batch) => batch.length)).toEqual([BATCH_SIZE, BATCH_SIZE, 3]);
    expect(back.size).toBe(ids.length);
    expect(back.get('answer-0')).toMatchObject({ doc: { kind: 'answer', name: 'Answer answer-0' } });
    expect(back.get(`answer-${2 * BATCH_SIZE}`)).toMatchObject({ doc: { name: `Answer answer-${2 * BATCH_SIZE}` } });
    expect(back.get('bad')).toEqual({ error: 'no such object' });
    expect(back.get('lost')).toEqual({ error: 'missing from the export answer' });
  });

  it('stops the other batches at the first that fails, and reports it once they have ended', async () => {
    // The batch of answer-0 fails at once; the others would wait for an answer for ever, and end 20 ms after their signal stops them.
    const stopped: string[] = [];
    const exportTml = (ids: string[], signal?: AbortSignal): Promise<ExportedObject[]> => {
      if (ids.includes('answer-0')) return Promise.reject(new Error('ThoughtSpot answered 500'));
      return callUntilStopped(DOWN_MS, signal, undefined, 20).then(
        () => [],
        (error: unknown) => {
          stopped.push(ids[0]!);
          throw error;
        },
      );
    };
    const ids = Array.from({ length: 2 * BATCH_SIZE + 1 }, (_, i) => `answer-${i}`);
    await expect(within(2_000, exportBack({ exportTml } as never, ids), 'the other batches went on')).rejects.toThrow('ThoughtSpot answered 500');
    expect(stopped).toEqual([`answer-${BATCH_SIZE}`, `answer-${2 * BATCH_SIZE}`]);
  });
});
