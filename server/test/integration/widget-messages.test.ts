import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { conversations, messages, users } from '../../src/db/schema.js';
import { expectError } from '../helpers/assertions.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import {
  fewestStatements,
  type PipelineApp,
  scriptedModel,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';
import {
  enableWebChannel,
  newVisitor,
  openSession,
  SHOP,
  visitorHeaders,
} from '../helpers/widget-fixture.js';

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
});
afterAll(async () => p.close());
beforeEach(() => {
  p.llm.reset();
  p.llm.setDefault(scriptedModel({ respond: (message) => `You said: ${message}` }));
});

async function webVisitor(settings = {}) {
  const business = await createBusiness(p.t.app, p.t.masterKey);
  const web = await enableWebChannel(p.t.app, business, settings);
  const visitor = await newVisitor(p.t.app, web.publishable_key);
  return { business, key: web.publishable_key, token: visitor.visitor_token };
}

const post = (token: string, payload: unknown, headers: Record<string, string> = {}) =>
  p.t.app.inject({
    method: 'POST',
    url: '/api/widget/messages',
    headers: { ...visitorHeaders(token), ...headers },
    payload: payload as Record<string, unknown>,
  });

const history = (token: string, after?: string) =>
  p.t.app.inject({
    method: 'GET',
    url: `/api/widget/messages${after ? `?after=${after}` : ''}`,
    headers: visitorHeaders(token),
  });

const usersOf = (businessId: string) =>
  p.t.database.db.select().from(users).where(eq(users.businessId, businessId));

describe('POST /api/widget/messages', () => {
  it('runs the pipeline on the web channel and answers without internals', async () => {
    const { business, key, token } = await webVisitor();
    const response = await post(token, { content: 'Do you have tables tonight?' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(
      ['ai_stopped', 'conversation_id', 'message_id', 'response', 'response_id', 'success'].sort(),
    );
    expect(body).toMatchObject({
      success: true,
      response: 'You said: Do you have tables tonight?',
      ai_stopped: false,
    });
    expect(response.headers['access-control-allow-origin']).toBe(SHOP);

    const [conversation] = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.conversationId, body.conversation_id));
    expect(conversation?.channel).toBe('web');
    const [user] = await usersOf(business.business_id);
    expect(user?.webVisitorId).toBeTruthy();

    // The session now resumes that conversation, and the history shows both sides.
    const resumed = await openSession(p.t.app, key, SHOP, token);
    expect(resumed.json().conversation_id).toBe(body.conversation_id);
    const list = history(token);
    const items = (await list).json().messages;
    expect(items.map((m: { sender_type: string; content: string }) => [m.sender_type, m.content])).toEqual([
      ['customer', 'Do you have tables tonight?'],
      ['assistant', 'You said: Do you have tables tonight?'],
    ]);
    expect(items[1].message_id).toBe(body.response_id);
    expect(Object.keys(items[0]).sort()).toEqual(
      ['content', 'conversation_id', 'created_at', 'message_id', 'sender_type'].sort(),
    );
  });

  it("a visitor's message costs two statements, their first three: the insert finds their user itself", async () => {
    const { key } = await webVisitor();
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) tokens.push((await newVisitor(p.t.app, key)).visitor_token);
    // New: the returning visitor's insert finds no user, one statement creates user, conversation and
    // message, then the turn's write.
    expect(await fewestStatements(p, async (content) => post(tokens.shift() as string, { content }))).toBe(3);
    // Returning: the insert (with the lease), then the turn's write.
    const { visitor_token: returning } = await newVisitor(p.t.app, key);
    expect((await post(returning, { content: 'first' })).statusCode).toBe(200);
    expect(await fewestStatements(p, (content) => post(returning, { content }))).toBe(2);
  });

  it('a visitor whose conversation was closed starts a new one as the same customer', async () => {
    const { business, token } = await webVisitor();
    const first = (await post(token, { content: 'first visit' })).json();
    const closed = await p.t.app.inject({
      method: 'PATCH',
      url: `/api/conversations/${first.conversation_id}`,
      headers: bearer(business.api_key),
      payload: { status: 'closed' },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const again = await post(token, { content: 'back again' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().conversation_id).not.toBe(first.conversation_id);
    expect(await usersOf(business.business_id)).toHaveLength(1);
    const opened = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.businessId, business.business_id));
    expect(opened.map((c) => c.status).sort()).toEqual(['active', 'closed']);
  });

  it('two tabs of a new visitor writing at once make one customer, named after the visitor, with one conversation', async () => {
    const { business, token } = await webVisitor();
    p.llm.setLatency(20);
    const sent = await Promise.all([
      post(token, { content: 'from tab one' }),
      post(token, { content: 'from tab two' }),
    ]);
    p.llm.setLatency(0);
    for (const response of sent) expect(response.statusCode, response.body).toBe(200);
    expect(new Set(sent.map((response) => response.json().conversation_id)).size).toBe(1);
    const customers = await usersOf(business.business_id);
    expect(customers).toHaveLength(1);
    expect(customers[0]?.firstName).toMatch(/^Web visitor /);
    const transcript = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.businessId, business.business_id));
    expect(
      transcript
        .filter((m) => m.senderType === 'user')
        .map((m) => m.messageContent)
        .sort(),
    ).toEqual(['from tab one', 'from tab two']);
    expect(transcript.filter((m) => m.senderType === 'assistant')).toHaveLength(2);
  });

  it('streams the reply as token events and a final done, without steps, stage or extracted data', async () => {
    const { token } = await webVisitor();
    p.llm.setDefault(
      scriptedModel({ respond: () => 'Streaming works fine', extract: () => ({ email: 'a@b.co' }) }),
    );
    const address = await p.t.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}/api/widget/messages`, {
      method: 'POST',
      headers: { ...visitorHeaders(token), accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'stream please' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
    const text = await response.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      event: m[1],
      data: JSON.parse(m[2] as string),
    }));
    expect(new Set(events.map((e) => e.event))).toEqual(new Set(['token', 'done']));
    expect(
      events
        .filter((e) => e.event === 'token')
        .map((e) => e.data.text)
        .join(''),
    ).toBe('Streaming works fine');
    expect(events.at(-1)?.data).toMatchObject({ response: 'Streaming works fine', success: true });
    expect(text).not.toMatch(/processing_steps|extracted|stage_id|prompt|a@b\.co/);
  });

  it('answers 202 with no reply while the AI is stopped; the message is stored', async () => {
    const { business, token } = await webVisitor();
    const first = (await post(token, { content: 'hello' })).json();
    const stop = await p.t.app.inject({
      method: 'POST',
      url: `/api/conversations/${first.conversation_id}/ai-control`,
      headers: bearer(business.api_key),
      payload: { action: 'stop' },
    });
    expect(stop.statusCode, stop.body).toBe(200);
    const response = await post(token, { content: 'anyone there?' });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ ai_stopped: true, response: null, response_id: null });
    const items = (await history(token)).json().messages;
    expect(items.at(-1)).toMatchObject({ sender_type: 'customer', content: 'anyone there?' });
  });

  it('refuses empty, blank, oversized, missing and malformed content, storing nothing', async () => {
    const { business, token } = await webVisitor();
    expectError(await post(token, { content: '' }), 400, 'VALIDATION_ERROR');
    expectError(await post(token, { content: '   \n ' }), 400, 'VALIDATION_ERROR');
    expectError(
      await post(token, { content: 'x'.repeat(p.t.config.maxMessageChars + 1) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectError(await post(token, { content: 'x'.repeat(100_001) }), 400, 'VALIDATION_ERROR');
    expectError(await post(token, {}), 400, 'VALIDATION_ERROR');
    expectError(await post(token, { content: 42 }), 400, 'VALIDATION_ERROR');
    expectError(await post(token, { content: 'hi', conversation_id: 'x' }), 400, 'VALIDATION_ERROR');
    const malformed = await p.t.app.inject({
      method: 'POST',
      url: '/api/widget/messages',
      headers: { ...visitorHeaders(token), 'content-type': 'application/json' },
      payload: '{"content": "unterminated',
    });
    expectError(malformed, 400, 'VALIDATION_ERROR');
    expect(await usersOf(business.business_id)).toHaveLength(0);
    const stored = await p.t.database.db
      .select()
      .from(messages)
      .where(eq(messages.businessId, business.business_id));
    expect(stored).toHaveLength(0);
  });

  it('needs a valid visitor token: missing, malformed, tampered or an API key → 401', async () => {
    const { business, token } = await webVisitor();
    const noToken = await p.t.app.inject({
      method: 'POST',
      url: '/api/widget/messages',
      headers: { origin: SHOP },
      payload: { content: 'hi' },
    });
    expectError(noToken, 401, 'AUTHENTICATION_ERROR');
    expect(noToken.headers['access-control-allow-origin']).toBe(SHOP); // the widget can read why
    const tampered = `${token.slice(0, 5)}${token[5] === 'a' ? 'b' : 'a'}${token.slice(6)}`;
    for (const bad of [tampered, 'wvt_x', business.api_key, p.t.masterKey]) {
      expectError(await post(bad, { content: 'hi' }), 401, 'AUTHENTICATION_ERROR');
      expectError(await history(bad), 401, 'AUTHENTICATION_ERROR');
    }
    expect(await usersOf(business.business_id)).toHaveLength(0);
  });

  it('refuses a valid token from a foreign origin, and every token once the channel is disabled', async () => {
    const { business, token } = await webVisitor();
    expectError(
      await post(token, { content: 'hi' }, { origin: 'https://evil.example' }),
      403,
      'AUTHORIZATION_ERROR',
    );
    await enableWebChannel(p.t.app, business, { enabled: false });
    expectError(await post(token, { content: 'hi' }), 403, 'AUTHORIZATION_ERROR');
    expectError(await history(token), 403, 'AUTHORIZATION_ERROR');
    expect(await usersOf(business.business_id)).toHaveLength(0);
  });
});

describe('GET /api/widget/messages', () => {
  it("shows only the visitor's own conversation; another visitor's message id is 404", async () => {
    const { key, token } = await webVisitor();
    const other = await newVisitor(p.t.app, key);
    const mine = (await post(token, { content: 'my secret order 1234' })).json();
    expect((await history(other.visitor_token)).json()).toEqual({ messages: [] });
    expectError(await history(other.visitor_token, mine.message_id), 404, 'NOT_FOUND');
    await post(other.visitor_token, { content: 'hello from the other visitor' });
    const theirs = (await history(other.visitor_token)).json().messages;
    expect(JSON.stringify(theirs)).not.toContain('1234');
    expectError(await history(token, theirs[0].message_id), 404, 'NOT_FOUND');
  });

  it('lists what came after a message, and rejects a malformed id', async () => {
    const { token } = await webVisitor();
    const first = (await post(token, { content: 'one' })).json();
    await post(token, { content: 'two' });
    const after = (await history(token, first.response_id)).json().messages;
    expect(after.map((m: { content: string }) => m.content)).toEqual(['two', 'You said: two']);
    expectError(await history(token, 'not-a-uuid'), 400, 'VALIDATION_ERROR');
  });

  it('leaves out internal notes and system messages', async () => {
    const { business, token } = await webVisitor();
    const first = (await post(token, { content: 'hi' })).json();
    const { appendMessage } = await import('../../src/modules/conversations/index.js');
    await appendMessage(p.t.database.db, {
      conversationId: first.conversation_id,
      businessId: business.business_id,
      senderType: 'system',
      content: 'internal: stage changed',
      status: 'processed',
    });
    expect(JSON.stringify((await history(token)).json())).not.toContain('internal');
  });
});
