import { describe, expect, it } from 'vitest';
import { levelBatches } from '../../src/sync/kernel/batches.js';

interface Item {
  id: string;
  /** The object it writes (two items may write one object). */
  object: string;
  needs: string[];
}

const item = (id: string, needs: string[] = [], object = id): Item => ({ id, object, needs });

function plan(items: Item[], size = 2): string[][][] {
  const byId = new Map(items.map((i) => [i.id, i]));
  return levelBatches(items, (i) => i.needs.map((n) => byId.get(n)!), (i) => i.object, size).map((level) => level.map((batch) => batch.map((i) => i.id)));
}

/** Where each item goes: its level. */
function levelOf(levels: string[][][]): Map<string, number> {
  return new Map(levels.flatMap((level, n) => level.flat().map((id): [string, number] => [id, n])));
}

describe('the level-parallel batch planner', () => {
  it('puts independent objects in one level, split in batches of the size given', () => {
    expect(plan([item('t1'), item('t2'), item('t3')])).toEqual([[['t1', 't2'], ['t3']]]);
  });

  it('sends a dependency in an earlier level than everything that references it', () => {
    const items = [item('table'), item('model', ['table']), item('answer', ['model']), item('liveboard', ['answer', 'table']), item('other table')];
    const levels = plan(items);
    const at = levelOf(levels);
    for (const i of items) for (const n of i.needs) expect(at.get(n)!, `${n} before ${i.id}`).toBeLessThan(at.get(i.id)!);
    expect(levels).toEqual([[['table', 'other table']], [['model']], [['answer']], [['liveboard']]]);
  });

  it('places a dependent listed before its dependency after it all the same', () => {
    expect(plan([item('answer', ['table']), item('table')])).toEqual([[['table']], [['answer']]]);
  });

  it('never puts two items writing one object in one level (never two in-flight imports on one object)', () => {
    const items = [item('a', [], 'X'), item('b', [], 'X'), item('c', [], 'Y'), item('d', ['a'])];
    const levels = plan(items, 10);
    for (const level of levels) {
      const objects = level.flat().map((id) => items.find((i) => i.id === id)!.object);
      expect(new Set(objects).size).toBe(objects.length);
    }
    const at = levelOf(levels);
    expect(at.get('d')!).toBeGreaterThan(at.get('a')!);
    expect(levels.flat(2).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('ends on a dependency cycle, placing every item once', () => {
    const levels = plan([item('a', ['b']), item('b', ['a']), item('c', ['a'])]);
    expect(levels.flat(2).sort()).toEqual(['a', 'b', 'c']);
    const at = levelOf(levels);
    expect(at.get('c')!).toBeGreaterThan(at.get('a')!);
  });
});
