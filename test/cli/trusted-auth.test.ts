import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_PREFIX, API_V2_PREFIX, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/log/index.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';
import { API_VERSIONS } from '../support/api.js';

// Trusted authentication end to end: the configuration's `secretKey: ${VAR}`, compose's client
// and `tmlsync export`, against an emulator started with a trusted-authentication secret.

const SECRET = '7e57ab1e-4a5b-4c6d-8e9f-trusted0key';

/**
 * How each version logs in with the key: v1 trades it for a token
 * (`session/auth/token`) and the token for a session cookie; v2 sends it to
 * `auth/token/full` as `secret_key` for a bearer token.
 */
const LOGIN = {
  v1: { calls: ['session/auth/token 200', 'session/login/token 204'], endpoint: 'session/auth/token' },
  v2: { calls: ['auth/token/full 200'], endpoint: 'auth/token/full' },
} as const;

// Both API versions share the git server and the emulator with the secret; each case has its own repository.
const stage = useStage('tmlsync-trusted-');
const answered: { path: string; status: number }[] = [];
let emulator: RunningEmulator;
beforeAll(async () => {
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void answered.push(JSON.parse(line) as { path: string; status: number }) } });
  emulator = await startEmulator({ trustedAuthSecret: SECRET, logger });
});
afterAll(async () => {
  await emulator.close();
});

describe.each(API_VERSIONS)('trusted authentication, over %s', (api) => {
  function configFile(kind: string): string {
    const name = `${kind}-${api}`;
    const file = join(stage.work, `${name}.yaml`);
    const remote = stage.server.createRepo(name);
    writeFileSync(
      file,
      `repository:\n  url: ${remote}\nworkDir: ${join(stage.work, `${name}-wd`)}\nenvironments:\n  prod:\n    url: ${emulator.url}\n    username: tsadmin\n    api: ${api}\n    secretKey: \${TS_PROD_SECRET_KEY}\n    branch: main\n`,
    );
    return file;
  }

  it('exports with a session from the secret key, never a password', async () => {
    answered.length = 0;
    const result = await cli(['--log-level', 'debug', 'export', '--config', configFile('ok'), '--env', 'prod'], { TS_PROD_SECRET_KEY: SECRET });
    expect(result.stderr).not.toMatch(/^error:/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/prod/);
    expect(git(stage.server.pathOf(`ok-${api}`), 'rev-list', '--count', 'main')).not.toBe('0');
    const paths = answered.map((a) => `${a.path.replace(API_PREFIX, '').replace(API_V2_PREFIX, '')} ${a.status}`);
    expect(paths.slice(0, LOGIN[api].calls.length)).toEqual(LOGIN[api].calls);
    // The configuration has no password: a v2 token could only come from the key.
    expect(paths.some((p) => p.startsWith('session/login '))).toBe(false);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  it('a wrong secret key is a clear error from the token endpoint, exit 2, without the key or a stack', async () => {
    const wrong = '00000000-wrong-key-0000';
    answered.length = 0;
    const result = await cli(['--log-level', 'debug', 'export', '--config', configFile('wrong'), '--env', 'prod'], { TS_PROD_SECRET_KEY: wrong });
    expect(result.code).toBe(2);
    // The emulator logs a request once its answer is sent, which may be after the CLI has read it:
    // the refusal is logged before the next case counts its own calls. (A run used to report its
    // failed listing while its other listing still logged in: the next case then began with a 401.)
    await vi.waitFor(() => expect(answered.map((a) => a.status)).toContain(401));
    const message = result.stderr.split('\n').find((line) => line.startsWith('error:'));
    expect(message).toMatch(new RegExp(`^error: ThoughtSpot ${LOGIN[api].endpoint} failed with HTTP 401 \\(code 10002\\): Invalid secret key`));
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
  });
});
