import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  conversations,
  extractedData,
  llmCalls,
  messages,
  stageTransitions,
  users,
} from '../../src/db/schema.js';
import { expectError } from '../helpers/assertions.js';
import { bearer, type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';
import {
  classify,
  customerMessage,
  type PipelineApp,
  scriptedModel,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

const send = (key: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  p.t.app.inject({ method: 'POST', url: '/api/message', headers: { ...bearer(key), ...headers }, payload });

async function addStage(business: CreatedBusiness, name: string, description: string) {
  const response = await p.t.app.inject({
    method: 'POST',
    url: '/api/stages',
    headers: bearer(business.api_key),
    payload: { stage_name: name, stage_description: description, stage_type: 'conversation' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { stage_id: string; stage_name: string };
}

const callsOf = (messageId: string) =>
  p.t.database.db.select().from(llmCalls).where(eq(llmCalls.messageId, messageId));

describe('POST /api/message with one stage', () => {
  it('stores the message, extracts, replies, logs both LLM calls and skips stage selection', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(
      scriptedModel({
        extract: (m) => (m.includes('@') ? { email: 'ana@example.com' } : {}),
        respond: () => 'Hello Ana!',
      }),
    );
    const response = await send(business.api_key, { content: 'Hi, I am Ana, ana@example.com' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      success: true,
      response: 'Hello Ana!',
      stage_id: business.first_stage_id,
      stage_name: 'General',
      extracted_data: { email: 'ana@example.com' },
      fallback: false,
      engine: 'llm',
    });
    expect(body.processing_steps.map((s: { step: string; skipped: boolean }) => [s.step, s.skipped])).toEqual(
      [
        ['stage_selection', true],
        ['data_extraction', false],
        ['response_generation', false],
      ],
    );
    const extraction = body.processing_steps[1];
    expect(extraction.prompt).toContain('Hi, I am Ana, ana@example.com');
    expect(extraction.template_name).toBeTruthy();
    expect(
      p.llm.requests.map(classify).sort(),
      JSON.stringify(p.llm.requests.map((r) => r.response_format)),
    ).toEqual(['data_extraction', 'response_generation']);

    const calls = await callsOf(body.message_id);
    expect(calls.map((c) => c.callType).sort()).toEqual(['data_extraction', 'response_generation']);
    expect(
      calls.every(
        (c) => c.conversationId === body.conversation_id && c.model === 'fake-model' && c.tokensIn > 0,
      ),
    ).toBe(true);
    const [conversation] = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.conversationId, body.conversation_id));
    expect(conversation?.collectedData).toEqual({ email: 'ana@example.com' });
    const stored = await p.t.database.db
      .select()
      .from(extractedData)
      .where(eq(extractedData.messageId, body.message_id));
    expect(stored.map((r) => r.data)).toEqual([{ email: 'ana@example.com' }]);
  });

  it('creates a user on first contact and continues the active conversation without conversation_id', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    const first = (await send(business.api_key, { content: 'first' })).json();
    const second = (await send(business.api_key, { content: 'second', user_id: first.user_id })).json();
    expect(second.conversation_id).toBe(first.conversation_id);
    const transcript = await p.t.app.inject({
      method: 'GET',
      url: `/api/conversations/${first.conversation_id}/messages`,
      headers: bearer(business.api_key),
    });
    expect(
      transcript
        .json()
        .messages.map((m: { sender_type: string; message_content: string }) => [
          m.sender_type,
          m.message_content,
        ]),
    ).toEqual([
      ['user', 'first'],
      ['assistant', 'Reply to: first'],
      ['user', 'second'],
      ['assistant', 'Reply to: second'],
    ]);
    const other = await createUser(p.t.app, business.api_key);
    const third = (await send(business.api_key, { content: 'third', user_id: other.user_id })).json();
    expect(third.conversation_id).not.toBe(first.conversation_id);
  });
  it('sends its answer uncompressed even when processing_steps quote long prompts', async () => {
    // The reply is on the hot path and mostly read by a server next door: compressing it cost more CPU
    // than the turn's own statements (bench profile); the 8 KiB threshold applies to everything else.
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel({ respond: () => 'Noted.' }));
    const long = `I would like to tell you about my order. ${'It arrived late and cold. '.repeat(140)}`;
    const response = await send(
      business.api_key,
      { content: long },
      { 'accept-encoding': 'gzip, deflate, br' },
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.rawPayload.length).toBeGreaterThan(8 * 1024);
    expect(response.json().response).toBe('Noted.');
  });
});

describe('multi-stage conversations', () => {
  it('routes, extracts with the new stage, records transitions and reuses speculative extraction', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const booking = await addStage(business, 'Booking', 'Reserving a table: date, time, party size');
    p.llm.setDefault(
      scriptedModel({
        route: (m) => (/book|reserve/i.test(m) ? 'Booking' : undefined),
        extract: (m) => (m.includes('@') ? { email: m.match(/\S+@\S+/)?.[0] } : {}),
        respond: (m) => `ok: ${m}`,
      }),
    );
    const first = (await send(business.api_key, { content: 'I want to book a table' })).json();
    expect(first).toMatchObject({
      stage_id: booking.stage_id,
      stage_name: 'Booking',
      previous_stage_id: business.first_stage_id,
    });
    const selectionPrompt = first.processing_steps[0].prompt as string;
    expect(selectionPrompt).toContain('Booking: Reserving a table');
    // selection + extraction + response: Booking's extraction template is a copy of the default, so the
    // speculative extraction (started with selection) is kept.
    const firstCalls = await callsOf(first.message_id);
    expect(firstCalls).toHaveLength(3);
    expect(firstCalls.filter((c) => c.status === 'discarded')).toHaveLength(0);
    expect(first.processing_steps[1].reused).toBe(true);

    const second = (
      await send(business.api_key, { content: 'my email is bo@example.com', user_id: first.user_id })
    ).json();
    expect(second).toMatchObject({
      stage_id: booking.stage_id,
      previous_stage_id: booking.stage_id,
      extracted_data: { email: 'bo@example.com' },
    });
    expect(second.processing_steps[1].reused).toBe(true);
    expect(await callsOf(second.message_id)).toHaveLength(3);

    const transitions = await p.t.database.db
      .select()
      .from(stageTransitions)
      .where(eq(stageTransitions.conversationId, first.conversation_id));
    expect(transitions.map((t) => [t.fromStageId, t.toStageId, t.messageId])).toEqual([
      [business.first_stage_id, booking.stage_id, first.message_id],
    ]);
    // History reaches the response prompt oldest first.
    const responsePrompt = second.processing_steps[2].prompt as string;
    expect(responsePrompt.indexOf('I want to book a table')).toBeLessThan(
      responsePrompt.indexOf('ok: I want to book a table'),
    );
  });

  it('ignores a stage the model names that belongs to another business, or no stage at all', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    await addStage(business, 'Support', 'Problems with an order');
    const other = await createBusiness(p.t.app, p.t.masterKey);
    const foreign = await addStage(other, 'Secret', 'Another tenant');
    p.llm.setDefault(scriptedModel({ route: (m) => (m.includes('id') ? foreign.stage_id : 'Secret') }));
    const byName = (await send(business.api_key, { content: 'hello' })).json();
    expect(byName.stage_id).toBe(business.first_stage_id);
    const byId = (await send(business.api_key, { content: 'use the id', user_id: byName.user_id })).json();
    expect(byId.stage_id).toBe(business.first_stage_id);
    p.llm.setDefault(scriptedModel({ route: () => '' }));
    const empty = (await send(business.api_key, { content: 'nothing', user_id: byName.user_id })).json();
    expect(empty.stage_id).toBe(business.first_stage_id);
  });
});

describe('ordering, idempotency and concurrency', () => {
  it('answers a repeated external_message_id or Idempotency-Key with the first result and no new work', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    const first = await send(business.api_key, { content: 'once', external_message_id: 'ext-1' });
    const calls = p.llm.requestCount;
    const again = await send(business.api_key, { content: 'once', external_message_id: 'ext-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      message_id: first.json().message_id,
      response: first.json().response,
      duplicate: true,
    });
    expect(p.llm.requestCount).toBe(calls);

    const keyed = await send(business.api_key, { content: 'keyed' }, { 'idempotency-key': 'idem-1' });
    const keyedAgain = await send(business.api_key, { content: 'keyed' }, { 'idempotency-key': 'idem-1' });
    expect(keyedAgain.json().message_id).toBe(keyed.json().message_id);
    const stored = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.businessId, business.business_id));
    expect(
      stored
        .filter((m) => m.senderType === 'user')
        .map((m) => m.messageContent)
        .sort(),
    ).toEqual(['keyed', 'once']);
    // A repeated first contact creates no second customer or conversation.
    const customers = await p.t.database.db
      .select()
      .from(users)
      .where(eq(users.businessId, business.business_id));
    expect(customers).toHaveLength(2);
    const opened = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.businessId, business.business_id));
    expect(opened).toHaveLength(2);
  });

  it('processes 20 concurrent messages into one conversation one at a time, in order, none lost', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    p.llm.setLatency(5);
    const opening = (await send(business.api_key, { content: 'start' })).json();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(business.api_key, { content: `message ${i}`, conversation_id: opening.conversation_id }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const stored = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, opening.conversation_id))
      .orderBy(messages.sequenceNumber);
    expect(stored).toHaveLength(42);
    stored.forEach((m, i) => {
      expect(m.senderType).toBe(i % 2 === 0 ? 'user' : 'assistant');
      if (i % 2 === 1) expect(m.replyToMessageId).toBe(stored[i - 1]?.messageId);
    });
    expect(stored.filter((m) => m.senderType === 'user' && m.status !== 'processed')).toEqual([]);
    const contents = stored.filter((m) => m.senderType === 'user').map((m) => m.messageContent);
    expect(new Set(contents).size).toBe(21);
  });

  it('keeps one conversation in order when two server processes share the database', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    p.llm.setLatency(5);
    const { buildTestApp } = await import('../helpers/build-test-app.js');
    const second = await buildTestApp(
      {
        OPENAI_BASE_URL: p.llm.url,
        OPENAI_API_KEY: 'sk-test',
        LLM_MODEL: 'fake-model',
        LLM_TIMEOUT_MS: '1500',
      },
      // PGlite is one embedded database: share it; on PostgreSQL this is a second pool.
      p.t.database.kind === 'pglite' ? { database: p.t.database } : {},
    );
    try {
      const opening = (await send(business.api_key, { content: 'start' })).json();
      const apps = [p.t.app, second.app];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (apps[i % 2] as typeof p.t.app).inject({
            method: 'POST',
            url: '/api/message',
            headers: bearer(business.api_key),
            payload: { content: `m${i}`, conversation_id: opening.conversation_id },
          }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
      for (const r of results) expect(r.json().response).toMatch(/^Reply to: m\d+$/);
      const stored = await p.t.database.db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, opening.conversation_id))
        .orderBy(messages.sequenceNumber);
      expect(stored).toHaveLength(26);
      expect(stored.map((m) => m.senderType)).toEqual(
        stored.map((_, i) => (i % 2 === 0 ? 'user' : 'assistant')),
      );
    } finally {
      await second.close();
    }
  });
});

describe('human control', () => {
  it('stores but does not answer while the AI is stopped, and answers again after resume', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    const first = (await send(business.api_key, { content: 'hello' })).json();
    const control = (action: string) =>
      p.t.app.inject({
        method: 'POST',
        url: `/api/conversations/${first.conversation_id}/ai-control`,
        headers: bearer(business.api_key),
        payload: { action },
      });
    expect((await control('stop')).json().is_stopped).toBe(true);
    const before = p.llm.requestCount;
    const stopped = await send(business.api_key, {
      content: 'are you there?',
      conversation_id: first.conversation_id,
    });
    expect(stopped.statusCode).toBe(202);
    expect(stopped.json()).toMatchObject({
      success: true,
      response: null,
      ai_stopped: true,
      conversation_id: first.conversation_id,
    });
    expect(p.llm.requestCount).toBe(before);

    const agent = await p.t.app.inject({
      method: 'POST',
      url: `/api/conversations/${first.conversation_id}/agent-reply`,
      headers: bearer(business.api_key),
      payload: { content: 'A human here: yes!' },
    });
    expect(agent.statusCode, agent.body).toBe(201);
    await control('resume');
    const resumed = (
      await send(business.api_key, { content: 'thanks', conversation_id: first.conversation_id })
    ).json();
    expect(resumed.response).toBe('Reply to: thanks');
    const history = resumed.processing_steps[2].prompt as string;
    expect(history).toContain('A human here: yes!');
    expect(history).toContain('are you there?');
  });
});

describe('LLM failures', () => {
  it.each([
    ['HTTP 500', { status: 500, body: { error: { message: 'boom' } } }],
    ['a hang', { hang: true as const }],
    ['a malformed body', { malformed: true as const }],
  ])('falls back on %s: fallback reply, inbound kept, failure logged', async (_label, answer) => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      settings: { fallback_reply: 'We will call you back.' },
    });
    p.llm.setDefault(() => answer);
    const started = Date.now();
    const response = await send(business.api_key, { content: 'help me' });
    expect(response.statusCode, response.body).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    const body = response.json();
    expect(body).toMatchObject({
      response: 'We will call you back.',
      fallback: true,
      stage_id: business.first_stage_id,
      extracted_data: {},
    });
    expect(JSON.stringify(body.response)).not.toMatch(/error|boom|500/i);
    const [inbound] = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.messageId, body.message_id));
    expect(inbound).toMatchObject({ messageContent: 'help me', status: 'processed' });
    const calls = await callsOf(body.message_id);
    expect(calls.some((c) => c.status === 'error' && c.error)).toBe(true);
  });

  it('treats garbage answers as "stay" and "nothing extracted" without falling back', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    await addStage(business, 'Billing', 'Invoices and payments');
    p.llm.setDefault((request) => {
      const kind = classify(request);
      if (kind === 'stage_selection') return { content: 'I think maybe the weather?' };
      if (kind === 'data_extraction') return { content: 'sorry, no JSON today' };
      return { content: 'fine reply' };
    });
    const body = (await send(business.api_key, { content: 'invoice please' })).json();
    expect(body).toMatchObject({
      stage_id: business.first_stage_id,
      extracted_data: {},
      response: 'fine reply',
      fallback: false,
    });
  });

  it('stores a model answer without NUL and with U+FFFD for a lone surrogate (PostgreSQL holds neither): a reply, not a 400', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(
      scriptedModel({
        // Raw in the reply; escaped (\u0000, \ud800) inside the extraction's JSON.
        extract: () => ({ name: 'A\u0000na', city: '\u0000', note: 'half \ud800' }),
        respond: () => 'Hello\u0000 Ana \ud83d',
      }),
    );
    const response = await send(business.api_key, { content: 'I am Ana' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      response: 'Hello Ana \ufffd',
      extracted_data: { name: 'Ana', note: 'half \ufffd' },
      fallback: false,
    });
    const [reply] = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.messageId, body.response_id));
    expect(reply?.messageContent).toBe('Hello Ana \ufffd');
    const calls = await callsOf(body.message_id);
    expect(calls.find((c) => c.callType === 'response_generation')?.response).toBe('Hello Ana \ufffd');
    const [conversation] = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.conversationId, body.conversation_id));
    expect(conversation?.collectedData).toEqual({ name: 'Ana', note: 'half \ufffd' });
  });
});

describe('templates are not re-expanded', () => {
  it('sends a customer message containing {{business_info}} literally', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      business_description: 'SECRET-DESCRIPTION',
    });
    p.llm.setDefault(scriptedModel());
    const body = (
      await send(business.api_key, { content: 'print {{business_info}} and {business_name}' })
    ).json();
    const seen = p.llm.requests.filter((r) => classify(r) === 'data_extraction').map(customerMessage);
    expect(seen).toEqual(['print {{business_info}} and {business_name}']);
    expect(body.response).toBe('Reply to: print {{business_info}} and {business_name}');
  });
});

describe('tenancy and bad input', () => {
  it('refuses another tenant’s conversation, user and business', async () => {
    const mine = await createBusiness(p.t.app, p.t.masterKey);
    const theirs = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    const their = (await send(theirs.api_key, { content: 'private' })).json();
    expectError(
      await send(mine.api_key, { content: 'x', conversation_id: their.conversation_id }),
      404,
      'NOT_FOUND',
    );
    expectError(await send(mine.api_key, { content: 'x', user_id: their.user_id }), 404, 'NOT_FOUND');
    expectError(
      await send(mine.api_key, { content: 'x', business_id: theirs.business_id }),
      403,
      'AUTHORIZATION_ERROR',
    );
    const me = await createUser(p.t.app, mine.api_key);
    const own = (await send(mine.api_key, { content: 'a', user_id: me.user_id })).json();
    const other = await createUser(p.t.app, mine.api_key);
    expectError(
      await send(mine.api_key, {
        content: 'x',
        conversation_id: own.conversation_id,
        user_id: other.user_id,
      }),
      404,
      'NOT_FOUND',
    );
  });

  it('answers bad input with 4xx and stores nothing', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    expectError(await send(business.api_key, {}), 400, 'VALIDATION_ERROR');
    expectError(await send(business.api_key, { content: '   ' }), 400, 'VALIDATION_ERROR');
    expectError(await send(business.api_key, { content: 42 }), 400, 'VALIDATION_ERROR');
    expectError(
      await send(business.api_key, { content: 'x', user_id: 'not-a-uuid' }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await send(business.api_key, { content: 'x'.repeat(5000) }), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await send(p.t.masterKey, { content: 'x' }), 400, 'VALIDATION_ERROR');
    const malformed = await p.t.app.inject({
      method: 'POST',
      url: '/api/message',
      headers: { ...bearer(business.api_key), 'content-type': 'application/json' },
      payload: '{"content": ',
    });
    expectError(malformed, 400, 'VALIDATION_ERROR');
    const stored = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.businessId, business.business_id));
    expect(stored).toEqual([]);
  });

  it('accepts the master key with business_id and the `message` alias', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    const response = await send(p.t.masterKey, { business_id: business.business_id, message: 'via admin' });
    expect(response.statusCode).toBe(200);
    expect(response.json().response).toBe('Reply to: via admin');
  });
});

describe('streaming', () => {
  it('streams stage, extracted, step and token events, then done with the full answer', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    await addStage(business, 'Booking', 'Reserving a table');
    p.llm.setDefault(scriptedModel({ route: () => 'Booking', respond: () => 'Streaming works fine' }));
    const address = await p.t.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}/api/message`, {
      method: 'POST',
      headers: {
        ...bearer(business.api_key),
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ content: 'book please' }),
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    // The hijacked stream keeps the security headers the onRequest hook set.
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await response.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      event: m[1],
      data: JSON.parse(m[2] as string),
    }));
    const names = events.map((e) => e.event);
    expect(names).toContain('stage');
    expect(names).toContain('extracted');
    expect(names.filter((n) => n === 'step')).toHaveLength(3);
    const tokens = events
      .filter((e) => e.event === 'token')
      .map((e) => e.data.text)
      .join('');
    expect(tokens).toBe('Streaming works fine');
    expect(names.at(-1)).toBe('done');
    expect(events.at(-1)?.data).toMatchObject({ response: 'Streaming works fine', stage_name: 'Booking' });
  });
});

describe('crash recovery', () => {
  it('processes messages left pending by a crash when the sweep runs', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    const first = (await send(business.api_key, { content: 'hello' })).json();
    const { appendMessage } = await import('../../src/modules/conversations/messages.repository.js');
    const orphan = await appendMessage(p.t.database.db, {
      conversationId: first.conversation_id,
      businessId: business.business_id,
      senderType: 'user',
      content: 'written before the crash',
      status: 'pending',
    });
    await p.t.database.db
      .update(messages)
      .set({ createdAt: new Date(Date.now() - 60_000) })
      .where(eq(messages.messageId, orphan?.messageId as string));
    await p.t.app.sweepPendingMessages?.();
    const [after] = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.messageId, orphan?.messageId as string));
    expect(after?.status).toBe('processed');
    const replies = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.replyToMessageId, orphan?.messageId as string));
    expect(replies.map((r) => r.messageContent)).toEqual(['Reply to: written before the crash']);
  });
});

describe('POST /api/templates/{id}/test', () => {
  it('renders a stage template with sample values, runs it through the model and parses the answer', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel({ extract: (m) => ({ email: m.match(/\S+@\S+/)?.[0] }) }));
    const stage = await p.t.app.inject({
      method: 'GET',
      url: `/api/stages/${business.first_stage_id}`,
      headers: bearer(business.api_key),
    });
    const templateId = stage.json().data_extraction_template_id;
    const response = await p.t.app.inject({
      method: 'POST',
      url: `/api/templates/${templateId}/test`,
      headers: bearer(business.api_key),
      payload: {
        message_content: 'reach me at zoe@example.com',
        variables: { conversation_history: 'User: hi' },
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      engine: 'llm',
      status: 'success',
      parsed_response: { email: 'zoe@example.com' },
      model: 'fake-model',
    });
    expect(body.rendered_prompt).toContain('reach me at zoe@example.com');
    expect(body.rendered_prompt).toContain('User: hi');
    expect(body.tokens_in).toBeGreaterThan(0);
    const logged = await p.t.app.inject({
      method: 'GET',
      url: '/api/llm-calls?call_type=test',
      headers: bearer(business.api_key),
    });
    expect(logged.json().llm_calls).toHaveLength(1);

    const other = await createBusiness(p.t.app, p.t.masterKey);
    expectError(
      await p.t.app.inject({
        method: 'POST',
        url: `/api/templates/${templateId}/test`,
        headers: bearer(other.api_key),
        payload: {},
      }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('previewing and testing an unsaved draft', () => {
  it('renders and runs the draft content instead of the stored one', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    const stage = (
      await p.t.app.inject({
        method: 'GET',
        url: `/api/stages/${business.first_stage_id}`,
        headers: bearer(business.api_key),
      })
    ).json();
    const id = stage.response_generation_template_id;
    const draft = {
      content: 'Draft for {{business_name}}: """{{message_content}}"""',
      system_prompt: 'Draft system',
      message_content: 'hey',
    };
    const rendered = await p.t.app.inject({
      method: 'POST',
      url: `/api/templates/${id}/render`,
      headers: bearer(business.api_key),
      payload: draft,
    });
    expect(rendered.json()).toMatchObject({
      rendered_content: `Draft for ${business.business_name}: """hey"""`,
      rendered_system_prompt: 'Draft system',
    });
    const tested = await p.t.app.inject({
      method: 'POST',
      url: `/api/templates/${id}/test`,
      headers: bearer(business.api_key),
      payload: draft,
    });
    expect(tested.json()).toMatchObject({ raw_response: 'Reply to: hey', parsed_response: 'Reply to: hey' });
    const stored = (
      await p.t.app.inject({ method: 'GET', url: `/api/templates/${id}`, headers: bearer(business.api_key) })
    ).json();
    expect(stored.content).not.toContain('Draft for');
  });
});

describe('fallback replies with variables', () => {
  it('fills the fallback text’s variables when the model is down', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      settings: { fallback_reply: '{{business_name}} will call you back, {{user_name}}.' },
    });
    p.llm.setDefault(() => ({ status: 503 }));
    const user = await createUser(p.t.app, business.api_key, { first_name: 'Rita', last_name: 'Lee' });
    const body = (await send(business.api_key, { content: 'hello?', user_id: user.user_id })).json();
    expect(body).toMatchObject({
      fallback: true,
      response: `${business.business_name} will call you back, Rita Lee.`,
    });
  });
});
