import { carryNumberForms } from './numbers.js';
import { fromData } from './parse.js';
import { isMap } from './path.js';
import type { TmlDocument, TmlMap, TmlValue } from './types.js';

/**
 * Value substitutions between the canonical TML of the repository and one
 * environment (DESIGN.md "Concepts": mapping): GUIDs (from the ledger),
 * connection names, databases and schemas. `forward` maps canonical →
 * environment (deploy); `backward` the other way (export), so that exporting
 * what was deployed gives back the repository's bytes.
 */
export interface ValueMapping {
  guids?: ReadonlyMap<string, string>;
  connections?: Readonly<Record<string, string>>;
  databases?: Readonly<Record<string, string>>;
  schemas?: Readonly<Record<string, string>>;
}

export function invertMapping(mapping: ValueMapping): ValueMapping {
  const flip = (m: Readonly<Record<string, string>> | undefined) => (m ? Object.fromEntries(Object.entries(m).map(([a, b]) => [b, a])) : undefined);
  const result: ValueMapping = {};
  if (mapping.guids) result.guids = new Map([...mapping.guids].map(([a, b]) => [b, a]));
  const connections = flip(mapping.connections);
  const databases = flip(mapping.databases);
  const schemas = flip(mapping.schemas);
  if (connections) result.connections = connections;
  if (databases) result.databases = databases;
  if (schemas) result.schemas = schemas;
  return result;
}

/**
 * Applies a mapping to a document: `guid` and every `fqn` through the GUID
 * map; a `connection:` reference's name through the connection map; a
 * table's `db` and `schema` through theirs. Everything else is untouched.
 */
export function applyMapping(doc: TmlDocument, mapping: ValueMapping): TmlDocument {
  const pick = (map: Readonly<Record<string, string>> | undefined, value: TmlValue | undefined) =>
    typeof value === 'string' && map && Object.hasOwn(map, value) ? map[value]! : value;
  const guid = (value: TmlValue | undefined) => (typeof value === 'string' ? (mapping.guids?.get(value) ?? value) : value);

  const walk = (value: TmlValue, parentKey: string | undefined): TmlValue => {
    if (Array.isArray(value)) {
      const items = value.map((item) => walk(item, parentKey));
      carryNumberForms(value, items);
      return items;
    }
    if (!isMap(value)) return value;
    const out: TmlMap = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'fqn' || key === 'guid') out[key] = guid(inner) ?? null;
      else if (key === 'name' && parentKey === 'connection') out[key] = pick(mapping.connections, inner) ?? null;
      else out[key] = walk(inner, key);
    }
    carryNumberForms(value, out);
    return out;
  };
  const data = walk(doc.data, undefined) as TmlMap;
  if (doc.kind === 'table') {
    const key = doc.kindKey ?? 'table';
    const body = data[key];
    if (isMap(body)) {
      if (body.db !== undefined) body.db = pick(mapping.databases, body.db) ?? null;
      if (body.schema !== undefined) body.schema = pick(mapping.schemas, body.schema) ?? null;
    }
  }
  return fromData(data, { ...(doc.file ? { file: doc.file } : {}), format: doc.format });
}
