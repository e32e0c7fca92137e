import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/assertions.js';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/build-test-app.js';

const SCRIPT = '(function(){console.log("widget")})();\n'.repeat(50);

describe('GET /widget.js', () => {
  const dist = makeTempDir('icmp-widget-dist-');
  let t: TestApp;
  beforeAll(async () => {
    mkdirSync(dist.dir, { recursive: true });
    writeFileSync(path.join(dist.dir, 'widget.js'), SCRIPT);
    t = await buildTestApp({ WIDGET_DIST_DIR: dist.dir });
  });
  afterAll(async () => {
    await t.close();
    dist.remove();
  });

  it('serves the script to any site: JavaScript, cross-origin resource policy, cacheable', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { origin: 'https://shop.example' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
    expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(response.headers['cache-control']).toMatch(/public, max-age=\d+/);
    expect(response.headers.etag).toMatch(/^"[\w-]{22}"$/);
    expect(response.body).toBe(SCRIPT);
  });

  it('answers 304 to a matching If-None-Match, and gzip to a client that accepts it', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/widget.js' });
    const etag = String(first.headers.etag);
    const again = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const stale = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'if-none-match': '"old"' },
    });
    expect(stale.statusCode).toBe(200);
    const gzipped = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'accept-encoding': 'gzip, deflate' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(SCRIPT);
    expect(gzipped.rawPayload.length).toBeLessThan(SCRIPT.length);
    const brotli = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['cache-control']).toMatch(/max-age=300\b/);
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(SCRIPT);
  });

  it('picks up a rebuilt script with a new ETag', async () => {
    const before = String((await t.app.inject({ method: 'GET', url: '/widget.js' })).headers.etag);
    const file = path.join(dist.dir, 'widget.js');
    writeFileSync(file, `${SCRIPT}// v2\n`);
    const { utimesSync } = await import('node:fs');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const after = await t.app.inject({ method: 'GET', url: '/widget.js' });
    expect(after.headers.etag).not.toBe(before);
    expect(after.body).toContain('// v2');
  });
});

describe('GET /widget.js when the widget is not built', () => {
  it('answers 503 with a clear JSON error', async () => {
    const empty = makeTempDir('icmp-widget-none-');
    const t = await buildTestApp({ WIDGET_DIST_DIR: empty.dir });
    try {
      const response = await t.app.inject({ method: 'GET', url: '/widget.js' });
      const error = expectError(response, 503, 'SERVICE_ERROR');
      expect(error.message).toMatch(/npm run build/);
    } finally {
      await t.close();
      empty.remove();
    }
  });
});
