import { KIND_LISTINGS, listedKind, metadataTypes, type KnownObject, type TmlKind } from '../../tml/index.js';
import type { HeaderType, ThoughtSpotPort } from '../ports.js';

/**
 * What the workflows list of an environment, derived from the kind registry
 * (one handler per kind, `tml/kinds/`), so that a new kind is listed
 * everywhere by adding its handler.
 */

/** Every content type (reference §2.10): connections, data objects, answers, liveboards. */
export const CONTENT_TYPES: readonly HeaderType[] = metadataTypes();

/** The types of what a deploy writes (all but the environment's own connections): their headers carry each object's owner. */
export const DEPLOYED_TYPES: readonly HeaderType[] = metadataTypes((handler) => !handler.environmentOwned);

/**
 * Everything an environment holds, as objects that references may resolve
 * to: one listing per kind, which tells the kinds apart. With `kinds`, only
 * their listings: a deploy lists its target once (prepare) and keeps that
 * listing up to date with what it writes; what it must look at again (an
 * import or delete whose answer was lost) is relisted for those kinds alone.
 */
export async function targetObjects(thoughtspot: ThoughtSpotPort, kinds?: Iterable<TmlKind>): Promise<KnownObject[]> {
  const wanted = kinds === undefined ? undefined : new Set([...kinds].map(listedKind));
  const lists = await Promise.all(
    KIND_LISTINGS.filter(({ kind }) => !wanted || wanted.has(kind)).map(async ({ metadataType, subtypes, kind }) => {
      const headers = await thoughtspot.listHeaders(metadataType, subtypes.length > 0 ? [...subtypes] : undefined);
      return headers.map((h): KnownObject => ({ kind, name: h.name, guid: h.id, ...(h.objId ? { objId: h.objId } : {}) }));
    }),
  );
  return lists.flat();
}
