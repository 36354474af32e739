import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import type { RequestFunction } from 'got';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/**
 * The proxy for a URL from the usual environment variables: `https_proxy`
 * for https URLs, `http_proxy` for http ones, the lower-case name before the
 * upper-case one (as curl), and `no_proxy` / `NO_PROXY` to bypass. Only
 * `http://` proxies are spoken (https targets go through a CONNECT tunnel).
 */
export function proxyFor(target: URL, env: ProxyEnv = process.env): URL | undefined {
  const variable = (name: string): string | undefined => env[name] || env[name.toUpperCase()] || undefined;
  const raw = variable(target.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (!raw || bypassesProxy(target, variable('no_proxy') ?? '')) return undefined;
  const proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
  if (proxy.protocol !== 'http:') throw new TypeError(`Unsupported proxy ${proxy.protocol}//${proxy.host}: only http:// proxies are supported`);
  return proxy;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `NO_PROXY` as curl reads it: comma- or space-separated host names, each
 * matching itself and its subdomains (a leading `.` or `*.` is ignored), an
 * optional `:port`, `*` for everything. No CIDR ranges. `localhost`,
 * `127.0.0.1` and `::1` stand for each other: whoever lists one means "not
 * through the proxy for this machine".
 */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .some((entry) => {
      if (entry === '*') return true;
      const [name, entryPort] = splitHostPort(entry.toLowerCase());
      if (entryPort !== undefined && entryPort !== port) return false;
      const pattern = name.replace(/^\*?\./, '');
      if (isLoopback(pattern) && isLoopback(host)) return true;
      return host === pattern || host.endsWith(`.${pattern}`);
    });
}

function splitHostPort(entry: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return [bracketed[1]!, bracketed[2]];
  const hostPort = /^([^:]+):(\d+)$/.exec(entry);
  return hostPort ? [hostPort[1]!, hostPort[2]] : [entry, undefined];
}

function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

class ProxyConnectError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Opens a CONNECT tunnel (RFC 9110 §9.3.6) through the proxy to host:port.
 * Written on a bare socket rather than with `http.request`, so nothing else
 * (an agent, an HTTP interceptor) sits between the proxy and us.
 */
function openTunnel(proxy: URL, authority: string, authorization: string | undefined, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port || 80) });
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new ProxyConnectError(`No CONNECT answer from proxy ${proxy.host} within ${timeoutMs} ms`, 'ERR_PROXY_TIMEOUT')));
    socket.once('error', fail);
    socket.once('connect', () => {
      const auth = authorization ? `Proxy-Authorization: ${authorization}\r\n` : '';
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
    });
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) fail(new ProxyConnectError(`Proxy ${proxy.host} sent an oversized CONNECT answer`, 'ERR_PROXY_CONNECT'));
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.[01] 200\b/.test(statusLine)) {
        fail(new ProxyConnectError(`Proxy ${proxy.host} refused CONNECT to ${authority}: ${statusLine}`, 'ERR_PROXY_CONNECT'));
        return;
      }
      socket.off('error', fail);
      socket.setTimeout(0);
      if (end + 4 < head.length) socket.unshift(head.subarray(end + 4));
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

/**
 * got's `request` function for calls through an HTTP proxy.
 * - https: a CONNECT tunnel, with TLS end to end over it (the custom CA
 *   applies to ThoughtSpot's certificate, not the proxy). The tunnel is given
 *   as `socket`, a `tls.connect()` option that `https.request` passes on
 *   (Node docs: https.request accepts tls.connect options), to a one-off
 *   agent: one tunnel per request, closed with it (`Connection: close`).
 * - http: forwarded with the absolute URL as request target (RFC 9112
 *   §3.2.2). The path is set after the request is created, as
 *   `http-proxy-agent` does: Node writes the request line only when the body
 *   starts, and interceptors that rebuild a URL from the creation options
 *   (nock in tests) keep working.
 */
export function proxyRequest(proxy: URL, connectTimeoutMs: number): RequestFunction {
  const authorization = proxyAuthorization(proxy);
  return async (url, options, callback) => {
    if (url.protocol === 'http:') {
      const headers = { ...options.headers, host: url.host, ...(authorization ? { 'proxy-authorization': authorization } : {}) };
      const request = http.request(
        { ...options, host: proxy.hostname, hostname: proxy.hostname, port: proxy.port || 80, path: `${url.pathname}${url.search}`, headers },
        callback,
      );
      request.path = url.href;
      return request;
    }
    const socket = await openTunnel(proxy, `${url.hostname}:${url.port || '443'}`, authorization, connectTimeoutMs);
    const tunnelled: https.RequestOptions & Pick<tls.ConnectionOptions, 'socket'> = { ...options, agent: false, socket };
    return https.request(url, tunnelled, callback);
  };
}
