/** One object as `git cat-file --batch` answers it. */
export interface BatchObject {
  sha: string;
  type: string;
  content: Buffer;
}

/**
 * The answers of `git cat-file --batch`, one per line of its input, in order: each is
 * `<sha> <type> <size>`, the content (size in bytes) and a newline, or `<name> missing` (also
 * `ambiguous`) for a name that names no object, here undefined. One process answers any number of
 * names, where `git show` takes one process per file.
 */
export function batchObjects(out: Buffer): (BatchObject | undefined)[] {
  const objects: (BatchObject | undefined)[] = [];
  for (let offset = 0; offset < out.length; ) {
    const end = out.indexOf('\n', offset);
    if (end < 0) break;
    const line = out.subarray(offset, end).toString('utf8');
    const header = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(line);
    if (!header) {
      objects.push(undefined);
      offset = end + 1;
      continue;
    }
    const size = Number(header[3]);
    objects.push({ sha: header[1]!, type: header[2]!, content: out.subarray(end + 1, end + 1 + size) });
    offset = end + 1 + size + 1;
  }
  return objects;
}
