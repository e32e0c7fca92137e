/**
 * Internal notes (GET/POST /api/conversations/{id}/notes) and collected-data editing
 * (PATCH /api/conversations/{id}/collected-data) through the real app: who may, bad input, another
 * business's conversation, the audit entries and the live events they publish.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, conversations } from '../../src/db/schema.js';
import {
  type ConversationEvent,
  subscribeConversationEvents,
} from '../../src/modules/conversations/conversation-events.js';
import { buildTestAppWithContext, type TestAppWithContext } from '../helpers/app-context.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { bearer, type CreatedBusiness, createBusiness, createUser, missingId } from '../helpers/factories.js';
import { addMember, browser, type TeamMember } from '../helpers/team.js';
import { seedConversation } from './conversations.seed.js';

let t: TestAppWithContext;
let a: CreatedBusiness;
let b: CreatedBusiness;
let userA: string;
let userB: string;
const team: Record<'owner' | 'editor' | 'agent' | 'viewer', TeamMember> = {} as never;
const events: ConversationEvent[] = [];

type Caller = string | TeamMember;
const headersOf = (caller: Caller) => (typeof caller === 'string' ? bearer(caller) : browser(caller.cookie));

const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, caller: Caller, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: headersOf(caller),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const newConversation = async (business: CreatedBusiness = a, collectedData: Record<string, unknown> = {}) =>
  (
    await seedConversation(t.database.db, {
      businessId: business.business_id,
      userId: business === a ? userA : userB,
      stageId: business.first_stage_id,
      messages: ['hello'],
      collectedData,
    })
  ).conversationId;

const eventsFor = (conversationId: string, type: ConversationEvent['type']) =>
  events.filter((e) => e.conversation_id === conversationId && e.type === type);

const auditOf = async (business: CreatedBusiness, entityId: string) => {
  const response = await inject(
    'GET',
    `/api/businesses/${business.business_id}/audit-log?entity_type=conversation&per_page=100`,
    business.api_key,
  );
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().entries as Array<Record<string, unknown>>).filter((e) => e.entity_id === entityId);
};

beforeAll(async () => {
  t = await buildTestAppWithContext();
  subscribeConversationEvents(t.ctx, (event) => events.push(event));
  a = await createBusiness(t.app, t.masterKey);
  b = await createBusiness(t.app, t.masterKey);
  userA = (await createUser(t.app, a.api_key)).user_id;
  userB = (await createUser(t.app, b.api_key)).user_id;
  for (const role of ['owner', 'editor', 'agent', 'viewer'] as const) {
    team[role] = await addMember(t.app, t.masterKey, a.business_id, role);
  }
}, 120_000);
afterAll(async () => t?.close());

describe('notes', () => {
  it('an agent adds notes; the team lists them oldest first with their author', async () => {
    const conversationId = await newConversation();
    const url = `/api/conversations/${conversationId}/notes`;
    const empty = await inject('GET', url, team.agent);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json()).toEqual({ notes: [] });

    const first = await inject('POST', url, team.agent, { content: '  Customer called about the invoice  ' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({
      note_id: expect.any(String),
      conversation_id: conversationId,
      content: 'Customer called about the invoice',
      author_id: team.agent.accountId,
      author_name: 'A agent',
      created_at: expect.any(String),
    });
    const second = await inject('POST', url, a.api_key, { content: 'Refund approved' });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ author_id: null, content: 'Refund approved' });
    expect(second.json().author_name).toEqual(expect.any(String));
    const third = await inject('POST', url, team.editor, { content: 'Sent the label' });
    expect(third.statusCode, third.body).toBe(201);

    const listed = await inject('GET', url, team.agent);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().notes.map((n: { content: string }) => n.content)).toEqual([
      'Customer called about the invoice',
      'Refund approved',
      'Sent the label',
    ]);
    expect(listed.json().notes[0]).toEqual(first.json());

    // One `note` event per note, naming it.
    expect(eventsFor(conversationId, 'note')).toEqual(
      [first, second, third].map((r) => ({
        type: 'note',
        business_id: a.business_id,
        conversation_id: conversationId,
        note_id: r.json().note_id,
      })),
    );
    // A note is no message: the conversation's transcript is unchanged.
    const detail = await inject('GET', `/api/conversations/${conversationId}`, a.api_key);
    expect(detail.json().messages.map((m: { message_content: string }) => m.message_content)).toEqual([
      'hello',
    ]);
  });

  it('keeps the author name when the account is deleted (author_id becomes null)', async () => {
    const conversationId = await newConversation();
    const writer = await addMember(t.app, t.masterKey, a.business_id, 'agent');
    const url = `/api/conversations/${conversationId}/notes`;
    expect((await inject('POST', url, writer, { content: 'Before I leave' })).statusCode).toBe(201);
    await t.database.db.delete(accounts).where(eq(accounts.accountId, writer.accountId));
    const listed = await inject('GET', url, a.api_key);
    expect(listed.json().notes).toEqual([
      expect.objectContaining({ content: 'Before I leave', author_id: null, author_name: 'A agent' }),
    ]);
  });

  it('notes are for agents (api.md): a viewer may neither read nor write them', async () => {
    const conversationId = await newConversation();
    const url = `/api/conversations/${conversationId}/notes`;
    expectError(
      await inject('POST', url, team.viewer, { content: 'Not allowed' }),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(await inject('GET', url, team.viewer), 403, 'AUTHORIZATION_ERROR');
    expect((await inject('GET', url, a.api_key)).json().notes).toEqual([]);
    expect(eventsFor(conversationId, 'note')).toEqual([]);
  });

  it('rejects bad content with the error envelope and stores nothing', async () => {
    const conversationId = await newConversation();
    const url = `/api/conversations/${conversationId}/notes`;
    for (const payload of [
      {},
      { content: '' },
      { content: 7 },
      { content: 'x'.repeat(4001) },
      { content: 'ok', extra: true },
    ]) {
      const response = await inject('POST', url, team.agent, payload);
      expectError(response, 400, 'VALIDATION_ERROR');
    }
    expectFieldErrors(await inject('POST', url, team.agent, { content: '   \n ' }), ['content']);
    expect((await inject('POST', url, team.agent, { content: 'x'.repeat(4000) })).statusCode).toBe(201);
    expectError(
      await inject('GET', '/api/conversations/not-a-uuid/notes', team.agent),
      400,
      'VALIDATION_ERROR',
    );
    expect((await inject('GET', url, a.api_key)).json().notes).toHaveLength(1);
  });

  it("another business's conversation is a 404, reading or writing, and nothing leaks", async () => {
    const foreign = await newConversation(b);
    const url = `/api/conversations/${foreign}/notes`;
    expect((await inject('POST', url, b.api_key, { content: 'B only' })).statusCode).toBe(201);
    for (const caller of [a.api_key, team.owner, team.agent]) {
      expectError(await inject('GET', url, caller), 404, 'NOT_FOUND');
      expectError(await inject('POST', url, caller, { content: 'sneaky' }), 404, 'NOT_FOUND');
    }
    expectError(
      await inject('POST', `/api/conversations/${missingId()}/notes`, a.api_key, { content: 'x' }),
      404,
      'NOT_FOUND',
    );
    const listed = await inject('GET', url, b.api_key);
    expect(listed.json().notes.map((n: { content: string }) => n.content)).toEqual(['B only']);
  });

  it('the master key writes as "master key"; notes go with their conversation', async () => {
    const conversationId = await newConversation();
    const url = `/api/conversations/${conversationId}/notes`;
    const note = await inject('POST', url, t.masterKey, { content: 'From the installation' });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json()).toMatchObject({ author_id: null, author_name: 'master key' });
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/conversations/${conversationId}`,
      headers: bearer(a.api_key),
    });
    expect(deleted.statusCode).toBe(204);
    expectError(await inject('GET', url, t.masterKey), 404, 'NOT_FOUND');
  });
});

describe('PATCH /api/conversations/{id}/collected-data', () => {
  it('sets and removes keys, keeps the others, audits before/after and publishes `conversation`', async () => {
    const conversationId = await newConversation(a, {
      email: 'old@example.com',
      city: 'Porto',
      plan: 'basic',
    });
    const url = `/api/conversations/${conversationId}/collected-data`;
    const response = await inject('PATCH', url, team.agent, {
      data: { email: 'new@example.com', city: null, seats: 3, vip: true },
    });
    expect(response.statusCode, response.body).toBe(200);
    const expected = { email: 'new@example.com', plan: 'basic', seats: 3, vip: true };
    expect(response.json()).toEqual({ collected_data: expected });

    const detail = await inject('GET', `/api/conversations/${conversationId}`, a.api_key);
    expect(detail.json().collected_data).toEqual(expected);
    expect(detail.json().conversation.collected_data).toEqual(expected);

    const [entry] = await auditOf(a, conversationId);
    expect(entry).toMatchObject({
      action: 'update',
      entity_type: 'conversation',
      actor: { type: 'account', id: team.agent.accountId, name: 'A agent' },
      before: { collected_data: { email: 'old@example.com', city: 'Porto', plan: 'basic' } },
      after: { collected_data: expected },
    });
    expect(eventsFor(conversationId, 'conversation')).toEqual([
      { type: 'conversation', business_id: a.business_id, conversation_id: conversationId },
    ]);
  });

  it('removing a key that is not there changes nothing else', async () => {
    const conversationId = await newConversation(a, { name: 'Ana' });
    const response = await inject('PATCH', `/api/conversations/${conversationId}/collected-data`, a.api_key, {
      data: { phone: null },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ collected_data: { name: 'Ana' } });
  });

  it('rejects bad bodies and keys with the error envelope and changes nothing', async () => {
    const original = { email: 'keep@example.com' };
    const conversationId = await newConversation(a, original);
    const url = `/api/conversations/${conversationId}/collected-data`;
    const bad: unknown[] = [
      {},
      { data: {} },
      { data: 'email=x' },
      { data: { email: 'a' }, extra: 1 },
      { data: { '1st': 'x' } },
      { data: { _private: 'x' } },
      { data: { 'e-mail': 'x' } },
      { data: { ['k'.repeat(65)]: 'x' } },
      { data: { email: { nested: true } } },
      { data: { email: ['a'] } },
      { data: { note: 'x'.repeat(2001) } },
      { data: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) },
    ];
    for (const payload of bad) {
      const response = await inject('PATCH', url, team.agent, payload);
      expectError(response, 400, 'VALIDATION_ERROR');
    }
    const [row] = await t.database.db
      .select({ data: conversations.collectedData })
      .from(conversations)
      .where(eq(conversations.conversationId, conversationId));
    expect(row?.data).toEqual(original);
    expect(await auditOf(a, conversationId)).toEqual([]);
    expect(eventsFor(conversationId, 'conversation')).toEqual([]);
  });

  it('a viewer may not edit; another business gets 404; an unknown id 404', async () => {
    const conversationId = await newConversation(a, { email: 'same@example.com' });
    const url = `/api/conversations/${conversationId}/collected-data`;
    const body = { data: { email: 'changed@example.com' } };
    expectError(await inject('PATCH', url, team.viewer, body), 403, 'AUTHORIZATION_ERROR');
    expectError(await inject('PATCH', url, b.api_key, body), 404, 'NOT_FOUND');
    expectError(
      await inject('PATCH', `/api/conversations/${missingId()}/collected-data`, a.api_key, body),
      404,
      'NOT_FOUND',
    );
    const detail = await inject('GET', `/api/conversations/${conversationId}`, a.api_key);
    expect(detail.json().collected_data).toEqual({ email: 'same@example.com' });
    expect((await inject('PATCH', url, team.editor, body)).statusCode).toBe(200);
  });
});
