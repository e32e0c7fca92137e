/**
 * Notes and edited collected data as the assistant's turns see them, over real HTTP with the fake LLM
 * and the fake Graph API: a note never reaches a prompt nor the customer's channel; an edit of the
 * collected data is what the next turn's prompts show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, type Json } from '../helpers/call-api.js';
import { createBusiness } from '../helpers/factories.js';
import type { FakeLlmRequest } from '../helpers/fake-llm-types.js';
import {
  conversationsOf,
  createConnectedBusiness,
  type MetaApp,
  postWebhook,
  startMetaApp,
  uniqueDigits,
} from '../helpers/meta-app.js';
import { wa, waInbound } from '../helpers/meta-fixtures.js';
import { classify, scriptedModel } from '../helpers/pipeline-fixture.js';
import { enableWebChannel, newVisitor, visitorHeaders } from '../helpers/widget-fixture.js';

let m: MetaApp;
beforeAll(async () => {
  m = await startMetaApp();
}, 60_000);
afterAll(() => m?.close());

/** Every text the LLM was sent: system and user messages of every request. */
const promptTexts = (requests: readonly FakeLlmRequest[]) => requests.map((r) => r.text);

const noteOn = async (key: string, conversationId: string, content: string) => {
  const note = await callApi(m.t.app, 'POST', `/api/conversations/${conversationId}/notes`, key, { content });
  expect(note.status, JSON.stringify(note.body)).toBe(201);
  return note.body;
};

const loggedPrompts = async (key: string, conversationId: string) => {
  const calls = await callApi(
    m.t.app,
    'GET',
    `/api/llm-calls?conversation_id=${conversationId}&limit=100`,
    key,
  );
  expect(calls.status, JSON.stringify(calls.body)).toBe(200);
  return (calls.body.llm_calls as Json[]).map((c) => `${c.system_prompt}\n${c.prompt}`);
};

describe('notes never enter a prompt', () => {
  it('a turn after a note sends the history to the LLM but not the note', async () => {
    m.llm.setDefault(scriptedModel());
    const business = await createBusiness(m.t.app, m.t.masterKey);
    const first = await callApi(m.t.app, 'POST', '/api/message', business.api_key, {
      content: 'I would like to change my delivery address',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const conversationId = first.body.conversation_id as string;
    const secret = `NOTE-${uniqueDigits()} customer is on the fraud watch list`;
    await noteOn(business.api_key, conversationId, secret);

    const before = m.llm.requests.length;
    const second = await callApi(m.t.app, 'POST', '/api/message', business.api_key, {
      content: 'The new address is Rua Augusta 10',
      conversation_id: conversationId,
      user_id: first.body.user_id,
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.response).toBe('Reply to: The new address is Rua Augusta 10');

    const turn = m.llm.requests.slice(before);
    expect(turn.length).toBeGreaterThan(0);
    // The prompts carry the conversation so far (so they would carry a note, were notes part of it)…
    expect(turn.some((r) => r.text.includes('I would like to change my delivery address'))).toBe(true);
    // …and no note.
    for (const text of promptTexts(m.llm.requests)) expect(text).not.toContain('fraud watch list');
    const logged = await loggedPrompts(business.api_key, conversationId);
    expect(logged.length).toBeGreaterThan(0);
    for (const prompt of logged) expect(prompt).not.toContain('fraud watch list');
    // The transcript has the four messages and nothing else.
    const detail = await callApi(m.t.app, 'GET', `/api/conversations/${conversationId}`, business.api_key);
    expect((detail.body.messages as Json[]).map((x) => x.sender_type)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it("a WhatsApp conversation's notes go neither to the Graph API nor to the LLM", async () => {
    m.llm.setDefault(scriptedModel());
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const customer = { waId, name: 'Rita Lopes' };
    const sendsTo = (r: { kind: string; to: string | null }) => r.kind === 'message' && r.to === waId;

    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, customer, [wa.text('Is my order shipped?')]).payload,
    );
    await m.graph.waitForRequests(1, { filter: sendsTo, timeoutMs: 30_000 });
    const [conversation] = await conversationsOf(m, business, 'whatsapp');
    const conversationId = conversation?.conversation.conversation_id as string;
    expect(conversationId).toBeTruthy();

    const secret = `INTERNAL-${uniqueDigits()} courier lost the parcel, refund pending`;
    await noteOn(business.api_key, conversationId, secret);
    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, customer, [wa.text('Hello?')]).payload,
    );
    await m.graph.waitForRequests(2, { filter: sendsTo, timeoutMs: 30_000 });
    // An agent's reply written after a second note goes out; the notes still do not.
    await noteOn(business.api_key, conversationId, `${secret} (second note)`);
    const reply = await callApi(
      m.t.app,
      'POST',
      `/api/conversations/${conversationId}/agent-reply`,
      business.api_key,
      { content: 'We are checking with the courier.' },
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const sent = await m.graph.waitForRequests(3, { filter: sendsTo, timeoutMs: 30_000 });
    expect(sent.map((r) => r.text)).toEqual([
      'Reply to: Is my order shipped?',
      'Reply to: Hello?',
      'We are checking with the courier.',
    ]);
    await m.t.app.drainOutbox?.();
    for (const request of m.graph.requests) {
      expect(JSON.stringify(request.body ?? {})).not.toContain('courier lost the parcel');
    }
    expect(m.graph.requests.filter(sendsTo)).toHaveLength(3);
    for (const text of promptTexts(m.llm.requests)) expect(text).not.toContain('courier lost the parcel');
    for (const prompt of await loggedPrompts(business.api_key, conversationId)) {
      expect(prompt).not.toContain('courier lost the parcel');
    }
    const notes = await callApi(
      m.t.app,
      'GET',
      `/api/conversations/${conversationId}/notes`,
      business.api_key,
    );
    expect((notes.body.notes as Json[]).map((n) => n.content)).toEqual([secret, `${secret} (second note)`]);
  });

  it("a website visitor's transcript never shows the conversation's notes", async () => {
    m.llm.setDefault(scriptedModel());
    const business = await createBusiness(m.t.app, m.t.masterKey);
    const { publishable_key } = await enableWebChannel(m.t.app, business);
    const visitor = await newVisitor(m.t.app, publishable_key);
    const posted = await m.t.app.inject({
      method: 'POST',
      url: '/api/widget/messages',
      headers: visitorHeaders(visitor.visitor_token),
      payload: { content: 'Do you deliver on Sundays?' },
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const conversationId = posted.json().conversation_id as string;
    await noteOn(business.api_key, conversationId, 'Regular customer, offer the Sunday slot');
    const transcript = await m.t.app.inject({
      method: 'GET',
      url: '/api/widget/messages',
      headers: visitorHeaders(visitor.visitor_token),
    });
    expect(transcript.statusCode, transcript.body).toBe(200);
    expect(transcript.body).toContain('Do you deliver on Sundays?');
    expect(transcript.body).not.toContain('Sunday slot');
  });
});

describe('edited collected data', () => {
  it("the next turn's prompts see the edit, not what was extracted before", async () => {
    m.llm.setDefault(
      scriptedModel({ extract: (message) => (message.includes('@') ? { email: 'typo@exmaple.com' } : {}) }),
    );
    const business = await createBusiness(m.t.app, m.t.masterKey);
    const first = await callApi(m.t.app, 'POST', '/api/message', business.api_key, {
      content: 'My e-mail is typo@exmaple.com',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.extracted_data).toEqual({ email: 'typo@exmaple.com' });
    const conversationId = first.body.conversation_id as string;

    const edited = await callApi(
      m.t.app,
      'PATCH',
      `/api/conversations/${conversationId}/collected-data`,
      business.api_key,
      { data: { email: 'fixed@example.com', loyalty_tier: 'gold' } },
    );
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);

    const before = m.llm.requests.length;
    const second = await callApi(m.t.app, 'POST', '/api/message', business.api_key, {
      content: 'Please send the invoice',
      conversation_id: conversationId,
      user_id: first.body.user_id,
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const turn = m.llm.requests.slice(before);
    const responsePrompt = turn.find((r) => classify(r) === 'response_generation');
    const extractionPrompt = turn.find((r) => classify(r) === 'data_extraction');
    for (const request of [responsePrompt, extractionPrompt]) {
      expect(request?.text).toContain('fixed@example.com');
      expect(request?.text).toContain('gold');
    }
    // The old value survives only as the customer's own words in the history, never as a known fact.
    const facts = (text: string) => text.replace(/My e-mail is typo@exmaple\.com/g, '');
    for (const request of turn) expect(facts(request.text)).not.toContain('typo@exmaple.com');

    const detail = await callApi(m.t.app, 'GET', `/api/conversations/${conversationId}`, business.api_key);
    expect(detail.body.collected_data).toEqual({ email: 'fixed@example.com', loyalty_tier: 'gold' });
  });
});
