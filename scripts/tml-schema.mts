/**
 * Prints, in the notation of src/tml/schema/edoc.ts, the enums and messages of a copy of
 * thoughtspot/thoughtspot_tml's `src/thoughtspot_tml/_scriptability.py` (generated from
 * ThoughtSpot's edoc.proto), so that a newer version can be compared with edoc.ts:
 *   node --import tsx scripts/tml-schema.mts path/to/_scriptability.py > /tmp/edoc-new.txt
 * It reads a local file only; tests never run it.
 */
import { readFileSync } from 'node:fs';

const SCALARS: Record<string, string> = { string: 's', int32: 'i', int64: 'i', uint32: 'i', uint64: 'i', double: 'd', float: 'd', bool: 'b' };

function main(file: string): void {
  const text = readFileSync(file, 'utf8').replace(/\(\s*\n\s*/g, '(').replace(/\s*\n\s*\)/g, ')');
  const enums: string[] = [];
  const messages: string[] = [];
  for (const block of text.split(/\n(?=@dataclass|class )/)) {
    const name = /class (\w+)\(betterproto\.(Enum|Message)\)/.exec(block);
    if (!name) continue;
    if (name[2] === 'Enum') enums.push(`${name[1]}: '${[...block.matchAll(/^ {4}(\w+) = -?\d+$/gm)].map((m) => m[1]).join(' ')}'`);
    else messages.push(`${name[1]}: '${fieldsOf(block).join(' ')}'`);
  }
  console.log(`ENUMS\n${enums.join('\n')}\n\nMESSAGES\n${messages.join('\n')}`);
}

/** `name: list["Type"] = betterproto.message_field(…)` → `name:Type[]`. */
function fieldsOf(block: string): string[] {
  return [...block.matchAll(/^ {4}(\w+): ([^=]+) = betterproto\.(\w+)_field\(([^)]*)\)/gm)].map(([, rawName = '', annotation = '', kind = '', args = '']) => {
    const name = rawName === 'with_' ? 'with' : rawName;
    if (kind === 'map') {
      const value = /TYPE_MESSAGE/.test(args) ? (/"(\w+)"\]/.exec(annotation)?.[1] ?? '?') : (SCALARS[/TYPE_(\w+)\s*$/.exec(args)?.[1]?.toLowerCase() ?? ''] ?? 's');
      return `${name}:${value}{}`;
    }
    const repeated = /^(list|List)\[/.test(annotation.trim());
    const type = kind === 'message' || kind === 'enum' ? (/"(\w+)"/.exec(annotation)?.[1] ?? '?') : (SCALARS[kind] ?? '?');
    return `${name}:${type}${repeated ? '[]' : ''}`;
  });
}

main(process.argv[2] ?? '');
