export { createGit, type GitAccess, type GitInstanceOptions } from './factory.js';
export { GitRepo, GitError, ensureBareRepo, isTracked, type Identity, type RepoOptions } from './repo.js';
