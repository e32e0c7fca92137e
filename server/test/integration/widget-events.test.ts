import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';
import {
  enableWebChannel,
  newVisitor,
  openEventStream,
  SHOP,
  type SseMessage,
  visitorHeaders,
} from '../helpers/widget-fixture.js';

let p: PipelineApp;
let base: string;
beforeAll(async () => {
  p = await startPipelineApp();
  base = await p.t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => p.close());
beforeEach(() => {
  p.llm.reset();
  p.llm.setDefault(scriptedModel({ respond: (message) => `You said: ${message}` }));
});

async function webVisitor() {
  const business = await createBusiness(p.t.app, p.t.masterKey);
  const web = await enableWebChannel(p.t.app, business);
  const visitor = await newVisitor(p.t.app, web.publishable_key);
  return { business, key: web.publishable_key, token: visitor.visitor_token };
}

const send = async (token: string, content: string) => {
  const response = await fetch(`${base}/api/widget/messages`, {
    method: 'POST',
    headers: { ...visitorHeaders(token), 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { conversation_id: string; message_id: string; response_id: string };
};

const events = (token: string, headers: Record<string, string> = {}, query = '') =>
  openEventStream(`${base}/api/widget/events${query}`, { ...visitorHeaders(token), ...headers });

const messageWith = (text: string) => (e: SseMessage) => e.event === 'message' && e.data.includes(text);

describe('GET /api/widget/events', () => {
  it("pushes the assistant's reply and an agent's reply sent with the business key", async () => {
    const { business, token } = await webVisitor();
    const stream = await events(token);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toMatch(/text\/event-stream/);
      expect(stream.response.headers.get('access-control-allow-origin')).toBe(SHOP);
      await stream.next((e) => e.event === 'ready');

      const sent = await send(token, 'table for two');
      const reply = await stream.next(messageWith('You said: table for two'));
      expect(reply.id).toBe(sent.response_id);
      expect(JSON.parse(reply.data)).toMatchObject({
        sender_type: 'assistant',
        conversation_id: sent.conversation_id,
      });

      const agent = await p.t.app.inject({
        method: 'POST',
        url: `/api/conversations/${sent.conversation_id}/agent-reply`,
        headers: bearer(business.api_key),
        payload: { content: 'Hi, this is Marco: your table is ready.' },
      });
      expect(agent.statusCode, agent.body).toBeLessThan(300);
      const pushed = await stream.next(messageWith('this is Marco'));
      expect(JSON.parse(pushed.data)).toMatchObject({
        sender_type: 'agent',
        content: 'Hi, this is Marco: your table is ready.',
        conversation_id: sent.conversation_id,
      });
    } finally {
      await stream.close();
    }
  });

  it("never sends another visitor's messages", async () => {
    const { key, token } = await webVisitor();
    const other = await newVisitor(p.t.app, key);
    const mine = await events(token);
    const theirs = await events(other.visitor_token);
    try {
      await theirs.next((e) => e.event === 'ready');
      await send(other.visitor_token, 'private question about the secret recipe');
      await theirs.next(messageWith('You said: private question about the secret recipe'));
      await send(token, 'my own question');
      await mine.next(messageWith('You said: my own question'));
      // A marker no UUID can contain (a number could turn up in a random id).
      expect(JSON.stringify(mine.events)).not.toContain('secret recipe');
    } finally {
      await mine.close();
      await theirs.close();
    }
  });

  it('shows the assistant typing while a turn runs, and stops with the reply', async () => {
    const { token } = await webVisitor();
    const stream = await events(token);
    try {
      await stream.next((e) => e.event === 'ready');
      const sent = await send(token, 'are you typing');
      await stream.next(messageWith('You said: are you typing'));
      await stream.next((e) => e.event === 'typing' && JSON.parse(e.data).on === false);
      const seen = stream.events
        .filter((e) => e.event === 'typing' || e.event === 'message')
        .map((e) =>
          e.event === 'typing' ? `typing ${JSON.parse(e.data).on}` : JSON.parse(e.data).message_id,
        );
      // Nothing but {on} reaches the visitor: no internal ids or channels.
      expect(stream.events.filter((e) => e.event === 'typing').map((e) => JSON.parse(e.data))).toEqual([
        { on: true },
        { on: false },
      ]);
      expect(seen.indexOf('typing true')).toBeLessThan(seen.indexOf(sent.response_id));
    } finally {
      await stream.close();
    }
  });

  it('catches up after Last-Event-ID (or ?after=) on reconnect', async () => {
    const { token } = await webVisitor();
    const first = await send(token, 'first');
    await send(token, 'second while away');
    for (const [headers, query] of [
      [{ 'last-event-id': first.response_id }, ''],
      [{}, `?after=${first.response_id}`],
    ] as const) {
      const stream = await events(token, headers, query);
      try {
        await stream.next(messageWith('You said: second while away'));
        const contents = stream.events
          .filter((e) => e.event === 'message')
          .map((e) => JSON.parse(e.data).content);
        expect(contents).toEqual(['second while away', 'You said: second while away']);
      } finally {
        await stream.close();
      }
    }
  });

  it('refuses a missing or tampered token, a foreign origin and a disabled channel before streaming', async () => {
    const { business, token } = await webVisitor();
    const noToken = await fetch(`${base}/api/widget/events`, { headers: { origin: SHOP } });
    expect(noToken.status).toBe(401);
    const tampered = await fetch(`${base}/api/widget/events`, { headers: visitorHeaders(`${token}x`) });
    expect(tampered.status).toBe(401);
    const foreign = await fetch(`${base}/api/widget/events`, {
      headers: visitorHeaders(token, 'https://evil.example'),
    });
    expect(foreign.status).toBe(403);
    await enableWebChannel(p.t.app, business, { enabled: false });
    const disabled = await fetch(`${base}/api/widget/events`, { headers: visitorHeaders(token) });
    expect(disabled.status).toBe(403);
    expect((await disabled.json()).error.code).toBe('AUTHORIZATION_ERROR');
  });
});
