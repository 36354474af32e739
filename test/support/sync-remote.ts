/** Folded into git-server.ts, where every remote is quiet now: re-exported for the files that import it from here. */
export { createQuietRemote } from './git-server.js';
