export { createGit, type GitAccess } from './factory.js';
export { GitRepo, GitError, type Identity, type RepoOptions } from './repo.js';
