import type { PrincipalChanges } from '../../tml/index.js';
import type { ApiCaller } from '../http.js';
import { QUEUE_PRIORITY } from '../limits.js';
import type { Guid, Principal } from '../types.js';
import { bool, jsonList, parseJson } from './encode.js';

/** `GET user/list`: every user and group, one JSON array (reference §2.4). `signal` ends it (`ApiRequest.signal`). */
export async function listUsers(api: ApiCaller, signal?: AbortSignal): Promise<Principal[]> {
  const response = await api.send({ endpoint: 'user/list', method: 'GET', accept: 'json', success: [200], idempotent: true, priority: QUEUE_PRIORITY.listing, signal });
  return parseJson<Principal[]>('user/list', response, 'array');
}

export interface SyncUsersParams {
  /** The complete desired set of users and groups. */
  principals: readonly Principal[];
  /** False: a dry run that only reports the changes. */
  applyChanges: boolean;
  /** Delete principals absent from `principals`. Required: the server's default is `true` (reference §2.5). */
  removeDeleted: boolean;
  /** Password for every newly created local user. */
  password?: string;
  /** `ALL` syncs across orgs (query parameter). */
  orgScope?: 'ALL';
}

/**
 * `POST user/sync`: multipart, with `principals` as a JSON file part and
 * `removeDeleted` always sent (reference §2.5). A dry run may be retried; a
 * sync that applies changes is a write.
 */
export async function syncUsers(api: ApiCaller, params: SyncUsersParams): Promise<PrincipalChanges> {
  const response = await api.send({
    endpoint: 'user/sync',
    method: 'POST',
    query: { orgScope: params.orgScope },
    multipart: {
      principals: { filename: 'principals.json', contentType: 'application/json', content: JSON.stringify(params.principals) },
      applyChanges: bool(params.applyChanges),
      removeDeleted: bool(params.removeDeleted),
      password: params.password,
    },
    accept: 'json',
    success: [200],
    idempotent: !params.applyChanges,
  });
  return parseJson<PrincipalChanges>('user/sync', response, 'object');
}

export interface UpdatePasswordParams {
  name: string;
  currentPassword: string;
  newPassword: string;
}

/**
 * `POST user/updatepassword`: form fields `name`, `currentpassword` and the
 * new one as `password`, as the docs say (the official Python client's
 * `newpassword` is the CONFLICT of reference §2.6); 204. Not re-sent: after
 * a success the current password is no longer current.
 */
export async function updatePassword(api: ApiCaller, params: UpdatePasswordParams): Promise<void> {
  await api.send({
    endpoint: 'user/updatepassword',
    method: 'POST',
    form: { name: params.name, currentpassword: params.currentPassword, password: params.newPassword },
    accept: 'json',
    success: [204, 200],
    idempotent: false,
  });
}

export interface TransferOwnershipParams {
  fromUserName: string;
  toUserName: string;
  /** A subset of the objects; all of `fromUserName`'s when omitted. Sent as `objectsID` (docs, cs_tools; reference §2.7). */
  objectIds?: readonly Guid[];
}

/** `POST user/transfer/ownership`: query parameters on a POST without a body; 204 (200 in older docs). */
export async function transferOwnership(api: ApiCaller, params: TransferOwnershipParams): Promise<void> {
  await api.send({
    endpoint: 'user/transfer/ownership',
    method: 'POST',
    query: { fromUserName: params.fromUserName, toUserName: params.toUserName, objectsID: jsonList(params.objectIds) },
    accept: 'json',
    success: [204, 200],
    idempotent: false,
  });
}
