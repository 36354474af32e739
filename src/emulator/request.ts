import type { IncomingMessage } from 'node:http';
import { CODE, V1Error } from './errors.js';
import { Params } from './params.js';

/** v1 routes: form, multipart or query; v2 routes: json. */
export type BodyEncoding = 'form' | 'multipart' | 'query' | 'json';

/** Too large: the real server's limit is not published; ours is a knob (`maxBodyBytes`). */
export class BodyTooLargeError extends V1Error {
  constructor(limit: number) {
    super(413, CODE.invalidParameter, `Request body exceeds ${limit} bytes`);
  }
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Merges the query string with the body's fields. Form endpoints take
 * urlencoded or multipart bodies; multipart endpoints (`user/sync`,
 * `group/addprivilege`) answer 415 to anything else, as documented.
 * Query-only POSTs need no content type, and a JSON content type with an
 * empty body (the docs' curl for `transfer/ownership`) is accepted.
 * Multipart fields may arrive as file parts (Python `requests` with
 * `files=`): their content is read as the value.
 */
export async function readParams(req: IncomingMessage, url: URL, body: Buffer, encoding: BodyEncoding): Promise<Params> {
  const entries: [string, string][] = [...url.searchParams.entries()];
  const type = mediaType(req);
  if (encoding === 'multipart' && type !== 'multipart/form-data') {
    throw new V1Error(415, CODE.invalidParameter, `Unsupported media type '${type || 'none'}': multipart/form-data expected`);
  }
  if (type === 'application/x-www-form-urlencoded') {
    entries.push(...new URLSearchParams(body.toString('utf8')).entries());
  } else if (type === 'multipart/form-data') {
    entries.push(...(await readMultipart(req, body)));
  } else if (body.length > 0 && encoding !== 'query') {
    throw new V1Error(415, CODE.invalidParameter, `Unsupported media type '${type || 'none'}': application/x-www-form-urlencoded expected`);
  }
  return new Params(entries);
}

async function readMultipart(req: IncomingMessage, body: Buffer): Promise<[string, string][]> {
  let form: FormData;
  try {
    // undici's Request parses multipart/form-data: no parser of our own.
    form = await new Request('http://emulator.invalid/', {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body,
    }).formData();
  } catch {
    throw new V1Error(400, CODE.invalidParameter, 'Malformed multipart/form-data body');
  }
  const entries: [string, string][] = [];
  for (const [name, value] of form.entries()) {
    entries.push([name, typeof value === 'string' ? value : await value.text()]);
  }
  return entries;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return cookies;
}
