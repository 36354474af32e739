import { createHash } from 'node:crypto';
import { slugify } from '../../tml/index.js';

/**
 * Where an object's file lives in the content repository (DESIGN.md
 * "Repository layout"): `tml/<kind>/<slug>.<guid>.<kind>.tml`. The GUID makes
 * it unique (two objects may share a name) and stable while the name stays;
 * the slug makes it readable and path-safe for any name.
 */
export function objectPath(kind: string, name: string, guid: string): string {
  const safeGuid = /^[0-9A-Za-z-]{1,64}$/.test(guid) ? guid : createHash('sha256').update(guid).digest('hex').slice(0, 32);
  return `tml/${kind}/${slugify(name)}.${safeGuid}.${kind}.tml`;
}

export const PRINCIPALS_PATH = 'principals/principals.yaml';
