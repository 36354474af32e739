import type { DeployLedger, Ledger } from '../kernel/ledger.js';
import { contentHash } from '../kernel/ledger.js';
import type { Header } from '../ports.js';

/**
 * The decisions of a sync run, as pure functions of what it read: which side
 * changed what since the last sync, and which objects changed on both sides.
 * No I/O here, so each rule can be tested on a few records (test/sync/sync-changes.test.ts).
 */

/** Who wins when one object changed in git and in ThoughtSpot since the last sync. */
export type ConflictPolicy = 'manual' | 'git-wins' | 'thoughtspot-wins';

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
  /** The branch's files, by canonical GUID. */
  files: Map<string, GitFile>;
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
}

/** An object's id in ThoughtSpot: the deploy ledger's where it assigned its own GUID, else the canonical one. */
export function envIdOf(deployLedger: DeployLedger): (guid: string) => string {
  return (guid) => deployLedger.objects[guid]?.envGuid ?? guid;
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

function gitChanges({ files, headers, exportLedger, deployLedger }: SyncSides): Omit<SideChanges, 'thoughtspot'> {
  const envId = envIdOf(deployLedger);
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
  for (const guid of Object.keys(deployLedger.objects)) if (!files.has(guid) && exportLedger.objects[envId(guid)]) git.set(guid, 'deleted');
  return { git, unknown };
}

/** Canonical GUIDs whose two sides must be compared: changed on both, or never compared. */
export function toCompare(sides: SyncSides, changes: SideChanges): string[] {
  const envId = envIdOf(sides.deployLedger);
  const both = [...changes.git.keys()].filter((guid) => changes.thoughtspot.has(envId(guid)));
  return [...new Set([...both, ...changes.unknown])];
}

/**
 * Compares the objects of `toCompare` with ThoughtSpot's current text (by
 * ThoughtSpot id; an object missing there has no text): equal sides agree; a
 * file the deploy ledger did not know, edited in git only, is git's change;
 * anything else is a conflict, resolved as the policy says.
 */
export function reconcile(sides: SyncSides, changes: SideChanges, current: Map<string, string>, policy: ConflictPolicy): Reconciled {
  const envId = envIdOf(sides.deployLedger);
  const result: Reconciled = { git: new Map(changes.git), agreed: new Set(), conflicts: [], theirs: {} };
  for (const guid of toCompare(sides, changes)) {
    const file = sides.files.get(guid);
    const id = envId(guid);
    const text = current.get(id);
    const bothDeleted = !file && changes.thoughtspot.get(id) === 'deleted';
    if (bothDeleted || (file && text !== undefined && text === file.text)) {
      result.agreed.add(guid);
      result.git.delete(guid);
      continue;
    }
    const git = result.git.get(guid) ?? 'modified';
    const thoughtspot = holdsLastDeployed(sides, guid, text) ? undefined : (changes.thoughtspot.get(id) ?? (sides.exportLedger.objects[id] ? undefined : 'added'));
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
 * Whether ThoughtSpot holds exactly the text tmlsync last deployed of the object: then what
 * changed it there was tmlsync's own deploy, whatever the export ledger says, and only git
 * changed since. A run killed after its deploy had landed and before it published the export
 * ledger (issue 15, the replicas test: a replica killed with kill -9) left ThoughtSpot's side
 * looking changed, and a push made meanwhile was a conflict ("kept both") on every later run.
 */
function holdsLastDeployed(sides: SyncSides, guid: string, text: string | undefined): boolean {
  const deployed = sides.deployLedger.objects[guid];
  return text !== undefined && deployed !== undefined && deployed.hash === contentHash(text);
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
