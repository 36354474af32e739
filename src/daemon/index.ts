export { Daemon } from './daemon.js';
export { clientFor, deployEnvironment, repoFor, thoughtspotPort, remoteUrl, type Services } from './compose.js';
