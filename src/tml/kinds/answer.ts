import type { KindHandler } from '../types.js';
import { DISPLAY_MODES, JOIN_TYPES, LOGICAL_TABLE_KINDS, identityListRules, identityRefs } from './shared.js';

/**
 * Saved answer (§3.2 `AnswerEDocProto`): depends on its data sources, `tables[]`. Chart types
 * are an open list (new ones appear with releases) and are not checked.
 */
export const answer: KindHandler = {
  kind: 'answer',
  keys: ['answer'],
  metadataType: 'QUESTION_ANSWER_BOOK',
  subtypes: [],
  rank: 5,
  suffix: '.answer.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    ...identityListRules('tables'),
    { path: 'search_query', required: true, type: 'string' },
    { path: 'answer_columns', type: 'list' },
    { path: 'joins[].type', enum: JOIN_TYPES },
    { path: 'display_mode', enum: DISPLAY_MODES },
  ],
  references: (body) => identityRefs(body, ['tables'], LOGICAL_TABLE_KINDS),
};
