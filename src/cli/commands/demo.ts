import { resolve } from 'node:path';
import { configFrom, remoteUrl, untilSignal } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { ensureBareRepo } from '../../git/index.js';
import { detailLogger } from '../../log/index.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

/**
 * `tmlsync demo` (`npm start`): the emulator with the demo seed, a local bare
 * remote, and the daemon against both, as `config/default.yaml` describes.
 * State stays under `.demo/`, so a second start resumes where it stopped.
 */
export async function demoCommand(options: { config?: string; dataDir: string }, _args: string[], context: CommandContext): Promise<ExitCode> {
  const services = commandServices(context);
  const config = await configFrom(options.config, services);
  const environment = config.environments[0]!;
  const target = new URL(environment.url);
  if (!['127.0.0.1', 'localhost'].includes(target.hostname)) throw new InvalidInputError(`tmlsync demo runs its emulator on this machine; ${environment.name}.url must be on 127.0.0.1 (is ${environment.url})`);
  const remote = remoteUrl(config.repository.url);
  if (!remote.startsWith('/')) throw new InvalidInputError(`tmlsync demo keeps its remote on disk; repository.url must be a local path (is ${config.repository.url})`);
  const created = await ensureBareRepo(remote);
  // The service itself (this command and `daemon` start it, and import nothing else of the daemon:
  // eslint.config.js) and the emulator, loaded here, not by every command (program.ts).
  const [{ Daemon }, { startEmulator }] = await Promise.all([import('../../daemon/index.js'), import('../../emulator/index.js')]);

  const emulator = await startEmulator({
    host: target.hostname, port: Number(target.port || 80), dataDir: resolve(options.dataDir), seed: 'demo', addressSetting: `environments.${environment.name}.url`,
    ...(environment.password ? { adminPassword: environment.password } : {}),
    // Its request log is for --log-level debug: at a terminal, npm start shows runs, not requests.
    logger: detailLogger(context.log.child({ component: 'emulator' })),
  }).catch((error: unknown) => {
    throw new InvalidInputError(`cannot start the emulator on ${environment.url}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const daemon = new Daemon(config, services);
  const http = await daemon.start();
  context.io.stdout.write(
    [
      `tmlsync demo is running.`,
      `  ThoughtSpot emulator: ${emulator.url} (tsadmin / admin)`,
      `  git remote:           ${remote}${created ? ' (new)' : ''}, branch ${environment.branch}`,
      `  status page:          ${http.url}/  (JSON for scripts: ${http.url}/status)`,
      `Try next (in another terminal):`,
      `  git clone -b ${environment.branch} ${remote} tml && ls tml/tml/*`,
      `  git -C tml log --format='%an: %s'`,
      ...(environment.direction === 'sync'
        ? [
            `  edit a file under tml/tml/, then: git -C tml commit -am 'my edit' && git -C tml push`,
            `      → imported into the emulator within seconds (the status page shows the run)`,
            `  npm run demo:edit -- "Changed in ThoughtSpot"`,
            `      → an edit through the ThoughtSpot API; git -C tml pull shows it as a commit`,
          ]
        : [`  curl -s ${http.url}/status`]),
      `Stop with Ctrl-C; run again to resume.`,
      '',
    ].join('\n'),
  );
  await untilSignal();
  await daemon.stop();
  await emulator.close();
  return 0;
}
