import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('smoke', () => {
  it('creates a business', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    expect(business.api_key).toMatch(/^icmp_/);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(business.api_key) });
    expect(me.json()).toMatchObject({ role: 'business', business_id: business.business_id });
  });
});
