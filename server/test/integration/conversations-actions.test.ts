import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, extractedData, llmCalls, messages, stageTransitions } from '../../src/db/schema.js';
import { isAiStopped } from '../../src/modules/conversations/ai-control.js';
import { appendMessage } from '../../src/modules/conversations/messages.repository.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';
import { seedConversation, seedLlmCall, seedTransition } from './conversations.seed.js';

let t: TestApp;
let a: CreatedBusiness;
let b: CreatedBusiness;
let userA: string;
let userB: string;

const inject = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  key: string | undefined,
  payload?: unknown,
) =>
  t.app.inject({
    method,
    url,
    headers: key ? bearer(key) : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const newConversation = async (
  business: CreatedBusiness = a,
  extra: { channel?: string; messages?: string[]; lastUpdated?: Date } = {},
) =>
  seedConversation(t.database.db, {
    businessId: business.business_id,
    userId: business === a ? userA : userB,
    stageId: business.first_stage_id,
    messages: extra.messages ?? ['hello'],
    ...(extra.channel ? { channel: extra.channel } : {}),
    ...(extra.lastUpdated ? { lastUpdated: extra.lastUpdated } : {}),
  });

const conversationRow = async (id: string) =>
  (await t.database.db.select().from(conversations).where(eq(conversations.conversationId, id)))[0];

beforeAll(async () => {
  t = await buildTestApp();
  a = await createBusiness(t.app, t.masterKey);
  b = await createBusiness(t.app, t.masterKey);
  userA = (await createUser(t.app, a.api_key)).user_id;
  userB = (await createUser(t.app, b.api_key)).user_id;
});
afterAll(async () => t?.close());

describe('PATCH /api/conversations/{id}', () => {
  it('closes and reopens a conversation', async () => {
    const { conversationId } = await newConversation(a, { lastUpdated: new Date('2021-01-01T00:00:00Z') });
    const closed = await inject('PATCH', `/api/conversations/${conversationId}`, a.api_key, {
      status: 'closed',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({
      conversation_id: conversationId,
      status: 'closed',
      message_count: 1,
      ai_control: { is_stopped: false },
    });
    expect(Date.parse(closed.json().last_updated)).toBeGreaterThan(Date.parse('2021-01-02T00:00:00Z'));
    expect((await conversationRow(conversationId))?.status).toBe('closed');
    const reopened = await inject('PATCH', `/api/conversations/${conversationId}`, a.api_key, {
      status: 'active',
    });
    expect(reopened.json().status).toBe('active');
  });

  it('rejects bad bodies and foreign or unknown ids', async () => {
    const { conversationId } = await newConversation();
    const url = `/api/conversations/${conversationId}`;
    for (const payload of [{ status: 'open' }, {}, { status: 'closed', extra: 1 }, { status: 1 }]) {
      const response = await inject('PATCH', url, a.api_key, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
    const malformed = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...bearer(a.api_key), 'content-type': 'application/json' },
      payload: '{"status": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect((await inject('PATCH', url, b.api_key, { status: 'closed' })).statusCode).toBe(404);
    expect(
      (await inject('PATCH', `/api/conversations/${randomUUID()}`, a.api_key, { status: 'closed' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await inject('PATCH', '/api/conversations/xyz', a.api_key, { status: 'closed' })).statusCode,
    ).toBe(400);
    expect((await conversationRow(conversationId))?.status).toBe('active');
    expect((await inject('PATCH', url, t.masterKey, { status: 'closed' })).statusCode).toBe(200);
  });
});

describe('DELETE /api/conversations/{id}', () => {
  it('deletes the conversation with its messages, extracted data, transitions and LLM calls', async () => {
    const db = t.database.db;
    const { conversationId, messageIds } = await seedConversation(db, {
      businessId: a.business_id,
      userId: userA,
      messages: [{ content: 'one', extracted: [{ k: 'v' }] }, 'two'],
    });
    await seedTransition(db, { businessId: a.business_id, conversationId, from: null, to: a.first_stage_id });
    await seedLlmCall(db, { businessId: a.business_id, conversationId, messageId: messageIds[0] ?? null });

    expect((await inject('DELETE', `/api/conversations/${conversationId}`, b.api_key)).statusCode).toBe(404);
    expect(await conversationRow(conversationId)).toBeDefined();

    const response = await inject('DELETE', `/api/conversations/${conversationId}`, a.api_key);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(await conversationRow(conversationId)).toBeUndefined();
    for (const table of [messages, extractedData, stageTransitions, llmCalls]) {
      const rows = await db.select().from(table).where(eq(table.conversationId, conversationId));
      expect(rows).toHaveLength(0);
    }
    expect((await inject('GET', `/api/conversations/${conversationId}`, a.api_key)).statusCode).toBe(404);
    expect((await inject('DELETE', `/api/conversations/${conversationId}`, a.api_key)).statusCode).toBe(404);
    expect((await inject('DELETE', '/api/conversations/1', a.api_key)).statusCode).toBe(400);
    // The user stays.
    expect((await inject('GET', `/api/users/${userA}`, a.api_key)).statusCode).toBe(200);
  });
});

describe('AI control', () => {
  it('is not stopped by default; stops until resumed; resumes', async () => {
    const { conversationId } = await newConversation();
    const url = `/api/conversations/${conversationId}/ai-control`;
    expect((await inject('GET', url, a.api_key)).json()).toEqual({
      is_stopped: false,
      stop_time: null,
      expiration_time: null,
    });

    const stopped = await inject('POST', url, a.api_key, { action: 'stop' });
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.json()).toMatchObject({ is_stopped: true, expiration_time: null });
    expect(Math.abs(Date.parse(stopped.json().stop_time) - Date.now())).toBeLessThan(60_000);
    expect((await inject('GET', url, a.api_key)).json()).toEqual(stopped.json());
    const detail = (await inject('GET', `/api/conversations/${conversationId}`, a.api_key)).json();
    expect(detail.conversation.ai_stopped).toBe(true);
    expect(detail.conversation.ai_control).toEqual(stopped.json());
    const listed = (await inject('GET', '/api/conversations', a.api_key)).json().conversations;
    expect(
      listed.find((c: { conversation_id: string }) => c.conversation_id === conversationId).ai_stopped,
    ).toBe(true);

    const resumed = await inject('POST', url, a.api_key, { action: 'resume' });
    expect(resumed.json()).toEqual({ is_stopped: false, stop_time: null, expiration_time: null });
    const row = await conversationRow(conversationId);
    expect(row?.aiStoppedAt).toBeNull();
    expect(row?.aiStoppedUntil).toBeNull();
  });

  it('stops for a duration and counts an expired stop as not stopped', async () => {
    const { conversationId } = await newConversation();
    const url = `/api/conversations/${conversationId}/ai-control`;
    const stopped = (await inject('POST', url, a.api_key, { action: 'stop', duration_hours: 2 })).json();
    expect(stopped.is_stopped).toBe(true);
    expect(Date.parse(stopped.expiration_time) - Date.parse(stopped.stop_time)).toBe(2 * 3_600_000);
    const fractional = (await inject('POST', url, a.api_key, { action: 'stop', duration_hours: 0.5 })).json();
    expect(Date.parse(fractional.expiration_time) - Date.parse(fractional.stop_time)).toBe(1_800_000);

    await t.database.db
      .update(conversations)
      .set({ aiStoppedAt: new Date(Date.now() - 3 * 3_600_000), aiStoppedUntil: new Date(Date.now() - 1000) })
      .where(eq(conversations.conversationId, conversationId));
    expect((await inject('GET', url, a.api_key)).json()).toEqual({
      is_stopped: false,
      stop_time: null,
      expiration_time: null,
    });
    const detail = (await inject('GET', `/api/conversations/${conversationId}`, a.api_key)).json();
    expect(detail.conversation.ai_stopped).toBe(false);
  });

  it('rejects bad input and foreign conversations', async () => {
    const { conversationId } = await newConversation();
    const url = `/api/conversations/${conversationId}/ai-control`;
    for (const payload of [
      { action: 'pause' },
      {},
      { action: 'stop', duration_hours: 0 },
      { action: 'stop', duration_hours: -1 },
      { action: 'stop', duration_hours: 8761 },
      { action: 'stop', duration_hours: 'soon' },
      { action: 'resume', duration_hours: 1 },
      { action: 'stop', until: 'tomorrow' },
    ]) {
      const response = await inject('POST', url, a.api_key, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
    expect((await inject('POST', url, a.api_key, { action: 'stop', duration_hours: 8760 })).statusCode).toBe(
      200,
    );
    expect((await inject('POST', url, b.api_key, { action: 'resume' })).statusCode).toBe(404);
    expect((await inject('GET', url, b.api_key)).statusCode).toBe(404);
    expect((await inject('GET', url, undefined)).statusCode).toBe(401);
    expect((await inject('GET', url, a.api_key)).json().is_stopped).toBe(true);
    expect(
      (await inject('POST', '/api/conversations/x/ai-control', a.api_key, { action: 'stop' })).statusCode,
    ).toBe(400);
    expect((await inject('GET', url, t.masterKey)).statusCode).toBe(200);
  });

  it('isAiStopped honours expiry', () => {
    const now = new Date('2024-06-01T12:00:00Z');
    const at = new Date('2024-06-01T10:00:00Z');
    expect(isAiStopped({ aiStoppedAt: null, aiStoppedUntil: null }, now)).toBe(false);
    expect(isAiStopped({ aiStoppedAt: at, aiStoppedUntil: null }, now)).toBe(true);
    expect(isAiStopped({ aiStoppedAt: at, aiStoppedUntil: new Date('2024-06-01T13:00:00Z') }, now)).toBe(
      true,
    );
    expect(isAiStopped({ aiStoppedAt: at, aiStoppedUntil: new Date('2024-06-01T12:00:00Z') }, now)).toBe(
      false,
    );
    expect(isAiStopped({ aiStoppedAt: at, aiStoppedUntil: new Date('2024-06-01T11:00:00Z') }, now)).toBe(
      false,
    );
  });
});

describe('POST /api/conversations/{id}/agent-reply', () => {
  it('stores the reply as the next message without touching AI control', async () => {
    const { conversationId } = await newConversation(a, {
      messages: ['q1', 'a1'],
      lastUpdated: new Date('2021-01-01T00:00:00Z'),
    });
    const base = `/api/conversations/${conversationId}`;
    await inject('POST', `${base}/ai-control`, a.api_key, { action: 'stop' });

    const response = await inject('POST', `${base}/agent-reply`, a.api_key, { content: '  A human here.  ' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      conversation_id: conversationId,
      sender_type: 'agent',
      message_content: 'A human here.',
      sequence_number: 3,
      channel: 'api',
      status: 'sent',
      stage_id: a.first_stage_id,
      external_message_id: null,
      reply_to_message_id: null,
      extracted_data: null,
    });
    const second = await inject('POST', `${base}/agent-reply`, a.api_key, { content: 'Anything else?' });
    expect(second.json().sequence_number).toBe(4);

    const detail = (await inject('GET', base, a.api_key)).json();
    expect(detail.messages.map((m: { sender_type: string }) => m.sender_type)).toEqual([
      'user',
      'assistant',
      'agent',
      'agent',
    ]);
    expect(detail.conversation.last_message).toMatchObject({
      message_content: 'Anything else?',
      sender_type: 'agent',
    });
    expect(detail.conversation.ai_control.is_stopped).toBe(true);
    expect(Date.parse(detail.conversation.last_updated)).toBeGreaterThan(Date.parse('2021-01-02T00:00:00Z'));
    expect((await conversationRow(conversationId))?.lastSequence).toBe(4);
  });

  it('queues, rather than pretends to send, a reply on a push channel', async () => {
    const { conversationId } = await newConversation(a, { channel: 'whatsapp' });
    const response = await inject('POST', `/api/conversations/${conversationId}/agent-reply`, a.api_key, {
      content: 'hi',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ channel: 'whatsapp', status: 'queued' });
  });

  it('rejects empty and oversized content and foreign conversations', async () => {
    const { conversationId } = await newConversation();
    const url = `/api/conversations/${conversationId}/agent-reply`;
    const max = t.config.maxMessageChars;
    for (const payload of [
      { content: '' },
      { content: '   \n ' },
      {},
      { content: 5 },
      { content: 'x', extra: true },
    ]) {
      const response = await inject('POST', url, a.api_key, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
    const tooLong = await inject('POST', url, a.api_key, { content: 'x'.repeat(max + 1) });
    expect(tooLong.statusCode).toBe(413);
    expect(tooLong.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await inject('POST', url, b.api_key, { content: 'hi' })).statusCode).toBe(404);
    expect(
      (await inject('POST', `/api/conversations/${randomUUID()}/agent-reply`, a.api_key, { content: 'hi' }))
        .statusCode,
    ).toBe(404);
    expect((await conversationRow(conversationId))?.lastSequence).toBe(1);

    const exact = await inject('POST', url, a.api_key, { content: 'y'.repeat(max) });
    expect(exact.statusCode).toBe(201);
    expect(exact.json().sequence_number).toBe(2);
  });
});

describe('appendMessage', () => {
  it('gives 10 concurrent appends distinct consecutive sequence numbers', async () => {
    const { conversationId } = await newConversation(a, { messages: [] });
    const rows = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        appendMessage(t.database.db, {
          conversationId,
          businessId: a.business_id,
          senderType: i % 2 ? 'assistant' : 'user',
          content: `message ${i}`,
          status: 'pending',
          metadata: { i },
        }),
      ),
    );
    const numbers = rows.map((row) => row?.sequenceNumber).sort((x, y) => (x ?? 0) - (y ?? 0));
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Raw SQL rows come back with text timestamps on node-postgres: they must map to the right instant.
    for (const row of rows) {
      expect(row?.createdAt).toBeInstanceOf(Date);
      expect(Math.abs((row?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    }
    expect(rows[3]?.metadata).toEqual({ i: 3 });
    expect((await conversationRow(conversationId))?.lastSequence).toBe(10);
  });

  it('returns null for a duplicate external id without using a sequence number', async () => {
    const { conversationId } = await newConversation(a, { messages: [] });
    const input = {
      conversationId,
      businessId: a.business_id,
      senderType: 'user' as const,
      content: 'from whatsapp',
      status: 'pending',
      channel: 'whatsapp',
      externalMessageId: `wamid.${randomUUID()}`,
    };
    const first = await appendMessage(t.database.db, input);
    expect(first).toMatchObject({
      sequenceNumber: 1,
      externalMessageId: input.externalMessageId,
      channel: 'whatsapp',
    });
    expect(await appendMessage(t.database.db, input)).toBeNull();
    const concurrent = await Promise.all([
      appendMessage(t.database.db, input),
      appendMessage(t.database.db, input),
    ]);
    expect(concurrent).toEqual([null, null]);
    // The same id on another channel is a different message.
    expect(await appendMessage(t.database.db, { ...input, channel: 'messenger' })).toMatchObject({
      sequenceNumber: 2,
    });
    const stored = await t.database.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId));
    expect(stored).toHaveLength(2);
    expect((await conversationRow(conversationId))?.lastSequence).toBe(2);
  });

  it('stores nothing for a conversation of another business or an unknown one', async () => {
    const { conversationId } = await newConversation(b, { messages: [] });
    const base = { businessId: a.business_id, senderType: 'user' as const, content: 'x', status: 'pending' };
    expect(await appendMessage(t.database.db, { ...base, conversationId })).toBeNull();
    expect(await appendMessage(t.database.db, { ...base, conversationId: randomUUID() })).toBeNull();
    expect((await conversationRow(conversationId))?.lastSequence).toBe(0);
  });
});

describe('GET /api/llm-calls', () => {
  it('lists the business’s calls newest first, with filters and a limit', async () => {
    const db = t.database.db;
    const business = await createBusiness(t.app, t.masterKey);
    const user = (await createUser(t.app, business.api_key)).user_id;
    const c1 = await seedConversation(db, {
      businessId: business.business_id,
      userId: user,
      messages: ['a', 'b'],
    });
    const c2 = await seedConversation(db, {
      businessId: business.business_id,
      userId: user,
      messages: ['c'],
    });
    const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s));
    const call = (conversationId: string, messageId: string | undefined, callType: string, s: number) =>
      seedLlmCall(db, {
        businessId: business.business_id,
        conversationId,
        messageId: messageId ?? null,
        callType,
        createdAt: at(s),
      });
    const ids = [
      await call(c1.conversationId, c1.messageIds[0], 'stage_selection', 1),
      await call(c1.conversationId, c1.messageIds[0], 'data_extraction', 2),
      await call(c1.conversationId, c1.messageIds[0], 'response_generation', 3),
      await call(c2.conversationId, c2.messageIds[0], 'response_generation', 4),
      await seedLlmCall(db, { businessId: business.business_id, callType: 'test', createdAt: at(5) }),
    ];
    await seedLlmCall(db, { businessId: b.business_id, callType: 'test', prompt: 'secret of b' });
    const list = async (query: string, key = business.api_key) => {
      const response = await inject('GET', `/api/llm-calls?${query}`, key);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };

    const all = await list('');
    expect(all).toMatchObject({ total: 5, page: 1, per_page: 50 });
    expect(all.llm_calls.map((c: { llm_call_id: string }) => c.llm_call_id)).toEqual([...ids].reverse());
    expect(all.llm_calls[0]).toEqual({
      llm_call_id: ids[4],
      business_id: business.business_id,
      conversation_id: null,
      message_id: null,
      template_id: null,
      stage_id: null,
      call_type: 'test',
      provider: 'offline',
      model: 'offline-engine',
      system_prompt: 'sys',
      prompt: 'prompt',
      response: 'answer',
      tokens_in: 12,
      tokens_out: 34,
      latency_ms: 56,
      cost_usd: 0.0012,
      status: 'success',
      error: null,
      error_detail: null,
      created_at: at(5).toISOString(),
    });
    expect(JSON.stringify(all)).not.toContain('secret of b');
    expect((await list(`conversation_id=${c1.conversationId}`)).total).toBe(3);
    expect(
      (await list(`message_id=${c2.messageIds[0]}`)).llm_calls.map(
        (c: { llm_call_id: string }) => c.llm_call_id,
      ),
    ).toEqual([ids[3]]);
    expect((await list('call_type=response_generation')).total).toBe(2);
    expect((await list(`call_type=response_generation&conversation_id=${c1.conversationId}`)).total).toBe(1);
    const limited = await list('limit=2');
    expect(limited).toMatchObject({ total: 5, page: 1, per_page: 2 });
    expect(limited.llm_calls.map((c: { llm_call_id: string }) => c.llm_call_id)).toEqual([ids[4], ids[3]]);
    expect(
      (await list('limit=2&page=3')).llm_calls.map((c: { llm_call_id: string }) => c.llm_call_id),
    ).toEqual([ids[0]]);
    expect((await list('limit=500')).per_page).toBe(500);
    expect((await list(`business_id=${business.business_id}`, t.masterKey)).total).toBe(5);
    // Another business's conversation id filters to nothing rather than leaking.
    expect((await list(`conversation_id=${c1.conversationId}`, b.api_key)).total).toBe(0);
  });

  it('rejects bad input and enforces tenants', async () => {
    for (const query of [
      'limit=0',
      'limit=501',
      'limit=x',
      'conversation_id=1',
      'message_id=zz',
      'call_type=DROP%20TABLE',
    ]) {
      const response = await inject('GET', `/api/llm-calls?${query}`, a.api_key);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
    expect((await inject('GET', `/api/llm-calls?business_id=${b.business_id}`, a.api_key)).statusCode).toBe(
      403,
    );
    expect((await inject('GET', '/api/llm-calls', t.masterKey)).statusCode).toBe(400);
    expect((await inject('GET', '/api/llm-calls', undefined)).statusCode).toBe(401);
  });
});
