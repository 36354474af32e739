import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { escapeHtml, html } from '../../src/server/html.js';
import { startHttp, type EnvironmentStatus, type RunningHttp } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { PAGE_COOKIE, pageCookieValue } from '../../src/server/page-auth.js';
import { PAGE_CSP, renderStatusPage } from '../../src/server/status-page.js';
import type { RunRecord } from '../../src/sync/kernel/runs.js';

const TOKEN = 'page-token-for-tests';
const HOSTILE = `<script>alert("x")</script> & 'quoted'`;

const failedRun: RunRecord = {
  id: 'run-1', environment: 'prod', loop: 'deploy', status: 'failed', trigger: 'api', requestedAt: '2026-01-01T10:00:00.000Z',
  counts: { added: 0, updated: 1, deleted: 0, unchanged: 3, failed: 1 }, error: 'import failed',
};
const prod: EnvironmentStatus = {
  name: 'prod', direction: 'deploy', branch: 'main', running: false, pending: false, nextRun: '2026-01-01T10:10:00.000Z',
  lastRun: {
    runId: 'run-1', loop: 'deploy', outcome: 'failed', startedAt: '2026-01-01T10:00:00.000Z', durationMs: 2345,
    counts: { added: 0, updated: 1, deleted: 0, unchanged: 3, failed: 1 }, error: `liveboard ${HOSTILE} did not import`,
    conflicts: [{ kind: 'liveboard', name: HOSTILE, path: 'tml/liveboard/x.tml', resolution: 'kept both' }], conflictsBranch: 'tmlsync/conflicts/prod',
  },
};

describe('escaping (one function, every printed value)', () => {
  it('escapes markup, both quotes and ampersands', () => {
    expect(escapeHtml(HOSTILE)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
  });

  it('escapes every value put into a template, but not a fragment made by one', () => {
    const name = '<b>';
    expect(html`<p title="${name}">${name}${html`<i>${name}</i>`}${[name, html`<br>`]}</p>`.text).toBe('<p title="&lt;b&gt;">&lt;b&gt;<i>&lt;b&gt;</i>&lt;b&gt;<br></p>');
  });

  it('prints no markup from an object name or an error message', () => {
    const page = renderStatusPage({ environments: [prod], runs: [failedRun], now: new Date('2026-01-01T10:01:00Z'), refreshSeconds: 15 });
    expect(page).not.toContain('<script>');
    expect(page).not.toContain(`'quoted'`);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(page).toContain('<code>tmlsync/conflicts/prod</code>');
    expect(page).toContain('href="/status/runs/run-1"');
    expect(page).toContain('<meta http-equiv="refresh" content="15">');
  });
});

describe('pipeline stages on the page', () => {
  it('shows what a stage runs, what its source runs, how far behind it is and a pending approval, escaped', () => {
    const stage: EnvironmentStatus = {
      name: 'prod', direction: 'deploy', branch: 'main', running: false, pending: false,
      stage: { promoteFrom: HOSTILE, approval: 'manual', commit: 'aaaaaaaaaaaa1111', sourceCommit: 'bbbbbbbbbbbb2222', behind: 2, approvalPending: true },
    };
    const page = renderStatusPage({ environments: [stage, { ...stage, name: 'staging', stage: { promoteFrom: 'dev', approval: 'auto', behind: 0, approvalPending: false } }], runs: [], now: new Date('2026-01-01T10:01:00Z'), refreshSeconds: 15 });
    expect(page).not.toContain('<script>');
    expect(page).toContain('<dt>promotes from</dt><dd>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; (approval manual)</dd>');
    expect(page).toContain('<dt>runs</dt><dd><code>aaaaaaaaaaaa</code></dd>');
    expect(page).toContain('<code>bbbbbbbbbbbb</code>');
    expect(page).toContain('<span class="badge warn">2 commits behind</span> <span class="badge warn">approval pending</span> (<code>tmlsync promote --env prod</code>)');
    expect(page).toContain('<dt>promotes from</dt><dd>dev (approval auto)</dd>\n<dt>runs</dt><dd><span class="muted">nothing deployed yet</span></dd>');
    expect(page).toContain('<span class="badge ok">in step</span></dd>');
  });

  it('shows the approval a stage\'s next run carries out, and a stale one as not used, escaped', () => {
    const base: EnvironmentStatus = { name: 'prod', direction: 'deploy', branch: 'main', running: false, pending: false };
    const stage = { promoteFrom: 'staging', approval: 'manual' as const, commit: 'aaaaaaaaaaaa1111', sourceCommit: 'bbbbbbbbbbbb2222', behind: 1 };
    const approval = { commit: 'bbbbbbbbbbbb2222', by: HOSTILE, at: '2026-01-01T10:00:00.000Z' };
    const approved = renderStatusPage({ environments: [{ ...base, stage: { ...stage, approvalPending: false, approved: approval } }], runs: [], now: new Date('2026-01-01T10:01:00Z'), refreshSeconds: 15 });
    expect(approved).not.toContain('<script>');
    expect(approved).toContain('<dt>approved</dt><dd><code>bbbbbbbbbbbb</code> by &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; at 2026-01-01T10:00:00.000Z: the next run promotes it</dd>');
    expect(approved).not.toContain('approval pending');
    const stale = renderStatusPage({ environments: [{ ...base, stage: { ...stage, approvalPending: true, staleApproval: { ...approval, commit: 'cccccccccccc3333', by: 'dana' } } }], runs: [], now: new Date('2026-01-01T10:01:00Z'), refreshSeconds: 15 });
    expect(stale).toContain('<span class="badge warn">approval pending</span>');
    expect(stale).toContain('<dt>approval</dt><dd><span class="badge warn">stale</span> <code>cccccccccccc</code> by dana at 2026-01-01T10:00:00.000Z, which staging has moved on from: not used</dd>');
  });
});

describe('the status page over HTTP', () => {
  let open: RunningHttp;
  let guarded: RunningHttp;
  const options = (apiToken?: string) => ({
    host: '127.0.0.1', port: 0, ...(apiToken ? { apiToken } : {}), status: { status: () => [prod] }, metrics: new Metrics(), log: createLogger({ level: 'silent' }),
    daemon: {
      environments: () => [{ name: 'prod', branch: 'main', direction: 'deploy', org: 'Prod Org', password: 'never-shown-secret' }],
      request: () => undefined,
      runs: { get: (id: string) => (id === failedRun.id ? failedRun : undefined), firstDelivery: () => true, recent: () => [failedRun] },
    },
  });
  beforeAll(async () => {
    open = await startHttp(options());
    guarded = await startHttp(options(TOKEN));
  });
  afterAll(async () => {
    await open.close();
    await guarded.close();
  });

  it('serves the page with a strict Content-Security-Policy, the Org, and no secret', async () => {
    const res = await fetch(`${open.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(PAGE_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'/);
    const text = await res.text();
    expect(text).toContain('<dd>Prod Org</dd>');
    expect(text).not.toContain('never-shown-secret');
    expect(await (await fetch(`${open.url}/status/runs/run-1`)).json()).toMatchObject({ id: 'run-1', status: 'failed' });
  });

  it('asks for the token when one is set, and refuses a wrong one', async () => {
    const res = await fetch(`${guarded.url}/`);
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain('<form method="post" action="/login">');
    expect(text).not.toContain('prod');
    expect((await fetch(`${guarded.url}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/status/runs/run-1`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/`, { headers: { cookie: `${PAGE_COOKIE}=${'0'.repeat(64)}` } })).status).toBe(401);
  });

  it('turns a right token (form or ?token=) into an HttpOnly, SameSite=Strict cookie that holds no token, and drops it from the address', async () => {
    const viaQuery = await fetch(`${guarded.url}/?token=${TOKEN}`, { redirect: 'manual' });
    const viaForm = await fetch(`${guarded.url}/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    for (const res of [viaQuery, viaForm]) {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toBe(`${PAGE_COOKIE}=${pageCookieValue(TOKEN)}; Path=/; HttpOnly; SameSite=Strict`);
      expect(cookie).not.toContain(TOKEN);
    }
    const page = await fetch(`${guarded.url}/`, { headers: { cookie: `other=1; ${PAGE_COOKIE}=${pageCookieValue(TOKEN)}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h2>prod</h2>');
    expect((await fetch(`${guarded.url}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${guarded.url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'nope' }) })).status).toBe(401);
  });

  it('keeps the page cookie from the trigger API', async () => {
    const res = await fetch(`${guarded.url}/api/v1/runs/run-1`, { headers: { cookie: `${PAGE_COOKIE}=${pageCookieValue(TOKEN)}` } });
    expect(res.status).toBe(401);
  });
});
