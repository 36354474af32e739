import { fromData, isMap, type TmlDocument, type TmlValue } from '../../tml/index.js';

/**
 * ThoughtSpot's export writes an `fqn` (the GUID) beside the `name` of every reference it resolved,
 * a table's `connection: {name: Conn, fqn: <guid>}` among them; a file written by hand, or by
 * ThoughtSpot's Git integration, may name the object alone, which the import resolves by name. So a
 * table that names its connection without `fqn` came back different from its own deploy, and verify
 * and drift warned of it on every run.
 *
 * The rule, applied where every comparison gets ThoughtSpot's text (`exportBack`): an `fqn` in the export where the file has, at the
 * same place, a reference of the same `name` and no `fqn` is one the export filled in, not a
 * difference. A reference of another name, or one the file gives an fqn, is compared as it is.
 */
export function asFileSays(exported: TmlDocument, file: TmlDocument | undefined): TmlDocument {
  const data = file ? withoutFilledFqns(exported.data, file.data) : exported.data;
  return data === exported.data ? exported : fromData(data as Record<string, TmlValue>, { format: exported.format });
}

/** `exported` without the fqns `file` does not have (the rule above); the same value when none is dropped. */
function withoutFilledFqns(exported: TmlValue, file: TmlValue | undefined): TmlValue {
  if (Array.isArray(exported)) {
    if (!Array.isArray(file)) return exported;
    const items = exported.map((item, i) => withoutFilledFqns(item, file[i]));
    return items.some((item, i) => item !== exported[i]) ? items : exported;
  }
  if (!isMap(exported) || !isMap(file)) return exported;
  const filled = 'fqn' in exported && !('fqn' in file) && exported.name !== undefined && exported.name === file.name;
  let changed = filled;
  const out: Record<string, TmlValue> = {};
  for (const [key, value] of Object.entries(exported)) {
    if (filled && key === 'fqn') continue;
    out[key] = withoutFilledFqns(value, file[key]);
    if (out[key] !== value) changed = true;
  }
  return changed ? out : exported;
}
