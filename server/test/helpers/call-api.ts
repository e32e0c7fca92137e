import type { App } from '../../src/app.js';
import { bearer } from './factories.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are probed freely in assertions
export type Json = Record<string, any>;

/** One authenticated request through the real app, answering `{status, body}`. */
export async function callApi(app: App, method: string, url: string, key: string, payload?: unknown) {
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers: bearer(key),
    ...(payload === undefined ? {} : { payload: payload as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : null) as Json };
}
