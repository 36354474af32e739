import { isMap } from '../path.js';
import type { KindHandler, LocalIssue, TmlPath, TmlValue } from '../types.js';
import { list, listed, names } from './shared.js';

/**
 * Liveboard (§3.2 `PinboardEDocProto`), also read under its pre-8.9 key `pinboard` (corpus
 * DUMMY.pinboard.tml). Each visualization embeds a full copy of an answer (§3.3), validated and
 * followed for references as an answer; layout tiles name visualizations (or groups) by `id`.
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
    const visualizations = names(body.visualizations, 'id');
    // A tile names a visualization or a group (a section, `groups[].id`); the tiles of a group,
    // in `group_layouts` (beside `tiles`, in a tab or in the layout), name visualizations.
    const groups = names(body.groups, 'id');
    const tiles: Targets = { ids: new Set([...visualizations, ...groups]), noun: groups.size > 0 ? 'visualization or group' : 'visualization' };
    const inGroups: Targets = { ids: visualizations, noun: 'visualization' };
    const layout = isMap(body.layout) ? body.layout : undefined;
    const issues = checkLayout(layout, ['layout'], tiles, inGroups);
    list(layout?.tabs).forEach((tab, t) => {
      if (isMap(tab)) issues.push(...checkLayout(tab, ['layout', 'tabs', t], tiles, inGroups));
    });
    return issues;
  },
};

interface Targets {
  ids: Set<string>;
  noun: string;
}

function checkLayout(holder: TmlValue | undefined, path: TmlPath, tiles: Targets, inGroups: Targets): LocalIssue[] {
  if (!isMap(holder)) return [];
  return [
    ...checkTiles(holder.tiles, [...path, 'tiles'], tiles),
    ...list(holder.group_layouts).flatMap((group, g) => (isMap(group) ? checkTiles(group.tiles, [...path, 'group_layouts', g, 'tiles'], inGroups) : [])),
  ];
}

function checkTiles(tiles: TmlValue | undefined, path: TmlPath, targets: Targets): LocalIssue[] {
  return list(tiles).flatMap((tile, i): LocalIssue[] => {
    const id = isMap(tile) ? tile.visualization_id : undefined;
    if (typeof id === 'string' && targets.ids.has(id)) return [];
    return [{ code: 'unknown-local-id', path: [...path, i, 'visualization_id'], message: `visualization_id ${JSON.stringify(id ?? null)} names no ${targets.noun} of this liveboard (${listed(targets.ids)})` }];
  });
}
