/**
 * The API versions an emulator serves, apart from the emulator itself (emulator.ts), which the CLI
 * loads only to start one: `tmlsync emulator` parses its flags with this before.
 */
import { API_VERSIONS, type ApiVersion } from './context.js';

export class ApiListError extends Error {
  override readonly name = 'ApiListError';
}

/** `--api v1|v2|v1,v2`: the versions to serve, in the order given, each once. */
export function parseApis(text: string): ApiVersion[] {
  const apis = text.split(',').map((part) => part.trim().toLowerCase());
  const bad = apis.find((api) => !(API_VERSIONS as readonly string[]).includes(api));
  if (bad !== undefined || apis.length === 0) throw new ApiListError(`--api must be v1, v2 or v1,v2 (got '${text}')`);
  return [...new Set(apis as ApiVersion[])];
}
