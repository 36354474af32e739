import { resolveReferences, type TmlKind } from '../../tml/index.js';
import { noContent, type HandlerContext, type Reply, type Route } from '../context.js';
import { invalidParameter, V1Error, CODE } from '../errors.js';
import { knownIndex } from '../known-index.js';
import { TYPE_KINDS } from './metadata.js';
import { documentOf, requireDataManagement } from './tml.js';

/** Content types that can be deleted here; connections are out of scope (reference §2.10 types). LOGICAL_COLUMN: cohorts (UNCONFIRMED, TYPE_KINDS). */
const DELETABLE = ['LOGICAL_TABLE', 'QUESTION_ANSWER_BOOK', 'PINBOARD_ANSWER_BOOK', 'LOGICAL_COLUMN'] as const;

/**
 * `POST metadata/delete` with form fields `type` and `id` (a JSON list of
 * GUIDs). Not in the v1 reference: this is the call ThoughtSpot's own tools
 * make (UNCONFIRMED; v2 has `POST /api/rest/2.0/metadata/delete`).
 *
 * Our choice where the sources are silent, each following what ThoughtSpot
 * documents for its UI ("If you attempt to delete a table with dependent
 * objects, the operation is blocked", docs.thoughtspot.com `model-delete`):
 * - an object that another object depends on, and that other object is not
 *   deleted by the same request, is not deleted: 400 naming the dependents;
 *   ThoughtSpot does not rewrite or drop the dependents' references;
 * - objects of one request may depend on each other (they go together);
 * - an unknown id, or an id of another type, is a 400 naming it;
 * - the request is all or nothing; success is 204 without a body.
 */
function deleteObjects(context: HandlerContext): Reply {
  requireDataManagement(context);
  const { params, state } = context;
  params.required('type');
  const type = params.oneOf('type', DELETABLE, DELETABLE[0]);
  const ids = params.list('id') ?? [];
  if (ids.length === 0) throw invalidParameter('id', 'required');
  const kinds: readonly TmlKind[] = TYPE_KINDS[type] ?? [];
  const unknown = ids.filter((id) => !state.objects.has(id));
  if (unknown.length > 0) throw invalidParameter('id', `no object with id ${unknown.join(', ')}`);
  const wrong = ids.filter((id) => !kinds.includes(state.objects.get(id)!.kind as TmlKind));
  if (wrong.length > 0) throw invalidParameter('id', `${wrong.map((id) => `${id} (${state.objects.get(id)!.kind} "${state.objects.get(id)!.name}")`).join(', ')} is not a ${type}`);
  deleteContent(context, ids);
  return noContent();
}

/**
 * Deletes stored objects, all or none, for v1 and v2 `metadata/delete`: a
 * 400 naming the dependents of any object another one (not deleted with it)
 * still uses.
 */
export function deleteContent(context: HandlerContext, ids: string[]): void {
  const { state } = context;
  const doomed = new Set(ids);
  const others = [...state.objects.values()].filter((o) => !doomed.has(o.id));
  const dependents = new Map<string, Set<string>>();
  for (const { from, resolution } of resolveReferences(others.map(documentOf), { known: knownIndex(state) })) {
    const target = resolution.status === 'resolved' ? resolution.target.guid : undefined;
    if (!target || !doomed.has(target)) continue;
    dependents.set(target, (dependents.get(target) ?? new Set()).add(`${from.kind} "${from.name}"`));
  }
  if (dependents.size > 0) {
    const blocked = [...dependents].map(([id, by]) => `${state.objects.get(id)!.kind} "${state.objects.get(id)!.name}" is used by ${[...by].sort().join(', ')}`);
    throw new V1Error(400, CODE.invalidParameter, `Cannot delete: ${blocked.join('; ')}. Delete or change the dependent objects first.`);
  }
  for (const id of ids) {
    state.objects.delete(id);
    state.rows.delete(id);
  }
  state.commit();
  context.log.info({ ids }, 'objects deleted');
}

export const deleteRoutes: Route[] = [{ method: 'POST', path: 'metadata/delete', auth: 'session', body: 'form', handle: deleteObjects }];
