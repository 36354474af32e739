import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor, ThoughtSpotNetworkError } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { testClient } from './fixture.js';

// Real servers on 127.0.0.1 only: a stand-in ThoughtSpot over https and http, and a proxy that counts.
useHttpMock({ allowLoopback: true });

/**
 * Clients behind the proxy address ThoughtSpot at a port where nothing
 * listens; only the proxy knows where it is. A call that succeeds there went
 * through the proxy.
 */
const UNREACHABLE = 'localhost:1';

/** A self-signed certificate for localhost and 127.0.0.1, valid for a hundred years; test use only. */
const CA_FILE = new URL('./fixtures/localhost-cert.pem', import.meta.url).pathname;
const KEY_FILE = new URL('./fixtures/localhost-key.pem', import.meta.url).pathname;

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** Answers login with a session cookie and user/list with an empty list for that session. */
function thoughtSpot(seen: Seen[]): http.RequestListener {
  return (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    if (req.url?.endsWith('/session/login')) {
      res.writeHead(204, { 'set-cookie': 'JSESSIONID=local-1; Path=/; HttpOnly' }).end();
    } else if (req.headers.cookie === 'JSESSIONID=local-1') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    } else {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":10002}');
    }
  };
}

const servers: (http.Server | https.Server)[] = [];
/** Tunnels leave their server's books: they are closed by hand. */
const tunnels = new Set<net.Socket>();
const tsSeen: Seen[] = [];
const proxySeen: Seen[] = [];
let httpsPort = 0;
let httpPort = 0;
let proxyUrl = '';
let refusingProxyUrl = '';

function listen(server: http.Server | https.Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

beforeAll(async () => {
  httpsPort = await listen(https.createServer({ cert: readFileSync(CA_FILE), key: readFileSync(KEY_FILE) }, thoughtSpot(tsSeen)));
  httpPort = await listen(http.createServer(thoughtSpot(tsSeen)));

  const proxy = http.createServer((req, res) => {
    // Forward proxying: the request target is the absolute URL.
    proxySeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const target = new URL(req.url ?? '');
    const upstream = http.request({ host: '127.0.0.1', port: httpPort, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    proxySeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    tunnels.add(socket);
    const upstream = net.connect(httpsPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;

  const refusing = http.createServer();
  refusing.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
    tunnels.add(socket);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  refusingProxyUrl = `http://127.0.0.1:${await listen(refusing)}`;
});

afterAll(async () => {
  for (const socket of tunnels) socket.destroy();
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

function reset(): void {
  tsSeen.length = 0;
  proxySeen.length = 0;
}

describe('ThoughtSpot TLS and proxies', () => {
  it('trusts the certificate authorities of caFile', async () => {
    reset();
    expect(await testClient({ url: `https://localhost:${httpsPort}`, caFile: CA_FILE }).listUsers()).toEqual([]);
    expect(tsSeen.map((s) => s.url)).toEqual(['/callosum/v1/tspublic/v1/session/login', '/callosum/v1/tspublic/v1/user/list']);
  });

  it('fails with a typed network error on a certificate it does not trust', async () => {
    const error = await testClient({ url: `https://localhost:${httpsPort}`, retry: { attempts: 1 } }).listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotNetworkError);
    expect(error).toMatchObject({ endpoint: 'session/login', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, verifying ThoughtSpot’s certificate end to end', async () => {
    reset();
    const client = testClient({ url: `https://${UNREACHABLE}`, caFile: CA_FILE, env: { HTTPS_PROXY: proxyUrl } });
    expect(await client.listUsers()).toEqual([]);
    expect(proxySeen.map((s) => `${s.method} ${s.url}`)).toEqual([`CONNECT ${UNREACHABLE}`, `CONNECT ${UNREACHABLE}`]);
    expect(tsSeen.map((s) => s.url)).toEqual(['/callosum/v1/tspublic/v1/session/login', '/callosum/v1/tspublic/v1/user/list']);
    expect(tsSeen[1]?.headers).toMatchObject({ 'x-requested-by': 'ThoughtSpot', host: UNREACHABLE, cookie: 'JSESSIONID=local-1' });
  });

  it('closes each tunnel with its request, leaving nothing open', async () => {
    reset();
    tunnels.clear();
    await testClient({ url: `https://${UNREACHABLE}`, caFile: CA_FILE, env: { HTTPS_PROXY: proxyUrl } }).listUsers();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...tunnels].map((socket) => socket.destroyed)).toEqual([true, true, true, true]);
  });

  it('forwards http through http_proxy with the absolute URL and proxy credentials', async () => {
    reset();
    const proxyWithUser = proxyUrl.replace('http://', 'http://ops:pr0xy-pass@');
    expect(await testClient({ url: `http://${UNREACHABLE}`, env: { http_proxy: proxyWithUser } }).listUsers()).toEqual([]);
    expect(proxySeen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST http://${UNREACHABLE}/callosum/v1/tspublic/v1/session/login`,
      `GET http://${UNREACHABLE}/callosum/v1/tspublic/v1/user/list`,
    ]);
    expect(proxySeen[0]?.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('ops:pr0xy-pass').toString('base64')}`);
    expect(tsSeen).toHaveLength(2);
  });

  it('goes direct to hosts in NO_PROXY; localhost and 127.0.0.1 stand for each other', async () => {
    reset();
    const client = testClient({ url: `https://localhost:${httpsPort}`, caFile: CA_FILE, env: { HTTPS_PROXY: proxyUrl, NO_PROXY: 'example.com, 127.0.0.1' } });
    expect(await client.listUsers()).toEqual([]);
    expect(proxySeen).toHaveLength(0);
    expect(tsSeen).toHaveLength(2);
  });

  it('reports a proxy that refuses the tunnel as a network error before anything was sent', async () => {
    const client = testClient({ url: `https://${UNREACHABLE}`, caFile: CA_FILE, env: { HTTPS_PROXY: refusingProxyUrl }, retry: { attempts: 1 } });
    const error = await client.listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotNetworkError);
    expect(error).toMatchObject({ code: 'ERR_PROXY_CONNECT', sent: false });
    expect((error as Error).message).toContain(`refused CONNECT to ${UNREACHABLE}`);
    expect((error as Error).message).toContain('403 Forbidden');
  });
});

describe('proxy environment variables', () => {
  const https443 = new URL('https://ts.example.com/');

  it('takes https_proxy for https and http_proxy for http, lower case first', () => {
    expect(proxyFor(https443, { https_proxy: 'http://low:3128', HTTPS_PROXY: 'http://up:3128' })?.host).toBe('low:3128');
    expect(proxyFor(https443, { HTTPS_PROXY: 'proxy.corp:8080' })?.href).toBe('http://proxy.corp:8080/');
    expect(proxyFor(https443, { HTTP_PROXY: 'http://p:1' })).toBeUndefined();
    expect(proxyFor(new URL('http://ts.example.com/'), { HTTP_PROXY: 'http://p:1' })?.host).toBe('p:1');
    expect(proxyFor(https443, {})).toBeUndefined();
    expect(() => proxyFor(https443, { HTTPS_PROXY: 'socks5://p:1' })).toThrow(/only http:\/\/ proxies/);
  });

  it('reads NO_PROXY like curl: names and their subdomains, ports, wildcards, loopback', () => {
    const url = (text: string) => new URL(text);
    expect(bypassesProxy(https443, 'example.com')).toBe(true);
    expect(bypassesProxy(https443, '.example.com')).toBe(true);
    expect(bypassesProxy(https443, '*.example.com')).toBe(true);
    expect(bypassesProxy(https443, 'ample.com')).toBe(false);
    expect(bypassesProxy(https443, 'ts.example.com:443')).toBe(true);
    expect(bypassesProxy(https443, 'ts.example.com:8443')).toBe(false);
    expect(bypassesProxy(https443, 'other.org *')).toBe(true);
    expect(bypassesProxy(https443, '')).toBe(false);
    expect(bypassesProxy(url('http://127.0.0.1:8080/'), 'localhost')).toBe(true);
    expect(bypassesProxy(url('http://localhost:8080/'), '127.0.0.1')).toBe(true);
    expect(bypassesProxy(url('http://[::1]:8080/'), '[::1]:8080')).toBe(true);
    expect(bypassesProxy(url('http://localhost/'), 'example.com')).toBe(false);
    expect(proxyFor(https443, { HTTPS_PROXY: 'http://p:1', no_proxy: 'EXAMPLE.com' })).toBeUndefined();
  });
});
