import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/build-test-app.js';

/**
 * Issue 13: the web app's hashed assets are sent precompressed (the .br/.gz the web build writes) and
 * cached for a year; index.html and the client-side routes that fall back to it are revalidated;
 * large JSON is compressed, small JSON (the hot path) is not.
 */
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head></html>';
const SCRIPT = 'export const answer = () => "forty-two";\n'.repeat(400);

describe('serving the web app', () => {
  const dist = makeTempDir('icmp-web-dist-');
  let t: TestApp;
  beforeAll(async () => {
    mkdirSync(path.join(dist.dir, 'assets'), { recursive: true });
    writeFileSync(path.join(dist.dir, 'index.html'), INDEX);
    const asset = path.join(dist.dir, 'assets', 'index-Ab12Cd34.js');
    writeFileSync(asset, SCRIPT);
    writeFileSync(`${asset}.br`, brotliCompressSync(SCRIPT));
    writeFileSync(`${asset}.gz`, gzipSync(SCRIPT));
    t = await buildTestApp({ WEB_DIST_DIR: dist.dir });
  });
  afterAll(async () => {
    await t.close();
    dist.remove();
  });

  const get = (url: string, acceptEncoding?: string) =>
    t.app.inject({
      method: 'GET',
      url,
      headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
    });

  it('sends a hashed asset as its brotli copy, cached for a year as immutable', async () => {
    const response = await get('/assets/index-Ab12Cd34.js', 'gzip, deflate, br');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String(response.headers.vary)).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(response.rawPayload).toString()).toBe(SCRIPT);
    expect(response.rawPayload.length).toBeLessThan(SCRIPT.length / 4);
  });

  it('falls back to gzip, then to the file itself', async () => {
    const gzipped = await get('/assets/index-Ab12Cd34.js', 'gzip');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(SCRIPT);
    expect(gzipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await get('/assets/index-Ab12Cd34.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
  });

  it('revalidates index.html on every load, at / and at a client-side route', async () => {
    for (const url of ['/', '/index.html', '/conversations/123']) {
      const response = await get(url, 'br, gzip');
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/text\/html/);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      expect(response.body, url).toContain('/assets/index-Ab12Cd34.js');
    }
  });

  it('compresses large JSON (/openapi.json) but not small API responses', async () => {
    const spec = await get('/openapi.json', 'gzip, deflate, br');
    expect(spec.statusCode).toBe(200);
    expect(spec.headers['content-encoding']).toBe('br');
    const document = JSON.parse(brotliDecompressSync(spec.rawPayload).toString());
    expect(document.openapi).toMatch(/^3\./);
    const small = await get('/ping', 'gzip, deflate, br');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.json().response).toBe('pong');
  });
});
