import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('the committed OpenAPI document (web client types are generated from it)', () => {
  it('matches what the server serves; run `npm run openapi --workspace server` after changing a route', async () => {
    const committed = JSON.parse(
      readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../openapi.json'), 'utf8'),
    );
    const served = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(served).toEqual(committed);
  });
});
