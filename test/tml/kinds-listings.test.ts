import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, DEPLOYED_TYPES } from '../../src/sync/kernel/target.js';
import { KIND_LISTINGS, handlers, kindForMetadata, listedKind, metadataTypes } from '../../src/tml/index.js';

describe('listings derived from the kind registry', () => {
  it('lists every kind once, a model and a legacy worksheet under their one shared listing', () => {
    expect(KIND_LISTINGS.map((l) => [l.metadataType, l.subtypes.join('+'), l.kind])).toEqual([
      ['DATA_SOURCE', '', 'connection'],
      ['LOGICAL_TABLE', 'ONE_TO_ONE_LOGICAL+USER_DEFINED', 'table'],
      ['LOGICAL_TABLE', 'SQL_VIEW', 'sql_view'],
      ['LOGICAL_TABLE', 'AGGR_WORKSHEET', 'view'],
      ['LOGICAL_TABLE', 'WORKSHEET', 'model'],
      ['LOGICAL_COLUMN', 'COHORT', 'cohort'],
      ['QUESTION_ANSWER_BOOK', '', 'answer'],
      ['PINBOARD_ANSWER_BOOK', '', 'liveboard'],
    ]);
    // Each listing names the kind the header maps to.
    for (const l of KIND_LISTINGS) expect(kindForMetadata(l.metadataType, l.subtypes[0])).toBe(l.kind);
  });

  it('says which kind a listing reports each kind as', () => {
    expect(handlers().map((h) => [h.kind, listedKind(h.kind)]).filter(([kind, listed]) => kind !== listed)).toEqual([['worksheet', 'model']]);
  });

  it('lists every content type for the export, and all but the environment-owned connections for owners', () => {
    expect(CONTENT_TYPES).toEqual(['DATA_SOURCE', 'LOGICAL_TABLE', 'LOGICAL_COLUMN', 'QUESTION_ANSWER_BOOK', 'PINBOARD_ANSWER_BOOK']);
    expect(DEPLOYED_TYPES).toEqual(['LOGICAL_TABLE', 'LOGICAL_COLUMN', 'QUESTION_ANSWER_BOOK', 'PINBOARD_ANSWER_BOOK']);
    expect(metadataTypes((h) => h.environmentOwned === true)).toEqual(['DATA_SOURCE']);
  });
});
