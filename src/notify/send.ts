import { got, RequestError } from 'got';

/**
 * A webhook answers at once or not at all: a run's end waits for its messages
 * no longer than this (Slack answers in well under a second).
 */
const SEND_TIMEOUT_MS = 5_000;

/**
 * Posts one message as JSON. No retry: a message is not worth a storm of
 * requests at a receiver that is down, and a failure is logged by the caller.
 * Redirects are not followed: a webhook that moved is a configuration to fix.
 */
export async function postMessage(url: string, body: unknown): Promise<void> {
  await got.post(url, { json: body, timeout: { request: SEND_TIMEOUT_MS }, retry: { limit: 0 }, followRedirect: false });
}

/**
 * Why a message was not sent, in words that never hold the webhook's URL (its
 * path is the secret of a Slack webhook): the HTTP status, else the error code.
 */
export function failureReason(error: unknown): string {
  if (error instanceof RequestError) {
    const status = error.response?.statusCode;
    return status ? `the webhook answered HTTP ${status}` : `the webhook could not be reached (${error.code})`;
  }
  return 'the message could not be sent';
}
