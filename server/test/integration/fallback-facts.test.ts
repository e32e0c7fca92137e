import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { conversations, extractedData } from '../../src/db/schema.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import { classify, type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

/** Issue 12 finding 5: the fallback keeps what extraction found; LLM latency reaches /metrics. */
let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

const send = (key: string, payload: Record<string, unknown>) =>
  p.t.app.inject({ method: 'POST', url: '/api/message', headers: bearer(key), payload });

async function addStage(key: string, name: string) {
  const response = await p.t.app.inject({
    method: 'POST',
    url: '/api/stages',
    headers: bearer(key),
    payload: { stage_name: name, stage_description: `${name} questions`, stage_type: 'conversation' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { data_extraction_template_id: string };
}

describe('a fallback after a successful extraction', () => {
  it.each([
    ['one stage', false],
    ['several stages', true],
  ])('keeps the facts when only the reply failed (%s)', async (_label, multiStage) => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      settings: { fallback_reply: 'We will call you back.' },
    });
    if (multiStage) await addStage(business.api_key, 'Billing');
    p.llm.setDefault(scriptedModel({ extract: () => ({ email: 'ana@example.com' }) }));
    p.llm.script({ match: (r) => classify(r) === 'response_generation', status: 500 });
    const response = await send(business.api_key, { content: 'my email is ana@example.com' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      response: 'We will call you back.',
      fallback: true,
      extracted_data: { email: 'ana@example.com' },
    });
    const [conversation] = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.conversationId, body.conversation_id));
    expect(conversation?.collectedData).toEqual({ email: 'ana@example.com' });
    const facts = await p.t.database.db
      .select()
      .from(extractedData)
      .where(eq(extractedData.messageId, body.message_id));
    expect(facts.map((f) => f.data)).toEqual([{ email: 'ana@example.com' }]);
    // The stored answer (a retry with the same key) says the same.
    const stored = await p.t.app.inject({
      method: 'GET',
      url: `/api/conversations/${body.conversation_id}/messages`,
      headers: bearer(business.api_key),
    });
    expect(stored.statusCode).toBe(200);
  });
});

describe('the fallback after a failed stage selection', () => {
  it('renders the fallback with the facts this message gave and stores them', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      settings: { fallback_reply: 'We will write to {{email}} shortly.' },
    });
    await addStage(business.api_key, 'Billing');
    p.llm.setDefault(scriptedModel({ extract: () => ({ email: 'ana@example.com' }) }));
    p.llm.script({ match: (r) => classify(r) === 'stage_selection', status: 500 });
    const body = (await send(business.api_key, { content: 'write me at ana@example.com' })).json();
    expect(body).toMatchObject({
      response: 'We will write to ana@example.com shortly.',
      fallback: true,
      extracted_data: { email: 'ana@example.com' },
    });
  });

  it('keeps what the current stage’s extraction found when the new stage’s extraction failed', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      settings: { fallback_reply: 'We will call you back.' },
    });
    const billing = await addStage(business.api_key, 'Billing');
    // Billing extracts with a template of its own (the same one would keep the speculative extraction).
    const edited = await p.t.app.inject({
      method: 'PATCH',
      url: `/api/templates/${billing.data_extraction_template_id}`,
      headers: bearer(business.api_key),
      payload: { content: 'Billing facts in:\n"""{{message_content}}"""' },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    p.llm.setDefault(scriptedModel({ route: () => 'Billing', extract: () => ({ invoice: 'A-17' }) }));
    // The speculative extraction (current stage) is the first; the new stage's (and its retry) fail.
    let extractions = 0;
    p.llm.script({
      match: (r) => classify(r) === 'data_extraction',
      respond: () => (++extractions === 1 ? { json: { invoice: 'A-17' } } : { status: 500 }),
    });
    const body = (await send(business.api_key, { content: 'invoice A-17 is wrong' })).json();
    expect(body).toMatchObject({
      response: 'We will call you back.',
      fallback: true,
      stage_id: business.first_stage_id,
      extracted_data: { invoice: 'A-17' },
    });
    const [conversation] = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.conversationId, body.conversation_id));
    expect(conversation?.collectedData).toEqual({ invoice: 'A-17' });
  });
});

describe('GET /metrics', () => {
  it('records the latency of each LLM call by step and status', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    expect((await send(business.api_key, { content: 'hello' })).statusCode).toBe(200);
    p.llm.setDefault(() => ({ status: 500 }));
    expect((await send(business.api_key, { content: 'again' })).statusCode).toBe(200);
    const metrics = await p.t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(p.t.masterKey),
    });
    expect(metrics.statusCode).toBe(200);
    const count = (callType: string, status: string) =>
      Number(
        metrics.body.match(
          new RegExp(
            `icmp_llm_call_duration_seconds_count\\{call_type="${callType}",status="${status}"\\} (\\d+)`,
          ),
        )?.[1] ?? 0,
      );
    expect(count('data_extraction', 'success')).toBeGreaterThanOrEqual(1);
    expect(count('response_generation', 'success')).toBeGreaterThanOrEqual(1);
    expect(count('data_extraction', 'error')).toBeGreaterThanOrEqual(1);
  });
});
