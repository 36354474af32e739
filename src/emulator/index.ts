export { startEmulator, ROUTES, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export { API_PREFIX } from './server.js';
export { parseList, ListSyntaxError } from './lists.js';
export { TSADMIN_ID, SYSTEM_ID, PRIVILEGES } from './principals.js';
