import { handlerFor } from './kinds/index.js';
import { isMap, matchPattern } from './path.js';
import type { KindHandler, KnownObject, TmlDocument, TmlKind, TmlMap, TmlPath, TmlReference } from './types.js';

/** A kind's body inside a document: the document's own, or a nested one (an embedded answer). */
export interface BodyAt {
  readonly handler: KindHandler;
  readonly body: TmlMap;
  /** From the document root. */
  readonly path: TmlPath;
}

/** The document's body and, recursively, the bodies its handler declares as nested. */
export function bodiesOf(doc: TmlDocument): BodyAt[] {
  const found: BodyAt[] = [];
  const visit = (at: BodyAt): void => {
    found.push(at);
    for (const nested of at.handler.nested ?? []) {
      for (const match of matchPattern(at.body, nested.path)) {
        if (isMap(match.value)) visit({ handler: handlerFor(nested.kind), body: match.value, path: [...at.path, ...match.path] });
      }
    }
  };
  visit({ handler: handlerFor(doc.kind), body: doc.body, path: doc.kindKey === null ? [] : [doc.kindKey] });
  return found;
}

/** What the document depends on, by name and by fqn (§3.3); paths from the document root. */
export function references(doc: TmlDocument): TmlReference[] {
  return bodiesOf(doc).flatMap(({ handler, body, path }) => handler.references(body).map((ref) => ({ ...ref, path: [...path, ...ref.path] })));
}

/** An object a reference can land on: a document of the set, or a known object. */
export interface ReferenceTarget {
  readonly kind: TmlKind;
  readonly name: string;
  readonly guid?: string;
  readonly objId?: string;
  /** Set when the target is one of the documents. */
  readonly document?: TmlDocument;
}

export type Resolution =
  | { readonly status: 'resolved'; readonly target: ReferenceTarget }
  | { readonly status: 'missing' }
  | { readonly status: 'ambiguous'; readonly candidates: readonly ReferenceTarget[] };

export interface ResolvedReference {
  readonly from: TmlDocument;
  readonly reference: TmlReference;
  readonly resolution: Resolution;
}

export interface ResolveOptions {
  /** Objects outside the set that references may resolve to (the target environment). */
  readonly known?: readonly KnownObject[] | TargetIndex;
}

/** Targets looked up by GUID, obj_id and name, the first of each kept (earlier targets win). */
export interface TargetIndex {
  readonly byGuid: ReadonlyMap<string, ReferenceTarget>;
  readonly byObjId: ReadonlyMap<string, ReferenceTarget>;
  readonly byName: ReadonlyMap<string, readonly ReferenceTarget[]>;
}

/**
 * The index `resolveReferences` looks known objects up in. Building it costs
 * a pass over every object: a caller that resolves many sets against the same
 * objects (the emulator, once per export call) builds it once and passes it
 * as `known`.
 */
export function indexTargets(targets: readonly ReferenceTarget[]): TargetIndex {
  const byGuid = new Map<string, ReferenceTarget>();
  const byObjId = new Map<string, ReferenceTarget>();
  const byName = new Map<string, ReferenceTarget[]>();
  for (const target of targets) {
    if (target.guid !== undefined && !byGuid.has(target.guid)) byGuid.set(target.guid, target);
    if (target.objId !== undefined && !byObjId.has(target.objId)) byObjId.set(target.objId, target);
    const same = byName.get(target.name);
    if (same === undefined) byName.set(target.name, [target]);
    else same.push(target);
  }
  return { byGuid, byObjId, byName };
}

/**
 * Resolves every reference of `docs` the way the import does (§3.3): an fqn (GUID) or obj_id
 * decides on its own; otherwise the name must match exactly one object of a fitting kind among
 * the documents and the known objects. A known object with the GUID of a document is that
 * document (it is about to be updated), not a second candidate.
 */
export function resolveReferences(docs: readonly TmlDocument[], options: ResolveOptions = {}): ResolvedReference[] {
  const own = indexTargets(docs.map((document) => ({ kind: document.kind, name: document.name, guid: document.guid, objId: document.objId, document })));
  const known = options.known === undefined ? indexTargets([]) : 'byGuid' in options.known ? options.known : indexTargets(options.known);
  // The documents come first; a known object is seen only when no document has its GUID.
  const outside = (t: ReferenceTarget | undefined) => (t !== undefined && (t.guid === undefined || !own.byGuid.has(t.guid)) ? t : undefined);
  const byGuid = (guid: string) => own.byGuid.get(guid) ?? outside(known.byGuid.get(guid));
  const byObjId = (objId: string) => own.byObjId.get(objId) ?? outside(known.byObjId.get(objId));
  const byName = (name: string) => [...(own.byName.get(name) ?? []), ...(known.byName.get(name) ?? []).filter((t) => outside(t) !== undefined)];

  const resolve = (ref: TmlReference): Resolution => {
    const exact = ref.fqn !== undefined ? byGuid(ref.fqn) : ref.objId !== undefined ? byObjId(ref.objId) : undefined;
    if (ref.fqn !== undefined || ref.objId !== undefined) {
      return exact !== undefined && ref.kinds.includes(exact.kind) ? { status: 'resolved', target: exact } : { status: 'missing' };
    }
    const candidates = byName(ref.name).filter((t) => ref.kinds.includes(t.kind));
    const [only, another] = candidates;
    if (only === undefined) return { status: 'missing' };
    return another === undefined ? { status: 'resolved', target: only } : { status: 'ambiguous', candidates };
  };

  return docs.flatMap((from) => references(from).map((reference) => ({ from, reference, resolution: resolve(reference) })));
}

/**
 * The documents in import order: each after the documents it references (DESIGN.md "Deploy"
 * step 4), ties by kind rank then input order. Cycles happen (two tables joined both ways);
 * they are broken by the same rank/order, since such objects are imported in one batch anyway.
 */
export function dependencyOrder(docs: readonly TmlDocument[], options: ResolveOptions = {}): TmlDocument[] {
  const index = new Map(docs.map((doc, i) => [doc, i]));
  const dependents = docs.map(() => new Set<number>());
  const waiting = docs.map(() => 0); // dependencies not yet placed
  for (const { from, resolution } of resolveReferences(docs, options)) {
    const target = resolution.status === 'resolved' ? resolution.target.document : undefined;
    const [user, used] = [index.get(from), target && index.get(target)];
    if (user === undefined || used === undefined || user === used || dependents[used]?.has(user)) continue;
    dependents[used]?.add(user);
    waiting[user] = (waiting[user] ?? 0) + 1;
  }
  const ranks = docs.map((doc) => handlerFor(doc.kind).rank);
  const rank = (i: number): number => ranks[i] ?? 0;
  /** Lowest kind rank, then earliest in the input. */
  const first = (pool: Iterable<number>): number => {
    let best = -1;
    for (const i of pool) if (best === -1 || rank(i) < rank(best) || (rank(i) === rank(best) && i < best)) best = i;
    return best;
  };

  const remaining = new Set(docs.keys());
  const ready = new Set([...remaining].filter((i) => waiting[i] === 0));
  const order: TmlDocument[] = [];
  while (remaining.size > 0) {
    // Nothing ready means a cycle: place its first member anyway.
    const next = first(ready.size > 0 ? ready : remaining);
    ready.delete(next);
    remaining.delete(next);
    order.push(docs[next] as TmlDocument);
    for (const user of dependents[next] ?? []) {
      waiting[user] = (waiting[user] ?? 0) - 1;
      if (waiting[user] === 0 && remaining.has(user)) ready.add(user);
    }
  }
  return order;
}
