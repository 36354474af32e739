/**
 * The application layer: what the CLI and the daemon share and neither owns.
 * Configuration to services, the environments a run acts on and the shape
 * each workflow takes them in, the ThoughtSpot port adapters (v1 and v2, one mapping),
 * the working tree and its remote, sessions that always end, and signals.
 */
export { configFrom } from './config.js';
export { environmentsFor, refuseOneWay, signInName, workflowEnvironment } from './environments.js';
export { remoteUrl, repoFor, repositoryAccess, workTree } from './repository.js';
export { servicesOf, type Host, type Services } from './services.js';
export { endSession, withSession, type Session } from './session.js';
export { untilSignal } from './signals.js';
export { connect, withEnvironment, type Sides, type ThoughtSpotConnection } from './thoughtspot.js';
export { connectionOptions, thoughtspotPort, type PortClient } from './thoughtspot-port.js';
export { clientFor } from './thoughtspot-v1.js';
export { v2ClientFor } from './thoughtspot-v2.js';
