import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, startPipelineApp } from '../helpers/pipeline-fixture.js';

/**
 * Issue 12 finding 6: the provider's own error text never reaches a tenant. Tenants see a generic
 * reason (API responses, the dashboard's call log); the master key also sees the provider's words
 * in the call log's `error_detail`.
 */
const SECRET_WORDS = 'Quota of org-acme-7731 exceeded for key sk-live-Zq81';

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp({ LLM_MAX_RETRIES: '0' });
  p.llm.setDefault(() => ({ status: 500, body: { error: { message: SECRET_WORDS, type: 'server_error' } } }));
});
afterAll(async () => p.close());

describe('a provider error', () => {
  it('reaches tenants only as a generic reason; the operator sees the detail', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const message = await p.t.app.inject({
      method: 'POST',
      url: '/api/message',
      headers: bearer(business.api_key),
      payload: { content: 'hello' },
    });
    expect(message.statusCode, message.body).toBe(200);
    expect(message.body).not.toContain('org-acme-7731');
    const failed = message.json().processing_steps.find((s: { status: string }) => s.status === 'error');
    expect(failed.error).toBe('the model endpoint answered HTTP 500');

    const stage = await p.t.app.inject({
      method: 'GET',
      url: `/api/stages/${business.first_stage_id}`,
      headers: bearer(business.api_key),
    });
    const tested = await p.t.app.inject({
      method: 'POST',
      url: `/api/templates/${stage.json().response_generation_template_id}/test`,
      headers: bearer(business.api_key),
      payload: { message_content: 'hi' },
    });
    expect(tested.json()).toMatchObject({ status: 'error', error: 'the model endpoint answered HTTP 500' });
    expect(tested.body).not.toContain('org-acme-7731');

    const tenantLog = await p.t.app.inject({
      method: 'GET',
      url: '/api/llm-calls',
      headers: bearer(business.api_key),
    });
    expect(tenantLog.statusCode).toBe(200);
    expect(tenantLog.body).not.toContain('org-acme-7731');
    const calls = tenantLog.json().llm_calls as Array<{ error: string; error_detail: string | null }>;
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(call).toMatchObject({ error: expect.any(String), error_detail: null });

    const operatorLog = await p.t.app.inject({
      method: 'GET',
      url: `/api/llm-calls?business_id=${business.business_id}`,
      headers: bearer(p.t.masterKey),
    });
    const details = (operatorLog.json().llm_calls as Array<{ error_detail: string | null }>).map(
      (c) => c.error_detail,
    );
    expect(details.every((d) => d?.includes(SECRET_WORDS))).toBe(true);
  });
});
