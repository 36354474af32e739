import { isMap } from '../path.js';
import type { KindHandler, LocalIssue, TmlPath, TmlValue } from '../types.js';
import { list, listed, names } from './shared.js';

/**
 * Liveboard (§3.2 `PinboardEDocProto`), also read under its pre-8.9 key `pinboard` (corpus
 * DUMMY.pinboard.tml). Each visualization embeds a full copy of an answer (§3.3), validated and
 * followed for references as an answer; layout tiles name visualizations by `id`.
 */
export const liveboard: KindHandler = {
  kind: 'liveboard',
  keys: ['liveboard', 'pinboard'],
  metadataType: 'PINBOARD_ANSWER_BOOK',
  subtypes: [],
  rank: 6,
  suffix: '.liveboard.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    { path: 'visualizations', required: true, type: 'list' },
    { path: 'visualizations[]', type: 'map' },
    { path: 'visualizations[].id', required: true, type: 'string' },
    // A note tile carries text instead of an answer.
    { path: 'visualizations[].answer', required: true, unless: 'note_tile', type: 'map' },
    { path: 'filters', type: 'list' },
    { path: 'layout', type: 'map' },
  ],
  nested: [{ path: 'visualizations[].answer', kind: 'answer' }],
  references: () => [],
  dataCheck: 'visualizations',
  check(body) {
    const ids = names(body.visualizations, 'id');
    const layout = isMap(body.layout) ? body.layout : undefined;
    const issues = checkTiles(layout?.tiles, ['layout', 'tiles'], ids);
    list(layout?.tabs).forEach((tab, t) => {
      if (isMap(tab)) issues.push(...checkTiles(tab.tiles, ['layout', 'tabs', t, 'tiles'], ids));
    });
    return issues;
  },
};

function checkTiles(tiles: TmlValue | undefined, path: TmlPath, ids: Set<string>): LocalIssue[] {
  return list(tiles).flatMap((tile, i): LocalIssue[] => {
    const id = isMap(tile) ? tile.visualization_id : undefined;
    if (typeof id === 'string' && ids.has(id)) return [];
    return [{ code: 'unknown-local-id', path: [...path, i, 'visualization_id'], message: `visualization_id ${JSON.stringify(id ?? null)} names no visualization of this liveboard (${listed(ids)})` }];
  });
}
