import type { Endpoint } from './types.js';
import type { V2Endpoint } from './v2/types.js';

/**
 * An endpoint of either API, as errors, logs and metrics name it: its path
 * under that API's base. Apart from both APIs' types, which it joins, so
 * that neither imports the other.
 */
export type ApiEndpoint = Endpoint | V2Endpoint;
