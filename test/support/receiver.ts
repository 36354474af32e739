import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message a receiver got: the path it was posted to and its JSON body. */
export interface Received {
  path: string;
  body: Record<string, unknown>;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that keeps every JSON body posted to it and answers `status`. */
export async function startReceiver(status = 200): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: a port taken and released. */
export async function downUrl(): Promise<string> {
  const gone = await startReceiver();
  await gone.close();
  return gone.url;
}
