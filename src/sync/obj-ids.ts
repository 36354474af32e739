import { InvalidInputError } from '../errors/index.js';
import { handlerFor, KINDS, type KnownObject } from '../tml/index.js';
import type { Logger } from '../log/index.js';
import { BATCH_SIZE, inBatches } from './kernel/batches.js';
import { targetObjects } from './kernel/target.js';
import type { ObjIdAssignment, ThoughtSpotPort } from './ports.js';

/**
 * `tmlsync assign-obj-ids` (issue 13, item 3): gives every content object of
 * an environment that has no object id (`obj_id`) one, so that deploys match
 * it by that id in every Org and instance instead of by a GUID ledger.
 *
 * The rule (`objIdFor`): the object's listed kind, a `-`, and its name
 * slugged: lower case, accents dropped, every run of anything but `a-z` and
 * `0-9` one `-`, at most `MAX_SLUG` characters (`liveboard-sales-overview`,
 * `model-retail-sales`; a worksheet is listed as a model, so it is named as
 * one). An id the Org already has gets `-2`, `-3`, … (obj_ids are unique per
 * Org; developer docs "ThoughtSpot objects"). Objects are named in the order
 * kind, name, GUID, so a second run names the same objects the same way.
 * Connections belong to each environment and are left alone, as a deploy leaves them.
 *
 * Contract notes (object ids; used here, in deploy/prepare.ts and the v2 adapter):
 * - CONFIRMED an `obj_id` is user-settable and unique per Org (not per
 *   instance); `metadata/search` answers it as `metadata_obj_id` (developer
 *   docs, "ThoughtSpot objects" → Object identifiers), and takes
 *   `obj_identifier` to find an object by it (SDK models/MetadataListItemInput.ts).
 * - CONFIRMED `metadata/update-obj-id` sets it, 10.8.0.cl or later, with
 *   DATAMANAGEMENT or ADMINISTRATION (SDK updateMetadataObjId).
 * - CONFIRMED export `export_options` `include_obj_id`, `include_obj_id_ref`,
 *   `include_guid`, which "work only after the Object ID feature has been
 *   enabled" by ThoughtSpot support (SDK models/ExportOptions.ts;
 *   docs.thoughtspot.com "Object ID in TML files"); a TML file then starts
 *   `guid:` then `obj_id:` (same page).
 * - CONFIRMED (as guidance) "when you migrate an object between Orgs, use the
 *   obj_id as the primary method of import" (same page); UNCONFIRMED how an
 *   import treats a document whose guid and obj_id name different objects:
 *   the emulator and the deploy let the obj_id win.
 * - UNCONFIRMED what an instance without the feature answers to
 *   `include_obj_id` (we assume it ignores the flag, as the SDK's wording
 *   suggests), and which characters and lengths an obj_id may hold; the
 *   examples use letters, digits, `_`, `.` and `-` (`Conn.DB_Name.TableName`,
 *   `My_Connection__DATA_CHALLENGE__SALES`), so this rule keeps to `a-z0-9-`.
 * - Not in v1: no v1 listing, export or call names obj_ids.
 */

/** The longest slug: an id stays readable in a TML file and a URL. */
const MAX_SLUG = 80;

/** An environment whose API cannot set object ids (v1). Exit 2. */
export class ObjIdsUnsupportedError extends InvalidInputError {
  override readonly name = 'ObjIdsUnsupportedError';
  constructor(environment: string) {
    super(`${environment} is reached over ThoughtSpot's REST API v1, which has no object ids: assigning them needs v2 (metadata/update-obj-id, ThoughtSpot 10.8.0.cl or later); set api: v2 (or auto) for ${environment}`);
  }
}

export interface AssignedObjId {
  kind: KnownObject['kind'];
  name: string;
  id: string;
  objId: string;
}

export interface ObjIdReport {
  environment: string;
  dryRun: boolean;
  /** Objects given an obj_id (or that would be, in a dry run). */
  assigned: AssignedObjId[];
  /** Objects that had one already. */
  kept: number;
}

export interface AssignObjIdsOptions {
  environment: string;
  thoughtspot: ThoughtSpotPort;
  dryRun?: boolean;
  log?: Logger;
}

/** Lists the environment, names what has no obj_id by the rule, and sets those ids in batches (none in a dry run). */
export async function runAssignObjIds(options: AssignObjIdsOptions): Promise<ObjIdReport> {
  const { environment, thoughtspot } = options;
  if (!(await thoughtspot.speaksObjIds())) throw new ObjIdsUnsupportedError(environment);
  // Content kinds only (connections are the environment's own), so none of theirs is listed.
  const content = await targetObjects(thoughtspot, KINDS.filter((kind) => !handlerFor(kind).environmentOwned));
  const assigned = newObjIds(content);
  if (!options.dryRun) {
    for (const batch of inBatches(assigned, BATCH_SIZE)) {
      // Every content kind is listed under a HeaderType (target.ts lists them so).
      await thoughtspot.setObjIds(batch.map((a): ObjIdAssignment => ({ id: a.id, type: handlerFor(a.kind).metadataType, objId: a.objId })));
    }
    options.log?.info({ environment, assigned: assigned.length }, 'object ids assigned');
  }
  return { environment, dryRun: options.dryRun === true, assigned, kept: content.length - assigned.length };
}

/** The objects without an obj_id and the one each gets, unique among every id the objects have or get. */
export function newObjIds(objects: readonly KnownObject[]): AssignedObjId[] {
  const taken = new Set(objects.flatMap((o) => (o.objId ? [o.objId] : [])));
  const without = objects.filter((o) => !o.objId).sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name) || compare(a.guid, b.guid));
  return without.map((o) => {
    const base = objIdFor(o.kind, o.name);
    let objId = base;
    for (let n = 2; taken.has(objId); n += 1) objId = `${base}-${n}`;
    taken.add(objId);
    return { kind: o.kind, name: o.name, id: o.guid, objId };
  });
}

/** The rule: kind, `-`, slugged name (see the top of this file). */
export function objIdFor(kind: string, name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG)
    .replace(/^-+|-+$/g, '');
  return `${kind}-${slug === '' ? 'unnamed' : slug}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function objIdText(report: ObjIdReport): string {
  const verb = report.dryRun ? 'would assign' : 'assigned';
  const lines = [`${report.environment}: ${verb} ${report.assigned.length} object id${report.assigned.length === 1 ? '' : 's'}; ${report.kept} object${report.kept === 1 ? '' : 's'} had one`];
  for (const a of report.assigned) lines.push(`  ${a.objId.padEnd(40)} ${a.kind} "${a.name}" (${a.id})`);
  return `${lines.join('\n')}\n`;
}
