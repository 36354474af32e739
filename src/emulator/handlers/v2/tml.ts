/**
 * v2 TML export and import (synchronous and async), over the same export
 * and import as v1 `metadata/tml/export` and `metadata/tml/import`.
 *
 * Contract notes:
 * - CONFIRMED (SDK `ThoughtSpotRestApi.md` exportMetadataTML,
 *   importMetadataTML, importMetadataTMLAsync, fetchAsyncImportTaskStatus):
 *   the paths; export and import answer a bare list (`Array<any>`), the
 *   async import an `ImportEPackAsyncTaskStatus`, the status call a
 *   `GetAsyncImportStatusResponse` (`status_list`, `last_batch`). Request
 *   fields: SDK `ExportMetadataTMLRequest` (`metadata[]` of `identifier` +
 *   `type`, `export_associated`, `export_fqn`, `edoc_format` JSON | YAML,
 *   `export_schema_version` DEFAULT | V1 | V2,
 *   `export_connection_as_dependent`, `export_options.include_obj_id`), `ImportMetadataTMLRequest`
 *   (`metadata_tmls`, `import_policy` PARTIAL | ALL_OR_NONE | VALIDATE_ONLY |
 *   PARTIAL_OBJECT, `create_new`, `skip_diff_check`),
 *   `FetchAsyncImportTaskStatusRequest` (`task_ids`, `task_status`,
 *   `record_offset`, `record_size`, `include_import_response`); task states
 *   IN_QUEUE | IN_PROGRESS | COMPLETED | FAILED.
 * - CONFIRMED (reference §6): `edoc_format` defaults to JSON; an import
 *   answer is `[{request_index, response{status, header?, diff?}}]`, with
 *   v1's statuses; `create_new` is v1's `force_create`.
 * - UNCONFIRMED, our choices: `export_schema_version` DEFAULT keeps a model
 *   a model (only V1 writes the worksheet form); PARTIAL_OBJECT imports as
 *   PARTIAL; the import policy defaults to PARTIAL as in v1; an async task is
 *   queued and runs on the next turn of the event loop (a client must poll
 *   the status), is kept in memory (a restart forgets it), and its
 *   `import_response` is the list the synchronous import answers; a header's
 *   `metadata_type` is the v2 type name (LIVEBOARD, ANSWER, LOGICAL_TABLE,
 *   CONNECTION).
 */
import { randomUUID } from 'node:crypto';
import { currentUser, json, type HandlerContext, type Reply, type Route } from '../../context.js';
import { invalidParameter } from '../../errors.js';
import type { JsonBody } from '../../json-body.js';
import type { EmulatorState } from '../../state.js';
import { IMPORT_POLICIES, requireDataManagement, runExport, runImport, type ImportOptions } from '../tml.js';
import { findObject, page, v2Route } from './common.js';

function exportTml(context: HandlerContext): Reply {
  requireDataManagement(context);
  const { body, state } = context;
  const items = body.objects('metadata');
  if (items.length === 0) throw invalidParameter('metadata', 'required');
  const ids = items.map((item, i) => (item.has('type') ? findObject(state, item, `metadata[${i}]`).id : item.required('identifier')));
  return json(
    runExport(state, ids, {
      format: body.oneOf('edoc_format', ['JSON', 'YAML'] as const, 'JSON'),
      associated: body.bool('export_associated', false),
      fqn: body.bool('export_fqn', false),
      worksheetForm: body.oneOf('export_schema_version', ['DEFAULT', 'V1', 'V2'] as const, 'DEFAULT') === 'V1',
      connections: body.bool('export_connection_as_dependent', false),
      objIds: body.object('export_options').bool('include_obj_id', false),
    }),
  );
}

interface ImportRequest {
  texts: string[];
  options: ImportOptions;
  /** As asked for (PARTIAL_OBJECT included), for the task status. */
  policy: string;
}

function importRequest(body: JsonBody): ImportRequest {
  const texts = body.strings('metadata_tmls');
  if (!texts || texts.length === 0) throw invalidParameter('metadata_tmls', 'required');
  const policy = body.oneOf('import_policy', [...IMPORT_POLICIES, 'PARTIAL_OBJECT'] as const, 'PARTIAL');
  return {
    texts,
    policy,
    options: { policy: policy === 'PARTIAL_OBJECT' ? 'PARTIAL' : policy, forceCreate: body.bool('create_new', false), skipDiffCheck: body.bool('skip_diff_check', false) },
  };
}

/** v1 metadata types in an import header and their v2 names. */
const V2_METADATA_TYPES: Record<string, string> = { PINBOARD_ANSWER_BOOK: 'LIVEBOARD', QUESTION_ANSWER_BOOK: 'ANSWER', DATA_SOURCE: 'CONNECTION' };

type ImportEntry = { response: { header?: { metadata_type?: string } } };

/** v1's per-object answers with their place in the request, and v2 type names in the headers. */
function importAnswer(context: HandlerContext, request: ImportRequest): unknown[] {
  return runImport(context.state, context.settings, currentUser(context), request.texts, request.options).map((entry, i) => {
    const { response } = entry as ImportEntry;
    const type = response.header?.metadata_type;
    const header = response.header && type ? { ...response.header, metadata_type: V2_METADATA_TYPES[type] ?? type } : response.header;
    return { request_index: i, response: { ...response, ...(header ? { header } : {}) } };
  });
}

function importTml(context: HandlerContext): Reply {
  requireDataManagement(context);
  return json(importAnswer(context, importRequest(context.body)));
}

type TaskStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

interface Task {
  task_id: string;
  task_name: string;
  org_id: number;
  tenant_id: string;
  task_status: TaskStatus;
  author_id: string;
  author_display_name: string;
  import_policy: string;
  created_at: number;
  in_progress_at: number | null;
  completed_at: number | null;
  modified_at: number;
  total_object_count: number;
  object_processed_count: number;
  import_response: unknown[] | null;
}

/** Async import tasks of each emulator, newest last. */
const tasksOf = new WeakMap<EmulatorState, Task[]>();

function tasks(state: EmulatorState): Task[] {
  let list = tasksOf.get(state);
  if (!list) tasksOf.set(state, (list = []));
  return list;
}

function importTmlAsync(context: HandlerContext): Reply {
  requireDataManagement(context);
  const request = importRequest(context.body);
  const user = currentUser(context);
  const now = Date.now();
  const task: Task = {
    task_id: randomUUID(), task_name: `tml_import_${now}`, org_id: 0, tenant_id: 'tmlsync-emulator', task_status: 'IN_QUEUE',
    author_id: user.id, author_display_name: user.displayName, import_policy: request.policy, created_at: now,
    in_progress_at: null, completed_at: null, modified_at: now, total_object_count: request.texts.length, object_processed_count: 0, import_response: null,
  };
  tasks(context.state).push(task);
  setImmediate(() => runTask(context, task, request));
  return json(statusForm(task, false));
}

function runTask(context: HandlerContext, task: Task, request: ImportRequest): void {
  task.task_status = 'IN_PROGRESS';
  task.in_progress_at = Date.now();
  try {
    task.import_response = importAnswer(context, request);
    task.task_status = 'COMPLETED';
  } catch (error) {
    context.log.error({ err: error, taskId: task.task_id }, 'async TML import failed');
    task.task_status = 'FAILED';
  }
  task.object_processed_count = task.total_object_count;
  task.completed_at = task.modified_at = Date.now();
}

function statusForm(task: Task, withResponse: boolean): Record<string, unknown> {
  const { import_response: response, ...rest } = task;
  return { ...rest, import_response: withResponse ? response : null };
}

function asyncStatus(context: HandlerContext): Reply {
  const { body, state } = context;
  const ids = body.strings('task_ids');
  const statuses = body.strings('task_status')?.map((s) => s.toUpperCase());
  const author = body.string('author_identifier');
  const withResponse = body.bool('include_import_response', false);
  const found = tasks(state)
    .filter((t) => (!ids || ids.includes(t.task_id)) && (!statuses || statuses.includes(t.task_status)))
    .filter((t) => !author || t.author_id === author || state.userById(t.author_id)?.name === author)
    .reverse();
  const listed = page(found, body);
  const offset = body.int('record_offset', 0);
  return json({ status_list: listed.map((t) => statusForm(t, withResponse)), last_batch: offset + listed.length >= found.length });
}

export const v2TmlRoutes: Route[] = [
  v2Route('POST', 'metadata/tml/export', exportTml),
  v2Route('POST', 'metadata/tml/import', importTml),
  v2Route('POST', 'metadata/tml/async/import', importTmlAsync),
  v2Route('POST', 'metadata/tml/async/status', asyncStatus),
];
