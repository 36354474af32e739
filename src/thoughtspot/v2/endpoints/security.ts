/**
 * v2 ownership.
 *
 * Contract notes:
 * - CONFIRMED `POST security/metadata/assign` `{metadata: [{identifier,
 *   type?}], user_identifier, current_owner_identifier?}` → 204: "transfers the
 *   ownership of one or several objects from one user to another"; types
 *   `LIVEBOARD`, `ANSWER`, `LOGICAL_TABLE`, `CONNECTION`; with
 *   `current_owner_identifier`, only the objects that user authored change
 *   (SDK assignChangeAuthor; models/AssignChangeAuthorRequest.ts, AuthorMetadataTypeInput.ts).
 * - Unlike v1's `user/transfer/ownership`, the objects are required: v2 has no
 *   "everything this user owns" form.
 */
import type { ApiCaller } from '../../http.js';
import type { Guid } from '../../types.js';

export interface AssignAuthorParams {
  objectIds: readonly Guid[];
  /** The new author's GUID or name. */
  user: string;
  /** Only objects this user authored change. */
  currentOwner?: string;
}

/** `POST security/metadata/assign` → 204. A write. */
export async function assignAuthor(api: ApiCaller, params: AssignAuthorParams): Promise<void> {
  await api.send({
    endpoint: 'security/metadata/assign',
    method: 'POST',
    json: { metadata: params.objectIds.map((identifier) => ({ identifier })), user_identifier: params.user, current_owner_identifier: params.currentOwner },
    accept: 'json',
    success: [204, 200],
    idempotent: false,
  });
}
