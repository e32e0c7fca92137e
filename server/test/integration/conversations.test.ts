import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAGE } from '../../src/modules/templates/default-templates.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';
import { seedConversation, seedStage, seedTransition } from './conversations.seed.js';

const ENTRY = DEFAULT_STAGE.stageName;
let t: TestApp;
let a: CreatedBusiness;
let b: CreatedBusiness;
let ana: string;
let bob: string;
let foreignUser: string;
let stage2: string;
const ids: Record<string, string> = {};
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const get = (url: string, key?: string) =>
  t.app.inject({ method: 'GET', url, headers: key ? bearer(key) : {} });
const listOf = async (query: string, key = a.api_key) => {
  const response = await get(`/api/conversations?${query}`, key);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as {
    conversations: Record<string, unknown>[];
    total: number;
    page: number;
    per_page: number;
  };
};
const idsOf = (list: { conversations: Record<string, unknown>[] }) =>
  list.conversations.map((c) => c.conversation_id);

beforeAll(async () => {
  t = await buildTestApp();
  const db = t.database.db;
  a = await createBusiness(t.app, t.masterKey);
  b = await createBusiness(t.app, t.masterKey);
  ana = (await createUser(t.app, a.api_key, { first_name: 'Ana', last_name: 'Silva' })).user_id;
  bob = (await createUser(t.app, a.api_key, { first_name: 'Bob', last_name: '' })).user_id;
  foreignUser = (await createUser(t.app, b.api_key, { first_name: 'Eve', last_name: 'Other' })).user_id;
  stage2 = await seedStage(db, a.business_id, a.first_stage_id, 'Booking');

  // Ordered by last_updated: booking (newest), greeting, closed, literal, old.
  ids.booking = (
    await seedConversation(db, {
      businessId: a.business_id,
      userId: ana,
      stageId: stage2,
      collectedData: { email: 'ana@example.com', plan: 'gold', nights: 3 },
      lastUpdated: minutesAgo(1),
      messages: [
        { content: 'Hello, I want to book a room', extracted: [{ intent: 'booking' }] },
        'Sure, for how many nights?',
        {
          content: 'Three nights, ana@example.com',
          extracted: [{ nights: 3 }, { email: 'ana@example.com' }],
        },
        { sender: 'assistant', content: 'Booked!' },
      ],
    })
  ).conversationId;
  ids.greeting = (
    await seedConversation(db, {
      businessId: a.business_id,
      userId: bob,
      stageId: a.first_stage_id,
      collectedData: { email: 'bob@example.com', plan: 'silver' },
      lastUpdated: minutesAgo(10),
      messages: ['hi there'],
    })
  ).conversationId;
  ids.closed = (
    await seedConversation(db, {
      businessId: a.business_id,
      userId: ana,
      stageId: a.first_stage_id,
      status: 'closed',
      lastUpdated: minutesAgo(60),
      messages: ['my order number is 123'],
    })
  ).conversationId;
  ids.literal = (
    await seedConversation(db, {
      businessId: a.business_id,
      userId: bob,
      lastUpdated: minutesAgo(120),
      messages: ['discount of 50% on file_name', 'ok'],
    })
  ).conversationId;
  ids.old = (
    await seedConversation(db, {
      businessId: a.business_id,
      userId: bob,
      lastUpdated: new Date('2020-01-01T00:00:00Z'),
    })
  ).conversationId;
  ids.foreign = (
    await seedConversation(db, {
      businessId: b.business_id,
      userId: foreignUser,
      collectedData: { email: 'ana@example.com' },
      messages: ['Hello, I want to book a room'],
    })
  ).conversationId;
});
afterAll(async () => t?.close());

describe('GET /api/conversations', () => {
  it('lists the business’s conversations, newest activity first, with summary fields', async () => {
    const list = await listOf('');
    expect(idsOf(list)).toEqual([ids.booking, ids.greeting, ids.closed, ids.literal, ids.old]);
    expect(list).toMatchObject({ total: 5, page: 1, per_page: 20 });
    const [booking, greeting] = list.conversations;
    expect(booking).toMatchObject({
      conversation_id: ids.booking,
      business_id: a.business_id,
      user_id: ana,
      user_name: 'Ana Silva',
      stage_id: stage2,
      stage_name: 'Booking',
      agent_id: null,
      status: 'active',
      channel: 'api',
      session_id: null,
      message_count: 4,
      last_message: { message_content: 'Booked!', sender_type: 'assistant' },
      collected_data: { email: 'ana@example.com', plan: 'gold', nights: 3 },
      ai_stopped: false,
    });
    expect(
      Date.parse((booking?.last_message as { created_at: string } | undefined)?.created_at ?? ''),
    ).not.toBeNaN();
    expect(greeting).toMatchObject({ user_name: 'Bob', stage_name: ENTRY, message_count: 1 });
    const old = list.conversations.at(-1);
    expect(old).toMatchObject({ message_count: 0, last_message: null, stage_id: null, stage_name: null });
  });

  it('filters by user, status and stage', async () => {
    expect(idsOf(await listOf(`user_id=${ana}`))).toEqual([ids.booking, ids.closed]);
    expect(idsOf(await listOf('status=closed'))).toEqual([ids.closed]);
    expect(idsOf(await listOf(`status=active&user_id=${ana}`))).toEqual([ids.booking]);
    expect(idsOf(await listOf(`stage_id=${stage2}`))).toEqual([ids.booking]);
    expect((await listOf(`user_id=${foreignUser}`)).total).toBe(0);
  });

  it('searches message text case-insensitively, with % and _ taken literally', async () => {
    expect(idsOf(await listOf('q=BOOK%20a%20room'))).toEqual([ids.booking]);
    expect(idsOf(await listOf('q=order%20number'))).toEqual([ids.closed]);
    expect(idsOf(await listOf(`q=${encodeURIComponent('50%')}`))).toEqual([ids.literal]);
    expect(idsOf(await listOf(`q=${encodeURIComponent('e_n')}`))).toEqual([ids.literal]);
    // Unescaped, `%` alone would match every conversation with a message, `_` any character.
    expect((await listOf(`q=${encodeURIComponent('%')}`)).total).toBe(1);
    expect((await listOf(`q=${encodeURIComponent('h_')}`)).total).toBe(0);
    expect((await listOf('q=nothing-like-this')).total).toBe(0);
  });

  it('filters on collected data with data.<key>=<value>', async () => {
    expect(idsOf(await listOf('data.email=ana%40example.com'))).toEqual([ids.booking]);
    expect(idsOf(await listOf('data.plan=silver'))).toEqual([ids.greeting]);
    expect(idsOf(await listOf('data.nights=3'))).toEqual([ids.booking]);
    expect(idsOf(await listOf('data.plan=gold&data.email=bob%40example.com'))).toEqual([]);
    expect(idsOf(await listOf('data.plan=gold&data.email=ana%40example.com'))).toEqual([ids.booking]);
    expect((await listOf('data.missing=x')).total).toBe(0);
  });

  it('rejects malformed data keys', async () => {
    for (const query of ['data.=x', 'data.a-b=x', `data.${'k'.repeat(65)}=x`, "data.a'b=x", 'data.a.b=x']) {
      const response = await get(`/api/conversations?${query}`, a.api_key);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('filters last_updated with from/to and rejects bad dates', async () => {
    const from = encodeURIComponent(minutesAgo(30).toISOString());
    expect(idsOf(await listOf(`from=${from}`))).toEqual([ids.booking, ids.greeting]);
    const to = encodeURIComponent(minutesAgo(30).toISOString());
    expect(idsOf(await listOf(`to=${to}`))).toEqual([ids.closed, ids.literal, ids.old]);
    expect(idsOf(await listOf(`from=2019-12-31T00:00:00Z&to=2020-01-02T00:00:00%2B00:00`))).toEqual([
      ids.old,
    ]);
    for (const bad of ['yesterday', '2024-13-01T00:00:00Z', '12345', '2024-01-01T25:00:00Z']) {
      const response = await get(`/api/conversations?from=${encodeURIComponent(bad)}`, a.api_key);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('pages', async () => {
    const page2 = await listOf('per_page=2&page=2');
    expect(page2).toMatchObject({ total: 5, page: 2, per_page: 2 });
    expect(idsOf(page2)).toEqual([ids.closed, ids.literal]);
    expect(idsOf(await listOf('per_page=2&page=4'))).toEqual([]);
    for (const query of ['per_page=0', 'per_page=101', 'page=0', 'page=x']) {
      expect((await get(`/api/conversations?${query}`, a.api_key)).statusCode, query).toBe(400);
    }
  });

  it('rejects bad filter values', async () => {
    for (const query of [
      'status=open',
      'user_id=not-a-uuid',
      'stage_id=123',
      `business_id=${'x'.repeat(36)}`,
    ]) {
      const response = await get(`/api/conversations?${query}`, a.api_key);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('enforces tenants', async () => {
    expect((await get('/api/conversations')).statusCode).toBe(401);
    const foreign = await get(`/api/conversations?business_id=${a.business_id}`, b.api_key);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.code).toBe('AUTHORIZATION_ERROR');
    expect(idsOf(await listOf('', b.api_key))).toEqual([ids.foreign]);
    // Searching another business's text or data finds nothing of it.
    expect(idsOf(await listOf('q=book%20a%20room', b.api_key))).toEqual([ids.foreign]);
    expect((await get('/api/conversations', t.masterKey)).statusCode).toBe(400);
    expect((await listOf(`business_id=${a.business_id}`, t.masterKey)).total).toBe(5);
  });
});

describe('GET /api/conversations/{id}', () => {
  it('returns the conversation, messages in order with extracted data, and stage transitions', async () => {
    const db = t.database.db;
    const { conversationId, messageIds } = await seedConversation(db, {
      businessId: a.business_id,
      userId: ana,
      stageId: stage2,
      collectedData: { email: 'x@y.co', nights: 2 },
      lastUpdated: minutesAgo(5000),
      messages: [
        { content: 'first', extracted: [{ email: 'old@y.co' }, { email: 'x@y.co' }] },
        'second',
        { content: 'third', extracted: [{ nights: 2 }] },
      ],
    });
    const t1 = await seedTransition(db, {
      businessId: a.business_id,
      conversationId,
      from: a.first_stage_id,
      to: stage2,
      messageId: messageIds[2],
      createdAt: minutesAgo(2),
    });
    const t0 = await seedTransition(db, {
      businessId: a.business_id,
      conversationId,
      from: null,
      to: a.first_stage_id,
      createdAt: minutesAgo(3),
    });

    const response = await get(`/api/conversations/${conversationId}`, a.api_key);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.conversation).toMatchObject({
      conversation_id: conversationId,
      user_name: 'Ana Silva',
      stage_name: 'Booking',
      message_count: 3,
      last_message: { message_content: 'third', sender_type: 'user' },
      ai_stopped: false,
      ai_control: { is_stopped: false, stop_time: null, expiration_time: null },
    });
    expect(body.collected_data).toEqual({ email: 'x@y.co', nights: 2 });
    expect(body.messages.map((m: { message_content: string }) => m.message_content)).toEqual([
      'first',
      'second',
      'third',
    ]);
    expect(body.messages.map((m: { sequence_number: number }) => m.sequence_number)).toEqual([1, 2, 3]);
    expect(body.messages[0]).toMatchObject({
      message_id: messageIds[0],
      conversation_id: conversationId,
      sender_type: 'user',
      channel: 'api',
      external_message_id: null,
      status: 'processed',
      stage_id: stage2,
      reply_to_message_id: null,
      extracted_data: { email: 'x@y.co' },
    });
    expect(body.messages[1].extracted_data).toBeNull();
    expect(body.messages[2].extracted_data).toEqual({ nights: 2 });
    expect(body.stage_transitions).toEqual([
      {
        stage_transition_id: t0,
        from_stage_id: null,
        from_stage_name: null,
        to_stage_id: a.first_stage_id,
        to_stage_name: ENTRY,
        message_id: null,
        reason: null,
        created_at: expect.any(String),
      },
      {
        stage_transition_id: t1,
        from_stage_id: a.first_stage_id,
        from_stage_name: ENTRY,
        to_stage_id: stage2,
        to_stage_name: 'Booking',
        message_id: messageIds[2],
        reason: null,
        created_at: expect.any(String),
      },
    ]);
  });

  it('answers 404 for another business’s or an unknown conversation, 400 for a bad id', async () => {
    for (const id of [ids.foreign, randomUUID()]) {
      const response = await get(`/api/conversations/${id}`, a.api_key);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
      expect(response.body).not.toContain('Hello');
    }
    const bad = await get('/api/conversations/not-a-uuid', a.api_key);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('lets the master key read any conversation', async () => {
    const response = await get(`/api/conversations/${ids.foreign}`, t.masterKey);
    expect(response.statusCode).toBe(200);
    expect(response.json().conversation.business_id).toBe(b.business_id);
  });
});

describe('GET /api/conversations/{id}/messages', () => {
  it('pages the messages in sequence order', async () => {
    const { conversationId } = await seedConversation(t.database.db, {
      businessId: a.business_id,
      userId: bob,
      lastUpdated: minutesAgo(6000),
      messages: ['m1', 'm2', 'm3', 'm4', 'm5'],
    });
    const all = await get(`/api/conversations/${conversationId}/messages`, a.api_key);
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ total: 5, page: 1, per_page: 20 });
    expect(all.json().messages.map((m: { message_content: string }) => m.message_content)).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
    ]);
    const page = await get(`/api/conversations/${conversationId}/messages?per_page=2&page=2`, a.api_key);
    expect(page.json()).toMatchObject({ total: 5, page: 2, per_page: 2 });
    expect(page.json().messages.map((m: { sequence_number: number }) => m.sequence_number)).toEqual([3, 4]);
  });

  it('hides other businesses’ messages', async () => {
    expect((await get(`/api/conversations/${ids.foreign}/messages`, a.api_key)).statusCode).toBe(404);
    expect((await get(`/api/conversations/${ids.foreign}/messages`, t.masterKey)).statusCode).toBe(200);
    expect((await get('/api/conversations/123/messages', a.api_key)).statusCode).toBe(400);
  });
});

describe('GET /api/users/{user_id}/conversations', () => {
  it('returns the user’s conversations with their messages in order', async () => {
    const response = await get(`/api/users/${ana}/conversations`, a.api_key);
    expect(response.statusCode, response.body).toBe(200);
    const conversations = response.json().conversations as {
      conversation_id: string;
      user_id: string;
      messages: { message_content: string; sequence_number: number; extracted_data: unknown }[];
    }[];
    expect(conversations.every((c) => c.user_id === ana)).toBe(true);
    expect(conversations.map((c) => c.conversation_id)).toContain(ids.booking);
    expect(conversations.map((c) => c.conversation_id)).toContain(ids.closed);
    expect(conversations.map((c) => c.conversation_id)).not.toContain(ids.greeting);
    const booking = conversations.find((c) => c.conversation_id === ids.booking);
    expect(booking?.messages.map((m) => m.sequence_number)).toEqual([1, 2, 3, 4]);
    expect(booking?.messages[2]?.extracted_data).toEqual({ nights: 3, email: 'ana@example.com' });
  });

  it('answers an empty list for a user without conversations', async () => {
    const user = await createUser(t.app, a.api_key);
    const response = await get(`/api/users/${user.user_id}/conversations`, a.api_key);
    expect(response.json()).toEqual({ conversations: [] });
  });

  it('answers 404 for another business’s or an unknown user', async () => {
    expect((await get(`/api/users/${foreignUser}/conversations`, a.api_key)).statusCode).toBe(404);
    expect((await get(`/api/users/${randomUUID()}/conversations`, a.api_key)).statusCode).toBe(404);
    expect((await get('/api/users/nope/conversations', a.api_key)).statusCode).toBe(400);
    const master = await get(`/api/users/${foreignUser}/conversations`, t.masterKey);
    expect(master.statusCode).toBe(200);
    expect(master.json().conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      ids.foreign,
    ]);
  });
});

describe('OpenAPI', () => {
  it('describes the conversation endpoints', async () => {
    const doc = (await get('/openapi.json')).json();
    for (const path of [
      '/api/conversations',
      '/api/conversations/{conversation_id}',
      '/api/conversations/{conversation_id}/messages',
      '/api/conversations/{conversation_id}/ai-control',
      '/api/conversations/{conversation_id}/agent-reply',
      '/api/users/{user_id}/conversations',
      '/api/llm-calls',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
