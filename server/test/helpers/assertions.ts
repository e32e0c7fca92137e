import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** Asserts the api.md error envelope `{error: {code, message, details?}}` with this status and code. */
export function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(
    { status: response.statusCode, body: response.body.slice(0, 500) },
    `expected ${status} ${code}`,
  ).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/application\/json/);
  const body = response.json() as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error?.code).toBe(code);
  expect(typeof body.error?.message).toBe('string');
  expect(String(body.error?.message ?? '').length).toBeGreaterThan(0);
  for (const key of Object.keys(body.error ?? {})) expect(['code', 'message', 'details']).toContain(key);
  if (body.error?.details !== undefined) expect(typeof body.error.details).toBe('object');
  return body.error as { code: string; message: string; details?: Record<string, unknown> };
}

/** The `details.field_errors` of a 400 VALIDATION_ERROR. */
export function expectFieldErrors(response: LightMyRequestResponse, fields: string[]) {
  const error = expectError(response, 400, 'VALIDATION_ERROR');
  const fieldErrors = (error.details?.field_errors ?? {}) as Record<string, string>;
  for (const field of fields) expect(Object.keys(fieldErrors), `field_errors has ${field}`).toContain(field);
  return fieldErrors;
}

/** Parses every Set-Cookie header into `{name, value, attributes}` (attribute names lower-cased). */
export function parseSetCookies(response: LightMyRequestResponse) {
  const raw = response.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return lines.map((line) => {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const index = pair.indexOf('=');
    const attrs: Record<string, string | true> = {};
    for (const attribute of attributes) {
      const eq = attribute.indexOf('=');
      if (eq === -1) attrs[attribute.toLowerCase()] = true;
      else attrs[attribute.slice(0, eq).toLowerCase()] = attribute.slice(eq + 1);
    }
    return {
      name: pair.slice(0, index),
      value: decodeURIComponent(pair.slice(index + 1)),
      attributes: attrs,
    };
  });
}
