import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/build-test-app.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';
import { addMember, browser } from '../helpers/team.js';
import { openEventStream, type SseMessage } from '../helpers/widget-fixture.js';

/** The live inbox stream over a real socket: GET /api/conversations/events. */
let p: PipelineApp;
let base: string;
beforeAll(async () => {
  // A short heartbeat: a stream notices an ended session within it.
  p = await startPipelineApp({ EVENT_STREAM_HEARTBEAT_MS: '300' });
  base = await p.t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  p.t.app.server.closeAllConnections();
  await p.close();
});
beforeEach(() => {
  p.llm.reset();
  p.llm.setDefault(scriptedModel({ respond: (message) => `You said: ${message}` }));
});

const inbox = (headers: Record<string, string>, query = '') =>
  openEventStream(`${base}/api/conversations/events${query}`, headers);

const post = async (business: CreatedBusiness, content: string, conversationId?: string) => {
  const response = await fetch(`${base}/api/message`, {
    method: 'POST',
    headers: { ...bearer(business.api_key), 'content-type': 'application/json' },
    body: JSON.stringify({
      business_id: business.business_id,
      content,
      ...(conversationId ? { conversation_id: conversationId } : {}),
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { conversation_id: string; message_id: string; response_id: string };
};

const messageEvent = (messageId: string) => (e: SseMessage) =>
  e.event === 'message' && JSON.parse(e.data).message_id === messageId;

const json = async (response: Response) => (await response.json()) as { error: { code: string } };

describe('GET /api/conversations/events', () => {
  it("streams the business's messages as `message` events — and none of another business's", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const other = await createBusiness(p.t.app, p.t.masterKey);
    const agent = await addMember(p.t.app, p.t.masterKey, business.business_id, 'agent');
    const stream = await inbox(browser(agent.cookie), `?business_id=${business.business_id}`);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const ready = await stream.next((e) => e.event === 'ready');
      expect(stream.events[0]).toBe(ready);
      expect(JSON.parse(ready.data)).toEqual({});
      expect(stream.raw()).toMatch(/^retry: 3000\n\n/);

      await post(other, 'not for this inbox');
      const sent = await post(business, 'table for two');
      const customer = await stream.next(messageEvent(sent.message_id));
      expect(JSON.parse(customer.data)).toEqual({
        type: 'message',
        business_id: business.business_id,
        conversation_id: sent.conversation_id,
        message_id: sent.message_id,
        sender_type: 'user',
        channel: 'api',
      });
      const reply = await stream.next(messageEvent(sent.response_id));
      expect(JSON.parse(reply.data)).toMatchObject({ sender_type: 'assistant' });
      expect(customer.id).not.toBe('');
      expect(reply.id).not.toBe(customer.id);
      // Typing came too; nothing at all of the other business (posted first, so it would be here).
      expect(stream.events.some((e) => e.event === 'typing')).toBe(true);
      const businesses = stream.events
        .filter((e) => e.event !== 'ready')
        .map((e) => JSON.parse(e.data).business_id);
      expect(new Set(businesses)).toEqual(new Set([business.business_id]));
    } finally {
      await stream.close();
    }
  });

  it('replays what a reconnecting client missed after Last-Event-ID (header or query)', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const first = await inbox(bearer(business.api_key));
    const ready = await first.next((e) => e.event === 'ready');
    expect(ready.id).toMatch(/^[0-9a-f]{8}-\d+$/);
    const one = await post(business, 'first');
    const seen = await first.next(messageEvent(one.response_id));
    await first.close();

    // While nobody listens: the customer writes again, and the assistant answers.
    const two = await post(business, 'second', one.conversation_id);
    const again = await inbox({ ...bearer(business.api_key), 'last-event-id': seen.id });
    try {
      await again.next(messageEvent(two.response_id));
      const replayed = again.events
        .filter((e) => e.event === 'message')
        .map((e) => JSON.parse(e.data).message_id);
      expect(replayed).toEqual([two.message_id, two.response_id]);
      expect(again.events[0]?.event).toBe('ready');
      expect(again.events.some((e) => e.event === 'resync')).toBe(false);
    } finally {
      await again.close();
    }

    // The same through the query (EventSource cannot set the header on its first request).
    const fromReady = await inbox(bearer(business.api_key), `?last_event_id=${ready.id}`);
    try {
      await fromReady.next(messageEvent(two.response_id));
      const ids = fromReady.events
        .filter((e) => e.event === 'message')
        .map((e) => JSON.parse(e.data).message_id);
      expect(ids).toEqual([one.message_id, one.response_id, two.message_id, two.response_id]);
    } finally {
      await fromReady.close();
    }
  });

  it('says `resync` when it cannot replay, with an id a later reconnect can continue from', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    // Another process's id (other epoch), and a garbled one.
    for (const lastEventId of ['0badcafe-12', 'not-an-id']) {
      const stream = await inbox({ ...bearer(business.api_key), 'last-event-id': lastEventId });
      const resync = await stream.next((e) => e.event === 'resync');
      expect(JSON.parse(resync.data)).toEqual({});
      expect(resync.id).toMatch(/^[0-9a-f]{8}-\d+$/);
      await stream.close();

      const sent = await post(business, `after ${lastEventId}`);
      const next = await inbox({ ...bearer(business.api_key), 'last-event-id': resync.id });
      try {
        await next.next(messageEvent(sent.response_id));
        expect(next.events.some((e) => e.event === 'resync')).toBe(false);
      } finally {
        await next.close();
      }
    }
  });

  it('is for agents (api.md): 401 without a credential, 403 for a viewer or another business', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const other = await createBusiness(p.t.app, p.t.masterKey);
    const outsider = await addMember(p.t.app, p.t.masterKey, other.business_id, 'owner');
    const viewer = await addMember(p.t.app, p.t.masterKey, business.business_id, 'viewer');
    const url = `${base}/api/conversations/events?business_id=${business.business_id}`;

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect((await json(anonymous)).error.code).toBe('AUTHENTICATION_ERROR');
    const foreignKey = await fetch(url, { headers: bearer(other.api_key) });
    expect(foreignKey.status).toBe(403);
    expect((await json(foreignKey)).error.code).toBe('AUTHORIZATION_ERROR');
    const viewing = await fetch(url, { headers: browser(viewer.cookie) });
    expect(viewing.status).toBe(403);
    await viewing.body?.cancel();
    const foreignMember = await fetch(url, { headers: browser(outsider.cookie) });
    expect(foreignMember.status).toBe(403);
    await foreignMember.body?.cancel();
    const master = await fetch(`${base}/api/conversations/events`, { headers: bearer(p.t.masterKey) });
    expect(master.status).toBe(400);
    await master.body?.cancel();
    const badId = await fetch(`${base}/api/conversations/events?business_id=nope`, {
      headers: bearer(business.api_key),
    });
    expect(badId.status).toBe(400);
    await badId.body?.cancel();
  });

  it('ends when the session is signed out or the key deleted; reconnecting is then refused', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const agent = await addMember(p.t.app, p.t.masterKey, business.business_id, 'agent');
    const session = await inbox(browser(agent.cookie));
    await session.next((e) => e.event === 'ready');
    const out = await fetch(`${base}/api/auth/logout`, {
      method: 'POST',
      headers: browser(agent.cookie, base),
    });
    expect(out.status).toBe(204);
    await session.ended; // within a heartbeat (300 ms here)
    const refused = await fetch(`${base}/api/conversations/events`, { headers: browser(agent.cookie) });
    expect(refused.status).toBe(401);
    await refused.body?.cancel();

    const created = await p.t.app.inject({
      method: 'POST',
      url: `/api/businesses/${business.business_id}/api-keys`,
      headers: bearer(p.t.masterKey),
      payload: { name: 'inbox screen', scopes: ['write'] },
    });
    expect(created.statusCode).toBe(201);
    const { api_key: key, key_id: keyId } = created.json() as { api_key: string; key_id: string };
    const keyed = await inbox(bearer(key));
    await keyed.next((e) => e.event === 'ready');
    const deleted = await p.t.app.inject({
      method: 'DELETE',
      url: `/api/businesses/${business.business_id}/api-keys/${keyId}`,
      headers: bearer(p.t.masterKey),
    });
    expect(deleted.statusCode).toBe(204);
    await keyed.ended;
    const gone = await fetch(`${base}/api/conversations/events`, { headers: bearer(key) });
    expect(gone.status).toBe(401);
    await gone.body?.cancel();
  });
});

describe('inbox stream lifecycle', () => {
  const openStreams = async (t: { app: PipelineApp['t']['app']; masterKey: string }) => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.masterKey) });
    return Number(/^icmp_inbox_streams_open (\d+)$/m.exec(metrics.body)?.[1]);
  };

  it('lets go of a stream the client closed', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const before = await openStreams(p.t);
    const leaving = await inbox(bearer(business.api_key));
    await leaving.next((e) => e.event === 'ready');
    expect(await openStreams(p.t)).toBe(before + 1);
    await leaving.close();
    await expect.poll(() => openStreams(p.t), { timeout: 15_000 }).toBe(before);
  });

  it('ends open streams when the server shuts down, so closing does not wait for clients', async () => {
    const t = await buildTestApp({ REDIS_URL: '' });
    let closed = false;
    try {
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const business = await createBusiness(t.app, t.masterKey);
      const staying = await openEventStream(`${address}/api/conversations/events`, bearer(business.api_key));
      await staying.next((e) => e.event === 'ready');
      expect(await openStreams(t)).toBe(1);
      // Without the route's preClose, app.close() would wait for this stream until the client left.
      await t.close();
      closed = true;
      await staying.ended;
    } finally {
      if (!closed) {
        t.app.server.closeAllConnections();
        await t.close();
      }
    }
  });
});
