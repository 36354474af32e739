import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRepo, Identity } from '../../src/git/index.js';
import type { ThoughtSpotClient, ThoughtSpotV2Client } from '../../src/thoughtspot/index.js';
import { git } from './git-server.js';

/** The (first) `description:` line of a TML text, at the document's first level of nesting. */
export const DESCRIPTION = /^ {2}description: .*$/m;

/** A change of a TML text that sets its description; a text without one is the test's mistake, never silently an edit that changes nothing. */
export const describedAs =
  (description: string) =>
  (text: string): string => {
    if (!DESCRIPTION.test(text)) throw new Error(`no first-level description: line to set to ${JSON.stringify(description)}`);
    return text.replace(DESCRIPTION, `  description: ${description}`);
  };

/** A person edits the file of object `guid` in their clone of `branch`, commits and pushes. */
export async function pushEdit(person: GitRepo, guid: string, change: (text: string) => string, committer: Identity, branch = 'dev'): Promise<void> {
  await person.fetch();
  await person.checkout(branch);
  const path = git(person.dir, 'ls-files', 'tml').split('\n').find((p) => p.includes(guid))!;
  writeFileSync(join(person.dir, path), change(readFileSync(join(person.dir, path), 'utf8')));
  await person.commitAll(`edit ${path}`, committer);
  await person.push(branch);
}

/** Someone edits object `guid` in ThoughtSpot: its TML exported, changed and imported back, as any other client would (over either API version, e.g. `clientOf`'s). */
export async function editInThoughtSpot(client: ThoughtSpotClient | ThoughtSpotV2Client, guid: string, change: (edoc: string) => string): Promise<void> {
  const [exported] = await client.exportTml([guid], { formatType: 'YAML', exportFqn: true, throwOnError: true });
  if (!exported?.ok) throw new Error(`export of ${guid} for an edit in ThoughtSpot failed`);
  await client.importTml([change(exported.edoc)], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
}
