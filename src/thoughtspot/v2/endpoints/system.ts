/**
 * v2 cluster and org information.
 *
 * Contract notes:
 * - CONFIRMED `GET system` without parameters → `SystemInfo` (`release_version`,
 *   `api_version`, `type`, `environment`, …); needs ADMINISTRATION or, with
 *   RBAC, SYSTEM_INFO_ADMINISTRATION (SDK getSystemInformation, models/SystemInfo.ts).
 * - CONFIRMED `POST orgs/search` `{org_identifier?, description?, visibility?,
 *   status?, user_identifiers?}` → an array of `OrgResponse` `{id, name, status,
 *   description, visibility}` (SDK searchOrgs, models/SearchOrgsRequest.ts, models/OrgResponse.ts).
 */
import type { ApiCaller } from '../../http.js';
import { parseJson } from '../../endpoints/encode.js';
import type { V2Org, V2SystemInfo } from '../types.js';

/** `GET system`. A read. */
export async function systemInfo(api: ApiCaller): Promise<V2SystemInfo> {
  const response = await api.send({ endpoint: 'system', method: 'GET', accept: 'json', success: [200], idempotent: true });
  return parseJson<V2SystemInfo>('system', response, 'object');
}

export interface SearchOrgsParams {
  /** An org's id or name; every org when omitted. */
  orgIdentifier?: string;
  status?: 'ACTIVE' | 'IN_ACTIVE';
}

/** `POST orgs/search`. A read. */
export async function searchOrgs(api: ApiCaller, params: SearchOrgsParams = {}): Promise<V2Org[]> {
  const response = await api.send({
    endpoint: 'orgs/search',
    method: 'POST',
    json: { org_identifier: params.orgIdentifier, status: params.status },
    accept: 'json',
    success: [200],
    idempotent: true,
  });
  return parseJson<V2Org[]>('orgs/search', response, 'array');
}
