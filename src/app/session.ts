/** Anything that holds a ThoughtSpot session: a client, a connection. */
export interface Session {
  logout(): Promise<void>;
}

/**
 * Ends a session. A failed logout is not the run's failure: the run's own
 * outcome is what the user needs, and an abandoned session expires on its own.
 */
export async function endSession(session: Session): Promise<void> {
  await session.logout().catch(() => undefined);
}

/** Runs `work` in a session and ends the session however the work ends (it returns, it throws). */
export async function withSession<S extends Session, T>(session: S, work: (session: S) => Promise<T>): Promise<T> {
  try {
    return await work(session);
  } finally {
    await endSession(session);
  }
}
