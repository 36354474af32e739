export { createGit, type GitAccess, type GitInstanceOptions } from './factory.js';
export { CommitStream, GitRepo, GitError, ensureBareRepo, isTracked, type Identity, type RepoOptions } from './repo.js';
export { GitLeases, leaseHolder, type HeldLease, type LeaseOptions, type LeaseRecord, type RemoteLease, type TakeResult } from './lease.js';
export { probeRead, probeWrite, type ProbeResult } from './probe.js';
