import type { Logger } from '../../log/index.js';
import type { ThoughtSpotPort } from '../ports.js';
import { DEPLOYED_TYPES } from '../kernel/target.js';
import { inBatches } from '../kernel/batches.js';
import { chooseFor } from '../kernel/select.js';

/**
 * Who owns deployed objects in one environment (issue 7, item 3): the first
 * of `objects` (canonical or environment GUID), `paths` (globs, first match
 * wins), `kinds`, `default`; the importing user when none applies.
 */
export interface OwnershipPolicy {
  /** The user tmlsync signs in as: the owner of what it creates, and the default owner. */
  importer: string;
  default?: string;
  kinds?: Partial<Record<string, string>>;
  paths?: Record<string, string>;
  objects?: Record<string, string>;
}

/** An object of the repository, and its GUID in the environment when it is there. */
export interface OwnedObject {
  canonicalGuid: string;
  envGuid?: string;
  kind: string;
  name: string;
  path: string;
}

/** A change of owner: planned (plan, dry run), transferred, or failed. */
export interface OwnerChange {
  kind: string;
  name: string;
  path: string;
  canonicalGuid: string;
  envGuid?: string;
  from: string;
  to: string;
  status: 'planned' | 'transferred' | 'failed';
  error?: string;
}

/** The repository's objects with their GUIDs in the environment (from the deploy's mapping), those that failed left out. */
export function ownedObjects(candidates: readonly { canonicalGuid: string; path: string; doc: { kind: string; name: string } }[], guids: ReadonlyMap<string, string>, failed: ReadonlySet<string> = new Set()): OwnedObject[] {
  return candidates
    .filter((c) => !failed.has(c.canonicalGuid))
    .map((c) => ({ canonicalGuid: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, path: c.path, ...(guids.has(c.canonicalGuid) ? { envGuid: guids.get(c.canonicalGuid)! } : {}) }));
}

export function desiredOwner(policy: OwnershipPolicy, object: OwnedObject): string {
  return chooseFor({ guids: [object.canonicalGuid, object.envGuid], path: object.path }, policy.objects, policy.paths) ?? policy.kinds?.[object.kind] ?? policy.default ?? policy.importer;
}

/**
 * Current owners by environment GUID, as user names. The owner is a header's
 * `author` (a user GUID); its `owner` field is the object's own id
 * (reference §2.7, §2.10). With `authors` (the deploy's own listing of its
 * target, made before the import: an import changes no owner, and an object
 * it created is the importer's, which an object absent from it is taken to
 * be), only the users are listed: one listing of the content per run.
 */
async function owners(thoughtspot: ThoughtSpotPort, authors?: ReadonlyMap<string, string>): Promise<{ byObject: ReadonlyMap<string, string>; users: Map<string, string> }> {
  const [users, ...lists] = await Promise.all([thoughtspot.listHeaders('USER'), ...(authors ? [] : DEPLOYED_TYPES.map((type) => thoughtspot.listHeaders(type)))]);
  const names = new Map(users.map((u) => [u.id, u.name]));
  if (authors) return { byObject: authors, users: names };
  const byObject = new Map<string, string>();
  for (const header of lists.flat()) if (header.author) byObject.set(header.id, header.author);
  return { byObject, users: names };
}

/**
 * The owner changes that bring the objects to the policy: nothing for an
 * object whose owner is already right (so nothing is re-sent). An object not
 * yet in the environment will be owned by the importing user first.
 */
export async function planOwnership(thoughtspot: ThoughtSpotPort, policy: OwnershipPolicy, objects: OwnedObject[], authors?: ReadonlyMap<string, string>): Promise<OwnerChange[]> {
  if (objects.length === 0) return [];
  const { byObject, users } = await owners(thoughtspot, authors);
  const known = new Set(users.values());
  const changes: OwnerChange[] = [];
  for (const object of objects) {
    const to = desiredOwner(policy, object);
    const author = object.envGuid ? byObject.get(object.envGuid) : undefined;
    const from = author ? (users.get(author) ?? author) : policy.importer;
    if (from === to) continue;
    const base = { kind: object.kind, name: object.name, path: object.path, canonicalGuid: object.canonicalGuid, ...(object.envGuid ? { envGuid: object.envGuid } : {}), from, to };
    if (!known.has(to)) {
      changes.push({ ...base, status: 'failed', error: `the configured owner "${to}" is not a user of this environment` });
    } else if (author && !users.has(author)) {
      changes.push({ ...base, status: 'failed', error: `its current owner (user ${author}) is not a listed user; transfer it by hand` });
    } else {
      changes.push({ ...base, status: 'planned' });
    }
  }
  return changes;
}

/**
 * Sets owners after an import: every deployed object whose owner differs from
 * the policy's, with one `user/transfer/ownership` per pair of users. A
 * rejected transfer marks its objects failed (the run fails); the others go on.
 */
export async function applyOwnership(thoughtspot: ThoughtSpotPort, policy: OwnershipPolicy, objects: OwnedObject[], log: Logger, authors?: ReadonlyMap<string, string>): Promise<OwnerChange[]> {
  const changes = await planOwnership(thoughtspot, policy, objects, authors);
  for (const change of changes.filter((c) => c.status === 'failed')) log.warn({ path: change.path, to: change.to, error: change.error }, 'owner not set');
  const pairs = new Map<string, OwnerChange[]>();
  for (const change of changes.filter((c) => c.status === 'planned')) {
    const key = JSON.stringify([change.from, change.to]);
    pairs.set(key, [...(pairs.get(key) ?? []), change]);
  }
  for (const group of pairs.values()) {
    // One call per (from, to) pair and batch.
    for (const batch of inBatches(group)) {
      const { from, to } = batch[0]!;
      try {
        await thoughtspot.transferOwnership(from, to, batch.map((c) => c.envGuid!));
        for (const change of batch) change.status = 'transferred';
        log.info({ from, to, objects: batch.length }, 'ownership transferred');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        for (const change of batch) Object.assign(change, { status: 'failed', error: message });
        log.warn({ from, to, objects: batch.map((c) => c.path), error: message }, 'ownership transfer failed');
      }
    }
  }
  return changes;
}

/** Human lines for a plan or a run report. */
export function ownershipLines(changes: OwnerChange[]): string[] {
  return changes.map((c) => {
    const verb = c.status === 'transferred' ? 'owner set' : c.status === 'failed' ? 'owner failed' : 'owner';
    return `  ${verb.padEnd(8)} ${c.kind} "${c.name}" (${c.path}): ${c.from} → ${c.to}${c.error ? ` — ${c.error}` : ''}`;
  });
}

/** A Markdown table of owner changes for a plan comment; nothing when there are none. */
export function ownershipMarkdown(changes: OwnerChange[], escape: (text: string) => string): string[] {
  if (changes.length === 0) return [];
  const rows = changes.map((c) => `| ${c.kind} | ${escape(c.name)} | ${escape(c.from)} | ${escape(c.to)}${c.error ? ` (${escape(c.error)})` : ''} |`);
  return [`**${changes.length} change${changes.length === 1 ? '' : 's'} of owner**`, '', '| kind | object | owner now | owner after deploy |', '|---|---|---|---|', ...rows, ''];
}
