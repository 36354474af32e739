import { describe, expect, it } from 'vitest';
import { exitCodeFor, failureReport, messageFor } from '../../src/cli/outcome.js';
import { ConfigError } from '../../src/config/index.js';
import { InvalidInputError } from '../../src/errors/index.js';
import { DeployGateError } from '../../src/sync/deploy/deploy.js';
import { PrincipalsFileError } from '../../src/sync/deploy/principals.js';
import { PruneRefusedError } from '../../src/sync/deploy/prune.js';
import { SnapshotInputError } from '../../src/sync/snapshot.js';
import { MissingSourceError, UnsafeSourceError } from '../../src/sync/kernel/content.js';
import { GitError } from '../../src/git/index.js';
import { ThoughtSpotApiError, ThoughtSpotNetworkError } from '../../src/thoughtspot/index.js';
import { TmlParseError } from '../../src/tml/index.js';

const apiError = (status: number) => new ThoughtSpotApiError('user/list', { status });

/** The exit code is decided by an error's type (0 ok, 1 failed, 2 invalid input or configuration). */
describe('exitCodeFor', () => {
  it.each([
    ['a bad flag', new InvalidInputError('--env is required')],
    ['a bad configuration', new ConfigError('tmlsync.yaml', [{ path: 'environments.dev.url', message: 'must be an http(s) URL' }])],
    ['a TML file that does not parse', new TmlParseError('invalid YAML', { file: 'a.answer.tml', line: 2, column: 9 })],
    ['a path that does not exist', new MissingSourceError('no-such-folder: no such file or folder')],
    ['a pushed symlink named *.tml', new UnsafeSourceError('tml/answer/a.answer.tml: a symbolic link, not read')],
    ['a change set the deploy gate refused', new DeployGateError([{ severity: 'error', source: 'offline', message: 'a.answer.tml: no such model' }])],
    ['a prune that would delete too much', new PruneRefusedError('12 deletions, at most 10 allowed')],
    ['a principals file with problems', new PrincipalsFileError(['groups[0]: no name'])],
    ['an unknown --changed-since', new SnapshotInputError('--changed-since nope: no such commit in the remote')],
    ['credentials ThoughtSpot rejects', apiError(401)],
  ])('exits 2 for %s', (_what, error) => {
    expect(exitCodeFor(error)).toBe(2);
  });

  it.each([
    ['a server error', apiError(500)],
    ['a refused call other than the login', apiError(403)],
    ['a network failure', new ThoughtSpotNetworkError('user/list', 'socket hang up', { code: 'ECONNRESET', timedOut: false, sent: true })],
    ['a git failure', new GitError('git push failed')],
    ['any other error', new Error('boom')],
    ['something thrown that is not an Error', 'a string'],
  ])('exits 1 for %s', (_what, error) => {
    expect(exitCodeFor(error)).toBe(1);
  });

  it('decides by type, not by name: a name alone gives no exit 2', () => {
    const impostor = Object.assign(new Error('looks like input'), { name: 'InvalidInputError' });
    expect(exitCodeFor(impostor)).toBe(1);
    class Unlisted extends InvalidInputError {
      override readonly name = 'Unlisted';
    }
    expect(exitCodeFor(new Unlisted('a subclass nobody listed'))).toBe(2);
  });

  it('prints the message, or the name of an error without one', () => {
    expect(messageFor(new InvalidInputError('--config is required'))).toBe('--config is required');
    expect(messageFor(new PruneRefusedError())).toBe('PruneRefusedError');
    expect(messageFor(42)).toBe('42');
  });
});

/** What --format json prints for a command that failed before its own report. */
describe('failureReport', () => {
  it('carries the outcome, the exit code, the message and a gate\'s findings', () => {
    const findings = [{ severity: 'error' as const, source: 'offline' as const, file: 'tml/answer/a.answer.tml', message: 'a.answer.tml: no such model' }];
    const gate = new DeployGateError(findings);
    expect(failureReport(gate, messageFor(gate), exitCodeFor(gate))).toEqual({ outcome: 'failed', exitCode: 2, error: gate.message, findings });
    expect(failureReport(new GitError('git push of dev failed: remote rejected', 'push'), 'git push of dev failed: remote rejected', 1)).toEqual({ outcome: 'failed', exitCode: 1, error: 'git push of dev failed: remote rejected' });
  });
});
