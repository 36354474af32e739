import { createHash } from 'node:crypto';
import type { RunRecord } from '../sync/kernel/runs.js';
import { html, SafeHtml } from './html.js';
import type { EnvironmentStatus } from './status.js';

/**
 * The daemon's status page (issue 17, item 4): what a person watching a
 * GitOps service looks for, read-only, one self-contained HTML document (no
 * script, no external asset: it works offline). It refreshes itself with a
 * meta refresh. Everything printed goes through `html` (escaped); nothing
 * secret is in its input (see `pageEnvironment`).
 */

/** One environment as the page shows it: its status, and its Org when one is configured. */
export interface PageEnvironment extends EnvironmentStatus {
  org?: string | number;
}

export interface StatusPageView {
  environments: readonly PageEnvironment[];
  /** The most recent runs, newest first. */
  runs: readonly RunRecord[];
  now: Date;
  refreshSeconds: number;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1d2330;background:#f6f7f9}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:0 0 .4rem}h3{font-size:1rem;margin:.8rem 0 .3rem}
header p,.muted{color:#5a6272}section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.9rem 1.1rem;margin:1rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}dt{color:#5a6272}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eceef2;vertical-align:top}
.badge{display:inline-block;padding:0 .45rem;border-radius:3px;font-weight:600}.ok{background:#dff3e4;color:#17612c}
.failed{background:#fbe2e2;color:#9b1c1c}.running,.queued{background:#e3ecfb;color:#1d4ea0}.warn{background:#fdf0d5;color:#7a4d00}
code{font:12px ui-monospace,monospace;background:#f0f2f5;padding:0 .25rem;border-radius:3px}.error{color:#9b1c1c;white-space:pre-wrap}
form{display:flex;gap:.5rem;align-items:center}input{font:inherit;padding:.3rem .5rem}`;

/**
 * The page's Content-Security-Policy: nothing may load or run but the one inline
 * style sheet (allowed by its hash), forms post only to the daemon, no framing.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every page response: the policy above, no MIME sniffing, no referrer, never cached. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/** Where the page links a run's JSON (served by the daemon under `/status`). */
export function runLink(runId: string): string {
  return `/status/runs/${encodeURIComponent(runId)}`;
}

function document(title: string, body: SafeHtml, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${refresh}
<title>${title}</title><style>${new SafeHtml(CSS)}</style></head>
<body>${body}</body></html>
`.text;
}

function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '';
}

function badge(outcome: string): SafeHtml {
  return html`<span class="badge ${outcome === 'ok' ? 'ok' : outcome === 'failed' ? 'failed' : 'running'}">${outcome}</span>`;
}

/** `2 added, 1 failed`: the counts that are not zero (or `nothing changed`). */
function countsText(counts: Record<string, number> | undefined): string {
  const parts = Object.entries(counts ?? {}).filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing changed';
}

function stateOf(environment: PageEnvironment): SafeHtml {
  if (environment.running) return html`<span class="badge running">running</span>${environment.pending ? ' (another run queued)' : ''}`;
  return html`<span class="badge ok">idle</span>${environment.pending ? ' (a run queued)' : ''}`;
}

function lastRunSection(run: NonNullable<PageEnvironment['lastRun']>): SafeHtml {
  return html`<h3>Last run</h3>
<dl><dt>outcome</dt><dd>${badge(run.outcome)} ${run.loop} · ${countsText(run.counts)}</dd>
<dt>started</dt><dd>${when(run.startedAt)}, took ${(run.durationMs / 1000).toFixed(1)} s</dd>
<dt>report</dt><dd><a href="${runLink(run.runId)}">run ${run.runId}</a> (JSON)</dd></dl>
${run.error ? html`<p class="error">${run.error}</p>` : ''}`;
}

function conflictsSection(environment: PageEnvironment): SafeHtml | '' {
  const conflicts = environment.lastRun?.conflicts ?? [];
  if (conflicts.length === 0) return '';
  const rows = conflicts.map((c) => html`<tr><td>${c.kind}</td><td>${c.name}</td><td><code>${c.path}</code></td><td>${c.resolution}</td></tr>`);
  const branch = environment.lastRun?.conflictsBranch;
  return html`<h3>Conflicts <span class="badge warn">${conflicts.length}</span></h3>
${branch ? html`<p>ThoughtSpot's side is on branch <code>${branch}</code>.</p>` : ''}
<table><thead><tr><th>kind</th><th>name</th><th>file</th><th>resolution</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function checksSection(environment: PageEnvironment): SafeHtml | '' {
  const checks = environment.lastRun?.checks;
  if (!checks) return '';
  const rows = checks.problems.map(
    (c) => html`<tr><td>${badge(c.status === 'failed' ? 'failed' : 'empty')}</td><td>${c.kind}</td><td>${c.name}${c.visualization ? html` · ${c.visualization}` : ''}</td><td>${c.message ?? ''}</td></tr>`,
  );
  return html`<h3>Data checks</h3><p>${checks.ok} ok, ${checks.empty} empty, ${checks.failed} failed</p>
${rows.length > 0 ? html`<table><tbody>${rows}</tbody></table>` : ''}`;
}

/** A pipeline stage: what it runs, what its source runs, how far behind it is, and whether a promotion waits for an approval. */
function stageSection(environment: PageEnvironment): SafeHtml | '' {
  const stage = environment.stage;
  if (!stage) return '';
  const short = (commit: string | undefined) => (commit ? html`<code>${commit.slice(0, 12)}</code>` : html`<span class="muted">nothing deployed yet</span>`);
  const behind = stage.behind === 0 ? html`<span class="badge ok">in step</span>` : html`<span class="badge warn">${stage.behind} commit${stage.behind === 1 ? '' : 's'} behind</span>`;
  return html`<h3>Pipeline stage</h3>
<dl class="stage"><dt>promotes from</dt><dd>${stage.promoteFrom} (approval ${stage.approval})</dd>
<dt>runs</dt><dd>${short(stage.commit)}</dd>
<dt>${stage.promoteFrom} runs</dt><dd>${short(stage.sourceCommit)}</dd>
<dt>behind</dt><dd>${behind}${stage.approvalPending ? html` <span class="badge warn">approval pending</span> (<code>tmlsync promote --env ${environment.name}</code>)` : ''}</dd>${approvalRows(stage)}</dl>`;
}

/** A manual stage's approval: the one its next run promotes, or a stale one that is not used. */
function approvalRows(stage: NonNullable<PageEnvironment['stage']>): SafeHtml | '' {
  const { approved, staleApproval } = stage;
  if (approved) return html`<dt>approved</dt><dd><code>${approved.commit.slice(0, 12)}</code> by ${approved.by} at ${approved.at}: the next run promotes it</dd>`;
  if (staleApproval) return html`<dt>approval</dt><dd><span class="badge warn">stale</span> <code>${staleApproval.commit.slice(0, 12)}</code> by ${staleApproval.by} at ${staleApproval.at}, which ${stage.promoteFrom} has moved on from: not used</dd>`;
  return '';
}

function environmentSection(environment: PageEnvironment): SafeHtml {
  return html`<section class="environment" data-environment="${environment.name}">
<h2>${environment.name}</h2>
<dl><dt>direction</dt><dd>${environment.direction}</dd>
<dt>branch</dt><dd><code>${environment.branch}</code></dd>
${environment.org !== undefined ? html`<dt>Org</dt><dd>${environment.org}</dd>` : ''}
${environment.api ? html`<dt>API</dt><dd>${environment.api}</dd>` : ''}
<dt>state</dt><dd>${stateOf(environment)}</dd>
<dt>next run</dt><dd>${environment.nextRun ? when(environment.nextRun) : 'not scheduled'}</dd></dl>
${environment.lastRun ? lastRunSection(environment.lastRun) : html`<p class="muted">No run has finished yet.</p>`}
${stageSection(environment)}${conflictsSection(environment)}${checksSection(environment)}
</section>`;
}

function runsSection(runs: readonly RunRecord[]): SafeHtml {
  if (runs.length === 0) return html`<section><h2>Recent runs</h2><p class="muted">None yet.</p></section>`;
  const rows = runs.map(
    (r) => html`<tr><td>${when(r.requestedAt)}</td><td>${r.environment}</td><td>${r.loop}</td><td>${badge(r.status)}</td><td>${r.counts ? countsText(r.counts) : ''}</td><td>${r.trigger}</td><td><a href="${runLink(r.id)}">${r.id.slice(0, 8)}</a></td></tr>`,
  );
  return html`<section class="runs"><h2>Recent runs</h2>
<table><thead><tr><th>requested</th><th>environment</th><th>loop</th><th>outcome</th><th>objects</th><th>trigger</th><th>run</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** The status page: every environment, then the recent runs. */
export function renderStatusPage(view: StatusPageView): string {
  const body = html`<header><h1>tmlsync</h1>
<p>${view.environments.length} environment${view.environments.length === 1 ? '' : 's'} · updated ${when(view.now.toISOString())} · refreshes every ${view.refreshSeconds} s · <a href="/status">status JSON</a></p></header>
<main>${view.environments.map(environmentSection)}${runsSection(view.runs)}</main>`;
  return document('tmlsync status', body, view.refreshSeconds);
}

/** The form asking for the API token (the daemon's `server.apiToken`), with why it is shown again when a token was wrong. */
export function renderLoginPage(wrongToken: boolean): string {
  const body = html`<header><h1>tmlsync</h1></header><main><section><h2>Sign in</h2>
<p>This daemon's status page needs its API token (<code>server.apiToken</code>).</p>
${wrongToken ? html`<p class="error">That token is not the daemon's API token.</p>` : ''}
<form method="post" action="/login"><label>API token <input type="password" name="token" autocomplete="current-password" required></label><button type="submit">Show the status</button></form>
</section></main>`;
  return document('tmlsync: sign in', body);
}
