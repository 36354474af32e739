import type { ObjectHeader } from './types.js';

/**
 * A page of headers sharing one string per GUID: JSON.parse gives each header its own copies
 * of its author's and last modifier's GUID, and of its own as `owner` (reference §2.10), and
 * an export of 100,000 objects holds their headers while their export calls wait in the queue
 * (issue 16). In place: the page is the caller's own, just parsed.
 */
export function shareGuids<T extends Partial<ObjectHeader>>(page: T[]): T[] {
  const copies = new Map<string, string>();
  const one = (guid: string | undefined): string | undefined => {
    if (guid === undefined) return undefined;
    const copy = copies.get(guid);
    if (copy !== undefined) return copy;
    copies.set(guid, guid);
    return guid;
  };
  for (const header of page) {
    if (header.author !== undefined) header.author = one(header.author)!;
    if (header.modifiedBy !== undefined) header.modifiedBy = one(header.modifiedBy)!;
    if (header.owner !== undefined && header.owner === header.id) header.owner = header.id;
  }
  return page;
}

/**
 * Every page of a listing paged by offset, each to `onPage` as it arrives and none kept here, until
 * a page shorter than `pageSize`: the one paging loop of both clients (v1 `listobjectheaders`, v2
 * `metadata/search`).
 */
export async function eachPage<T>(fetchPage: (offset: number) => Promise<T[]>, pageSize: number, onPage: (page: T[]) => void): Promise<void> {
  for (let offset = 0; ; ) {
    const page = await fetchPage(offset);
    offset += page.length;
    onPage(page);
    if (page.length < pageSize) return;
  }
}
