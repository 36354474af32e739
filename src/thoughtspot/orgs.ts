import { InvalidInputError } from '../errors/index.js';

/** An Org as the client names it: ThoughtSpot's numeric id and its name. */
export interface OrgRef {
  id: number;
  name: string;
}

/**
 * The configured Org is not one the user is in: it does not exist, or the
 * user was never added to it (a user sees only their own Orgs, so the two
 * cannot be told apart without administration rights). The user's mistake:
 * exit 2, naming the Org, the user, and the Orgs the user is in.
 */
export class OrgAccessError extends InvalidInputError {
  override readonly name = 'OrgAccessError';
  constructor(
    readonly org: string,
    readonly username: string,
    readonly userOrgs: readonly OrgRef[],
  ) {
    const theirs = userOrgs.map((o) => `${o.name} (${o.id})`).join(', ') || 'none';
    super(`Org ${org}: user ${username} is not in it, or it does not exist (${username} is in: ${theirs})`);
  }
}

/**
 * The configured Org (a name, compared without case, or a numeric id) among
 * the Orgs the user is in; an `OrgAccessError` when it is not one of them.
 */
export function pickOrg(wanted: string, userOrgs: readonly OrgRef[], username: string): OrgRef {
  const text = wanted.trim();
  const byId = /^\d+$/.test(text) ? userOrgs.find((o) => o.id === Number(text)) : undefined;
  const found = byId ?? userOrgs.find((o) => o.name.toLowerCase() === text.toLowerCase());
  if (!found) throw new OrgAccessError(text, username, userOrgs);
  return found;
}
