/**
 * Secret scrubbing, by key and by value (the approach of renovate's
 * `lib/util/sanitize.ts`): a value under a secret-looking key is replaced
 * wherever it appears, and every registered secret value is replaced in any
 * text that reaches a log line or a user-facing message.
 */

export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are secrets: passwords, tokens, secret keys, cookies and
 * Authorization headers, in the spellings of ThoughtSpot's API
 * (`secret_key`, `auth_token`, `currentpassword`) and of HTTP.
 */
const SECRET_KEY =
  /pass(word|wd)?$|password|secret|token|cookie|authori[sz]ation|api[-_]?key|private[-_]?key|credential|jsessionid|^auth$/i;

/** Secrets shorter than this are not scrubbed by value: they would mangle ordinary text. */
const MIN_SECRET_LENGTH = 4;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export class Redactor {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Registers a secret value (a password, a token, a cookie) to be scrubbed from all output. */
  add(value: string | undefined | null): void {
    if (!value || value.length < MIN_SECRET_LENGTH || this.#values.has(value)) return;
    this.#values.add(value);
    // Also the forms the value takes inside JSON text and URL encoding.
    this.#values.add(JSON.stringify(value).slice(1, -1));
    this.#values.add(encodeURIComponent(value));
    this.#pattern = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  /** Replaces every registered secret in a text. */
  scrubText(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.#pattern, REDACTED);
  }

  /**
   * Returns a copy of a value with secret-keyed entries replaced and registered
   * secrets scrubbed from strings. Errors become plain objects (message, name,
   * and their own enumerable fields), so nothing escapes through `stack` or a
   * request's options.
   */
  scrubValue(value: unknown, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return this.scrubText(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item, seen));
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out.type = value.name;
      out.message = this.scrubText(value.message);
    }
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isSecretKey(key) && inner !== undefined && inner !== null && inner !== '' ? REDACTED : this.scrubValue(inner, seen);
    }
    return out;
  }
}

/**
 * Whether a URL carries a credential: a password in any scheme, or for http(s) a user name
 * alone (hosts take a token as the user name: `https://<token>@github.com/…`). `ssh://git@host`
 * and scp-like `git@host:repo` name an account, not a secret. Here, below both config/ (which
 * refuses such a URL at load) and git/ (which refuses to store one in .git/config), so that
 * the two share one definition.
 */
export function urlHoldsCredentials(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, username, password } = new URL(url);
  return password !== '' || (/^https?:$/.test(protocol) && username !== '');
}
