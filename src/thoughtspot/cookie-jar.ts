import type { PromiseCookieJar } from 'got';

interface StoredCookie {
  value: string;
  secure: boolean;
  expiresAt: number;
}

/**
 * The session cookies of one ThoughtSpot host (`JSESSIONID`, `clientId`,
 * reference §1.4), in got's `PromiseCookieJar` shape. One client talks to one
 * host, so domains and paths do not matter; expiry and `Secure` do.
 */
export class SessionCookieJar implements PromiseCookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  /** `onCookie` sees every value set, to register it as a secret. */
  constructor(private readonly onCookie?: (name: string, value: string) => void) {}

  setCookie(raw: string, _url: string): Promise<void> {
    const [pair = '', ...attributes] = raw.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return Promise.resolve();
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const attribute = new Map(
      attributes.map((text): [string, string] => {
        const at = text.indexOf('=');
        return at < 0 ? [text.trim().toLowerCase(), ''] : [text.slice(0, at).trim().toLowerCase(), text.slice(at + 1).trim()];
      }),
    );
    const maxAge = attribute.get('max-age');
    const expires = attribute.get('expires');
    const expiresAt =
      maxAge !== undefined && /^-?\d+$/.test(maxAge)
        ? Date.now() + Number(maxAge) * 1000
        : expires !== undefined && !Number.isNaN(Date.parse(expires))
          ? Date.parse(expires)
          : Number.POSITIVE_INFINITY;
    if (value === '' || expiresAt <= Date.now()) {
      this.#cookies.delete(name);
    } else {
      this.#cookies.set(name, { value, secure: attribute.has('secure'), expiresAt });
      this.onCookie?.(name, value);
    }
    return Promise.resolve();
  }

  getCookieString(url: string): Promise<string> {
    const secureChannel = url.startsWith('https:');
    const now = Date.now();
    const pairs: string[] = [];
    for (const [name, cookie] of this.#cookies) {
      if (cookie.expiresAt <= now) this.#cookies.delete(name);
      else if (secureChannel || !cookie.secure) pairs.push(`${name}=${cookie.value}`);
    }
    return Promise.resolve(pairs.join('; '));
  }

  /** The cookies held now, to send from elsewhere (the logout of a session a renewal replaced). */
  snapshot(): [string, StoredCookie][] {
    return [...this.#cookies].map(([name, cookie]) => [name, { ...cookie }]);
  }

  restore(cookies: readonly [string, StoredCookie][]): void {
    for (const [name, cookie] of cookies) this.#cookies.set(name, { ...cookie });
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  clear(): void {
    this.#cookies.clear();
  }
}
