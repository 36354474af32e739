import { KIND_LISTINGS, listedKind, metadataTypes, type KindListing, type KnownObject, type TmlKind } from '../../tml/index.js';
import type { Header, HeaderType, ThoughtSpotPort } from '../ports.js';
import { allEndedFailFast } from './settle.js';

/**
 * What the workflows list of an environment, derived from the kind registry
 * (one handler per kind, `tml/kinds/`), so that a new kind is listed
 * everywhere by adding its handler.
 */

/** Every content type (reference §2.10): connections, data objects, answers, liveboards. */
export const CONTENT_TYPES: readonly HeaderType[] = metadataTypes();

/** The types of what a deploy writes (all but the environment's own connections): their headers carry each object's owner. */
export const DEPLOYED_TYPES: readonly HeaderType[] = metadataTypes((handler) => !handler.environmentOwned);

/** An environment as a deploy sees it: the objects references may resolve to, and who owns each. */
export interface Target {
  objects: KnownObject[];
  /** Each listed object's owner (its header's `author`, a user GUID), by the object's GUID. */
  authors: Map<string, string>;
}

/**
 * Everything an environment holds, as objects that references may resolve
 * to: one listing per kind, which tells the kinds apart. With `kinds`, only
 * their listings: a deploy lists its target once (prepare) and keeps that
 * listing up to date with what it writes; what it must look at again (an
 * import or delete whose answer was lost) is relisted for those kinds alone.
 */
export async function targetObjects(thoughtspot: ThoughtSpotPort, kinds?: Iterable<TmlKind>): Promise<KnownObject[]> {
  return (await listTarget(thoughtspot, kinds)).objects;
}

/** `targetObjects`, with each object's owner; `signal` ends the listing (`ThoughtSpotPort.listHeaders`), and so does the first kind's to fail. */
export async function listTarget(thoughtspot: ThoughtSpotPort, kinds?: Iterable<TmlKind>, signal?: AbortSignal): Promise<Target> {
  const wanted = kinds === undefined ? undefined : new Set([...kinds].map(listedKind));
  const lists = await allEndedFailFast(signal, (stop) =>
    KIND_LISTINGS.filter(({ kind }) => !wanted || wanted.has(kind)).map(async ({ metadataType, subtypes, kind }) => {
      const headers = await thoughtspot.listHeaders(metadataType, subtypes.length > 0 ? [...subtypes] : undefined, undefined, stop);
      return headers.map((header) => ({ kind, header }));
    }),
  );
  return targetOf(lists.flat());
}

/**
 * The target from headers the caller listed earlier in the run (a sync lists
 * every content type whole, issue 16: one listing per run), each told apart
 * by the listing and subtype it names, as `listTarget`'s per-kind listings
 * would; an object of a subtype no kind knows is left out, as those listings
 * leave it out. Undefined when a header cannot be told apart (made by hand,
 * or a type of several kinds listed without a subtype): then the caller lists
 * for itself rather than guess.
 */
export function targetFromHeaders(headers: Iterable<Header>): Target | undefined {
  const told: { kind: TmlKind; header: Header }[] = [];
  for (const header of headers) {
    if (!header.listedAs) return undefined;
    const kind = kindOfListed(header.listedAs);
    if (kind === null) return undefined;
    if (kind) told.push({ kind, header });
  }
  return targetOf(told);
}

/** The kind of a header listed as `type` (undefined: no kind's, left out), or null when its type holds several kinds and it names no subtype. */
function kindOfListed({ type, subtype }: NonNullable<Header['listedAs']>): TmlKind | undefined | null {
  const listings = KIND_LISTINGS.filter((l) => l.metadataType === type);
  if (subtype === undefined) return listings.length === 1 ? listings[0]!.kind : listings.length === 0 ? undefined : null;
  return listings.find((l: KindListing) => l.subtypes.length === 0 || l.subtypes.includes(subtype))?.kind;
}

function targetOf(told: { kind: TmlKind; header: Header }[]): Target {
  const authors = new Map<string, string>();
  const objects = told.map(({ kind, header: h }): KnownObject => {
    if (h.author) authors.set(h.id, h.author);
    return { kind, name: h.name, guid: h.id, ...(h.objId ? { objId: h.objId } : {}) };
  });
  return { objects, authors };
}
