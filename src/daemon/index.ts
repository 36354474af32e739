export { Daemon } from './daemon.js';
export { clientFor, deployEnvironment, repoFor, syncEnvironment, thoughtspotPort, remoteUrl, type Services } from './compose.js';
