import { describe, expect, it } from 'vitest';
import { chooseFor, matchesGlob } from '../../src/sync/kernel/select.js';

describe('per-object settings', () => {
  it('matches repository paths against globs', () => {
    expect(matchesGlob('tml/liveboard/Retail-Overview.b5bd.liveboard.tml', 'tml/liveboard/**')).toBe(true);
    expect(matchesGlob('tml/liveboard/Retail-Overview.b5bd.liveboard.tml', 'tml/*/Retail-*')).toBe(true);
    expect(matchesGlob('tml/liveboard/Retail-Overview.b5bd.liveboard.tml', 'tml/*')).toBe(false);
    expect(matchesGlob('tml/answer/a.tml', 'tml/**/a.tml')).toBe(true);
    expect(matchesGlob('tml/a.tml', 'tml/**/a.tml')).toBe(true);
    expect(matchesGlob('tml/model/x.model.tml', 'tml/{model,worksheet}/*.tml')).toBe(true);
    expect(matchesGlob('tml/table/x.table.tml', 'tml/{model,worksheet}/*.tml')).toBe(false);
    expect(matchesGlob('tml/answer/a+b (1).tml', 'tml/answer/a+b (?).tml')).toBe(true);
  });

  it('chooses by GUID before path, and the first matching glob', () => {
    const object = { guids: ['c-guid', 'e-guid'], path: 'tml/answer/Sales.answer.tml' };
    expect(chooseFor(object, { 'e-guid': 'by guid' }, { 'tml/**': 'by path' })).toBe('by guid');
    expect(chooseFor(object, {}, { 'tml/liveboard/**': 'no', 'tml/answer/*': 'first', 'tml/**': 'second' })).toBe('first');
    expect(chooseFor(object, undefined, undefined)).toBeUndefined();
  });
});
