import { describe, expect, it } from 'vitest';
import { parsePrincipalsFile } from '../../src/sync/deploy/principals.js';

const good = `groups:
- name: Analysts
  displayName: Analysts
  principalTypeEnum: LOCAL_GROUP
  groupNames: []
  visibility: DEFAULT
  privileges:
  - DATADOWNLOADING
users:
- name: ana
  displayName: Ana Lyst
  mail: ana@example.com
  groupNames:
  - Analysts
`;

describe('the principals file', () => {
  it('reads groups and users, with defaults for the type and privileges only where the file says', () => {
    const { entries, problems } = parsePrincipalsFile(`${good}- name: sam\n  principalTypeEnum: SAML_USER\n`);
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.label, e.principal.principalTypeEnum, e.privileges])).toEqual([
      ['groups[0] "Analysts"', 'LOCAL_GROUP', ['DATADOWNLOADING']],
      ['users[0] "ana"', 'LOCAL_USER', undefined],
      ['users[1] "sam"', 'SAML_USER', undefined],
    ]);
    expect(entries[1]!.principal).toEqual({ name: 'ana', displayName: 'Ana Lyst', mail: 'ana@example.com', principalTypeEnum: 'LOCAL_USER', groupNames: ['Analysts'] });
  });

  it('reports every problem at once, each naming its entry', () => {
    const text = `groups:
- name: Analysts
  privileges: [DATADOWNLOADING, MIND_READING]
  owner: someone
- name: All
users:
- name: ana
  password: hunter2
  visibility: HIDDEN
- name: ana
- displayName: no name
- name: bot
  principalTypeEnum: ROBOT
  groupNames: Analysts
extra: 1
`;
    expect(parsePrincipalsFile(text).problems).toEqual([
      "unknown key 'extra' (the file holds `groups:` and `users:`)",
      "groups[0] \"Analysts\": unknown key 'owner' (a group has name, displayName, principalTypeEnum, groupNames, visibility, privileges)",
      expect.stringMatching(/^groups\[0\] "Analysts": unknown privilege 'MIND_READING' \(known: ADMINISTRATION, /),
      'groups[1] "All": a built-in principal; tmlsync never changes built-ins, so it does not belong in the file',
      'users[0] "ana": passwords do not belong in git; new local users get principals.initialPassword from the configuration',
      "users[0] \"ana\": visibility 'HIDDEN' is not one of DEFAULT, NON_SHARABLE",
      'users[1] "ana": duplicate name (also users[0])',
      'users[2]: needs a name',
      "users[3] \"bot\": principalTypeEnum 'ROBOT' is not one of LOCAL_USER, SAML_USER, OIDC_USER, LDAP_USER",
      'users[3] "bot": groupNames must be a list of group names',
    ]);
  });

  it('names the line of invalid YAML', () => {
    expect(parsePrincipalsFile('groups:\n- name: [unclosed\n').problems).toEqual([expect.stringMatching(/^not valid YAML \(line \d\): /)]);
  });

  it('refuses a principals file of nested aliases before expanding it (the shared parse limits)', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, k) => `${String.fromCharCode(98 + k)}: &${String.fromCharCode(98 + k)} [${Array(10).fill(`*${String.fromCharCode(97 + k)}`).join(',')}]`)].join('\n');
    expect(parsePrincipalsFile(`${bomb}\n`).problems).toEqual([expect.stringMatching(/^refused \(line \d+\): .*2,000,000/)]);
  });

  it('lets a user and a group share a name (reference §2.4)', () => {
    expect(parsePrincipalsFile('groups:\n- name: ana\nusers:\n- name: ana\n').problems).toEqual([]);
  });
});
