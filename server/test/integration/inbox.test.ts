/**
 * The live inbox over real HTTP: list filters and views, waiting state, per-account unread counts,
 * assignment, take-over / give-back, their events and audit entries, hand-off settings and the
 * analytics' simulator exclusion. Customer messages go through POST /api/message (offline engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvalidationBus, type InvalidationBus } from '../../src/cache/invalidation-bus.js';
import type { ConversationEvent } from '../../src/modules/conversations/index.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';
import { addMember, browser, createAccount, type TeamMember } from '../helpers/team.js';
import { seedConversation } from './conversations.seed.js';

let t: TestApp;
let bus: InvalidationBus;
let biz: CreatedBusiness;
let other: CreatedBusiness;
let agent1: TeamMember;
let agent2: TeamMember;
let viewer: TeamMember;
let outsider: TeamMember;
const events: ConversationEvent[] = [];

beforeAll(async () => {
  bus = await createInvalidationBus();
  bus.subscribe('conversation-event', (payload) => events.push(JSON.parse(payload) as ConversationEvent));
  t = await buildTestApp({}, { bus });
  biz = await createBusiness(t.app, t.masterKey);
  other = await createBusiness(t.app, t.masterKey);
  agent1 = await addMember(t.app, t.masterKey, biz.business_id, 'agent');
  agent2 = await addMember(t.app, t.masterKey, biz.business_id, 'agent');
  viewer = await addMember(t.app, t.masterKey, biz.business_id, 'viewer');
  outsider = await addMember(t.app, t.masterKey, other.business_id, 'owner');
}, 120_000);
afterAll(async () => {
  await t?.close();
  await bus?.close();
});

/** A request as a signed-in team member (session cookie, same origin). */
async function asMember(member: TeamMember, method: string, url: string, payload?: unknown) {
  const response = await t.app.inject({
    method: method as 'GET',
    url,
    headers: browser(member.cookie),
    ...(payload === undefined ? {} : { payload: payload as Json }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : null) as Json };
}

const key = () => biz.api_key;

/** A customer message through the pipeline; returns the conversation id. */
async function customerSays(content: string, extra: Json = {}) {
  const sent = await callApi(t.app, 'POST', '/api/message', key(), {
    business_id: biz.business_id,
    content,
    ...extra,
  });
  expect([200, 202], JSON.stringify(sent.body)).toContain(sent.status);
  return sent.body as Json;
}

const list = async (query: string, member?: TeamMember) => {
  const url = `/api/conversations?business_id=${biz.business_id}&per_page=100&${query}`;
  const response = member ? await asMember(member, 'GET', url) : await callApi(t.app, 'GET', url, key());
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.conversations as Json[];
};
const ids = (rows: Json[]) => rows.map((c) => c.conversation_id as string);

const detail = async (id: string, member?: TeamMember) => {
  const url = `/api/conversations/${id}`;
  const response = member ? await asMember(member, 'GET', url) : await callApi(t.app, 'GET', url, key());
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as Json;
};

const eventsOf = (conversationId: string, type: string) =>
  events.filter((e) => e.conversation_id === conversationId && e.type === type) as Json[];

describe('GET /api/conversations filters and views', () => {
  let booking: string;
  let simulator: string;
  let whatsapp: string;
  let closed: string;

  beforeAll(async () => {
    booking = (await customerSays('I would like to BOOK a table for two')).conversation_id;
    simulator = (await customerSays('Testing the simulator', { channel: 'simulator' })).conversation_id;
    const customer = await createUser(t.app, key(), { first_name: '', last_name: '' });
    whatsapp = (
      await seedConversation(t.database.db, {
        businessId: biz.business_id,
        userId: customer.user_id,
        channel: 'whatsapp',
        collectedData: { city: 'Lisbon', plan: 'pro', name: 'Rita Lopes' },
        messages: ['Olá', 'Olá! Em que posso ajudar?'],
        lastUpdated: new Date('2024-03-01T10:00:00Z'),
      })
    ).conversationId;
    closed = (
      await seedConversation(t.database.db, {
        businessId: biz.business_id,
        userId: customer.user_id,
        status: 'closed',
        messages: ['bye'],
        lastUpdated: new Date('2024-01-01T10:00:00Z'),
      })
    ).conversationId;
  });

  it('leaves simulator conversations out unless channel=simulator, and filters by channel', async () => {
    const all = ids(await list(''));
    expect(all).toEqual(expect.arrayContaining([booking, whatsapp, closed]));
    expect(all).not.toContain(simulator);
    expect(ids(await list('channel=simulator'))).toEqual([simulator]);
    expect(ids(await list('channel=whatsapp'))).toEqual([whatsapp]);
    expect(ids(await list('channel=api'))).toEqual(expect.arrayContaining([booking, closed]));
    expect(ids(await list('channel=api'))).not.toContain(whatsapp);
  });

  it('sorts by last activity: a new message moves its conversation to the top', async () => {
    const before = ids(await list('status=active'));
    expect(before.indexOf(booking)).toBeLessThan(before.indexOf(whatsapp));
    const api = await seedConversation(t.database.db, {
      businessId: biz.business_id,
      userId: (await createUser(t.app, key())).user_id,
      messages: ['old one'],
      lastUpdated: new Date('2023-06-01T00:00:00Z'),
    });
    expect(ids(await list('status=active')).at(-1)).toBe(api.conversationId);
    const moved = await callApi(
      t.app,
      'POST',
      `/api/conversations/${api.conversationId}/agent-reply`,
      key(),
      {
        content: 'Sorry for the wait',
      },
    );
    expect(moved.status).toBe(201);
    const after = await list('status=active');
    expect(after[0]?.conversation_id).toBe(api.conversationId);
    const stamps = after.map((c) => Date.parse(c.last_updated));
    expect([...stamps].sort((x, y) => y - x)).toEqual(stamps);
  });

  it('filters on collected data, message text, status and last-activity range', async () => {
    expect(ids(await list('data.city=Lisbon'))).toEqual([whatsapp]);
    expect(ids(await list('data.city=Lisbon&data.plan=pro'))).toEqual([whatsapp]);
    expect(ids(await list('data.city=Porto'))).toEqual([]);
    expect(ids(await list('q=book a TABLE'))).toEqual([booking]);
    expect(ids(await list('status=closed'))).toEqual([closed]);
    expect(ids(await list('from=2024-02-01T00:00:00Z&to=2024-04-01T00:00:00Z'))).toEqual([whatsapp]);
  });

  it('names customers by their best name', async () => {
    const rows = await list('');
    const byId = new Map(rows.map((c) => [c.conversation_id, c]));
    // No first/last name: the collected `name` wins.
    expect(byId.get(whatsapp)?.user_name).toBe('Rita Lopes');
    const sim = (await list('channel=simulator'))[0];
    expect(sim?.user_name).toBe('Simulator');
    const apiCustomer = byId.get(booking)?.user_name as string;
    expect(apiCustomer).not.toMatch(/^User [0-9a-f]{8}$/);
    expect(apiCustomer.length).toBeGreaterThan(0);
  });

  it('filters by assignee: an account, me, none', async () => {
    const assigned = await callApi(t.app, 'PATCH', `/api/conversations/${booking}`, key(), {
      assignee_id: agent1.accountId,
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body).toMatchObject({ assignee_id: agent1.accountId, assignee_name: 'A agent' });
    expect(ids(await list(`assignee_id=${agent1.accountId}`))).toEqual([booking]);
    expect(ids(await list('assignee_id=me&status=active', agent1))).toEqual([booking]);
    expect(ids(await list('assignee_id=me&status=active', agent2))).toEqual([]);
    // An API key is nobody: "me" matches nothing.
    expect(ids(await list('assignee_id=me'))).toEqual([]);
    const unassigned = ids(await list('assignee_id=none&status=active'));
    expect(unassigned).not.toContain(booking);
    expect(unassigned).toContain(whatsapp);
    const row = (await list('')).find((c) => c.conversation_id === booking);
    expect(row).toMatchObject({ assignee_id: agent1.accountId, assignee_name: 'A agent' });
  });

  it('answers 400 VALIDATION_ERROR for invalid filter values', async () => {
    for (const query of [
      'channel=sms',
      'assignee_id=bob',
      'waiting=maybe',
      'status=open',
      'from=yesterday',
      'stage_id=nope',
      'data.bad-key=1',
      `user_id=${'x'.repeat(10)}`,
    ]) {
      const response = await callApi(
        t.app,
        'GET',
        `/api/conversations?business_id=${biz.business_id}&${query}`,
        key(),
      );
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('VALIDATION_ERROR');
    }
  });
});

describe('waiting_since', () => {
  it('is set by a customer message and cleared by the assistant reply', async () => {
    const sent = await customerSays('hello there');
    const c = (await detail(sent.conversation_id)).conversation;
    expect(sent.response).toBeTruthy();
    expect(c.waiting_since).toBeNull();
    expect(ids(await list('waiting=false&status=active'))).toContain(sent.conversation_id);
  });

  it('stays while the AI is stopped, keeps the first time, and is cleared by an agent reply', async () => {
    const first = await customerSays('first message');
    const id = first.conversation_id as string;
    const stop = await callApi(t.app, 'POST', `/api/conversations/${id}/ai-control`, key(), {
      action: 'stop',
    });
    expect(stop.status).toBe(200);
    const skipped = await customerSays('anyone there?', { conversation_id: id, user_id: first.user_id });
    expect(skipped.ai_stopped).toBe(true);
    const waiting = (await detail(id)).conversation.waiting_since as string;
    expect(waiting).toEqual(expect.any(String));
    expect(ids(await list('waiting=true&status=active'))).toContain(id);
    await customerSays('hello??', { conversation_id: id, user_id: first.user_id });
    expect((await detail(id)).conversation.waiting_since).toBe(waiting);
    const reply = await callApi(t.app, 'POST', `/api/conversations/${id}/agent-reply`, key(), {
      content: 'Here I am',
    });
    expect(reply.status).toBe(201);
    expect((await detail(id)).conversation.waiting_since).toBeNull();
    expect(ids(await list('waiting=true'))).not.toContain(id);
  });

  it('is cleared by closing the conversation', async () => {
    const first = await customerSays('hi');
    const id = first.conversation_id as string;
    await callApi(t.app, 'POST', `/api/conversations/${id}/ai-control`, key(), { action: 'stop' });
    await customerSays('still waiting', { conversation_id: id, user_id: first.user_id });
    expect((await detail(id)).conversation.waiting_since).not.toBeNull();
    const closedNow = await callApi(t.app, 'PATCH', `/api/conversations/${id}`, key(), { status: 'closed' });
    expect(closedNow.status).toBe(200);
    expect(closedNow.body).toMatchObject({ status: 'closed', waiting_since: null });
    expect(eventsOf(id, 'status').at(-1)).toMatchObject({ status: 'closed', business_id: biz.business_id });
  });
});

describe('unread counts', () => {
  it('counts customer messages after each account’s own read mark', async () => {
    const first = await customerSays('one');
    const id = first.conversation_id as string;
    await customerSays('two', { conversation_id: id, user_id: first.user_id });
    expect((await detail(id, agent1)).conversation.unread_count).toBe(2);
    expect((await detail(id, agent2)).conversation.unread_count).toBe(2);
    expect((await detail(id)).conversation.unread_count).toBe(0); // an API key has no read marks

    const read = await asMember(agent1, 'POST', `/api/conversations/${id}/read`);
    expect(read.status).toBe(204);
    expect((await detail(id, agent1)).conversation.unread_count).toBe(0);
    expect((await detail(id, agent2)).conversation.unread_count).toBe(2);
    expect((await list('', agent1)).find((c) => c.conversation_id === id)?.unread_count).toBe(0);
    expect((await list('', agent2)).find((c) => c.conversation_id === id)?.unread_count).toBe(2);

    await customerSays('three', { conversation_id: id, user_id: first.user_id });
    expect((await detail(id, agent1)).conversation.unread_count).toBe(1);
    expect((await detail(id, agent2)).conversation.unread_count).toBe(3);
    // A viewer may mark read; a key's read is accepted and changes nothing.
    expect((await asMember(viewer, 'POST', `/api/conversations/${id}/read`)).status).toBe(204);
    expect((await detail(id, viewer)).conversation.unread_count).toBe(0);
    expect((await callApi(t.app, 'POST', `/api/conversations/${id}/read`, key())).status).toBe(204);
    expect((await detail(id, agent2)).conversation.unread_count).toBe(3);
  });

  it('answers 404 for another business’s or an unknown conversation', async () => {
    const first = await customerSays('mine');
    expect(
      (await asMember(outsider, 'POST', `/api/conversations/${first.conversation_id}/read`)).status,
    ).toBe(404);
    const unknown = await asMember(
      agent1,
      'POST',
      '/api/conversations/00000000-0000-4000-8000-00000000abcd/read',
    );
    expect(unknown.status).toBe(404);
    expect((await asMember(agent1, 'POST', '/api/conversations/not-a-uuid/read')).status).toBe(400);
  });
});

describe('assignment, take-over and give-back', () => {
  it('PATCH assigns a member, unassigns with null, and refuses non-members', async () => {
    const id = (await customerSays('assign me')).conversation_id as string;
    const url = `/api/conversations/${id}`;
    const stranger = await createAccount(t.app, t.masterKey);
    for (const assignee of [stranger.id, outsider.accountId]) {
      const refused = await callApi(t.app, 'PATCH', url, key(), { assignee_id: assignee });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    }
    for (const payload of [{ assignee_id: 'me' }, { assignee_id: 5 }, {}, { status: 'open' }]) {
      expect((await callApi(t.app, 'PATCH', url, key(), payload)).status).toBe(400);
    }
    const both = await asMember(agent2, 'PATCH', url, { assignee_id: agent2.accountId, status: 'active' });
    expect(both.status, JSON.stringify(both.body)).toBe(200);
    expect(both.body.assignee_id).toBe(agent2.accountId);
    expect(eventsOf(id, 'assignment').at(-1)).toMatchObject({
      assignee_id: agent2.accountId,
      assignee_name: 'A agent',
    });
    const cleared = await callApi(t.app, 'PATCH', url, key(), { assignee_id: null });
    expect(cleared.body).toMatchObject({ assignee_id: null, assignee_name: null });
    expect(eventsOf(id, 'assignment').at(-1)).toMatchObject({ assignee_id: null });
    // A viewer may not.
    expect((await asMember(viewer, 'PATCH', url, { assignee_id: viewer.accountId })).status).toBe(403);
  });

  it('take-over assigns the caller and stops the AI; give-back resumes it and clears the rest', async () => {
    const first = await customerSays('I need help');
    const id = first.conversation_id as string;
    const taken = await asMember(agent1, 'POST', `/api/conversations/${id}/take-over`);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({
      conversation_id: id,
      assignee_id: agent1.accountId,
      assignee_name: 'A agent',
      ai_stopped: true,
      ai_control: { is_stopped: true, expiration_time: null },
    });
    expect(eventsOf(id, 'assignment').at(-1)).toMatchObject({ assignee_id: agent1.accountId });
    expect(eventsOf(id, 'ai').at(-1)).toMatchObject({ is_stopped: true, reason: 'agent' });

    // The AI stays silent now; the customer waits for the person.
    const silent = await customerSays('hello?', { conversation_id: id, user_id: first.user_id });
    expect(silent.ai_stopped).toBe(true);
    expect((await detail(id)).conversation.waiting_since).not.toBeNull();
    expect(ids(await list('assignee_id=me&waiting=true', agent1))).toContain(id);

    const back = await asMember(agent1, 'POST', `/api/conversations/${id}/give-back`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({
      assignee_id: null,
      assignee_name: null,
      waiting_since: null,
      ai_stopped: false,
    });
    expect(eventsOf(id, 'ai').at(-1)).toMatchObject({ is_stopped: false, reason: 'agent' });
    expect(eventsOf(id, 'assignment').at(-1)).toMatchObject({ assignee_id: null });
    const answered = await customerSays('thanks', { conversation_id: id, user_id: first.user_id });
    expect(answered.response).toBeTruthy();

    const audit = await callApi(
      t.app,
      'GET',
      `/api/businesses/${biz.business_id}/audit-log?entity_type=conversation&per_page=100`,
      t.masterKey,
    );
    const actions = (audit.body.entries as Json[]).filter((e) => e.entity_id === id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['take_over', 'give_back']));
  });

  it('take-over needs a signed-in account: an API key or the master key gets 403', async () => {
    const id = (await customerSays('keys cannot take over')).conversation_id as string;
    for (const credential of [key(), t.masterKey]) {
      const refused = await callApi(t.app, 'POST', `/api/conversations/${id}/take-over`, credential);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('AUTHORIZATION_ERROR');
      expect(refused.body.error.message).toMatch(/signed-in account/);
    }
    expect((await asMember(viewer, 'POST', `/api/conversations/${id}/take-over`)).status).toBe(403);
    expect((await asMember(outsider, 'POST', `/api/conversations/${id}/take-over`)).status).toBe(404);
    expect((await detail(id)).conversation.ai_stopped).toBe(false);
    // Give-back works for a key (it assigns nobody).
    expect((await callApi(t.app, 'POST', `/api/conversations/${id}/give-back`, key())).status).toBe(200);
  });

  it('the ai-control route publishes ai events with reason agent', async () => {
    const id = (await customerSays('stop and go')).conversation_id as string;
    await callApi(t.app, 'POST', `/api/conversations/${id}/ai-control`, key(), { action: 'stop' });
    await callApi(t.app, 'POST', `/api/conversations/${id}/ai-control`, key(), { action: 'resume' });
    expect(eventsOf(id, 'ai').map((e) => [e.is_stopped, e.reason])).toEqual([
      [true, 'agent'],
      [false, 'agent'],
    ]);
  });
});

describe('ConversationDetail.customer', () => {
  it('carries the customer’s identity and best name', async () => {
    const customer = await createUser(t.app, key(), {
      first_name: 'Joana',
      last_name: 'Reis',
      email: 'joana@example.test',
      phone: '+351912000000',
    });
    const sent = await customerSays('hi', { user_id: customer.user_id });
    const body = await detail(sent.conversation_id);
    expect(body.customer).toEqual({
      user_id: customer.user_id,
      name: 'Joana Reis',
      first_name: 'Joana',
      last_name: 'Reis',
      email: 'joana@example.test',
      phone: '+351912000000',
      whatsapp_id: null,
      messenger_psid: null,
    });
    expect(body.conversation.user_name).toBe('Joana Reis');
  });
});

describe('hand-off settings', () => {
  it('stages take a handoff flag on create and update', async () => {
    const created = await callApi(t.app, 'POST', '/api/stages', key(), {
      business_id: biz.business_id,
      stage_name: 'Talk to the team',
      handoff: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.handoff).toBe(true);
    const plain = await callApi(t.app, 'GET', `/api/stages/${biz.first_stage_id}`, key());
    expect(plain.body.handoff).toBe(false);
    const updated = await callApi(t.app, 'PATCH', `/api/stages/${created.body.stage_id}`, key(), {
      handoff: false,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.handoff).toBe(false);
    const bad = await callApi(t.app, 'PATCH', `/api/stages/${created.body.stage_id}`, key(), {
      handoff: 'yes',
    });
    expect(bad.status).toBe(400);
  });

  it('the business’s handoff_message is validated', async () => {
    const url = `/api/businesses/${biz.business_id}`;
    for (const handoff_message of ['x'.repeat(1001), 42]) {
      const response = await callApi(t.app, 'PATCH', url, key(), { settings: { handoff_message } });
      expect(response.status).toBe(400);
    }
    const ok = await callApi(t.app, 'PATCH', url, key(), {
      settings: { handoff_message: 'One moment, a colleague will answer.' },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.settings.handoff_message).toBe('One moment, a colleague will answer.');
    // Cleared (as the settings form sends it), the default applies again.
    const cleared = await callApi(t.app, 'PATCH', url, key(), { settings: { handoff_message: '' } });
    expect(cleared.status).toBe(200);
    const asked = await callApi(t.app, 'POST', '/api/message', biz.api_key, {
      business_id: biz.business_id,
      content: 'Can I talk to a human?',
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body.response).toMatch(/member of our team/);
  });

  it('a customer asking for a person gets the hand-off message, the AI stops and the conversation waits', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const ask = await callApi(t.app, 'POST', '/api/message', business.api_key, {
      business_id: business.business_id,
      content: 'Can I talk to a human please?',
    });
    expect(ask.status).toBe(200);
    expect(ask.body.response).toBe(
      "I'm passing you to a member of our team. Someone will reply here shortly.",
    );
    const id = ask.body.conversation_id as string;
    const c = (await callApi(t.app, 'GET', `/api/conversations/${id}`, business.api_key)).body.conversation;
    expect(c).toMatchObject({ ai_stopped: true, ai_control: { is_stopped: true, expiration_time: null } });
    expect(c.waiting_since).not.toBeNull();
    expect(eventsOf(id, 'handoff')).toEqual([
      expect.objectContaining({ reason: 'customer_request', business_id: business.business_id }),
    ]);
    expect(eventsOf(id, 'ai').at(-1)).toMatchObject({ is_stopped: true, reason: 'handoff' });
    const next = await callApi(t.app, 'POST', '/api/message', business.api_key, {
      business_id: business.business_id,
      conversation_id: id,
      user_id: ask.body.user_id,
      content: 'hello?',
    });
    expect(next.status).toBe(202);
    expect(next.body).toMatchObject({ ai_stopped: true, response: null });
  });
});

describe('analytics', () => {
  it('leaves simulator conversations out unless include_simulator=true', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    for (const channel of ['api', 'simulator', 'simulator']) {
      const sent = await callApi(t.app, 'POST', '/api/message', business.api_key, {
        business_id: business.business_id,
        content: `hello from ${channel}`,
        channel,
      });
      expect(sent.status).toBe(200);
    }
    const url = `/api/analytics/overview?business_id=${business.business_id}`;
    const real = await callApi(t.app, 'GET', url, business.api_key);
    expect(real.status).toBe(200);
    expect(real.body.totals).toMatchObject({ conversations: 1, messages: 2, user_messages: 1 });
    const all = await callApi(t.app, 'GET', `${url}&include_simulator=true`, business.api_key);
    expect(all.body.totals).toMatchObject({ conversations: 3, messages: 6, user_messages: 3 });
    expect(all.body.per_day.reduce((n: number, d: Json) => n + d.messages, 0)).toBe(6);
    expect(real.body.per_day.reduce((n: number, d: Json) => n + d.messages, 0)).toBe(2);
    const bad = await callApi(t.app, 'GET', `${url}&include_simulator=maybe`, business.api_key);
    expect(bad.status).toBe(400);
  });
});

describe('a member who leaves', () => {
  it('is no longer the assignee of their conversations; the inboxes are told', async () => {
    const leaving = await addMember(t.app, t.masterKey, biz.business_id, 'agent');
    const id = (await customerSays('Someone please look at my order')).conversation_id as string;
    const taken = await asMember(leaving, 'POST', `/api/conversations/${id}/take-over`);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect((await detail(id)).conversation).toMatchObject({ assignee_id: leaving.accountId });

    const removed = await callApi(
      t.app,
      'DELETE',
      `/api/businesses/${biz.business_id}/members/${leaving.memberId}`,
      t.masterKey,
    );
    expect(removed.status, JSON.stringify(removed.body)).toBe(204);

    // Still a person's job (the AI stays stopped), but nobody's in particular.
    expect((await detail(id)).conversation).toMatchObject({ assignee_id: null });
    expect(ids(await list('assignee_id=none'))).toContain(id);
    expect(ids(await list(`assignee_id=${leaving.accountId}`))).not.toContain(id);
    expect(eventsOf(id, 'assignment').at(-1)).toMatchObject({ assignee_id: null, assignee_name: null });
  });
});
