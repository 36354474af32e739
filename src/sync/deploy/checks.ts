import type { Logger } from '../../log/index.js';
import { handlerFor, type TmlDocument } from '../../tml/index.js';
import type { DataSummary, ThoughtSpotPort } from '../ports.js';
import { chooseFor } from '../kernel/select.js';

/**
 * Data checks after a deploy (issue 7, item 6; DESIGN.md "Deploy" step 7): a
 * deployed object is not done until its data loads. Each kind's handler says
 * what to run (`dataCheck`): the data of every visualization of a liveboard
 * (`pinboarddata`), or one search over a worksheet or model (`searchdata`).
 */
export interface DataChecksPolicy {
  enabled: boolean;
  /** The search to run over a worksheet or model, by GUID (canonical or environment) or by path glob. */
  searches?: { objects?: Record<string, string>; paths?: Record<string, string> };
}

/** A deployed object to check. */
export interface CheckedObject {
  envGuid: string;
  canonicalGuid: string;
  doc: TmlDocument;
  path: string;
}

/** One check: ok, empty (a warning), or failed (the run fails). */
export interface DataCheck {
  kind: string;
  name: string;
  path: string;
  envGuid: string;
  /** The liveboard visualization checked. */
  visualization?: string;
  /** The search run over a worksheet or model. */
  query?: string;
  status: 'ok' | 'empty' | 'failed';
  rows?: number;
  /** Why it failed, or why it is a warning. */
  message?: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs the checks of the deployed objects; results in the objects' order. */
export async function runDataChecks(thoughtspot: ThoughtSpotPort, policy: DataChecksPolicy, objects: CheckedObject[], log: Logger): Promise<DataCheck[]> {
  if (!policy.enabled) return [];
  const results = await Promise.all(
    objects.map((object) => {
      const handler = handlerFor(object.doc.kind);
      if (handler.dataCheck === 'visualizations') return checkLiveboard(thoughtspot, object);
      if (handler.dataCheck === 'search') return checkSearch(thoughtspot, policy, object, handler.searchColumns?.(object.doc.body) ?? []);
      return Promise.resolve([]);
    }),
  );
  const checks = results.flat();
  for (const check of checks.filter((c) => c.status !== 'ok')) {
    const fields = { kind: check.kind, name: check.name, path: check.path, ...(check.visualization ? { visualization: check.visualization } : {}), ...(check.query ? { query: check.query } : {}), message: check.message };
    if (check.status === 'failed') log.error(fields, 'data check failed');
    else log.warn(fields, 'data check returned no rows');
  }
  return checks;
}

function base(object: CheckedObject) {
  return { kind: object.doc.kind, name: object.doc.name, path: object.path, envGuid: object.envGuid };
}

function verdict(data: DataSummary): Pick<DataCheck, 'status' | 'rows' | 'message'> {
  return data.rowCount > 0 ? { status: 'ok', rows: data.rowCount } : { status: 'empty', rows: 0, message: 'no rows' };
}

/**
 * Every visualization but filters: one `pinboarddata` call for the whole
 * liveboard; when it fails, one per visualization, so that the error names
 * the visualization that caused it.
 */
async function checkLiveboard(thoughtspot: ThoughtSpotPort, object: CheckedObject): Promise<DataCheck[]> {
  let vizzes;
  try {
    vizzes = (await thoughtspot.listVisualizations(object.envGuid)).filter((v) => v.type !== 'FILTER');
  } catch (error) {
    return [{ ...base(object), status: 'failed', message: `listing its visualizations failed: ${messageOf(error)}` }];
  }
  if (vizzes.length === 0) return [];
  const all = await thoughtspot.liveboardData(object.envGuid).catch(() => undefined);
  const checks: DataCheck[] = [];
  for (const viz of vizzes) {
    const at = { ...base(object), visualization: viz.name };
    let block = all?.[viz.id];
    if (!all) {
      try {
        block = (await thoughtspot.liveboardData(object.envGuid, [viz.id]))[viz.id];
      } catch (error) {
        checks.push({ ...at, status: 'failed', message: messageOf(error) });
        continue;
      }
    }
    checks.push(block ? { ...at, ...verdict(block) } : { ...at, status: 'empty', rows: 0, message: 'pinboarddata returned nothing for it' });
  }
  return checks;
}

/** The configured search, or `[first attribute] [first measure]` of the columns. */
async function checkSearch(thoughtspot: ThoughtSpotPort, policy: DataChecksPolicy, object: CheckedObject, columns: { name: string; type: string }[]): Promise<DataCheck[]> {
  const configured = chooseFor({ guids: [object.canonicalGuid, object.envGuid], path: object.path }, policy.searches?.objects, policy.searches?.paths);
  const picked = [columns.find((c) => c.type === 'ATTRIBUTE'), columns.find((c) => c.type === 'MEASURE')].filter((c) => c !== undefined);
  const query = configured ?? picked.map((c) => `[${c.name}]`).join(' ');
  if (!query) return [{ ...base(object), status: 'empty', message: 'no column to search; configure a search for it under dataChecks.searches' }];
  try {
    return [{ ...base(object), query, ...verdict(await thoughtspot.searchData(object.envGuid, query)) }];
  } catch (error) {
    return [{ ...base(object), query, status: 'failed', message: messageOf(error) }];
  }
}

export function checksFailed(checks: DataCheck[] | undefined): boolean {
  return (checks ?? []).some((c) => c.status === 'failed');
}

export interface ChecksSummary {
  ok: number;
  empty: number;
  failed: number;
  /** Each check that failed or came back empty. */
  problems: DataCheck[];
}

/** Counts, and the checks that did not pass, as `/status` shows them. */
export function checksSummary(checks: DataCheck[]): ChecksSummary {
  const count = (status: DataCheck['status']) => checks.filter((c) => c.status === status).length;
  return { ok: count('ok'), empty: count('empty'), failed: count('failed'), problems: checks.filter((c) => c.status !== 'ok') };
}

/** Human lines for a run report. */
export function checkLines(checks: DataCheck[]): string[] {
  if (checks.length === 0) return [];
  const { ok, empty, failed } = checksSummary(checks);
  const lines = [`  data checks: ${ok} ok, ${empty} empty, ${failed} failed`];
  for (const c of checks.filter((x) => x.status !== 'ok')) {
    const what = `${c.kind} "${c.name}"${c.visualization ? `, visualization "${c.visualization}"` : ''}${c.query ? `, search ${c.query}` : ''}`;
    lines.push(`  ${c.status === 'failed' ? 'check failed' : 'warning'}: ${what} (${c.path}): ${c.message ?? ''}`);
  }
  return lines;
}
