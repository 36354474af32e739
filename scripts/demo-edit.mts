/**
 * `npm run demo:edit -- "text"`: changes the description of the demo's
 * "Retail Sales" model through the ThoughtSpot API of the running `npm start`,
 * as a person editing it in ThoughtSpot would; the daemon's next sync commits it.
 */
import { ThoughtSpotClient } from '../src/thoughtspot/index.js';

const url = process.env.TS_DEV_URL ?? 'http://127.0.0.1:4000';
const description = process.argv[2] ?? `Edited in ThoughtSpot at ${new Date().toISOString()}`;
const client = new ThoughtSpotClient({ url, username: 'tsadmin', password: process.env.TS_DEV_PASSWORD ?? 'admin' });
try {
  const [model] = await client.listAllObjectHeaders({ type: 'LOGICAL_TABLE', pattern: 'Retail Sales' });
  if (!model) throw new Error(`no "Retail Sales" in ${url}: is npm start running?`);
  const [exported] = await client.exportTml([model.id], { formatType: 'YAML', exportFqn: true, throwOnError: true });
  if (!exported?.ok) throw new Error('the export of Retail Sales failed');
  const edited = exported.edoc.replace(/^( {2}description: ).*$/m, `$1${JSON.stringify(description)}`);
  await client.importTml([edited], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
  process.stdout.write(`Retail Sales (${model.id}) now says: ${description}\nThe daemon's next sync commits it to the remote (git log shows it within seconds).\n`);
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await client.logout().catch(() => undefined);
}
