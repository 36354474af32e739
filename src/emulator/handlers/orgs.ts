/**
 * Orgs: the v1 `org/` and `session/orgs` routes, and what both API versions
 * share (creating, finding and deleting an Org; the Org a login lands in).
 *
 * Contract notes:
 * - CONFIRMED (developer docs "REST API v1 Reference", Orgs management,
 *   ThoughtSpot Cloud 8.10.0.cl+): `POST org/` creates, `GET org/` gets one,
 *   `POST org/search` lists, `DELETE org/` deletes.
 * - CONFIRMED (thoughtspot/cs_tools, its v1 client and Org middleware):
 *   `GET session/orgs?batchsize=-1&offset=-1` answers `{currentOrgId, orgs:
 *   [{orgId, orgName, description}]}`, the Orgs the session's user is in;
 *   `PUT session/orgs` with the form field `orgid` switches the session's Org.
 * - CONFIRMED (SDK deleteOrg): deleting an Org removes its objects and users;
 *   a user who is also in other Orgs stays there.
 * - UNCONFIRMED, our choices: the request fields of `org/` (`name`,
 *   `description`; `id` or `name` to get or delete one); its answer, shaped
 *   like the REST v2 beta's `OrgsResponse` (`orgId`, `orgName`, `description`,
 *   `allGroupUserId`, `defaultAdminUserGroupId`, `enabled`); `PUT
 *   session/orgs` answers 204; managing Orgs needs ADMINISTRATION in the
 *   Primary Org; a second Org with a name already taken (any case) is a 400;
 *   asking for an Org that does not exist is a 400 naming the field, and for
 *   one the user is not in a 401 naming the user and the Org (ThoughtSpot's
 *   exact answers are not published).
 */
import { CODE, invalidParameter, V1Error } from '../errors.js';
import { currentUser, json, noContent, type HandlerContext, type Reply, type Route } from '../context.js';
import { PRIMARY_ORG, type EmulatorInstance, type EmulatorState } from '../state.js';

/** The Org a user logs into: the one asked for (`field` names it in errors), else the user's default one. */
export function loginOrg(instance: EmulatorInstance, userName: string, requested: string | number | undefined, field: string): EmulatorState {
  if (requested === undefined || requested === '') {
    const fallback = instance.defaultOrgOf(userName);
    if (!fallback) throw new V1Error(401, CODE.invalidParameter, `User ${userName} does not belong to any Org`);
    return fallback;
  }
  const org = instance.findOrg(requested);
  if (!org) throw invalidParameter(field, `no Org ${String(requested)}`);
  if (!org.users.has(userName)) throw new V1Error(401, CODE.invalidParameter, `User ${userName} does not belong to Org ${org.org.name} (id ${org.org.id})`);
  return org;
}

/** Managing Orgs is the cluster administrator's: ADMINISTRATION in the Primary Org. */
export function requireOrgAdmin(context: HandlerContext): void {
  const name = currentUser(context).name;
  const primary = context.instance.primary;
  const user = primary.users.get(name);
  if (!user || !primary.privilegesOf(user).has('ADMINISTRATION')) {
    throw new V1Error(403, CODE.accessDenied, `User ${name} cannot administer Orgs (ADMINISTRATION in the ${PRIMARY_ORG.name} Org is required)`);
  }
}

/** Creates an Org (`field` names the name in errors): a name is required and may not be taken already. */
export function createOrg(context: HandlerContext, name: string | undefined, description: string | undefined, field: string): EmulatorState {
  requireOrgAdmin(context);
  const trimmed = name?.trim() ?? '';
  if (trimmed === '') throw invalidParameter(field, 'an Org needs a name');
  if (/^\d+$/.test(trimmed)) throw invalidParameter(field, 'an Org name cannot be a number (Orgs are found by id or name)');
  if (context.instance.findOrg(trimmed)) throw invalidParameter(field, `an Org named ${trimmed} exists already`);
  const org = context.instance.createOrg(trimmed, description ?? '');
  context.instance.commit();
  return org;
}

/** An Org by id or name; an unknown one is a 400 naming `field`. */
export function orgOf(instance: EmulatorInstance, identifier: string, field: string): EmulatorState {
  const org = instance.findOrg(identifier);
  if (!org) throw invalidParameter(field, `no Org ${identifier}`);
  return org;
}

/** Deletes an Org with its content; the Primary Org cannot be deleted. Sessions and tokens in it end (the next call is a 401). */
export function deleteOrg(context: HandlerContext, identifier: string, field: string): void {
  requireOrgAdmin(context);
  const org = orgOf(context.instance, identifier, field);
  if (org.org.id === PRIMARY_ORG.id) throw invalidParameter(field, `the ${PRIMARY_ORG.name} Org cannot be deleted`);
  context.instance.deleteOrg(org.org.id);
  context.instance.commit();
}

function v1Form(state: EmulatorState): Record<string, unknown> {
  return {
    orgId: state.org.id,
    orgName: state.org.name,
    description: state.org.description,
    allGroupUserId: state.groups.get('All')?.id ?? null,
    defaultAdminUserGroupId: state.groups.get('Administrator')?.id ?? null,
    enabled: true,
  };
}

function identifierParam(context: HandlerContext): string {
  const identifier = context.params.string('id', 'orgid') ?? context.params.string('name');
  if (identifier === undefined) throw invalidParameter('id', 'id or name is required');
  return identifier;
}

/** `GET session/orgs`: the Orgs of the session's user, and the session's current one. */
function sessionOrgs(context: HandlerContext): Reply {
  const user = currentUser(context);
  const orgs = context.instance.orgsOf(user.name).map((state) => ({ orgId: state.org.id, orgName: state.org.name, description: state.org.description }));
  return json({ currentOrgId: context.state.org.id, orgs });
}

/** `PUT session/orgs`: the session works in another Org of its user from the next call on. */
function switchSessionOrg(context: HandlerContext): Reply {
  const { session } = context;
  if (!session) throw invalidParameter('orgid', 'a bearer token is for one Org: ask for a token for the other Org instead');
  const org = loginOrg(context.instance, currentUser(context).name, context.params.required('orgid'), 'orgid');
  session.orgId = org.org.id;
  return noContent();
}

export const orgRoutes: Route[] = [
  { method: 'GET', path: 'session/orgs', auth: 'session', body: 'query', handle: sessionOrgs },
  { method: 'PUT', path: 'session/orgs', auth: 'session', body: 'form', handle: switchSessionOrg },
  { method: 'POST', path: 'org', auth: 'session', body: 'form', handle: (c) => json(v1Form(createOrg(c, c.params.string('name'), c.params.string('description'), 'name'))) },
  { method: 'GET', path: 'org', auth: 'session', body: 'query', handle: (c) => json(v1Form(orgOf(c.instance, identifierParam(c), 'id'))) },
  {
    method: 'POST', path: 'org/search', auth: 'session', body: 'form',
    handle: (c) => {
      requireOrgAdmin(c);
      return json([...c.instance.orgs.values()].map(v1Form));
    },
  },
  {
    method: 'DELETE', path: 'org', auth: 'session', body: 'query',
    handle: (c) => {
      deleteOrg(c, identifierParam(c), 'id');
      return noContent();
    },
  },
];
