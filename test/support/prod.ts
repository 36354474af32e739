import type { ThoughtSpotClient, ThoughtSpotV2Client } from '../../src/thoughtspot/index.js';

/**
 * Prod as the e2e files stage it: empty but for a connection of its own, which the demo's
 * "Retail Warehouse" maps to (with its database and schema: `PROD_MAPPINGS`), as an administrator
 * leaves an environment before its first deploy.
 */
export const PROD_CONNECTION = 'connection:\n  name: Retail Warehouse PROD\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n';

/** An environment's `mappings:` of the demo's connection, database and schema to prod's, indented for its block in a configuration. */
export const PROD_MAPPINGS = '    mappings:\n      connections: { "Retail Warehouse": "Retail Warehouse PROD" }\n      databases: { RETAIL: RETAIL_PROD }\n      schemas: { PUBLIC: ANALYTICS }\n';

/** Imports prod's connection (and `extra` documents) through `client`, into the instance or Org it signs in to. */
export async function addProdConnection(client: ThoughtSpotClient | ThoughtSpotV2Client, extra: string[] = []): Promise<void> {
  await client.importTml([PROD_CONNECTION, ...extra], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
}
