import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  getMessengerProfile,
  sendGraphText,
  sendGraphTyping,
} from '../../src/modules/channels/meta/graph-client.js';
import { type FakeGraphApi, startFakeGraphApi } from '../helpers/fake-graph-api.js';

let graph: FakeGraphApi;
beforeAll(async () => {
  graph = await startFakeGraphApi({ tokens: ['good-token'] });
});
afterAll(() => graph.close());
beforeEach(() => graph.reset());

const post = (path: string, body: unknown, token = 'good-token') =>
  fetch(`${graph.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const waBody = (text: string) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '15551230000',
  type: 'text',
  text: { body: text },
});

describe('fake Graph API', () => {
  it('answers a WhatsApp send like the Cloud API and records it', async () => {
    const response = await post('/1234/messages', waBody('Hi'));
    expect(response.status).toBe(200);
    const json = (await response.json()) as {
      messaging_product: string;
      contacts: unknown[];
      messages: { id: string }[];
    };
    expect(json.messaging_product).toBe('whatsapp');
    expect(json.contacts).toEqual([{ input: '15551230000', wa_id: '15551230000' }]);
    expect(json.messages[0]?.id).toMatch(/^wamid\./);
    expect(graph.requests[0]).toMatchObject({
      channel: 'whatsapp',
      phoneNumberId: '1234',
      text: 'Hi',
      to: '15551230000',
    });
  });

  it('answers a Messenger send with recipient_id and message_id', async () => {
    const response = await post('/me/messages', {
      recipient: { id: 'psid-1' },
      messaging_type: 'RESPONSE',
      message: { text: 'Yo' },
    });
    expect(await response.json()).toMatchObject({
      recipient_id: 'psid-1',
      message_id: expect.stringMatching(/^m_/),
    });
    expect(graph.sent('messenger')).toHaveLength(1);
  });

  it('refuses a wrong token with a Meta error body, and over-long texts with 400', async () => {
    const wrong = await post('/1234/messages', waBody('Hi'), 'bad');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({
      error: { code: 190, type: 'OAuthException', fbtrace_id: expect.any(String) },
    });
    const long = await post('/me/messages', { recipient: { id: 'p' }, message: { text: 'x'.repeat(2001) } });
    expect(long.status).toBe(400);
    expect(graph.sent()).toHaveLength(0);
  });

  it('plays scripted faults in order, then succeeds', async () => {
    graph.script({ fault: { status: 500 } });
    graph.script({ fault: { status: 429, retryAfterSeconds: 2 } });
    graph.script({
      fault: { status: 400, error: { message: 'Recipient not in allowed list', code: 131030 } },
    });
    const first = await post('/1/messages', waBody('a'));
    expect(first.status).toBe(500);
    const second = await post('/1/messages', waBody('a'));
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '2']);
    const third = await post('/1/messages', waBody('a'));
    expect(((await third.json()) as { error: { code: number } }).error.code).toBe(131030);
    expect((await post('/1/messages', waBody('a'))).status).toBe(200);
    expect(graph.requests.map((r) => r.outcome)).toEqual([500, 429, 400, 200]);
  });

  it('hangs and resets connections on request; the client classifies them as retryable', async () => {
    graph.script({ fault: { hang: true } });
    graph.script({ fault: { reset: true } });
    const input = {
      channel: 'whatsapp' as const,
      baseUrl: graph.url,
      accessToken: 'good-token',
      senderId: '9',
      to: '1',
      text: 'x',
    };
    const hung = await sendGraphText({ ...input, timeoutMs: 300 });
    expect(hung).toMatchObject({ ok: false, retryable: true, status: null });
    const reset = await sendGraphText({ ...input, timeoutMs: 5000 });
    expect(reset).toMatchObject({ ok: false, retryable: true, status: null });
    const ok = await sendGraphText({ ...input, timeoutMs: 5000, reference: 'ref-1' });
    expect(ok).toMatchObject({ ok: true, messageId: expect.stringMatching(/^wamid\./) });
    expect(graph.requests[2]?.body).toMatchObject({ biz_opaque_callback_data: 'ref-1' });
  });

  it('answers typing indicators of both channels apart from sends, and refuses malformed ones', async () => {
    const common = { baseUrl: graph.url, accessToken: 'good-token', senderId: '77', timeoutMs: 5000 };
    const messenger = await sendGraphTyping({
      ...common,
      channel: 'messenger',
      to: 'psid-9',
      inboundMessageId: null,
    });
    expect(messenger).toMatchObject({ ok: true, raw: { recipient_id: 'psid-9' } });
    const whatsapp = await sendGraphTyping({
      ...common,
      channel: 'whatsapp',
      to: null,
      inboundMessageId: 'wamid.IN1',
    });
    expect(whatsapp).toMatchObject({ ok: true, raw: { success: true } });
    // Nothing to name: no call at all.
    expect(
      await sendGraphTyping({ ...common, channel: 'whatsapp', to: '1', inboundMessageId: null }),
    ).toBeNull();
    expect(graph.requests.map((r) => [r.kind, r.channel, r.subject, r.to])).toEqual([
      ['typing', 'messenger', 'psid-9', null],
      ['typing', 'whatsapp', 'wamid.IN1', null],
    ]);
    expect(graph.sent()).toEqual([]);
    const bad = await post('/me/messages', { recipient: { id: 'p' }, sender_action: 'dance' });
    expect(bad.status).toBe(400);
    const badWa = await post('/77/messages', {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.X',
      typing_indicator: { type: 'audio' },
    });
    expect(badWa.status).toBe(400);
  });

  it('serves scripted Messenger profiles with the requested fields, Meta’s error for unknown PSIDs', async () => {
    graph.setProfile('psid-1', { first_name: 'Ada', last_name: 'Lovelace' });
    const input = { baseUrl: graph.url, accessToken: 'good-token', timeoutMs: 5000 };
    expect(await getMessengerProfile({ ...input, psid: 'psid-1' })).toEqual({
      ok: true,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    const unknown = await getMessengerProfile({ ...input, psid: 'psid-2' });
    expect(unknown).toMatchObject({ ok: false, retryable: false, status: 400 });
    expect(unknown.ok ? '' : unknown.error).toMatch(/code 100\/33/);
    const wrongToken = await getMessengerProfile({ ...input, accessToken: 'bad', psid: 'psid-1' });
    expect(wrongToken).toMatchObject({ ok: false, status: 401 });
    graph.script({ match: (r) => r.kind === 'profile', fault: { status: 503 } });
    expect(await getMessengerProfile({ ...input, psid: 'psid-1' })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(graph.requests[0]).toMatchObject({
      method: 'GET',
      kind: 'profile',
      channel: 'messenger',
      path: '/psid-1',
      subject: 'psid-1',
      query: { fields: 'first_name,last_name' },
      token: 'good-token',
    });
  });

  it('waits for N requests, and times out with a count when they do not come', async () => {
    const waiting = graph.waitForRequests(2);
    await post('/1/messages', waBody('a'));
    await post('/1/messages', waBody('b'));
    expect((await waiting).map((r) => r.text)).toEqual(['a', 'b']);
    await expect(graph.waitForRequests(3, { timeoutMs: 50 })).rejects.toThrow(/2 of 3/);
  });

  it('adds latency', async () => {
    graph.setLatency(120);
    const started = performance.now();
    await post('/1/messages', waBody('slow'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });
});
