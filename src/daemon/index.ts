export { Daemon } from './daemon.js';
export { clientFor, repoFor, thoughtspotPort, remoteUrl, type Services } from './compose.js';
