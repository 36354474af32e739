import { createHash } from 'node:crypto';

/** Bytes, not characters: the file name around the slug (`.<guid>.<kind>.tml`) takes ~55 of
 * the 255 bytes most file systems allow, and a CJK character is 3 bytes in UTF-8. */
const MAX_BYTES = 100;
const HASH_LENGTH = 8;
/** Device names Windows reserves whatever the extension (`CON.<guid>.table.tml` cannot exist). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * A readable, path-safe file-name part for an object name, for the content repo layout
 * `tml/<kind>/<slug>.<guid>.<kind>.tml` (DESIGN.md). Uniqueness comes from the GUID next to
 * it, so the slug only has to be safe and recognisable:
 *   - NFC, so the same name typed on macOS and Linux gives the same file;
 *   - letters, digits, marks (any script), `_` and single inner dots are kept; every other run
 *     (blanks, `/`, `\`, `:`, control and format characters, emoji) becomes one `-`;
 *   - no leading or trailing `.`/`-`, so never `.`, `..` or a hidden file; never empty;
 *   - at most 100 UTF-8 bytes: a longer name is cut at a character boundary and suffixed with
 *     8 hex digits of its SHA-256, so two long names sharing a prefix stay distinguishable.
 */
export function slugify(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\p{M}_.]+/gu, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-*\.-*/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
  let slug = cleaned === '' ? 'unnamed' : cleaned;
  if (WINDOWS_RESERVED.test(slug)) slug = `${slug}_`;
  if (Buffer.byteLength(slug) <= MAX_BYTES) return slug;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  return `${truncateBytes(slug, MAX_BYTES - HASH_LENGTH - 1).replace(/[.-]+$/, '')}-${hash}`;
}

function truncateBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}
