/**
 * Settings chosen per object: by GUID, then by repository path glob, as the
 * `ownership` and `dataChecks` blocks of the configuration name them.
 */

const cache = new Map<string, RegExp>();

/**
 * Whether a repository path matches a glob: `**` any number of folders, `*`
 * any characters but `/`, `?` one of them, `{a,b}` either. Node's own
 * `path.matchesGlob` is still experimental on Node 20 and warns when used.
 */
export function matchesGlob(path: string, glob: string): boolean {
  let pattern = cache.get(glob);
  if (!pattern) {
    let source = '';
    let braces = 0;
    for (let i = 0; i < glob.length; i += 1) {
      const c = glob[i]!;
      if (c === '*' && glob[i + 1] === '*') {
        // `**/` matches no folder as well as many.
        const slash = glob[i + 2] === '/';
        source += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else if (c === '*') source += '[^/]*';
      else if (c === '?') source += '[^/]';
      else if (c === '{') {
        braces += 1;
        source += '(?:';
      } else if (c === '}' && braces > 0) {
        braces -= 1;
        source += ')';
      } else if (c === ',' && braces > 0) source += '|';
      else source += c.replace(/[.+^$(){}|[\]\\]/g, '\\$&');
    }
    pattern = new RegExp(`^${source}$`);
    cache.set(glob, pattern);
  }
  return pattern.test(path);
}

/** The value for an object: by any of its GUIDs first, then the first path glob (in file order) that matches. */
export function chooseFor<T>(object: { guids: (string | undefined)[]; path: string }, byGuid: Record<string, T> | undefined, byPath: Record<string, T> | undefined): T | undefined {
  for (const guid of object.guids) if (guid && byGuid && Object.hasOwn(byGuid, guid)) return byGuid[guid];
  for (const [glob, value] of Object.entries(byPath ?? {})) if (matchesGlob(object.path, glob)) return value;
  return undefined;
}
