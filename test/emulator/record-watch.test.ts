import { describe, expect, it } from 'vitest';
import { TSADMIN_ID } from '../../src/emulator/principals.js';
import { RecordWatch, type RecordChanges } from '../../src/emulator/record-watch.js';
import { scaleBatches, storeDirectly } from '../../src/emulator/seed/scale.js';
import { EmulatorInstance, type ContentRecord } from '../../src/emulator/state.js';
import { MemoryStore } from '../../src/emulator/store.js';

function scaledOrg() {
  const state = new EmulatorInstance(new MemoryStore()).primary;
  storeDirectly(state, TSADMIN_ID, [...scaleBatches(1)].flat());
  const records = [...state.objects.values()];
  return { state, records, watch: new RecordWatch(state.objects) };
}

/** The changes as names: gone as they were seen, added as they are now, each with its rank. */
const named = ({ gone, added }: RecordChanges) => ({ gone: gone.map((s) => [s.name, s.rank]), added: added.map((s) => [s.name, s.rank]) });

describe('RecordWatch', () => {
  it('sees no change when nothing changed', () => {
    const { state, watch } = scaledOrg();
    expect(watch.changes(state.objects)).toEqual({ gone: [], added: [] });
  });

  it('sees a record replaced under its id, and one edited in place, each at its rank', () => {
    const { state, records, watch } = scaledOrg();
    const [, replaced, , edited] = records as [ContentRecord, ContentRecord, ContentRecord, ContentRecord];
    const editedName = edited.name;
    state.objects.set(replaced.id, { ...replaced, description: 'new' });
    edited.name = 'Edited in place';
    expect(named(watch.changes(state.objects))).toEqual({ gone: [[replaced.name, 1], [editedName, 3]], added: [[replaced.name, 1], ['Edited in place', 3]] });
    expect(watch.changes(state.objects)).toEqual({ gone: [], added: [] });
  });

  it('sees tags replaced or added to in place', () => {
    const { state, records, watch } = scaledOrg();
    records[1]!.tags = ['one'];
    records[2]!.tags.push('two');
    expect(watch.changes(state.objects).added.map((s) => s.tags)).toEqual([['one'], ['two']]);
  });

  it('sees a record deleted and one added, the added after every other', () => {
    const { state, records, watch } = scaledOrg();
    state.objects.delete(records[2]!.id);
    state.objects.set('new-id', { ...records[2]!, id: 'new-id', name: 'New' });
    expect(named(watch.changes(state.objects))).toEqual({ gone: [[records[2]!.name, 2]], added: [['New', records.length]] });
    expect(watch.records.map((s) => s.name)).toEqual([...records.filter((_, i) => i !== 2).map((r) => r.name), 'New']);
  });

  it('sees a record deleted and set again as moved to the end of the Org\'s order', () => {
    const { state, records, watch } = scaledOrg();
    const moved = records[1]!;
    state.objects.delete(moved.id);
    state.objects.set(moved.id, moved);
    expect(named(watch.changes(state.objects))).toEqual({ gone: [[moved.name, 1]], added: [[moved.name, records.length]] });
    expect(watch.records.map((s) => s.rank)).toEqual([0, 2, 3, 4, 5, 6, 7, records.length]);
  });
});
