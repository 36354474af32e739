import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { connect } from '../../src/app/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger, Redactor, silentLogger } from '../../src/log/index.js';
import { HostQueues } from '../../src/thoughtspot/index.js';
import { API_VERSIONS, type ApiVersion } from '../support/api.js';

// A run longer than the emulator's session lifetime, from the configuration through connect()'s
// client of either version, with password and with trusted authentication. Only Date is faked: the emulator and
// the client read the same clock, which the test moves; sockets and timers stay real.

const SECRET = 'c0ffee00-trusted-secret';
const TTL_MS = 1000;
const work = mkdtempSync(join(tmpdir(), 'tmlsync-renewal-'));
const answers: { path: string; status: number }[] = [];
let emulator: RunningEmulator;

beforeAll(async () => {
  const log = createLogger({ level: 'info', destination: { write: (line: string) => void answers.push(JSON.parse(line) as { path: string; status: number }) } });
  emulator = await startEmulator({ seed: 'none', trustedAuthSecret: SECRET, sessionTtlMs: TTL_MS, logger: log });
});
afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  answers.length = 0;
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function environment(api: ApiVersion, name: string, auth: string) {
  const file = join(work, `${name}-${api}.yaml`);
  writeFileSync(file, `repository:\n  url: x.git\nenvironments:\n  ${name}:\n    url: ${emulator.url}\n    api: ${api}\n    username: tsadmin\n${auth}`);
  const config = loadConfig(file, { env: { TS_PASSWORD: 'admin', TS_SECRET_KEY: SECRET } });
  return config.environments[0]!;
}

/** How each version signs in: v1 logs in (password or trusted token), v2 asks for a bearer token. */
const SIGN_IN: Record<ApiVersion, readonly string[]> = { v1: ['session/login', 'session/login/token'], v2: ['auth/token/full'] };
/** Ending a replaced session the emulator had already dropped answers 401: that is no call meeting one. */
const ENDING = /(session\/logout|auth\/token\/revoke)$/;

/**
 * Calls spread over five lifetimes, as a long export's are: gaps shorter than the lifetime (the
 * session's age still grows past it) and gaps longer than it (the emulator drops idle sessions,
 * and a v2 token ends at its expiry however it is used).
 */
async function longRun(api: ApiVersion, name: string, auth: string): Promise<{ logins: number; unauthorized: number }> {
  const logins: string[] = [];
  const connection = connect(environment(api, name, auth), {
    log: silentLogger(), redactor: new Redactor(), queues: new HostQueues(), env: {},
    onApiCall: (endpoint) => {
      if (SIGN_IN[api].includes(endpoint)) logins.push(endpoint);
    },
  });
  for (const gapMs of [0, 400, 400, 400, 1500, 300, 300, 2000, 400]) {
    vi.setSystemTime(Date.now() + gapMs);
    expect((await connection.port.listPrincipals()).map((p) => p.name)).toContain('tsadmin');
  }
  expect(connection.api).toBe(api);
  return { logins: logins.length, unauthorized: answers.filter((a) => a.status === 401 && !ENDING.test(a.path ?? '')).length };
}

/**
 * A session whose lifetime the client knows is renewed before it ends: v1's from the
 * configuration (`sessionTtlMs`), v2's from the token itself (the emulator caps every token at
 * its session lifetime, and the token says when it expires), so v2 needs no setting for it.
 */
describe.each(API_VERSIONS)('sessions during a run longer than their lifetime, over %s', (api) => {
  const lifetime = api === 'v1' ? `    sessionTtlMs: ${TTL_MS}\n` : '';

  it('with password login, no call meets a 401', async () => {
    const { logins, unauthorized } = await longRun(api, 'pw', `    password: \${TS_PASSWORD}\n${lifetime}`);
    expect(unauthorized).toBe(0);
    expect(logins).toBe(4);
  });

  it('with trusted authentication, no call meets a 401', async () => {
    const { logins, unauthorized } = await longRun(api, 'trusted', `    secretKey: \${TS_SECRET_KEY}\n${lifetime}`);
    expect(unauthorized).toBe(0);
    expect(logins).toBe(4);
    const trusted = api === 'v1' ? 'session/auth/token' : 'auth/token/full';
    expect(answers.filter((a) => a.path?.endsWith(trusted))).toHaveLength(logins);
  });
});

describe('v1 sessions of unknown lifetime', () => {
  it('without sessionTtlMs the same run meets 401s, and rides them out by logging in again', async () => {
    const { logins, unauthorized } = await longRun('v1', 'reactive', '    password: ${TS_PASSWORD}\n');
    expect(unauthorized).toBe(2);
    expect(logins).toBe(3);
  });
});
