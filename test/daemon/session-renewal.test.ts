import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { clientFor, thoughtspotPort } from '../../src/app/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger, Redactor, silentLogger } from '../../src/log/index.js';
import { HostQueues } from '../../src/thoughtspot/index.js';

// A run longer than the emulator's session lifetime, from the configuration through compose's
// client, with password and with trusted authentication. Only Date is faked: the emulator and
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

function environment(name: string, auth: string) {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `repository:\n  url: x.git\nenvironments:\n  ${name}:\n    url: ${emulator.url}\n    username: tsadmin\n${auth}`);
  const config = loadConfig(file, { env: { TS_PASSWORD: 'admin', TS_SECRET_KEY: SECRET } });
  return config.environments[0]!;
}

/**
 * Calls spread over five lifetimes, as a long export's are: gaps shorter than the lifetime (the
 * session's age still grows past it) and gaps longer than it (the emulator drops idle sessions).
 */
async function longRun(name: string, auth: string): Promise<{ logins: number; unauthorized: number }> {
  const logins: string[] = [];
  const client = clientFor(environment(name, auth), {
    log: silentLogger(), redactor: new Redactor(), queues: new HostQueues(), env: {},
    onApiCall: (endpoint) => {
      if (endpoint === 'session/login' || endpoint === 'session/login/token') logins.push(endpoint);
    },
  });
  const port = thoughtspotPort(client);
  for (const gapMs of [0, 400, 400, 400, 1500, 300, 300, 2000, 400]) {
    vi.setSystemTime(Date.now() + gapMs);
    expect((await port.listPrincipals()).map((p) => p.name)).toContain('tsadmin');
  }
  // The logout of a replaced session the emulator had already dropped as idle answers 401: that is no call meeting one.
  return { logins: logins.length, unauthorized: answers.filter((a) => a.status === 401 && !a.path?.endsWith('session/logout')).length };
}

describe('sessions during a run longer than their lifetime', () => {
  it('with password login and sessionTtlMs, no call meets a 401', async () => {
    const { logins, unauthorized } = await longRun('pw', `    password: \${TS_PASSWORD}\n    sessionTtlMs: ${TTL_MS}\n`);
    expect(unauthorized).toBe(0);
    expect(logins).toBe(4);
  });

  it('with trusted authentication and sessionTtlMs, no call meets a 401', async () => {
    const { logins, unauthorized } = await longRun('trusted', `    secretKey: \${TS_SECRET_KEY}\n    sessionTtlMs: ${TTL_MS}\n`);
    expect(unauthorized).toBe(0);
    expect(logins).toBe(4);
    expect(answers.filter((a) => a.path?.endsWith('session/auth/token'))).toHaveLength(logins);
  });

  it('without sessionTtlMs the same run meets 401s, and rides them out by logging in again', async () => {
    const { logins, unauthorized } = await longRun('reactive', '    password: ${TS_PASSWORD}\n');
    expect(unauthorized).toBe(2);
    expect(logins).toBe(3);
  });
});
