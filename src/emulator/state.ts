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
  document: TmlMap;
  /** How its numbers were written (`decimals: 0.0`), which the JSON the state is stored as cannot keep (handlers/tml.ts). */
  numberForms?: Record<string, string>;
}

interface Snapshot {
  version: 1;
  users: UserRecord[];
  groups: GroupRecord[];
  objects: ContentRecord[];
  /** Seeded rows of tables, by table GUID (other tables get generated rows). */
  rows?: [string, Cell[][]][];
}

/**
 * Everything the emulator knows, with the store it persists to. Handlers
 * change it through these methods and call `commit()` once per request.
 */
export class EmulatorState {
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly objects = new Map<string, ContentRecord>();
  readonly rows = new Map<string, Cell[][]>();
  #lastTime = 0;

  constructor(private readonly store: Store) {}

  /** Loads the stored state; returns false when the store was empty (a seed is due). */
  restore(): boolean {
    const snapshot = this.store.load() as Snapshot | undefined;
    if (!snapshot) return false;
    if (snapshot.version !== 1) throw new Error(`unsupported emulator state version ${String(snapshot.version)}`);
    for (const user of snapshot.users) this.users.set(user.name, user);
    for (const group of snapshot.groups) this.groups.set(group.name, group);
    for (const object of snapshot.objects) this.objects.set(object.id, object);
    for (const [id, rows] of snapshot.rows ?? []) this.rows.set(id, rows);
    this.#lastTime = Math.max(0, ...snapshot.objects.map((o) => o.modified));
    return true;
  }

  seedPrincipals(adminPassword: string): void {
    for (const principal of builtInPrincipals(adminPassword)) {
      if (principal.kind === 'user') this.users.set(principal.name, principal);
      else this.groups.set(principal.name, principal);
    }
  }

  commit(): void {
    const snapshot: Snapshot = {
      version: 1,
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      objects: [...this.objects.values()],
      rows: [...this.rows.entries()],
    };
    this.store.save(snapshot);
  }

  /** Epoch ms, strictly increasing, so that `modified` orders every change. */
  now(): number {
    this.#lastTime = Math.max(Date.now(), this.#lastTime + 1);
    return this.#lastTime;
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
