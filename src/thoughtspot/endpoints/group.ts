import type { ApiCaller } from '../http.js';
import type { Endpoint, GroupDetails, Privilege } from '../types.js';
import { jsonList, parseJson } from './encode.js';

export interface PrivilegeParams {
  privilege: Privilege;
  groupNames: readonly string[];
}

/**
 * `POST group/addprivilege` and `group/removeprivilege`: multipart, each
 * field its own part (reference §2.8, §2.9). Success is 200 with the group
 * (current docs, the emulator) or 204 (user_tools): the CONFLICT is
 * answered by accepting both; the group comes back when there is one.
 */
async function changePrivilege(api: ApiCaller, endpoint: Endpoint, params: PrivilegeParams): Promise<GroupDetails | undefined> {
  const response = await api.send({
    endpoint,
    method: 'POST',
    multipart: { privilege: params.privilege, groupNames: jsonList(params.groupNames) },
    accept: 'json',
    success: [200, 204],
    idempotent: false,
  });
  return response.status === 204 || response.body.length === 0 ? undefined : parseJson<GroupDetails>(endpoint, response, 'object');
}

/**
 * `GET group` without parameters: every group with its privileges, one JSON
 * array (older v1 docs; the shape the privilege calls answer with, reference
 * §2.8). The group's name is in its `header`. `signal` ends it (`ApiRequest.signal`).
 */
export async function listGroups(api: ApiCaller, signal?: AbortSignal): Promise<GroupDetails[]> {
  const response = await api.send({ endpoint: 'group', method: 'GET', accept: 'json', success: [200], idempotent: true, signal });
  return parseJson<GroupDetails[]>('group', response, 'array');
}

export function addPrivilege(api: ApiCaller, params: PrivilegeParams): Promise<GroupDetails | undefined> {
  return changePrivilege(api, 'group/addprivilege', params);
}

export function removePrivilege(api: ApiCaller, params: PrivilegeParams): Promise<GroupDetails | undefined> {
  return changePrivilege(api, 'group/removeprivilege', params);
}
