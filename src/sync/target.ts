import { kindForMetadata, type KnownObject, type TmlKind } from '../tml/index.js';
import type { HeaderType, ThoughtSpotPort } from './ports.js';

/** Listings that tell every kind apart: `LOGICAL_TABLE` once per subtype (a model is a `WORKSHEET`). */
const LISTINGS: [HeaderType, string | undefined][] = [
  ['DATA_SOURCE', undefined], ['LOGICAL_TABLE', 'ONE_TO_ONE_LOGICAL'], ['LOGICAL_TABLE', 'WORKSHEET'], ['LOGICAL_TABLE', 'AGGR_WORKSHEET'],
  ['LOGICAL_TABLE', 'SQL_VIEW'], ['QUESTION_ANSWER_BOOK', undefined], ['PINBOARD_ANSWER_BOOK', undefined],
];

/** Everything an environment holds, as objects that references may resolve to. */
export async function targetObjects(thoughtspot: ThoughtSpotPort): Promise<KnownObject[]> {
  const lists = await Promise.all(
    LISTINGS.map(async ([type, subtype]) => {
      const kind = kindForMetadata(type, subtype) as TmlKind;
      const headers = await thoughtspot.listHeaders(type, subtype ? [subtype] : undefined);
      return headers.map((h): KnownObject => ({ kind, name: h.name, guid: h.id }));
    }),
  );
  return lists.flat();
}
