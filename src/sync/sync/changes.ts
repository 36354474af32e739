import { guidlessIn } from '../deploy/prepare.js';
import { OBJ_ID_KEY } from '../kernel/validate.js';
import type { ConflictPolicy } from '../kernel/environment.js';
import type { DeployedEntry, DeployLedger, Ledger } from '../kernel/ledger.js';
import { contentHash } from '../kernel/ledger.js';
import type { Content } from '../kernel/content.js';
import type { Header } from '../ports.js';

/**
 * The decisions of a sync run, as pure functions of what it read: which side
 * changed what since the last sync, and which objects changed on both sides.
 * No I/O here, so each rule can be tested on a few records (test/sync/sync-changes.test.ts).
 */

export type SideChange = 'added' | 'modified' | 'deleted';

/** One object changed on both sides since the last sync, with different content. */
export interface Conflict {
  id: string;
  kind: string;
  name: string;
  path: string;
  git: SideChange;
  thoughtspot: SideChange;
  /** What this run did: kept both (manual), or the side the policy chose. */
  resolution: 'kept both' | 'git version deployed' | 'ThoughtSpot version exported';
}

/** A TML file of the branch, by its canonical GUID. */
export interface GitFile {
  path: string;
  text: string;
  kind: string;
  name: string;
}

/** What a sync run reads before it decides anything. */
export interface SyncSides {
  exportLedger: Ledger;
  deployLedger: DeployLedger;
  /** ThoughtSpot's objects, by their ids there. */
  headers: Map<string, Header>;
  /** The branch's files, by canonical GUID (`obj_id:<id>` for a file with an obj_id and no guid, as the deploy ledger tracks it). */
  files: Map<string, GitFile>;
  /** The work tree's content as read for `files`, for the deploy half to use instead of reading and parsing it again. */
  content?: Content;
}

/** What changed on each side since the last sync. */
export interface SideChanges {
  /** By ThoughtSpot id. */
  thoughtspot: Map<string, SideChange>;
  /** By canonical GUID. */
  git: Map<string, SideChange>;
  /** Files of objects ThoughtSpot has that the deploy ledger holds no hash for: compared, never assumed. */
  unknown: string[];
}

/** What comparing the two sides decided. */
export interface Reconciled {
  /** The git changes still to deploy (conflicts the policy gave to ThoughtSpot, and agreements, removed). */
  git: Map<string, SideChange>;
  /** Canonical GUIDs whose sides turned out equal. */
  agreed: Set<string>;
  conflicts: Conflict[];
  /** ThoughtSpot's side of the conflicts left to a person, by path. */
  theirs: Record<string, string>;
  /** Files with no guid found equal to their object, which the deploy ledger did not track: what it records of them. */
  tracked?: Record<string, DeployedEntry>;
}

/**
 * An object's id in ThoughtSpot: the deploy ledger's where it tracks the object (it may have
 * assigned its own GUID); for a file with an obj_id and no guid it does not track yet, the object
 * ThoughtSpot lists with that obj_id (v2 names them; the deploy matches it so, `matchObjIds`);
 * else the canonical GUID.
 */
export function envIdOf({ deployLedger, headers }: Pick<SyncSides, 'deployLedger' | 'headers'>): (key: string) => string {
  let byObjId: Map<string, string> | undefined;
  return (key) => {
    const tracked = deployLedger.objects[key]?.envGuid;
    if (tracked !== undefined || !key.startsWith(OBJ_ID_KEY)) return tracked ?? key;
    byObjId ??= new Map([...headers.values()].flatMap((h): [string, string][] => (h.objId ? [[h.objId, h.id]] : [])));
    return byObjId.get(key.slice(OBJ_ID_KEY.length)) ?? key;
  };
}

/**
 * ThoughtSpot ids of the objects whose files carry an obj_id and no guid: those the deploy ledger
 * tracks so (`guidlessIn`), and those it does not know yet that ThoughtSpot lists by their obj_id.
 * Their export is compared without the GUID it adds, and the export leaves them alone: it would
 * write each again beside its file, under a name with the GUID and with the file's obj_id (a
 * second file of one object, which the next deploy refuses as a duplicate obj_id), and a git
 * edit of the file was never deployed. A change made in ThoughtSpot to such an object is therefore
 * not written back to its file: git is the side that speaks for it.
 */
export function guidlessIds(sides: SyncSides): Set<string> {
  const envId = envIdOf(sides);
  const untracked = [...sides.files.keys()].filter((key) => key.startsWith(OBJ_ID_KEY) && !sides.deployLedger.objects[key]).map(envId);
  return new Set([...guidlessIn(sides.deployLedger), ...untracked.filter((id) => sides.headers.has(id))]);
}

/**
 * "Changed since the last sync", read from the two ledgers: in ThoughtSpot, an
 * object whose `modified` differs from the export ledger's (or that it lacks,
 * or that left); in git, a file whose hash differs from the deploy ledger's
 * (or that it lacks, or that left while the export ledger still had it).
 */
export function detectChanges(sides: SyncSides): SideChanges {
  return { thoughtspot: thoughtspotChanges(sides), ...gitChanges(sides) };
}

function thoughtspotChanges({ headers, exportLedger }: SyncSides): Map<string, SideChange> {
  const changes = new Map<string, SideChange>();
  for (const h of headers.values()) {
    const known = exportLedger.objects[h.id];
    if (!known) changes.set(h.id, 'added');
    else if (known.modified !== h.modified) changes.set(h.id, 'modified');
  }
  for (const id of Object.keys(exportLedger.objects)) if (!headers.has(id)) changes.set(id, 'deleted');
  return changes;
}

function gitChanges(sides: SyncSides): Omit<SideChanges, 'thoughtspot'> {
  const { files, headers, exportLedger, deployLedger } = sides;
  const envId = envIdOf(sides);
  const git = new Map<string, SideChange>();
  const unknown: string[] = [];
  for (const [guid, file] of files) {
    const entry = deployLedger.objects[guid];
    if (entry) {
      if (entry.hash !== contentHash(file.text)) git.set(guid, 'modified');
    } else if (headers.has(envId(guid))) {
      unknown.push(guid);
    } else if (!exportLedger.objects[guid]) {
      git.set(guid, 'added');
    }
  }
  // A file with no guid is never the export's (`guidlessIds`): gone from the branch, git deleted it.
  for (const guid of Object.keys(deployLedger.objects)) if (!files.has(guid) && (exportLedger.objects[envId(guid)] || guid.startsWith(OBJ_ID_KEY))) git.set(guid, 'deleted');
  return { git, unknown };
}

/** Canonical GUIDs whose two sides must be compared: changed on both, or never compared. */
export function toCompare(sides: SyncSides, changes: SideChanges): string[] {
  const envId = envIdOf(sides);
  const both = [...changes.git.keys()].filter((guid) => changes.thoughtspot.has(envId(guid)));
  return [...new Set([...both, ...changes.unknown])];
}

/** What to export to compare: the ThoughtSpot ids of the objects of `toCompare` it still has, those of them to compare without a GUID, and the file of each. */
export function toExportBack(sides: SyncSides, changes: SideChanges): { ids: string[]; guidless: Set<string>; files: Map<string, GitFile> } {
  const envId = envIdOf(sides);
  const compared = toCompare(sides, changes).filter((key) => sides.headers.has(envId(key)));
  const files = new Map(compared.flatMap((key): [string, GitFile][] => (sides.files.has(key) ? [[envId(key), sides.files.get(key)!]] : [])));
  return { ids: compared.map(envId), guidless: guidlessIds(sides), files };
}

/**
 * Compares the objects of `toCompare` with ThoughtSpot's current text (by
 * ThoughtSpot id; an object missing there has no text): equal sides agree; a
 * file the deploy ledger did not know, edited in git only, is git's change;
 * anything else is a conflict, resolved as the policy says.
 */
export function reconcile(sides: SyncSides, changes: SideChanges, current: Map<string, string>, policy: ConflictPolicy, pushed: PushedVersions = new Map()): Reconciled {
  const envId = envIdOf(sides);
  const result: Reconciled = { git: new Map(changes.git), agreed: new Set(), conflicts: [], theirs: {} };
  for (const guid of toCompare(sides, changes)) {
    const file = sides.files.get(guid);
    const id = envId(guid);
    const text = current.get(id);
    const bothDeleted = !file && changes.thoughtspot.get(id) === 'deleted';
    if (bothDeleted || (file && text !== undefined && text === file.text)) {
      result.agreed.add(guid);
      result.git.delete(guid);
      if (file) trackGuidless(result, sides, guid, id, file);
      continue;
    }
    const git = result.git.get(guid) ?? 'modified';
    const thoughtspot = holdsOwnDeploy(sides, guid, text, pushed) ? undefined : (changes.thoughtspot.get(id) ?? (sides.exportLedger.objects[id] ? undefined : 'added'));
    if (!thoughtspot) {
      result.git.set(guid, git);
      continue;
    }
    const conflict = conflictOf(sides, guid, id, git, thoughtspot, policy);
    result.conflicts.push(conflict);
    if (policy === 'manual' && text !== undefined) result.theirs[conflict.path] = text;
    if (policy !== 'git-wins') result.git.delete(guid);
  }
  return result;
}

/**
 * An agreed file with no guid the deploy ledger does not track: it is tracked from now on, as a deploy
 * would have recorded it. The export leaves such an object alone (`guidlessIds`), so nothing else
 * records it, and a later git edit of it would be compared anew on every run and, ThoughtSpot's side
 * never exported, be a conflict every time; tracked, ThoughtSpot holding what was agreed makes it git's.
 */
function trackGuidless(result: Reconciled, sides: SyncSides, key: string, id: string, file: GitFile): void {
  if (!key.startsWith(OBJ_ID_KEY) || sides.deployLedger.objects[key]) return;
  (result.tracked ??= {})[key] = { envGuid: id, kind: file.kind, name: file.name, path: file.path, hash: contentHash(file.text), created: false };
}

/**
 * Hashes of the texts a file had on the branch since the deploy ledger's last deployed commit,
 * newest first, by canonical GUID (`unrecordedDeploys` says of which objects): versions a run may
 * have imported and been killed before recording.
 */
export type PushedVersions = Map<string, string[]>;

/**
 * Whether ThoughtSpot holds a text tmlsync deployed of the object: then what changed it there was
 * tmlsync's own deploy, whatever the export ledger says, and only git changed since.
 * - The text the deploy ledger last recorded: a run killed after its deploy had landed and before
 *   it published the export ledger (issue 15, the replicas test: a replica killed with kill -9)
 *   left ThoughtSpot's side looking changed, and a push made meanwhile was a conflict ("kept
 *   both") on every later run.
 * - A version the branch gave the file after the one the ledger records (`pushed`, newest first, up
 *   to that one): a daemon's run records its imports with its lease's release, so one killed
 *   between an import and that push recorded nothing of it, and the same conflict followed. Older
 *   versions do not count: ThoughtSpot put back to one of them (its own text, exported before) is
 *   a person's edit there.
 */
function holdsOwnDeploy(sides: SyncSides, guid: string, text: string | undefined, pushed: PushedVersions): boolean {
  const deployed = sides.deployLedger.objects[guid];
  if (text === undefined || deployed === undefined) return false;
  const hash = contentHash(text);
  if (deployed.hash === hash) return true;
  for (const version of pushed.get(guid) ?? []) {
    if (version === deployed.hash) return false;
    if (version === hash) return true;
  }
  return false;
}

/**
 * The objects whose ThoughtSpot text could be a deploy that was never recorded (`holdsOwnDeploy`),
 * canonical GUID → path: tracked by the deploy ledger, changed on both sides, and ThoughtSpot
 * holding neither the file's text nor the last deployed one. Empty when no commit was ever
 * recorded as deployed: there is nothing to read the versions since.
 */
export function unrecordedDeploys(sides: SyncSides, changes: SideChanges, current: Map<string, string>): Map<string, string> {
  const envId = envIdOf(sides);
  const candidates = new Map<string, string>();
  if (sides.deployLedger.deployedCommit === undefined) return candidates;
  for (const guid of toCompare(sides, changes)) {
    const file = sides.files.get(guid);
    const text = current.get(envId(guid));
    const deployed = sides.deployLedger.objects[guid];
    if (!file || text === undefined || text === file.text || !deployed || !changes.thoughtspot.has(envId(guid))) continue;
    if (deployed.hash !== contentHash(text)) candidates.set(guid, file.path);
  }
  return candidates;
}

const RESOLUTIONS: Record<ConflictPolicy, Conflict['resolution']> = {
  manual: 'kept both',
  'git-wins': 'git version deployed',
  'thoughtspot-wins': 'ThoughtSpot version exported',
};

function conflictOf(sides: SyncSides, guid: string, id: string, git: SideChange, thoughtspot: SideChange, policy: ConflictPolicy): Conflict {
  const file = sides.files.get(guid);
  const entry = sides.exportLedger.objects[id];
  const path = file?.path ?? entry?.path ?? sides.deployLedger.objects[guid]?.path ?? '';
  return { id, kind: file?.kind ?? entry?.kind ?? 'unknown', name: file?.name ?? entry?.name ?? id, path, git, thoughtspot, resolution: RESOLUTIONS[policy] };
}
