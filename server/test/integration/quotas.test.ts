import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi } from '../helpers/call-api.js';
import { bearer, createBusiness } from '../helpers/factories.js';

/** Issue 12 finding 2: per-business quotas on stages and templates, set by the operator. */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ MAX_STAGES_PER_BUSINESS: '2', MAX_TEMPLATES_PER_BUSINESS: '12' });
});
afterAll(async () => t.close());

describe('per-business quotas', () => {
  it('refuses a stage past MAX_STAGES_PER_BUSINESS with 409 naming the quota', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const add = (name: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/stages',
        headers: bearer(business.api_key),
        payload: { stage_name: name, stage_description: name, stage_type: 'conversation' },
      });
    expect((await add('Second')).statusCode).toBe(201);
    const third = await add('Third');
    expect(expectError(third, 409, 'CONFLICT').details).toEqual({ quota: 'stages', limit: 2 });
    // Another business has its own quota.
    const other = await createBusiness(t.app, t.masterKey);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/stages',
          headers: bearer(other.api_key),
          payload: { stage_name: 'Second', stage_description: 'x', stage_type: 'conversation' },
        })
      ).statusCode,
    ).toBe(201);
  });

  it('refuses a template past MAX_TEMPLATES_PER_BUSINESS', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const existing = (await callApi(t.app, 'GET', '/api/templates', business.api_key)).body.total as number;
    expect(existing).toBeLessThan(12);
    const create = (i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/templates',
        headers: bearer(business.api_key),
        payload: { template_name: `T${i}`, template_type: 'response_generation', content: 'Hi' },
      });
    for (let i = existing; i < 12; i++) expect((await create(i)).statusCode).toBe(201);
    expect(expectError(await create(99), 409, 'CONFLICT').details).toEqual({ quota: 'templates', limit: 12 });
  });
});
