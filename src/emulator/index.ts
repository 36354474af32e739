export { startEmulator, ROUTES, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export { parseApis, ApiListError } from './apis.js';
export { API_PREFIX, API_V2_PREFIX } from './server.js';
export type { ApiVersion } from './context.js';
export { parseList, ListSyntaxError } from './lists.js';
export { TSADMIN_ID, SYSTEM_ID, PRIVILEGES } from './principals.js';
