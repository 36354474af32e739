import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * git's `gc.auto` (6,700 loose objects) as `gc --auto` estimates it: by the loose objects of one
 * of the 256 fan-out folders, `17`, more than 6,700 / 256 of them (git's `too_many_loose_objects`;
 * SHA-1 names are 38 characters there, SHA-256 ones 62).
 */
const LOOSE_IN_SAMPLE = Math.ceil(6700 / 256);
/** git's `gc.autoPackLimit`: more packs than this (without a `.keep`) and `gc --auto` packs them into one. */
const PACK_LIMIT = 50;

/**
 * Whether `git maintenance run --auto` would find work in the repository whose object store is
 * `objects` (its `gc` task: too many loose objects or packs, by git's own default thresholds),
 * decided by reading two folders, without a git process. git started that process after every
 * fetch, rebase and commit, and it found nothing on nearly every run of a tool that runs every few
 * minutes; a long-lived work tree still has its loose objects packed when they pile up.
 */
export function maintenanceDue(objects: string): boolean {
  const sample = entries(join(objects, '17')).filter((name) => /^[0-9a-f]{38}(?:[0-9a-f]{24})?$/.test(name));
  if (sample.length > LOOSE_IN_SAMPLE) return true;
  const pack = entries(join(objects, 'pack'));
  const kept = new Set(pack.filter((name) => name.endsWith('.keep')).map((name) => name.slice(0, -'.keep'.length)));
  return pack.filter((name) => name.endsWith('.pack') && !kept.has(name.slice(0, -'.pack'.length))).length > PACK_LIMIT;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
