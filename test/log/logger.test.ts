import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, Redactor } from '../../src/log/index.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) }, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON line per entry with level label, time and message', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination, level: 'info' });
    log.info({ env: 'dev' }, 'export started');
    log.debug('not shown at info');
    const [record] = out.records();
    expect(out.lines).toHaveLength(1);
    expect(record).toMatchObject({ level: 'info', msg: 'export started', env: 'dev' });
    expect(typeof record!.time).toBe('string');
  });

  it('binds fields in child loggers', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination }).child({ component: 'queue', host: '127.0.0.1' });
    log.warn({ retryAfterMs: 1000 }, 'rate limited');
    expect(out.records()[0]).toMatchObject({ component: 'queue', host: '127.0.0.1', level: 'warn', retryAfterMs: 1000 });
  });

  it('redacts passwords, tokens, secret keys, cookies and Authorization headers by key, at any depth', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination });
    log.info(
      {
        request: {
          headers: { Authorization: 'Bearer abc.def', cookie: 'JSESSIONID=1234-5678', 'X-Requested-By': 'ThoughtSpot' },
          form: { username: 'tsadmin', password: 'hunter22', secret_key: 'k-1-2-3', auth_token: 't0k3n' },
        },
        environments: [{ name: 'prod', apiToken: 'ghp_abcdef' }],
      },
      'request',
    );
    const text = out.lines.join('');
    for (const secret of ['abc.def', 'JSESSIONID=1234', 'hunter22', 'k-1-2-3', 't0k3n', 'ghp_abcdef']) expect(text).not.toContain(secret);
    const record = out.records()[0] as { request: { headers: Record<string, string>; form: Record<string, string> } };
    expect(record.request.headers.Authorization).toBe(REDACTED);
    expect(record.request.headers['X-Requested-By']).toBe('ThoughtSpot');
    expect(record.request.form.username).toBe('tsadmin');
  });

  it('redacts registered secret values wherever they appear: messages, errors, nested strings', () => {
    const out = capture();
    const redactor = new Redactor();
    const log = createLogger({ destination: out.destination, redactor });
    redactor.add('s3cr3t-Pa55"word');
    redactor.add('tok-998877');
    log.error({ err: new Error('login failed for s3cr3t-Pa55"word') }, 'cannot log in with tok-998877');
    log.info({ url: 'https://h/?password=s3cr3t-Pa55%22word', note: ['x', 'tok-998877'] }, 'call');
    const text = out.lines.join('');
    expect(text).not.toContain('s3cr3t-Pa55');
    expect(text).not.toContain('tok-998877');
    expect(text).toContain(REDACTED);
    expect(out.records()[0]).toMatchObject({ level: 'error', msg: `cannot log in with ${REDACTED}` });
  });

  it('does not mistake short values for secrets', () => {
    const redactor = new Redactor();
    redactor.add('ab');
    expect(redactor.scrubText('about a tab')).toBe('about a tab');
  });
});
