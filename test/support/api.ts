import { API_PREFIX, API_V2_PREFIX } from '../../src/emulator/index.js';
import { createLogger, type Logger } from '../../src/log/index.js';
import { ThoughtSpotClient, ThoughtSpotV2Client, type ThoughtSpotClientOptions } from '../../src/thoughtspot/index.js';

/** The REST API versions every workflow suite runs over (`describe.each(API_VERSIONS)`). */
export const API_VERSIONS = ['v1', 'v2'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

const PREFIX: Record<ApiVersion, string> = { v1: API_PREFIX, v2: API_V2_PREFIX };

/**
 * The calls a suite counts, as each version spells them (`*` is one path
 * segment, e.g. a group's GUID), so that one assertion reads the same over
 * either version. v2's principals sync is `groups/import` then
 * `users/import`: one `users/import` per v1 `user/sync`.
 */
const CALLS = {
  login: { v1: ['session/login', 'session/login/token'], v2: ['auth/token/full'] },
  principalsSync: { v1: ['user/sync'], v2: ['users/import'] },
  groupsImport: { v1: [], v2: ['groups/import'] },
  groupListing: { v1: ['group'], v2: ['groups/search'] },
  privilegeChange: { v1: ['group/addprivilege', 'group/removeprivilege'], v2: ['groups/*/update'] },
  ownership: { v1: ['user/transfer/ownership'], v2: ['security/metadata/assign'] },
  tmlImport: { v1: ['metadata/tml/import'], v2: ['metadata/tml/import', 'metadata/tml/async/import'] },
  asyncImport: { v1: [], v2: ['metadata/tml/async/import'] },
  tmlExport: { v1: ['metadata/tml/export'], v2: ['metadata/tml/export'] },
  listing: { v1: ['metadata/listobjectheaders'], v2: ['metadata/search'] },
  liveboardPdf: { v1: ['export/pinboard/pdf'], v2: ['report/liveboard'] },
  passwordChange: { v1: ['user/updatepassword'], v2: ['users/change-password'] },
} satisfies Record<string, Record<ApiVersion, string[]>>;
export type Call = keyof typeof CALLS;

/** The endpoint of `call` as `api` names it in errors (`export/pinboard/pdf`, `report/liveboard`). */
export function endpointOf(api: ApiVersion, call: Call): string {
  return CALLS[call][api][0]!;
}

function matcher(api: ApiVersion, call: Call): (path: string | undefined) => boolean {
  const patterns = CALLS[call][api].map((endpoint) => new RegExp(`^${PREFIX[api]}${endpoint.replace(/\*/g, '[^/]+')}$`));
  return (path) => path !== undefined && patterns.some((pattern) => pattern.test(path));
}

/** An emulator's requests, from its log: give `logger` to `startEmulator`. */
export interface RequestLog {
  readonly logger: Logger;
  /** The paths answered so far, with their status. */
  readonly requests: readonly { path?: string; status?: number }[];
  /** How many requests of `call` (as `api` spells it) were answered so far. */
  count(api: ApiVersion, call: Call): number;
}

export function requestLog(): RequestLog {
  const requests: { path?: string; status?: number }[] = [];
  return {
    logger: createLogger({ destination: { write: (line: string) => requests.push(JSON.parse(line) as { path?: string; status?: number }) } }),
    requests,
    count: (api, call) => requests.filter((r) => matcher(api, call)(r.path)).length,
  };
}

/** A client of `api` as tsadmin (password `admin`), the kind a workflow's port is built on in that version. */
export function clientOf(api: ApiVersion, url: string, options: Partial<ThoughtSpotClientOptions> = {}): ThoughtSpotClient | ThoughtSpotV2Client {
  const all = { url, username: 'tsadmin', password: 'admin', env: {}, ...options };
  return api === 'v1' ? new ThoughtSpotClient(all) : new ThoughtSpotV2Client(all);
}
