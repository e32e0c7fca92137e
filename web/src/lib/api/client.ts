import createClient from 'openapi-fetch';
import { ApiError, networkError, toApiError } from './errors';
import type { paths } from './schema';

/**
 * The typed client. Types come from `schema.d.ts`, generated from the server's OpenAPI document
 * (`npm run gen:api`). Credentials travel only in the HttpOnly `businessApiKey` cookie, so every
 * call is same-origin with cookies and no Authorization header is ever built in the browser.
 */
export const apiClient = createClient<paths>({
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
  credentials: 'same-origin',
  // Resolve fetch at call time (tests install their fake after this module loads).
  fetch: (request: Request) => globalThis.fetch(request),
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError built from the envelope.
 * The data type is inferred from the call (the success response in `schema.d.ts`): never pass one.
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw networkError(cause);
  }
  const { response } = result;
  if (!response.ok) throw toApiError(response.status, result.error, response.headers.get('Retry-After'));
  return result.data as T;
}

/** Removes empty values so filters left blank are not sent as `?status=`. */
export function compact<T extends Record<string, unknown>>(
  query: T,
): { [K in keyof T]?: Exclude<T[K], '' | null> } {
  const out: { [K in keyof T]?: Exclude<T[K], '' | null> } = {};
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
