import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ANTHROPIC_API_KEY: '' });
});
afterAll(async () => t.close());

describe('the offline engine (no LLM configured)', () => {
  it('routes by similarity, extracts patterns, answers with the stage fallback and labels itself', async () => {
    const business = await createBusiness(t.app, t.masterKey, {
      settings: { fallback_reply: 'Thanks {{user_name}}, noted.' },
    });
    const stage = await t.app.inject({
      method: 'POST',
      url: '/api/stages',
      headers: bearer(business.api_key),
      payload: {
        stage_name: 'Order status',
        stage_description: 'Customer asks where their order or delivery is',
        stage_type: 'conversation',
        fallback_reply: 'We are checking order {{order_number}} for you.',
      },
    });
    expect(stage.statusCode, stage.body).toBe(201);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/message',
      headers: bearer(business.api_key),
      payload: { content: 'Where is my order ORD-12345? Write to me at bo@example.com' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      engine: 'offline',
      stage_name: 'Order status',
      extracted_data: { email: 'bo@example.com', order_number: 'ORD-12345' },
      response: 'We are checking order ORD-12345 for you.',
    });
    expect(body.processing_steps.every((s: { engine: string }) => s.engine === 'offline')).toBe(true);
    const calls = await t.app.inject({
      method: 'GET',
      url: `/api/llm-calls?conversation_id=${body.conversation_id}`,
      headers: bearer(business.api_key),
    });
    expect(calls.json().llm_calls.every((c: { provider: string }) => c.provider === 'offline')).toBe(true);
  });
});
