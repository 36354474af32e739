import { describe, expect, it } from 'vitest';
import { planOwnership, type OwnershipPolicy } from '../../src/sync/deploy/ownership.js';
import { listTarget, targetFromHeaders } from '../../src/sync/kernel/target.js';
import type { Header, HeaderType, ThoughtSpotPort } from '../../src/sync/ports.js';

/** Issue 16: one listing of the target per run, shared by a sync's deploy and by the ownership step. */

const header = (id: string, type: HeaderType, subtype?: string, author?: string): Header => ({
  id, name: `Object ${id}`, modified: 1, ...(author ? { author } : {}), listedAs: { type, ...(subtype ? { subtype } : {}) },
});

describe('the target from a listing made earlier in the run', () => {
  it('tells the kinds of a whole-type listing apart by subtype, keeps each owner, and leaves out a subtype no kind knows', () => {
    const target = targetFromHeaders([
      header('c', 'DATA_SOURCE', 'RDBMS_SNOWFLAKE'),
      header('t', 'LOGICAL_TABLE', 'ONE_TO_ONE_LOGICAL', 'u-1'),
      header('w', 'LOGICAL_TABLE', 'WORKSHEET'),
      header('s', 'LOGICAL_TABLE', 'SQL_VIEW'),
      header('x', 'LOGICAL_TABLE', 'SOMETHING_NEW'),
      header('a', 'QUESTION_ANSWER_BOOK', undefined, 'u-2'),
      header('k', 'LOGICAL_COLUMN'),
    ]);
    expect(target?.objects.map((o) => [o.guid, o.kind])).toEqual([['c', 'connection'], ['t', 'table'], ['w', 'model'], ['s', 'sql_view'], ['a', 'answer'], ['k', 'cohort']]);
    expect([...target!.authors]).toEqual([['t', 'u-1'], ['a', 'u-2']]);
  });

  it('is none when a header cannot be told apart, so that the deploy lists for itself rather than guess', () => {
    expect(targetFromHeaders([header('t', 'LOGICAL_TABLE')])).toBeUndefined();
    expect(targetFromHeaders([{ id: 'a', name: 'A', modified: 1 }])).toBeUndefined();
  });
});

describe('a listing of the target that fails', () => {
  it('fails once every kind\'s listing has ended, so that none of its calls outlives the run', async () => {
    let inFlight = 0;
    let listed = 0;
    const thoughtspot = {
      async listHeaders(type: HeaderType): Promise<Header[]> {
        const nth = (listed += 1);
        inFlight += 1;
        // The first kind fails at once; every other one answers later.
        await new Promise((resolve) => setTimeout(resolve, nth === 1 ? 0 : 30));
        inFlight -= 1;
        if (nth === 1) throw new Error(`HTTP 503 listing ${type}`);
        return [];
      },
    } as unknown as ThoughtSpotPort;
    await expect(listTarget(thoughtspot)).rejects.toThrow(/HTTP 503 listing/);
    expect(listed).toBeGreaterThan(1);
    expect(inFlight).toBe(0);
  });
});

describe('the owners the ownership step compares with', () => {
  const policy: OwnershipPolicy = { importer: 'tsadmin', default: 'owner' };
  const users = [{ id: 'u-admin', name: 'tsadmin', modified: 1 }, { id: 'u-owner', name: 'owner', modified: 1 }, { id: 'u-other', name: 'other', modified: 1 }];
  const objects = [
    { canonicalGuid: 'a', envGuid: 'a', kind: 'answer', name: 'A', path: 'a.tml' },
    { canonicalGuid: 'b', envGuid: 'b', kind: 'answer', name: 'B', path: 'b.tml' },
    { canonicalGuid: 'n', envGuid: 'n', kind: 'answer', name: 'New', path: 'n.tml' },
  ];

  function port() {
    const listed: HeaderType[] = [];
    const thoughtspot = {
      listHeaders(type: HeaderType) {
        listed.push(type);
        return Promise.resolve(type === 'USER' ? users : type === 'QUESTION_ANSWER_BOOK' ? [{ id: 'a', name: 'A', modified: 1, author: 'u-other' }, { id: 'b', name: 'B', modified: 1, author: 'u-owner' }] : []);
      },
    };
    return { thoughtspot: thoughtspot as never, listed };
  }

  it('come from the deploy\'s own listing when given: only the users are listed, and an object absent from it is the importer\'s', async () => {
    const { thoughtspot, listed } = port();
    const changes = await planOwnership(thoughtspot, policy, objects, new Map([['a', 'u-other'], ['b', 'u-owner']]));
    expect(listed).toEqual(['USER']);
    expect(changes.map((c) => [c.canonicalGuid, c.from, c.to, c.status])).toEqual([['a', 'other', 'owner', 'planned'], ['n', 'tsadmin', 'owner', 'planned']]);
  });

  it('are listed with the content when the caller has no listing of its own', async () => {
    const { thoughtspot, listed } = port();
    const changes = await planOwnership(thoughtspot, policy, objects);
    expect(listed).toContain('USER');
    expect(listed).toContain('QUESTION_ANSWER_BOOK');
    expect(changes.map((c) => [c.canonicalGuid, c.from, c.to])).toEqual([['a', 'other', 'owner'], ['n', 'tsadmin', 'owner']]);
  });
});
