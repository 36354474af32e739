import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';

// Driven through the real client, as tmlsync's prune drives it.
useHttpMock({ allowLoopback: true });

let emulator: RunningEmulator;
let ts: ThoughtSpotClient;
beforeAll(async () => {
  emulator = await startEmulator();
  ts = new ThoughtSpotClient({ url: emulator.url, username: 'tsadmin', password: 'admin', env: {} });
});
afterAll(() => emulator.close());

const has = (id: string) => emulator.state.objects.has(id);

describe('emulator metadata/delete', () => {
  it('refuses to delete an object others depend on, naming them, and deletes nothing', async () => {
    const error = await ts.deleteObjects({ type: 'LOGICAL_TABLE', ids: [DEMO_GUIDS.model, DEMO_GUIDS.sqlView] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThoughtSpotApiError', status: 400 });
    const message = (error as Error).message;
    expect(message).toContain('model "Retail Sales" is used by');
    expect(message).toContain('answer "Top 10 Products"');
    expect(message).toContain('liveboard "Retail Overview"');
    expect(message).toContain('view "Regional Sales View"');
    expect(has(DEMO_GUIDS.model) && has(DEMO_GUIDS.sqlView)).toBe(true);
  });

  it('refuses unknown ids and ids of another type, naming them', async () => {
    await expect(ts.deleteObjects({ type: 'PINBOARD_ANSWER_BOOK', ids: ['00000000-0000-4000-8000-000000000000'] })).rejects.toThrow(/no object with id 00000000-0000-4000-8000-000000000000/);
    await expect(ts.deleteObjects({ type: 'PINBOARD_ANSWER_BOOK', ids: [DEMO_GUIDS.answers[0]] })).rejects.toThrow(`${DEMO_GUIDS.answers[0]} (answer "Sales by Region") is not a PINBOARD_ANSWER_BOOK`);
    expect(has(DEMO_GUIDS.answers[0])).toBe(true);
  });

  it('deletes dependents first, then what they stood on; objects of one request may depend on each other', async () => {
    await ts.deleteObjects({ type: 'PINBOARD_ANSWER_BOOK', ids: [...DEMO_GUIDS.liveboards] });
    await ts.deleteObjects({ type: 'QUESTION_ANSWER_BOOK', ids: [...DEMO_GUIDS.answers] });
    // The view stands on the model: together they go.
    await ts.deleteObjects({ type: 'LOGICAL_TABLE', ids: [DEMO_GUIDS.view, DEMO_GUIDS.model] });
    for (const id of [...DEMO_GUIDS.liveboards, ...DEMO_GUIDS.answers, DEMO_GUIDS.view, DEMO_GUIDS.model]) expect(has(id)).toBe(false);
    const boards = await ts.listObjectHeaders({ type: 'PINBOARD_ANSWER_BOOK' });
    expect(boards).toEqual([]);
    const [exported] = await ts.exportTml([DEMO_GUIDS.model]);
    expect(exported).toMatchObject({ ok: false });
    expect(has(DEMO_GUIDS.worksheet) && has(DEMO_GUIDS.factSales)).toBe(true);
  });
});
