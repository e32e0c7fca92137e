import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { businesses } from '../../src/db/schema.js';
import { expectFieldErrors } from '../helpers/assertions.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

/** Issue 12 finding 2 (first part): a business cannot put any model it likes on the operator's key. */
let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp({ LLM_ALLOWED_MODELS: 'small-local, other-allowed' });
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

const patch = (key: string, id: string, settings: Record<string, unknown>) =>
  p.t.app.inject({
    method: 'PATCH',
    url: `/api/businesses/${id}`,
    headers: bearer(key),
    payload: { settings },
  });

describe('LLM_ALLOWED_MODELS', () => {
  it('refuses a model override outside the list, accepts the listed ones and the deployment’s own', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    expectFieldErrors(await patch(business.api_key, business.business_id, { llm_model: 'o1-pro-2025' }), [
      'settings.llm_model',
    ]);
    for (const model of ['small-local', 'other-allowed', 'fake-model']) {
      const response = await patch(business.api_key, business.business_id, { llm_model: model });
      expect(response.statusCode, response.body).toBe(200);
    }
    const created = await p.t.app.inject({
      method: 'POST',
      url: '/api/businesses',
      headers: bearer(p.t.masterKey),
      payload: { business_name: `Models ${Date.now()}`, settings: { llm_model: 'o1-pro-2025' } },
    });
    expectFieldErrors(created, ['settings.llm_model']);
  });

  it('never sends a stored override that is not allowed: the deployment’s model answers', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    // Stored before the list existed (or written around the API).
    await p.t.database.db
      .update(businesses)
      .set({ settings: sql`jsonb_build_object('llm_model', 'o1-pro-2025')` })
      .where(eq(businesses.businessId, business.business_id));
    const response = await p.t.app.inject({
      method: 'POST',
      url: '/api/message',
      headers: bearer(business.api_key),
      payload: { content: 'hello' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(p.llm.requests.length).toBeGreaterThan(0);
    expect(p.llm.requests.map((r) => r.model)).toEqual(p.llm.requests.map(() => 'fake-model'));

    expect(
      (await patch(business.api_key, business.business_id, { llm_model: 'small-local' })).statusCode,
    ).toBe(200);
    p.llm.reset();
    p.llm.setDefault(scriptedModel());
    await p.t.app.inject({
      method: 'POST',
      url: '/api/message',
      headers: bearer(business.api_key),
      payload: { content: 'again' },
    });
    expect(p.llm.requests.map((r) => r.model)).toEqual(p.llm.requests.map(() => 'small-local'));
  });
});
