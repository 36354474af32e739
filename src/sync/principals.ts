import type { TmlMap } from '../tml/index.js';
import type { PrincipalEntry } from './ports.js';

/** Principals every instance has; they are not content (reference §2.4, §2.5). */
export const BUILT_IN_PRINCIPALS = new Set(['su', 'system', 'tsadmin', 'All', 'Administrator', 'System']);

const GROUP_TYPES = new Set(['LOCAL_GROUP', 'LDAP_GROUP']);
const FIELDS = ['name', 'displayName', 'mail', 'principalTypeEnum', 'groupNames', 'visibility'] as const;

/**
 * `principals/principals.yaml`: `groups:` and `users:` in `user/list` field
 * names and order, sorted by name, without built-ins, passwords or times.
 */
export function principalsDocument(principals: PrincipalEntry[]): TmlMap {
  const entry = (p: PrincipalEntry): TmlMap => {
    const out: TmlMap = {};
    for (const field of FIELDS) {
      const value = p[field];
      if (value === undefined || (field === 'mail' && GROUP_TYPES.has(p.principalTypeEnum))) continue;
      out[field] = field === 'groupNames' ? [...(value as string[])].sort() : (value);
    }
    return out;
  };
  const byName = (a: PrincipalEntry, b: PrincipalEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const content = principals.filter((p) => !BUILT_IN_PRINCIPALS.has(p.name)).sort(byName);
  return {
    groups: content.filter((p) => GROUP_TYPES.has(p.principalTypeEnum)).map(entry),
    users: content.filter((p) => !GROUP_TYPES.has(p.principalTypeEnum)).map(entry),
  };
}
