import { InvalidInputError } from './input-error.js';

/**
 * Why a server cannot listen, naming the setting that chose its address (`server.port` for the
 * daemon, `--port` for the emulator): a port in use, one not allowed, or an address this machine
 * does not have is the user's to change (exit 2). Node's own `listen EADDRINUSE: address already
 * in use 127.0.0.1:4101` named neither (a fresh-user trial). Anything else is returned as it is.
 */
export function listenError(error: Error, address: { host: string; port: number }, setting: string): Error {
  const where = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new InvalidInputError(`cannot listen on ${where} (${setting}): the port is in use, by another tmlsync or another program; choose another port or stop it`);
    case 'EACCES':
      return new InvalidInputError(`cannot listen on ${where} (${setting}): not allowed (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
      return new InvalidInputError(`cannot listen on ${where} (${setting}): this machine has no such address`);
    default:
      return error;
  }
}
