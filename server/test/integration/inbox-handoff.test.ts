/**
 * Hand-off on WhatsApp, over real HTTP with the fake Graph API and the fake LLM: a customer asking for
 * a person, and a stage marked `handoff`. The customer receives the reply on WhatsApp, the AI then
 * stays silent, and the conversation waits for the team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvalidationBus } from '../../src/cache/invalidation-bus.js';
import { buildTestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { createBusiness } from '../helpers/factories.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import {
  type ConnectedBusiness,
  createConnectedBusiness,
  type MetaApp,
  postWebhook,
  startMetaApp,
  uniqueDigits,
  waitFor,
} from '../helpers/meta-app.js';
import { wa, waInbound } from '../helpers/meta-fixtures.js';
import { customerMessage, scriptedModel } from '../helpers/pipeline-fixture.js';

let m: MetaApp;
beforeAll(async () => {
  m = await startMetaApp();
});
afterAll(() => m?.close());

async function whatsappConversation(business: ConnectedBusiness) {
  const list = await callApi(
    m.t.app,
    'GET',
    `/api/conversations?business_id=${business.business_id}&channel=whatsapp`,
    business.api_key,
  );
  expect(list.status).toBe(200);
  const [row] = list.body.conversations as Json[];
  if (!row) return null;
  return (await callApi(m.t.app, 'GET', `/api/conversations/${row.conversation_id}`, business.api_key))
    .body as Json;
}

const send = (business: ConnectedBusiness, waId: string, text: string, name?: string) =>
  postWebhook(
    m,
    'whatsapp',
    waInbound(business.phoneNumberId, { waId, ...(name ? { name } : {}) }, [wa.text(text)]).payload,
  );

/** Waits until the customer message with this text has been handled (answered or skipped). */
const handled = (business: ConnectedBusiness, text: string) =>
  waitFor(
    async () => {
      const detail = await whatsappConversation(business);
      const message = (detail?.messages as Json[] | undefined)?.find(
        (msg) => msg.sender_type === 'user' && msg.message_content === text,
      );
      return message && message.status !== 'pending' ? { detail: detail as Json, message } : null;
    },
    20_000,
    `"${text}" handled`,
  );

describe('hand-off on WhatsApp', () => {
  it('a customer asking for a person gets the hand-off message; the AI then stays silent and the conversation waits', async () => {
    const business = await createConnectedBusiness(m);
    const patched = await callApi(
      m.t.app,
      'PATCH',
      `/api/businesses/${business.business_id}`,
      business.api_key,
      {
        settings: { handoff_message: 'Um colega vai responder já a seguir.' },
      },
    );
    expect(patched.status).toBe(200);
    const waId = uniqueDigits();
    const llmCallsBefore = m.llm.requestCount;

    expect((await send(business, waId, 'Quero falar com um atendente, por favor')).status).toBe(200);
    const [reply] = await m.graph.waitForRequests(1, {
      filter: (r) => r.to === waId && r.kind === 'message',
    });
    expect(reply?.text).toBe('Um colega vai responder já a seguir.');
    const { detail, message } = await handled(business, 'Quero falar com um atendente, por favor');
    expect(message.status).toBe('processed');
    expect(m.llm.requestCount).toBe(llmCallsBefore); // no model call for a hand-off request
    expect(detail.conversation).toMatchObject({
      ai_stopped: true,
      ai_control: { is_stopped: true, expiration_time: null },
      user_name: `WhatsApp +${waId}`,
    });
    expect(detail.conversation.waiting_since).toEqual(expect.any(String));
    const waitingSince = detail.conversation.waiting_since as string;
    const assistant = (detail.messages as Json[]).filter((msg) => msg.sender_type === 'assistant');
    expect(assistant.map((msg) => msg.message_content)).toEqual(['Um colega vai responder já a seguir.']);

    // The next message is kept unanswered: no LLM call, nothing sent, still waiting since the first.
    expect((await send(business, waId, 'Olá? Está aí alguém?')).status).toBe(200);
    const next = await handled(business, 'Olá? Está aí alguém?');
    expect(next.message.status).toBe('skipped');
    expect(m.llm.requestCount).toBe(llmCallsBefore);
    expect(m.graph.sent('whatsapp').filter((r) => r.to === waId)).toHaveLength(1);
    expect(next.detail.conversation.waiting_since).toBe(waitingSince);
    const waiting = await callApi(
      m.t.app,
      'GET',
      `/api/conversations?business_id=${business.business_id}&waiting=true&status=active`,
      business.api_key,
    );
    expect((waiting.body.conversations as Json[]).map((c) => c.conversation_id)).toEqual([
      next.detail.conversation.conversation_id,
    ]);
  });

  it('entering a stage marked handoff replies as usual, then stops the AI and waits', async () => {
    const business = await createConnectedBusiness(m);
    const stage = await callApi(m.t.app, 'POST', '/api/stages', business.api_key, {
      business_id: business.business_id,
      stage_name: 'Team handover',
      stage_description: 'Complaints are handled by a person',
      handoff: true,
    });
    expect(stage.status, JSON.stringify(stage.body)).toBe(201);
    const rule = m.llm.script({
      match: (request) => customerMessage(request).includes('COMPLAINT'),
      respond: scriptedModel({
        route: () => 'Team handover',
        respond: () => 'I am sorry to hear that. A colleague will look into it.',
      }),
    });
    const waId = uniqueDigits();
    expect((await send(business, waId, 'I have a COMPLAINT about my order', 'Maria Costa')).status).toBe(200);
    const [reply] = await m.graph.waitForRequests(1, {
      filter: (r) => r.to === waId && r.kind === 'message',
    });
    expect(reply?.text).toBe('I am sorry to hear that. A colleague will look into it.');
    const { detail } = await handled(business, 'I have a COMPLAINT about my order');
    expect(rule.hits).toBeGreaterThan(0);
    expect(detail.conversation).toMatchObject({
      stage_id: stage.body.stage_id,
      stage_name: 'Team handover',
      ai_stopped: true,
      user_name: 'Maria Costa',
    });
    expect(detail.conversation.waiting_since).toEqual(expect.any(String));
    expect(detail.customer).toMatchObject({ whatsapp_id: waId, first_name: 'Maria', last_name: 'Costa' });

    const callsBefore = m.llm.requestCount;
    expect((await send(business, waId, 'Hello?')).status).toBe(200);
    const next = await handled(business, 'Hello?');
    expect(next.message.status).toBe('skipped');
    expect(m.llm.requestCount).toBe(callsBefore);
    expect(m.graph.sent('whatsapp').filter((r) => r.to === waId)).toHaveLength(1);
    rule.remove();
  });

  it('an ordinary conversation is answered and does not wait', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    expect((await send(business, waId, 'What are your opening hours?')).status).toBe(200);
    await m.graph.waitForRequests(1, { filter: (r) => r.to === waId && r.kind === 'message' });
    const { detail } = await handled(business, 'What are your opening hours?');
    expect(detail.conversation).toMatchObject({ ai_stopped: false, waiting_since: null });
  });
});

describe('pipeline events', () => {
  it('a turn entering a handoff stage publishes stage, then handoff (stage) and ai (handoff)', async () => {
    const bus = await createInvalidationBus();
    const events: Json[] = [];
    bus.subscribe('conversation-event', (payload) => events.push(JSON.parse(payload) as Json));
    const llm = await startFakeLlmServer({
      defaultAnswer: scriptedModel({
        route: (text) => (text.includes('manager') ? 'Escalation' : undefined),
      }),
    });
    const t = await buildTestApp(
      {
        OPENAI_BASE_URL: llm.url,
        OPENAI_API_KEY: 'sk-test-not-a-real-key',
        LLM_MODEL: 'fake-model',
        LLM_TIMEOUT_MS: '3000',
        LLM_MAX_RETRIES: '0',
      },
      { bus },
    );
    try {
      const business = await createBusiness(t.app, t.masterKey);
      const stage = await callApi(t.app, 'POST', '/api/stages', business.api_key, {
        business_id: business.business_id,
        stage_name: 'Escalation',
        handoff: true,
      });
      expect(stage.status).toBe(201);
      const first = await callApi(t.app, 'POST', '/api/message', business.api_key, {
        business_id: business.business_id,
        content: 'Hi there',
      });
      const id = first.body.conversation_id as string;
      expect(events.filter((e) => e.conversation_id === id && e.type === 'stage')).toEqual([]);
      const escalated = await callApi(t.app, 'POST', '/api/message', business.api_key, {
        business_id: business.business_id,
        conversation_id: id,
        user_id: first.body.user_id,
        content: 'This is unacceptable, I want the manager',
      });
      expect(escalated.status).toBe(200);
      expect(escalated.body).toMatchObject({ stage_id: stage.body.stage_id, response: expect.any(String) });
      const mine = events.filter(
        (e) => e.conversation_id === id && ['stage', 'handoff', 'ai'].includes(e.type),
      );
      expect(mine).toEqual([
        {
          type: 'stage',
          business_id: business.business_id,
          conversation_id: id,
          stage_id: stage.body.stage_id,
          stage_name: 'Escalation',
          previous_stage_id: business.first_stage_id,
        },
        { type: 'handoff', business_id: business.business_id, conversation_id: id, reason: 'stage' },
        {
          type: 'ai',
          business_id: business.business_id,
          conversation_id: id,
          is_stopped: true,
          reason: 'handoff',
        },
      ]);
      const detail = await callApi(t.app, 'GET', `/api/conversations/${id}`, business.api_key);
      expect(detail.body.conversation).toMatchObject({ ai_stopped: true, stage_name: 'Escalation' });
      expect(detail.body.conversation.waiting_since).toEqual(expect.any(String));
    } finally {
      await t.close();
      await llm.close();
      await bus.close();
    }
  });
});
