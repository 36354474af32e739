import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A value as git writes it unquoted: nothing it would quote or escape, no comment. */
const PLAIN = /^[^\s"\\;#][^"\\;#]*$/;

/**
 * `remote.origin.url` of a work tree as `git config --get` would say it, read from `.git/config`
 * without a git process (one per run): the URL, `''` when the file sets none, undefined when this
 * reading cannot be sure (an include, a section header or a value in a form git also reads but
 * this does not: quoted, escaped, `[remote.origin]`, a second url), and git is asked instead.
 * git writes what `GitRepo.open` sets (`git config remote.origin.url <url>`) in the plain form.
 */
export function originUrlIn(gitDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(gitDir, 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const urls: string[] = [];
  let inOrigin = false;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line.startsWith('[')) {
      const section = /^\[([^\]]*)\]$/.exec(line)?.[1];
      if (section === undefined || /^include/i.test(section) || (/origin/i.test(section) && section !== 'remote "origin"')) return undefined;
      inOrigin = section === 'remote "origin"';
    } else if (inOrigin && /^url\b/i.test(line)) {
      const value = /^url\s*=\s*(.*)$/i.exec(line)?.[1];
      if (value === undefined || !PLAIN.test(value)) return undefined;
      urls.push(value);
    }
  }
  return urls.length > 1 ? undefined : (urls[0] ?? '');
}
