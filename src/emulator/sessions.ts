import { randomBytes, randomUUID } from 'node:crypto';

export interface Session {
  id: string;
  clientId: string;
  userName: string;
  /** The session's current Org: the one it logged into, then whatever `PUT session/orgs` switched it to. */
  orgId: number;
  expiresAt: number;
}

/**
 * Cookie sessions (`JSESSIONID`), kept in memory as a real server loses them
 * on restart. `ttlMs` is the `--session-ttl` knob that makes sessions expire
 * for re-login tests.
 */
export class Sessions {
  readonly #byId = new Map<string, Session>();

  constructor(private readonly ttlMs: number) {}

  create(userName: string, orgId: number): Session {
    const session = { id: randomUUID(), clientId: randomUUID(), userName, orgId, expiresAt: Date.now() + this.ttlMs };
    this.#byId.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#byId.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.#byId.delete(id);
      return undefined;
    }
    session.expiresAt = Date.now() + this.ttlMs;
    return session;
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }

  /** Ends every session of a user (password change). */
  deleteForUser(userName: string): void {
    for (const [id, session] of this.#byId) if (session.userName === userName) this.#byId.delete(id);
  }
}

export interface TrustedToken {
  token: string;
  userName: string;
  accessLevel: 'FULL' | 'REPORT_BOOK_VIEW';
  objectId?: string;
  /** The Org (`orgid`) the token's session logs into; the user's default Org without one. */
  orgId?: number;
  issuedAt: number;
  /** Set when a newer token is issued for the same user. */
  expiresAt?: number;
}

/** An older token dies this long after a newer one is issued (developer-docs `trusted-auth-token-request-service.adoc`). */
export const SUPERSEDED_TOKEN_GRACE_MS = 5 * 60 * 1000;

/**
 * Trusted-authentication tokens: valid until another token is issued for the
 * same user, then for five more minutes.
 */
export class TrustedTokens {
  readonly #byToken = new Map<string, TrustedToken>();

  issue(userName: string, accessLevel: TrustedToken['accessLevel'], objectId: string | undefined, now = Date.now(), orgId?: number): string {
    for (const token of this.#byToken.values()) {
      if (token.userName === userName && token.expiresAt === undefined) token.expiresAt = now + SUPERSEDED_TOKEN_GRACE_MS;
    }
    const token = randomBytes(48).toString('base64url');
    this.#byToken.set(token, { token, userName, accessLevel, issuedAt: now, ...(objectId ? { objectId } : {}), ...(orgId !== undefined ? { orgId } : {}) });
    return token;
  }

  check(userName: string, token: string, now = Date.now()): TrustedToken | undefined {
    const found = this.#byToken.get(token);
    if (!found || found.userName !== userName) return undefined;
    if (found.expiresAt !== undefined && found.expiresAt <= now) {
      this.#byToken.delete(token);
      return undefined;
    }
    return found;
  }
}

export interface BearerToken {
  token: string;
  userName: string;
  /** A token is for one Org (`org_id` of `auth/token/full`). */
  orgId: number;
  createdAt: number;
  expiresAt: number;
}

/**
 * REST API v2 bearer tokens (`auth/token/full`). A token lives for the
 * `validity_time_in_sec` it was issued with, never extended by use (unlike a
 * cookie session), until it expires or is revoked; `capMs` is the
 * `--session-ttl` knob, which shortens every token for expiry tests. Kept in
 * memory: a restart ends them all, as it ends cookie sessions.
 */
export class BearerTokens {
  readonly #byToken = new Map<string, BearerToken>();
  #issued = 0;

  constructor(private readonly capMs?: number) {}

  issue(userName: string, validityMs: number, orgId: number, now = Date.now()): BearerToken {
    if (++this.#issued % 1000 === 0) this.#sweep(now);
    const lifetime = this.capMs === undefined ? validityMs : Math.min(validityMs, this.capMs);
    const token = { token: randomBytes(32).toString('base64url'), userName, orgId, createdAt: now, expiresAt: now + lifetime };
    this.#byToken.set(token.token, token);
    return token;
  }

  get(token: string | undefined, now = Date.now()): BearerToken | undefined {
    if (!token) return undefined;
    const found = this.#byToken.get(token);
    if (!found) return undefined;
    if (found.expiresAt <= now) {
      this.#byToken.delete(token);
      return undefined;
    }
    return found;
  }

  revoke(token: string): void {
    this.#byToken.delete(token);
  }

  /** Ends every token of a user (`auth/token/revoke` with `user_identifier`, a password change). */
  revokeForUser(userName: string): void {
    for (const [token, found] of this.#byToken) if (found.userName === userName) this.#byToken.delete(token);
  }

  /** Drops expired tokens (every 1,000 issued), so that a client asking for a token before every call does not grow the map without bound. */
  #sweep(now: number): void {
    for (const [token, found] of this.#byToken) if (found.expiresAt <= now) this.#byToken.delete(token);
  }
}
