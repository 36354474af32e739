/**
 * v2 Orgs: create, search, update (add users), delete; the implementation is
 * the one both versions share (handlers/orgs.ts).
 *
 * Contract notes:
 * - CONFIRMED (SDK `ThoughtSpotRestApi.md` createOrg, searchOrgs, updateOrg,
 *   deleteOrg): `POST orgs/create` `{name, description?}` → 200 `OrgResponse`
 *   `{id, name, status, description, visibility}`; `POST orgs/search`
 *   `{org_identifier?, description?, visibility?, status?, user_identifiers?}`
 *   → an array of them; `POST orgs/{org_identifier}/update` `{name?,
 *   description?, user_identifiers?}` → 204; `POST orgs/{org_identifier}/delete`
 *   → 204; all need cluster administration ("Can administer Org").
 * - UNCONFIRMED, our choices: `user_identifiers` of an update adds those users
 *   to the Org (in its `All` group); every Org is ACTIVE and SHOWn.
 */
import { json, type HandlerContext, type Reply, type Route } from '../../context.js';
import { invalidParameter } from '../../errors.js';
import type { EmulatorState } from '../../state.js';
import { createOrg, deleteOrg, orgOf, requireOrgAdmin } from '../orgs.js';
import { done, v2Route } from './common.js';

function orgResponse(state: EmulatorState): Record<string, unknown> {
  return { id: state.org.id, name: state.org.name, status: 'ACTIVE', description: state.org.description, visibility: 'SHOW' };
}

function create(context: HandlerContext): Reply {
  return json(orgResponse(createOrg(context, context.body.required('name'), context.body.string('description'), 'name')));
}

/** Orgs by id or name, description, status, visibility and members (each filter applied when given). */
function search(context: HandlerContext): Reply {
  requireOrgAdmin(context);
  const { body, instance } = context;
  const identifier = body.string('org_identifier');
  const description = body.string('description');
  const status = body.oneOf('status', ['ACTIVE', 'IN_ACTIVE'] as const, 'ACTIVE');
  const visibility = body.oneOf('visibility', ['SHOW', 'HIDDEN'] as const, 'SHOW');
  const members = body.strings('user_identifiers');
  const found = [...instance.orgs.values()].filter(
    (state) =>
      (identifier === undefined || instance.findOrg(identifier) === state) &&
      (description === undefined || state.org.description.toLowerCase().includes(description.toLowerCase())) &&
      status === 'ACTIVE' && visibility === 'SHOW' &&
      (!members || members.some((m) => state.users.has(m) || state.userById(m) !== undefined)),
  );
  return json(found.sort((a, b) => a.org.id - b.org.id).map(orgResponse));
}

/** A new name or description, and users added to the Org. */
function update(context: HandlerContext): Reply {
  requireOrgAdmin(context);
  const { body, instance } = context;
  const org = orgOf(instance, context.pathParams.org_identifier!, 'org_identifier');
  const name = body.string('name')?.trim();
  if (name !== undefined && name !== org.org.name) {
    if (name === '' || instance.findOrg(name)) throw invalidParameter('name', `${name} is empty or taken`);
    org.org.name = name;
  }
  const description = body.string('description');
  if (description !== undefined) org.org.description = description;
  for (const identifier of body.strings('user_identifiers') ?? []) {
    if (!instance.addUserToOrg(org, identifier)) throw invalidParameter('user_identifiers', `user ${identifier} not found`);
  }
  instance.commit();
  return done();
}

export const v2OrgRoutes: Route[] = [
  v2Route('POST', 'orgs/create', create),
  v2Route('POST', 'orgs/search', search),
  v2Route('POST', 'orgs/{org_identifier}/update', update),
  v2Route('POST', 'orgs/{org_identifier}/delete', (c) => {
    deleteOrg(c, c.pathParams.org_identifier!, 'org_identifier');
    return done();
  }),
];
