import { createHash } from 'node:crypto';
import { slugify } from '../../tml/index.js';

/**
 * Where an object's file lives in the content repository (DESIGN.md
 * "Repository layout"): `tml/<kind>/<slug>.<guid>.<kind>.tml`. The GUID makes
 * it unique (two objects may share a name) and stable while the name stays;
 * the slug makes it readable and path-safe for any name.
 */
export function objectPath(kind: string, name: string, guid: string): string {
  return `tml/${kind}/${slugify(name)}.${guidInName(guid)}.${kind}.tml`;
}

/** How a GUID appears in a file name: as it is when path-safe, else a hash of it. */
function guidInName(guid: string): string {
  return /^[0-9A-Za-z-]{1,64}$/.test(guid) ? guid : createHash('sha256').update(guid).digest('hex').slice(0, 32);
}

/**
 * Whether a file's name disagrees with the GUID it holds: the GUID its name says
 * (`<slug>.<guid>.<kind>.tml`), or undefined when they agree or the name says
 * none. Only a UUID or the 32-hex hash `objectPath` writes counts as a GUID in
 * a name: a slug may hold dots (`my.sales.worksheet.tml`), so any other segment
 * may be part of a hand-chosen name.
 */
export function guidNameMismatch(path: string, guid: string): string | undefined {
  const said = /\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\.[a-z_]+\.tml$/i.exec(path)?.[1];
  if (said === undefined || said.toLowerCase() === guidInName(guid).toLowerCase() || said.toLowerCase() === guid.toLowerCase()) return undefined;
  return said;
}

export const PRINCIPALS_PATH = 'principals/principals.yaml';
