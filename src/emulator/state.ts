import { randomInt } from 'node:crypto';
import type { TmlMap } from '../tml/index.js';
import type { Cell } from './data/engine.js';
import { builtInPrincipals, type GroupRecord, type UserRecord } from './principals.js';
import type { Store } from './store.js';

/** A content object: its header fields and its TML document (the parsed data, identity key first). */
export interface ContentRecord {
  id: string;
  kind: string;
  name: string;
  description?: string;
  author: string;
  created: number;
  modified: number;
  modifiedBy: string;
  tags: string[];
  /** Its object id (`obj_id`), unique within its Org; kept beside the document, which is exported with it only when asked (`include_obj_id`). */
  objId?: string;
  document: TmlMap;
  /** How its numbers were written (`decimals: 0.0`), which the JSON the state is stored as cannot keep (handlers/tml.ts). */
  numberForms?: Record<string, string>;
}

/** An Org: ThoughtSpot's tenant within one instance (SDK `models/OrgResponse.ts`: a numeric id, a name, a description). */
export interface OrgRecord {
  id: number;
  name: string;
  description: string;
}

/** The Org every instance has (CONFIRMED: id 0, developer docs `orgs`). */
export const PRIMARY_ORG: OrgRecord = { id: 0, name: 'Primary', description: 'Primary Org' };

/** One Org's principals, content and rows, as stored. */
interface OrgContent {
  users: UserRecord[];
  groups: GroupRecord[];
  objects: ContentRecord[];
  /** Seeded rows of tables, by table GUID (other tables get generated rows). */
  rows?: [string, Cell[][]][];
}

/**
 * The stored state: the Primary Org's content at the top level (so a data
 * directory written before Orgs existed loads unchanged), the other Orgs in `orgs`.
 */
interface Snapshot extends OrgContent {
  version: 1;
  orgs?: (OrgContent & { org: OrgRecord })[];
}

/**
 * One Org's view of the instance: its users (each with its memberships in
 * this Org), groups, content objects and rows. Handlers see the Org of the
 * request's session or token through this class, so an object of another Org
 * is invisible to them (listing, export, import by GUID, delete); they change
 * it through these methods and call `commit()` once per request, which saves
 * every Org.
 */
export class EmulatorState {
  readonly users: Map<string, UserRecord> = new OrgUsers(this);
  readonly groups = new Map<string, GroupRecord>();
  readonly objects = new Map<string, ContentRecord>();
  readonly rows = new Map<string, Cell[][]>();

  constructor(readonly org: OrgRecord, readonly instance: EmulatorInstance) {}

  load(content: OrgContent): void {
    for (const user of content.users) this.users.set(user.name, user);
    for (const group of content.groups) this.groups.set(group.name, group);
    for (const object of content.objects) this.objects.set(object.id, object);
    for (const [id, rows] of content.rows ?? []) this.rows.set(id, rows);
  }

  content(): OrgContent {
    return { users: [...this.users.values()], groups: [...this.groups.values()], objects: [...this.objects.values()], rows: [...this.rows.entries()] };
  }

  seedPrincipals(adminPassword: string): void {
    for (const principal of builtInPrincipals(adminPassword)) {
      if (principal.kind === 'user') this.users.set(principal.name, principal);
      else this.groups.set(principal.name, principal);
    }
  }

  commit(): void {
    this.instance.commit();
  }

  /** Epoch ms, strictly increasing across the instance, so that `modified` orders every change. */
  now(): number {
    return this.instance.now();
  }

  /**
   * Whether any Org holds an object with this GUID: GUIDs are unique per
   * instance, so an import never creates an object under another Org's GUID.
   */
  guidInUse(guid: string): boolean {
    return this.instance.guidInUse(guid);
  }

  /** This Org's objects by `obj_id` (unique per Org, developer docs "ThoughtSpot objects"): one map for a request that looks up many, not a scan per lookup. */
  objectsByObjId(): Map<string, ContentRecord> {
    const found = new Map<string, ContentRecord>();
    for (const object of this.objects.values()) if (object.objId) found.set(object.objId, object);
    return found;
  }

  userById(id: string): UserRecord | undefined {
    for (const user of this.users.values()) if (user.id === id) return user;
    return undefined;
  }

  /** Privileges of a user through its groups, transitively (groups can be in groups). */
  privilegesOf(user: UserRecord): Set<string> {
    const privileges = new Set<string>();
    const seen = new Set<string>();
    const visit = (names: string[]) => {
      for (const name of names) {
        if (seen.has(name)) continue;
        seen.add(name);
        const group = this.groups.get(name);
        if (!group) continue;
        for (const privilege of group.privileges) privileges.add(privilege);
        visit(group.groupNames);
      }
    };
    visit(user.groupNames);
    return privileges;
  }
}

/**
 * An Org's users by name. User names are unique per instance: a user added
 * to this Org (by `user/sync`, `users/import`, trusted authentication) under
 * a name another Org already has is that same user, so their record here
 * takes the other's id and password, whichever handler adds it.
 */
class OrgUsers extends Map<string, UserRecord> {
  constructor(private readonly owner: EmulatorState) {
    super();
  }

  override set(name: string, user: UserRecord): this {
    const known = this.has(name) ? undefined : this.owner.instance.userNamed(name, this.owner);
    const identity = known ? { id: known.id, ...(known.passwordHash ? { passwordHash: known.passwordHash } : {}) } : {};
    return super.set(name, { ...user, ...identity });
  }
}

/** Org ids as ThoughtSpot hands them out: positive 31-bit integers (SDK `OrgResponse.id` is int32; the docs' example is 1980035173). */
function newOrgId(taken: ReadonlyMap<number, unknown>): number {
  for (;;) {
    const id = randomInt(1, 2 ** 31 - 1);
    if (!taken.has(id)) return id;
  }
}

/**
 * Everything the emulator knows, with the store it persists to: the Orgs,
 * each an `EmulatorState`. A user is in an Org when that Org holds a record
 * of them (their memberships there); the records of one user in several Orgs
 * share the id and password hash: a password change made in one Org writes
 * every Org's record of the user (handlers/principals.ts `changePassword`).
 */
export class EmulatorInstance {
  readonly orgs = new Map<number, EmulatorState>();
  #lastTime = 0;

  constructor(private readonly store: Store) {
    this.orgs.set(PRIMARY_ORG.id, new EmulatorState(PRIMARY_ORG, this));
  }

  get primary(): EmulatorState {
    return this.orgs.get(PRIMARY_ORG.id)!;
  }

  /** Loads the stored state; returns false when the store was empty (a seed is due). */
  restore(): boolean {
    const snapshot = this.store.load() as Snapshot | undefined;
    if (!snapshot) return false;
    if (snapshot.version !== 1) throw new Error(`unsupported emulator state version ${String(snapshot.version)}`);
    this.primary.load(snapshot);
    for (const { org, ...content } of snapshot.orgs ?? []) {
      const state = new EmulatorState(org, this);
      state.load(content);
      this.orgs.set(org.id, state);
    }
    const modified = [...this.orgs.values()].flatMap((state) => [...state.objects.values()].map((o) => o.modified));
    this.#lastTime = Math.max(0, ...modified);
    return true;
  }

  commit(): void {
    const others = [...this.orgs.values()].filter((state) => state.org.id !== PRIMARY_ORG.id);
    const snapshot: Snapshot = { version: 1, ...this.primary.content(), orgs: others.map((state) => ({ org: state.org, ...state.content() })) };
    this.store.save(snapshot);
  }

  /** Epoch ms, strictly increasing, so that `modified` orders every change. */
  now(): number {
    this.#lastTime = Math.max(Date.now(), this.#lastTime + 1);
    return this.#lastTime;
  }

  guidInUse(guid: string): boolean {
    for (const state of this.orgs.values()) if (state.objects.has(guid)) return true;
    return false;
  }

  /** A user's record in any Org but `except`. */
  userNamed(name: string, except?: EmulatorState): UserRecord | undefined {
    for (const state of this.orgs.values()) if (state !== except && state.users.has(name)) return state.users.get(name);
    return undefined;
  }

  /** An Org by numeric id or by name (names compare without case, as ThoughtSpot's do). */
  findOrg(identifier: string | number): EmulatorState | undefined {
    const text = String(identifier).trim();
    if (/^\d+$/.test(text)) {
      const byId = this.orgs.get(Number(text));
      if (byId) return byId;
    }
    return [...this.orgs.values()].find((state) => state.org.name.toLowerCase() === text.toLowerCase());
  }

  /** The Orgs a user is in, by id. */
  orgsOf(userName: string): EmulatorState[] {
    return [...this.orgs.values()].filter((state) => state.users.has(userName)).sort((a, b) => a.org.id - b.org.id);
  }

  /**
   * The Org a login without one lands in: the Primary Org when the user is in
   * it, else the lowest id of theirs (UNCONFIRMED: ThoughtSpot uses the Org of
   * the user's last session, which the emulator does not track).
   */
  defaultOrgOf(userName: string): EmulatorState | undefined {
    return this.orgsOf(userName)[0];
  }

  /**
   * A new Org with the built-in groups (`All`, `Administrator`, `System`) and
   * users of every Org: `tsadmin`, `su` and `system` are in every Org, with
   * the same ids and password as in the Primary Org.
   */
  createOrg(name: string, description = ''): EmulatorState {
    const state = new EmulatorState({ id: newOrgId(this.orgs), name, description }, this);
    for (const principal of builtInPrincipals('')) {
      if (principal.kind === 'group') state.groups.set(principal.name, principal);
      else {
        const primary = this.primary.users.get(principal.name);
        state.users.set(principal.name, { ...principal, ...(primary ? { id: primary.id } : {}), ...(primary?.passwordHash ? { passwordHash: primary.passwordHash } : {}) });
      }
    }
    this.orgs.set(state.org.id, state);
    return state;
  }

  /**
   * Adds a user (by name or id) of another Org to this one, in its `All`
   * group, with the same id and password; false when no Org has them.
   */
  addUserToOrg(org: EmulatorState, identifier: string): boolean {
    for (const state of this.orgs.values()) {
      const user = state.users.get(identifier) ?? state.userById(identifier);
      if (!user) continue;
      const { builtIn: _builtIn, ...identity } = user;
      if (!org.users.has(user.name)) org.users.set(user.name, { ...identity, groupNames: ['All'] });
      return true;
    }
    return false;
  }

  /** Removes an Org with its objects, groups and memberships (the users stay in their other Orgs: SDK deleteOrg). */
  deleteOrg(id: number): void {
    if (id === PRIMARY_ORG.id) throw new Error('the Primary Org cannot be deleted');
    this.orgs.delete(id);
  }
}
