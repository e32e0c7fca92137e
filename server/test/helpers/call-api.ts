import { expect } from 'vitest';
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

/** Binds `callApi` to one app with status assertions: `ok` expects success, `fails` an error body. */
export function apiAsserts(app: () => App) {
  const call = (method: string, url: string, key: string, payload?: unknown) =>
    callApi(app(), method, url, key, payload);
  async function ok(method: string, url: string, key: string, payload?: unknown, status = 200) {
    const res = await call(method, url, key, payload);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body as Json;
  }
  async function fails(method: string, url: string, key: string, payload: unknown, status: number) {
    const res = await call(method, url, key, payload);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect((res.body as Json).error?.code, JSON.stringify(res.body)).toBeTypeOf('string');
    return res.body as Json;
  }
  return { call, ok, fails };
}
