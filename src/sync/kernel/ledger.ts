import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../errors/index.js';
import type { ContentRepo, StateWrite } from '../ports.js';

/**
 * The state tmlsync keeps per environment outside the content branch
 * (DESIGN.md "Repository layout"): on refs under `refs/tmlsync/<env>/`, the
 * export ledger (what each object was when last exported) and the deploy
 * ledger (what was deployed, and the GUID it has there), each a JSON file
 * written by one formatter.
 */

export type StateLoop = 'export' | 'deploy' | 'lock' | 'backup';

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

export function parseDeployLedger(text: string | undefined, source = DEPLOY_LEDGER_FILE): DeployLedger {
  return text ? parseState<DeployLedger>(text, source) : emptyDeployLedger();
}

/**
 * `localeCompare`'s order (the order ledgers and commits have always had),
 * from one collator: a fraction of the cost per comparison, which shows when
 * sorting 10,000 keys.
 */
export const compareText: (a: string, b: string) => number = new Intl.Collator().compare;

/** Stable text of either ledger: objects sorted by key, so that an unchanged ledger is an unchanged blob. */
export function formatLedger(ledger: Ledger | DeployLedger): string {
  const objects = Object.fromEntries(Object.entries(ledger.objects).sort(([a], [b]) => compareText(a, b)));
  return `${JSON.stringify({ ...ledger, objects }, null, 2)}\n`;
}

export async function readExportLedger(repo: ContentRepo, environment: string): Promise<Ledger> {
  const ref = stateRef(environment, 'export');
  return parseLedger(await repo.readState(ref, LEDGER_FILE), `${ref}:${LEDGER_FILE}`);
}

export async function readDeployLedger(repo: ContentRepo, environment: string): Promise<DeployLedger> {
  const ref = stateRef(environment, 'deploy');
  return parseDeployLedger(await repo.readState(ref, DEPLOY_LEDGER_FILE), `${ref}:${DEPLOY_LEDGER_FILE}`);
}

export async function writeExportLedger(repo: ContentRepo, environment: string, ledger: Ledger, message: string): Promise<void> {
  await repo.writeState(stateRef(environment, 'export'), { [LEDGER_FILE]: formatLedger(ledger) }, message);
}

export async function writeDeployLedger(repo: ContentRepo, environment: string, ledger: DeployLedger, message: string): Promise<void> {
  const { ref, files } = deployLedgerWrite(environment, ledger, message);
  await repo.writeState(ref, files, message);
}

/** The deploy ledger as a state write, for a push that carries it with something else (a lock's release). */
export function deployLedgerWrite(environment: string, ledger: DeployLedger, message: string): StateWrite {
  return { ref: stateRef(environment, 'deploy'), files: { [DEPLOY_LEDGER_FILE]: formatLedger(ledger) }, message };
}
