import { changedPaths, type Change, type ExportRun, type ExportState, type Listed } from './types.js';
import { PRINCIPALS_PATH } from '../kernel/layout.js';
import { compareText } from '../kernel/ledger.js';
import type { ContentCommits, Identity } from '../ports.js';
import type { ObjectResult } from '../kernel/report.js';

/** Objects named one per line in a commit message; a first export of thousands lists the rest as a count. */
const MESSAGE_OBJECTS = 500;

/**
 * Commit: one commit per ThoughtSpot author, so `git log` and `git blame` name
 * who changed what; deletions and principals (no single author) are committed
 * by tmlsync. Only changed files are named (unchanged ones were compared as
 * they were written), so every commit changes something. Queues them on
 * `commits` (its `finish` makes them); returns how many.
 */
export function queueCommits(step: ExportRun, commits: ContentCommits, state: ExportState, listed: Listed): number {
  const { environment: { name: environment }, committer } = step.options;
  const changes = [...state.changes].sort((a, b) => compareText(a.result.path!, b.result.path!));
  const authorOf = authors(listed, committer);
  const groups: [Identity, Change[]][] = [...byAuthor(changes)]
    .map(([userId, list]): [Identity, Change[]] => [authorOf(userId), list])
    .sort((a, b) => compareText(a[0].name, b[0].name));
  if (state.deletions.length > 0) groups.push([committer, state.deletions]);
  for (const [author, list] of groups) {
    commits.commit(list.flatMap(changedPaths), message(environment, list, author === committer ? undefined : author), author);
  }
  if (state.principalsChanged) commits.commit([PRINCIPALS_PATH], `export(${environment}): principals`, committer);
  return groups.length + (state.principalsChanged ? 1 : 0);
}

function byAuthor(changes: Change[]): Map<string, Change[]> {
  const groups = new Map<string, Change[]>();
  for (const change of changes) {
    const list = groups.get(change.modifiedBy ?? '');
    if (list) list.push(change);
    else groups.set(change.modifiedBy ?? '', [change]);
  }
  return groups;
}

/** A ThoughtSpot user's git identity: display name and mail from the principals; tmlsync's own for an unknown user. */
function authors(listed: Listed, committer: Identity): (userId: string) => Identity {
  const userNames = new Map(listed.users.map((u) => [u.id, u.name]));
  const mails = new Map(listed.principals.map((p) => [p.name, p.mail]));
  const displayNames = new Map(listed.principals.map((p) => [p.name, p.displayName]));
  return (userId) => {
    const name = userNames.get(userId);
    if (!name) return committer;
    return { name: displayNames.get(name) || name, email: mails.get(name) || `${name}@users.thoughtspot.invalid` };
  };
}

function message(environment: string, list: Change[], author: Identity | undefined): string {
  const title = `export(${environment}): ${list.length} object${list.length === 1 ? '' : 's'}${author ? ` by ${author.name}` : ''}`;
  const lines = list.slice(0, MESSAGE_OBJECTS).map((c) => describe(c.result));
  if (list.length > MESSAGE_OBJECTS) lines.push(`- … and ${list.length - MESSAGE_OBJECTS} more`);
  return `${title}\n\n${lines.join('\n')}\n`;
}

function describe(result: ObjectResult): string {
  const verb = result.outcome === 'added' ? 'add' : result.outcome === 'deleted' ? 'delete' : 'update';
  return `- ${verb} ${result.kind} "${result.name}" (${result.id})`;
}
