import { statSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { expectError } from '../helpers/assertions.js';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';

/** Issue 12 finding 6, the smaller items. */
let t: TestApp;
let baseUrl: string;
let port: number;
beforeAll(async () => {
  t = await buildTestApp();
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(baseUrl).port);
});
afterAll(async () => t.close());

/**
 * One raw HTTP/1.1 exchange: what Node's parser answers before Fastify sees the request. `keepOpen`
 * writes without half-closing (a client's FIN makes Node abort a request still being answered), so
 * the server's own close ends the exchange.
 */
function rawRequest(text: string, keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => (keepOpen ? socket.write(text) : socket.end(text)));
    socket.setTimeout(60_000, () => socket.destroy(new Error('no close from the server within 60 s')));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('errors before routing', () => {
  it('431 for headers that are too large, in the JSON envelope', async () => {
    const answer = await rawRequest(`GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(bodyOf(answer)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request headers are too large' },
    });
  });

  it('400 for a malformed header line, in the JSON envelope', async () => {
    const answer = await rawRequest('GET /ping HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(answer).error.code).toBe('VALIDATION_ERROR');
  });

  it('answers once: bytes after a request that was already answered with Connection: close get no second response', async () => {
    // Found by the OpenAPI fuzzer: a DELETE body sent without Content-Length is the start of a next,
    // malformed request; the parser error must not write a second response after the first one.
    const answer = await rawRequest(
      'DELETE /api/x/%ZZ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n0',
      true,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('answers a request followed by unframed bytes once, with its own answer', async () => {
    const answer = await rawRequest('GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n{}', true);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('accepts the bearer scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: `${scheme} ${t.masterKey}` },
      });
      expect(response.statusCode, scheme).toBe(200);
    }
  });

  it('refuses a master key under 32 characters at start', () => {
    expect(() => loadConfig({ ICMP_API_KEY: 'x'.repeat(31) })).toThrow(/ICMP_API_KEY/);
    expect(loadConfig({ ICMP_API_KEY: 'x'.repeat(32) }).masterKey).toHaveLength(32);
  });
});

describe('a rename conflict', () => {
  it('tells a tenant the name is not available without naming or identifying the other business', async () => {
    const mine = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const typed = other.business_name.toUpperCase();
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/businesses/${mine.business_id}`,
      headers: bearer(mine.api_key),
      payload: { business_name: typed },
    });
    const error = expectError(response, 409, 'CONFLICT');
    expect(response.body).not.toContain(other.business_name);
    expect(response.body.toLowerCase()).not.toContain(other.business_name.toLowerCase());
    expect(response.body).not.toContain(other.business_id);
    expect(error.details).toEqual({ field_errors: { business_name: 'is not available' } });
  });
});

describe('SSE replies', () => {
  it('carry the rate-limit headers like any other reply', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const response = await fetch(`${baseUrl}/api/message`, {
      method: 'POST',
      headers: {
        ...bearer(business.api_key),
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ content: 'hello' }),
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(response.headers.get('x-ratelimit-limit')).toBeTruthy();
    expect(response.headers.get('x-ratelimit-remaining')).toBeTruthy();
    expect(await response.text()).toContain('event: done');
  });
});

describe('PGlite data directory', () => {
  it('is created readable by its owner only (0700)', async () => {
    const temp = makeTempDir('icmp-mode-');
    try {
      const dataDir = path.join(temp.dir, 'data');
      const database = await openDatabase({ databaseUrl: undefined, dataDir, poolSize: 1 });
      await database.close();
      expect(statSync(path.join(dataDir, 'pglite')).mode & 0o777).toBe(0o700);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      temp.remove();
    }
    // Opening PGlite took over the default 120 s on a 2-core machine at load 20+ (issue 12 finding 7).
  }, 400_000);
});
