/**
 * The emulator's cost of paging through one listing, per page, in CPU time
 * (issue 16): `node --import tsx scripts/bench-listing.mts [objects]`
 * (default 100,000). It seeds an in-process emulator without latency, lists
 * every logical table (5 of the 7 generated kinds) by name in pages of 500 over
 * v1 and v2, and prints the process's CPU per page, first page apart (it
 * builds the sorted listing; the others slice it). A report, not a test.
 */
import { API_PREFIX, API_V2_PREFIX, startEmulator } from '../src/emulator/index.js';

const objects = Number(process.argv[2] ?? 100_000);
const PAGE = 500;
const emulator = await startEmulator({ seed: 'none', seedScale: Math.ceil(objects / 7) });

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, emulator.url), { method: 'POST', headers: { 'X-Requested-By': 'ThoughtSpot', Accept: 'application/json', ...headers }, body: body as string });
}

const login = await post(`${API_PREFIX}session/login`, new URLSearchParams({ username: 'tsadmin', password: 'admin' }), { 'content-type': 'application/x-www-form-urlencoded' });
const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const token = ((await (await post(`${API_V2_PREFIX}auth/token/full`, JSON.stringify({ username: 'tsadmin', password: 'admin' }), { 'content-type': 'application/json' })).json()) as { token: string }).token;

/** One page of logical tables by name: the number of headers it answered. */
async function page(api: 'v1' | 'v2', offset: number): Promise<number> {
  if (api === 'v2') {
    const body = JSON.stringify({ metadata: [{ type: 'LOGICAL_TABLE' }], sort_options: { field_name: 'NAME' }, record_offset: offset, record_size: PAGE });
    return ((await (await post(`${API_V2_PREFIX}metadata/search`, body, { 'content-type': 'application/json', authorization: `Bearer ${token}` })).json()) as unknown[]).length;
  }
  const url = new URL(`${API_PREFIX}metadata/listobjectheaders`, emulator.url);
  for (const [k, v] of Object.entries({ type: 'LOGICAL_TABLE', sort: 'NAME', offset: String(offset), batchsize: String(PAGE) })) url.searchParams.set(k, v);
  return ((await (await fetch(url, { headers: { 'X-Requested-By': 'ThoughtSpot', Accept: 'application/json', cookie } })).json()) as unknown[]).length;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

for (const api of ['v1', 'v2'] as const) {
  let first = 0;
  let rest = 0;
  let pages = 0;
  for (let offset = 0; ; offset += PAGE) {
    const start = process.cpuUsage();
    const answered = await page(api, offset);
    if (offset === 0) first = cpuMs(start);
    else rest += cpuMs(start);
    pages += 1;
    if (answered < PAGE) break;
  }
  console.log(`${api}: ${emulator.state.objects.size} objects, ${pages} pages of ${PAGE}: first page ${first.toFixed(0)} ms CPU, the others ${(rest / Math.max(1, pages - 1)).toFixed(1)} ms each (${(first + rest).toFixed(0)} ms in all)`);
}
await emulator.close();
