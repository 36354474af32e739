import type { TmlMap } from '../../tml/index.js';
import type { GroupPrivileges, PrincipalEntry } from '../ports.js';

/** Principals every instance has; they are not content (reference §2.4, §2.5). */
export const BUILT_IN_PRINCIPALS = new Set(['su', 'system', 'tsadmin', 'All', 'Administrator', 'System']);

export const GROUP_TYPES = new Set(['LOCAL_GROUP', 'LDAP_GROUP']);
export const USER_TYPES = new Set(['LOCAL_USER', 'SAML_USER', 'OIDC_USER', 'LDAP_USER']);
export const VISIBILITIES = new Set(['DEFAULT', 'NON_SHARABLE']);

/**
 * Privileges `group/addprivilege` accepts: the documented list plus the
 * values real v1 clients send (reference §2.8). Whether v1 takes the v2
 * names is unconfirmed, so they are not here.
 */
export const PRIVILEGES = new Set([
  'ADMINISTRATION', 'DEVELOPER', 'USERDATAUPLOADING', 'DATADOWNLOADING', 'DATAMANAGEMENT', 'SHAREWITHALL',
  'EXPERIMENTALFEATUREPRIVILEGE', 'JOBSCHEDULING', 'RANALYSIS', 'A3ANALYSIS', 'BYPASSRLS', 'SYNCMANAGEMENT',
  'AUTHORING', 'DISABLE_PINBOARD_CREATION', 'LIVEBOARD_VERIFIER', 'PREVIEW_THOUGHTSPOT_SAGE', 'SYSTEMMANAGEMENT',
]);

/** The fields of an entry of the file, in `user/list` names and order. */
export const PRINCIPAL_FIELDS = ['name', 'displayName', 'mail', 'principalTypeEnum', 'groupNames', 'visibility'] as const;

export const isGroup = (p: { principalTypeEnum: string }) => GROUP_TYPES.has(p.principalTypeEnum);

/** A principal as the file holds it: its `user/list` fields (no mail on groups), memberships sorted. */
export function principalEntry(p: PrincipalEntry): PrincipalEntry {
  const out: Record<string, unknown> = {};
  for (const field of PRINCIPAL_FIELDS) {
    const value = p[field];
    if (value === undefined || (field === 'mail' && isGroup(p))) continue;
    out[field] = field === 'groupNames' ? [...(value as string[])].sort() : value;
  }
  return out as PrincipalEntry;
}

/**
 * `principals/principals.yaml`: `groups:` and `users:` in `user/list` field
 * names and order, sorted by name, without built-ins, passwords or times;
 * each group with its `privileges:` (sorted) when ThoughtSpot listed them.
 */
export function principalsDocument(principals: PrincipalEntry[], privileges: GroupPrivileges[] = []): TmlMap {
  const byGroup = new Map(privileges.map((g) => [g.name, g.privileges]));
  const byName = (a: PrincipalEntry, b: PrincipalEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const content = principals.filter((p) => !BUILT_IN_PRINCIPALS.has(p.name)).sort(byName);
  return {
    groups: content.filter(isGroup).map((p) => {
      const held = byGroup.get(p.name);
      return { ...principalEntry(p), ...(held ? { privileges: [...held].sort() } : {}) };
    }),
    users: content.filter((p) => !isGroup(p)).map((p) => principalEntry(p) as TmlMap),
  };
}
