import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../errors/index.js';
import type { ContentRepo, StateWrite } from '../ports.js';

/**
 * The state tmlsync keeps per environment outside the content branch
 * (DESIGN.md "Repository layout"): on refs under `refs/tmlsync/<env>/`, the
 * export ledger (what each object was when last exported: a head and shards,
 * see `LedgerStore`) and the deploy ledger (what was deployed, and the GUID it
 * has there: a head and shards too, see `deployLedgerWrite`), JSON written by
 * one formatter (`formatState`).
 */

export type StateLoop = 'export' | 'deploy' | 'lock' | 'backup' | 'approval';

export function stateRef(environment: string, loop: StateLoop): string {
  return `refs/tmlsync/${environment}/${loop}`;
}

/** What the export ledger knows of one object, by its GUID in ThoughtSpot. */
export interface LedgerEntry {
  kind: string;
  name: string;
  /** File path in the content branch. */
  path: string;
  /** The object's `modified` (epoch ms) when it was last exported. */
  modified: number;
}

export interface Ledger {
  version: 1;
  /** The entries read so far: all of them, or (`store.loaded`) those of the shards an incremental run needed. */
  objects: Record<string, LedgerEntry>;
  /** ISO time of the last complete export. */
  lastExport?: string;
  /**
   * ThoughtSpot's `modified` (epoch ms, its clock) up to which every object was
   * listed and handled: an incremental export lists back to it, less an overlap.
   */
  watermark?: number;
  /** ISO time (this machine's clock) of the last export that listed everything, and so found deletions. */
  lastFullListing?: string;
  /** How the state ref holds the entries, and which of them were read (not itself stored); absent: all read, not in shards. */
  store?: LedgerStore;
}

/**
 * The export ledger in its state ref (issue 16): a head (`head.json`: the watermark and the times)
 * and the entries in shards by their GUID's first two hex digits (`objects/3f.json`), so that a
 * run reads the shards of the objects it needs to look up and rewrites the shards it changed. One
 * `ledger.json` of every entry, read and written whole on every run, was 24 MB at 100,003 objects:
 * its read, format, `fast-import` and push were most of an incremental run's 5 s there.
 */
export interface LedgerStore {
  /** Whether the ref holds shards; false: one `ledger.json` (before issue 16) or nothing, and the next write writes every shard. */
  sharded: boolean;
  /** The shards read. */
  loaded: 'all' | Set<string>;
}

export const LEDGER_HEAD_FILE = 'head.json';
/** The shard of a GUID that does not start with two hex digits. */
const OTHER_SHARD = 'other';
const SHARDS = [...Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')), OTHER_SHARD];

/** The shard an object's entry is kept in. */
export function shardOf(id: string): string {
  const prefix = id.slice(0, 2).toLowerCase();
  return /^[0-9a-f]{2}$/.test(prefix) ? prefix : OTHER_SHARD;
}

function shardFile(shard: string): string {
  return `objects/${shard}.json`;
}

/** What tmlsync knows of one object in one environment it deploys to, by canonical GUID. */
export interface DeployedEntry {
  /** The object's GUID in the environment (differs from the canonical one when it assigns its own). */
  envGuid: string;
  kind: string;
  name: string;
  path: string;
  /** `contentHash` of the canonical file deployed. */
  hash: string;
  /** Whether tmlsync created it (only those may ever be pruned). */
  created: boolean;
}

/**
 * An object a run was about to create, recorded before it sent the import,
 * with what a later run needs to prove that an object it finds is this one
 * (see `adoptPending` in deploy/prepare.ts).
 */
export interface PendingCreation {
  kind: string;
  name: string;
  path: string;
  /** The GUID the import asks for (a target that keeps requested GUIDs gives it this one). */
  guid?: string;
  /** GUIDs of the target's objects of this kind and name when the run recorded it: none of them is the one it creates. */
  before?: string[];
}

export interface DeployLedger {
  version: 1;
  deployedCommit?: string;
  objects: Record<string, DeployedEntry>;
  /** Objects a run was about to create (canonical GUID → kind and name), until it records them. */
  pending?: Record<string, PendingCreation>;
}

export const LEDGER_FILE = 'ledger.json';
export const DEPLOY_LEDGER_FILE = 'deploy.json';

/** sha256 of a canonical file's text: what the deploy ledger compares to tell a changed file. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function emptyLedger(): Ledger {
  return { version: 1, objects: {} };
}

export function emptyDeployLedger(): DeployLedger {
  return { version: 1, objects: {} };
}

/** A ledger in the remote that cannot be read: named by where it came from, exit 2 (someone who can push may have written anything there). */
export class CorruptLedgerError extends InvalidInputError {
  override readonly name = 'CorruptLedgerError';
}

/** The ledger's JSON, checked for the shape both ledgers share; `source` names where it came from. */
function parseState<T extends Ledger | DeployLedger>(text: string, source: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorruptLedgerError(`${source}: not valid JSON (${(error as Error).message}); restore it from the ref's history (git log ${source.split(':')[0]!}) or delete the ref`);
  }
  const { version, objects } = (parsed ?? {}) as { version?: unknown; objects?: unknown };
  if (version !== 1 || typeof objects !== 'object' || objects === null || Array.isArray(objects)) {
    throw new CorruptLedgerError(`${source}: not a tmlsync ledger of version 1 (it needs "version": 1 and an "objects" map)`);
  }
  return parsed as T;
}

export function parseLedger(text: string | undefined, source = LEDGER_FILE): Ledger {
  return text ? parseState<Ledger>(text, source) : emptyLedger();
}

/** A JSON text of the state ref, an object; `source` names where it came from. */
function parseJsonObject(text: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorruptLedgerError(`${source}: not valid JSON (${(error as Error).message}); restore it from the ref's history (git log ${source.split(':')[0]!}) or delete the ref`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CorruptLedgerError(`${source}: not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** The export ledger's head (its entries still to read), checked for its version. */
function parseHead(text: string, source: string): Ledger {
  const { lastExport, watermark, lastFullListing } = headFields(text, source, 'ledger') as { lastExport?: string; watermark?: number; lastFullListing?: string };
  return { version: 1, objects: {}, ...(lastExport ? { lastExport } : {}), ...(watermark !== undefined ? { watermark } : {}), ...(lastFullListing ? { lastFullListing } : {}), store: { sharded: true, loaded: new Set() } };
}

/** A ledger's head (`head.json`), checked for its version; `ledger` names which ledger in the error. */
function headFields(text: string, source: string, ledger: string): Record<string, unknown> {
  const head = parseJsonObject(text, source);
  if (head.version !== 2) throw new CorruptLedgerError(`${source}: not the head of a tmlsync ${ledger} of version 2 (it needs "version": 2)`);
  return head;
}

export function parseDeployLedger(text: string | undefined, source = DEPLOY_LEDGER_FILE): DeployLedger {
  return text ? parseState<DeployLedger>(text, source) : emptyDeployLedger();
}

/**
 * `localeCompare`'s order (the order ledgers and commits have always had),
 * from one collator: a fraction of the cost per comparison, which shows when
 * sorting 10,000 keys.
 */
export const compareText: (a: string, b: string) => number = new Intl.Collator().compare;

/** Stable text of a ledger: objects sorted by key, so that an unchanged ledger is an unchanged blob. */
export function formatLedger(ledger: Ledger | DeployLedger): string {
  // `store` says how the ledger was read, never stored.
  return formatState({ ...ledger, objects: sortedByKey<LedgerEntry | DeployedEntry>(ledger.objects), store: undefined });
}

/** The one text of every file of the state refs: indented JSON, a line break at its end (fields `undefined` left out). */
function formatState(value: object): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function sortedByKey<T>(objects: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(objects).sort(([a], [b]) => compareText(a, b)));
}

/** Both ledgers of an environment, read at once (every entry of the export ledger). */
export async function readLedgers(repo: ContentRepo, environment: string): Promise<{ exportLedger: Ledger; deployLedger: DeployLedger }> {
  const [exportRef, deployRef] = [stateRef(environment, 'export'), stateRef(environment, 'deploy')];
  const reads = ledgerReads(exportRef, LEDGER_FILE, true);
  const deployReads = ledgerReads(deployRef, DEPLOY_LEDGER_FILE, true);
  const texts = await repo.readStates([...reads, ...deployReads]);
  return {
    exportLedger: exportLedgerFrom(exportRef, texts.slice(0, reads.length), true),
    deployLedger: deployLedgerFrom(deployRef, textsByFile(deployReads, texts.slice(reads.length))),
  };
}

/**
 * The export ledger: its head, and every entry unless `all` is false (an incremental run reads the
 * shards it needs with `loadShards`). A ledger of one `ledger.json` (before issue 16) is read whole.
 * `at`: as a commit of its ref holds it, not as the ref holds it when git reads it.
 */
export async function readExportLedger(repo: ContentRepo, environment: string, { all = true, at }: { all?: boolean; at?: string } = {}): Promise<Ledger> {
  const ref = stateRef(environment, 'export');
  return exportLedgerFrom(ref, await repo.readStates(ledgerReads(at ?? ref, LEDGER_FILE, all)), all);
}

/** The files of a ledger's ref to read, by one process: its head, its ledger of one file (`wholeFile`, from before its shards), and (`all`) every shard. */
function ledgerReads(ref: string, wholeFile: string, all: boolean): { ref: string; file: string }[] {
  return [LEDGER_HEAD_FILE, wholeFile, ...(all ? SHARDS.map(shardFile) : [])].map((file) => ({ ref, file }));
}

function exportLedgerFrom(ref: string, [head, whole, ...shards]: (string | undefined)[], all: boolean): Ledger {
  if (head === undefined) return { ...parseLedger(whole, `${ref}:${LEDGER_FILE}`), store: { sharded: false, loaded: 'all' } };
  const ledger = parseHead(head, `${ref}:${LEDGER_HEAD_FILE}`);
  if (all) addShards(ledger, ref, SHARDS, shards);
  return ledger;
}

/** The entries of a ledger's shards as read (`texts[i]`: shard `shards[i]`'s file, undefined when the ref has none), each file named by `ref` when it cannot be read. */
function shardEntries<T>(ref: string, shards: readonly string[], texts: readonly (string | undefined)[]): Record<string, T> {
  const entries: Record<string, T> = {};
  shards.forEach((shard, i) => {
    const text = texts[i];
    if (text !== undefined) Object.assign(entries, parseJsonObject(text, `${ref}:${shardFile(shard)}`));
  });
  return entries;
}

/**
 * Reads the shards that hold `ids` (or every shard) and were not read yet into the ledger; returns
 * the entries it added. One process, none when every shard needed was read.
 */
export async function loadShards(repo: ContentRepo, environment: string, ledger: Ledger, ids: Iterable<string> | 'all'): Promise<Record<string, LedgerEntry>> {
  const loaded = ledger.store?.loaded;
  if (loaded === undefined || loaded === 'all') return {};
  const wanted = ids === 'all' ? SHARDS : [...new Set([...ids].map(shardOf))];
  const missing = wanted.filter((shard) => !loaded.has(shard));
  if (missing.length === 0) return {};
  const ref = stateRef(environment, 'export');
  return addShards(ledger, ref, missing, await repo.readStates(missing.map((shard) => ({ ref, file: shardFile(shard) }))));
}

function addShards(ledger: Ledger, ref: string, shards: string[], texts: (string | undefined)[]): Record<string, LedgerEntry> {
  const store = ledger.store!;
  const loaded = store.loaded === 'all' ? new Set(SHARDS) : store.loaded;
  const added = shardEntries<LedgerEntry>(ref, shards, texts);
  for (const shard of shards) loaded.add(shard);
  store.loaded = loaded.size === SHARDS.length ? 'all' : loaded;
  Object.assign(ledger.objects, added);
  return added;
}

export async function readDeployLedger(repo: ContentRepo, environment: string): Promise<DeployLedger> {
  return readDeployState(repo, environment, true);
}

/** The commit the environment last deployed successfully, as of the last fetch (its deploy ledger's head alone). */
export async function readDeployedCommit(repo: ContentRepo, environment: string): Promise<string | undefined> {
  return (await readDeployState(repo, environment, false)).deployedCommit;
}

async function readDeployState(repo: ContentRepo, environment: string, entries: boolean): Promise<DeployLedger> {
  const ref = stateRef(environment, 'deploy');
  const reads = ledgerReads(ref, DEPLOY_LEDGER_FILE, entries);
  return deployLedgerFrom(ref, textsByFile(reads, await repo.readStates(reads)));
}

/** Each read file's text, by its name (the reads of one ref). */
function textsByFile(reads: { file: string }[], texts: (string | undefined)[]): (file: string) => string | undefined {
  const byFile = new Map(reads.map(({ file }, i) => [file, texts[i]]));
  return (file) => byFile.get(file);
}

/**
 * The deploy ledger from the files of its ref (`fileText`: a file's text, undefined when the ref
 * has none): a head and its shards, or one `deploy.json` written before they were. `ref` names
 * where a file that cannot be read came from.
 */
export function deployLedgerFrom(ref: string, fileText: (file: string) => string | undefined): DeployLedger {
  const head = fileText(LEDGER_HEAD_FILE);
  if (head === undefined) return parseDeployLedger(fileText(DEPLOY_LEDGER_FILE), `${ref}:${DEPLOY_LEDGER_FILE}`);
  const source = `${ref}:${LEDGER_HEAD_FILE}`;
  const { deployedCommit, pending } = headFields(head, source, 'deploy ledger') as { deployedCommit?: string; pending?: Record<string, PendingCreation> };
  const objects = shardEntries<DeployedEntry>(ref, SHARDS, SHARDS.map((shard) => fileText(shardFile(shard))));
  return { version: 1, ...(deployedCommit !== undefined ? { deployedCommit } : {}), objects, ...(pending ? { pending } : {}) };
}

/**
 * The export ledger's next commit, for a run's publication: its head and the shards of the
 * `changed` entries, on top of the ref's last commit (`git fast-import` loads only the trees it
 * touches); every shard, and nothing else, when the ref holds none yet (the first run, or a
 * ledger of one `ledger.json`, which goes). A shard left empty goes.
 */
export function exportLedgerWrite(environment: string, ledger: Ledger, message: string, changed: Iterable<string>): StateWrite {
  const ref = stateRef(environment, 'export');
  const { watermark, lastExport, lastFullListing } = ledger;
  const head = formatState({ version: 2, lastExport, watermark, lastFullListing });
  const store = ledger.store;
  const shards = store?.sharded ? new Set([...changed].map(shardOf)) : new Set(SHARDS);
  const loaded = store?.loaded ?? 'all';
  const unread = [...shards].filter((shard) => loaded !== 'all' && !loaded.has(shard));
  // A shard written from part of its entries would lose the rest.
  if (unread.length > 0) throw new Error(`the export ledger's shards ${unread.join(', ')} were changed without being read`);
  const { files: shardTexts, emptied } = shardFiles(ledger.objects, shards);
  const files = { [LEDGER_HEAD_FILE]: head, ...shardTexts };
  return store?.sharded ? { ref, files, removed: emptied, onTop: true, message } : { ref, files, message };
}

/** The files of `shards` holding `objects` (by key), each shard's entries formatted; and the files of those left empty. */
function shardFiles<T>(objects: Record<string, T>, shards: Iterable<string>): { files: Record<string, string>; emptied: string[] } {
  // Ids by shard, each shard's entries gathered as it is formatted: records of every shard at once held some 10 MB more at 100,000 objects.
  const ids = new Map<string, string[]>([...shards].map((shard) => [shard, []]));
  for (const id of Object.keys(objects)) ids.get(shardOf(id))?.push(id);
  const files: Record<string, string> = {};
  const emptied: string[] = [];
  for (const [shard, inShard] of ids) {
    if (inShard.length > 0) files[shardFile(shard)] = formatState(sortedByKey(Object.fromEntries(inShard.map((id) => [id, objects[id]!]))));
    else emptied.push(shardFile(shard));
  }
  return { files, emptied };
}

/**
 * The deploy ledger's next commit, for a run's publication: a head (`head.json`: version 2, the
 * commit deployed, the creations under way) and the entries in shards by their canonical GUID's
 * first two hex digits, as the export ledger's (`objects/3f.json`; `objects/other.json` for an
 * `obj_id:` key), the whole tree each time (a shard left empty, and a `deploy.json` of an earlier
 * release, go). Every shard is written, but git stores and pushes only those whose text changed:
 * `fast-import` skips the blobs the repository holds, and the push sends what the remote lacks.
 * One `deploy.json` was 3.7 MB at 10,003 objects, written, packed and pushed whole by every
 * deploy and sync that changed anything (issue 16).
 */
export function deployLedgerWrite(environment: string, ledger: DeployLedger, message: string): StateWrite {
  const { deployedCommit, pending } = ledger;
  const files = { [LEDGER_HEAD_FILE]: formatState({ version: 2, deployedCommit, pending }), ...shardFiles(ledger.objects, SHARDS).files };
  return { ref: stateRef(environment, 'deploy'), files, message };
}

export async function writeDeployLedger(repo: ContentRepo, environment: string, ledger: DeployLedger, message: string): Promise<void> {
  const { ref, files } = deployLedgerWrite(environment, ledger, message);
  await repo.writeState(ref, files, message);
}
