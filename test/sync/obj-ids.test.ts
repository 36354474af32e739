import { describe, expect, it } from 'vitest';
import { identityFindings } from '../../src/sync/kernel/validate.js';
import { newObjIds, objIdFor } from '../../src/sync/obj-ids.js';
import { parse } from '../../src/tml/index.js';

describe('the obj_id rule of assign-obj-ids', () => {
  it('is the kind and the slugged name: lower case, accents dropped, other characters one dash', () => {
    expect(objIdFor('liveboard', 'Sales Overview')).toBe('liveboard-sales-overview');
    expect(objIdFor('table', 'Café / Dépenses (2024)')).toBe('table-cafe-depenses-2024');
    expect(objIdFor('answer', '注文')).toBe('answer-unnamed');
    expect(objIdFor('model', 'x'.repeat(200))).toBe(`model-${'x'.repeat(80)}`);
  });

  it('keeps the obj_ids objects have, gives the others unique ones with numeric suffixes, in a stable order', () => {
    const objects = [
      { kind: 'table' as const, name: 'Orders', guid: 'g-3' },
      { kind: 'table' as const, name: 'orders', guid: 'g-2' },
      { kind: 'table' as const, name: 'Kept', guid: 'g-1', objId: 'table-orders' },
      { kind: 'answer' as const, name: 'Orders', guid: 'g-4' },
    ];
    const assigned = newObjIds(objects);
    expect(assigned.map((a) => [a.id, a.objId])).toEqual([['g-4', 'answer-orders'], ['g-3', 'table-orders-2'], ['g-2', 'table-orders-3']]);
    expect(newObjIds([...objects].reverse()).map((a) => [a.id, a.objId])).toEqual(assigned.map((a) => [a.id, a.objId]));
  });
});

describe('the identity gate and obj_ids', () => {
  const file = (path: string, objId: string, guid: string) => parse(`guid: ${guid}\nobj_id: ${objId}\nanswer:\n  name: ${path}\n`, { file: path });

  it('finds an obj_id two files carry, naming both; one obj_id per file passes', () => {
    const findings = identityFindings([file('tml/answer/b.answer.tml', 'sales', 'g-1'), file('tml/answer/a.answer.tml', 'sales', 'g-2'), file('tml/answer/c.answer.tml', 'other', 'g-3')]);
    expect(findings.map((f) => [f.file, f.message])).toEqual([
      ['tml/answer/b.answer.tml', 'duplicate obj_id sales: tml/answer/a.answer.tml and tml/answer/b.answer.tml carry it; an obj_id names one object of an Org (give a copy another obj_id, or none if it carries a guid)'],
    ]);
  });
});
