import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { llmCalls } from '../../src/db/schema.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import type { FakeLlmRequest } from '../helpers/fake-llm-types.js';
import {
  type CallKind,
  classify,
  type PipelineApp,
  scriptedModel,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';
import { enableWebChannel, newVisitor, visitorHeaders } from '../helpers/widget-fixture.js';

/**
 * Issue 14 item 3: how many sequential LLM round trips each kind of turn costs. The fake LLM records
 * when it received each call and when it finished answering; a call received after another call's
 * answer waited for it. With every answer taking a while (LATENCY_MS), calls the pipeline starts
 * together arrive together, so the waves below are the turn's dependency chain — no wall-clock
 * threshold is asserted.
 */
const LATENCY_MS = 250;

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp({ LLM_TIMEOUT_MS: '20000' });
});
afterAll(async () => p.close());
beforeEach(() => {
  p.llm.reset();
  p.llm.setLatency(LATENCY_MS);
});

const send = (key: string, payload: Record<string, unknown>) =>
  p.t.app.inject({ method: 'POST', url: '/api/message', headers: bearer(key), payload });

const callsOf = (messageId: string) =>
  p.t.database.db.select().from(llmCalls).where(eq(llmCalls.messageId, messageId));

/** The calls of one turn grouped in waves: wave n+1 holds calls received after a wave-n call answered. */
function waves(requests: FakeLlmRequest[]): CallKind[][] {
  const depth = new Map<FakeLlmRequest, number>();
  const ordered = [...requests].sort((a, b) => (a.receivedAt ?? 0) - (b.receivedAt ?? 0));
  for (const request of ordered) {
    let level = 0;
    for (const earlier of ordered) {
      if (earlier === request || earlier.answeredAt === undefined) continue;
      if (earlier.answeredAt <= (request.receivedAt ?? 0))
        level = Math.max(level, (depth.get(earlier) ?? 0) + 1);
    }
    depth.set(request, level);
  }
  const result: CallKind[][] = [];
  for (const [request, level] of depth) {
    result[level] = [...(result[level] ?? []), classify(request)];
  }
  return result.map((wave) => wave.sort());
}

const turnRequests = (content: string) => p.llm.requests.filter((r) => r.text.includes(content));

async function addStage(business: CreatedBusiness, name: string) {
  const response = await p.t.app.inject({
    method: 'POST',
    url: '/api/stages',
    headers: bearer(business.api_key),
    payload: { stage_name: name, stage_description: `${name} questions`, stage_type: 'conversation' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { stage_id: string };
}

/** A template of this business, set as the stage's template of its type. */
async function useTemplate(
  business: CreatedBusiness,
  stageId: string,
  type: 'data_extraction' | 'response_generation',
  content: string,
) {
  const created = await p.t.app.inject({
    method: 'POST',
    url: '/api/templates',
    headers: bearer(business.api_key),
    payload: { template_name: `${type} ${stageId.slice(0, 8)}`, template_type: type, content },
  });
  expect(created.statusCode, created.body).toBe(201);
  const updated = await p.t.app.inject({
    method: 'PUT',
    url: `/api/stages/${stageId}`,
    headers: bearer(business.api_key),
    payload: { [`${type}_template_id`]: created.json().template_id },
  });
  expect(updated.statusCode, updated.body).toBe(200);
}

// A reply that needs no facts: only the message, history and the stage. The stage name is in the prompt,
// so the scripted reply says which stage wrote it.
const FACT_FREE_REPLY =
  'Stage {{current_stage}}. History:\n{{conversation_history}}\nCustomer:\n"""{{message_content}}"""';
const OTHER_EXTRACTION = 'Pull order numbers out of:\n"""{{message_content}}"""';

const model = scriptedModel({
  route: (m) => (/book/i.test(m) ? 'Booking' : undefined),
  extract: (m) => (m.includes('@') ? { email: m.match(/\S+@\S+/)?.[0] } : {}),
  respond: (m, r) => `[${r.text.match(/Stage ([A-Za-z]+)/)?.[1] ?? 'facts'}] ${m}`,
});

async function twoStages(options: {
  generalReply?: string;
  bookingReply?: string;
  bookingExtraction?: string;
}) {
  const business = await createBusiness(p.t.app, p.t.masterKey);
  const booking = await addStage(business, 'Booking');
  if (options.generalReply)
    await useTemplate(business, business.first_stage_id, 'response_generation', options.generalReply);
  if (options.bookingReply)
    await useTemplate(business, booking.stage_id, 'response_generation', options.bookingReply);
  if (options.bookingExtraction)
    await useTemplate(business, booking.stage_id, 'data_extraction', options.bookingExtraction);
  p.llm.setDefault(model);
  return { business, booking };
}

async function turn(business: CreatedBusiness, content: string) {
  const response = await send(business.api_key, { content });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json();
  const logged = await callsOf(body.message_id);
  return {
    body,
    waves: waves(turnRequests(content)),
    log: logged.map((c) => `${c.callType}:${c.status}`).sort(),
  };
}

describe('round trips per turn', () => {
  it('stage stays, reply uses facts: selection ∥ extraction, then the reply (2)', async () => {
    const { business } = await twoStages({});
    const t = await turn(business, 'hello there, my mail is ana@example.com');
    expect(t.waves).toEqual([['data_extraction', 'stage_selection'], ['response_generation']]);
    expect(t.body).toMatchObject({ extracted_data: { email: 'ana@example.com' }, fallback: false });
    expect(t.log).toEqual([
      'data_extraction:success',
      'response_generation:success',
      'stage_selection:success',
    ]);
  });

  it('stage stays, reply uses no facts: selection ∥ extraction ∥ the reply, which is kept (1)', async () => {
    const { business } = await twoStages({ generalReply: FACT_FREE_REPLY });
    const t = await turn(business, 'what time do you open? ana@example.com');
    expect(t.waves).toEqual([['data_extraction', 'response_generation', 'stage_selection']]);
    expect(t.body.response).toBe('[General] what time do you open? ana@example.com');
    expect(t.body.extracted_data).toEqual({ email: 'ana@example.com' });
    expect(t.log).toEqual([
      'data_extraction:success',
      'response_generation:success',
      'stage_selection:success',
    ]);
  });

  it('stage changes, same extraction template (a copy of the default), reply uses facts: the speculative extraction is kept (2)', async () => {
    const { business, booking } = await twoStages({});
    const t = await turn(business, 'I want to book, write to bo@example.com');
    expect(t.waves).toEqual([['data_extraction', 'stage_selection'], ['response_generation']]);
    expect(t.body).toMatchObject({ stage_id: booking.stage_id, extracted_data: { email: 'bo@example.com' } });
    expect(t.body.processing_steps[1].reused).toBe(true);
    expect(t.log).toEqual([
      'data_extraction:success',
      'response_generation:success',
      'stage_selection:success',
    ]);
  });

  it('stage changes away from a fact-free reply: that reply is discarded but logged (2)', async () => {
    const { business, booking } = await twoStages({ generalReply: FACT_FREE_REPLY });
    const t = await turn(business, 'book a table for bo@example.com');
    expect(t.waves).toEqual([
      ['data_extraction', 'response_generation', 'stage_selection'],
      ['response_generation'],
    ]);
    expect(t.body).toMatchObject({
      stage_id: booking.stage_id,
      response: '[facts] book a table for bo@example.com',
    });
    const discarded = (await callsOf(t.body.message_id)).filter((c) => c.status === 'discarded');
    expect(discarded.map((c) => [c.callType, c.stageId])).toEqual([
      ['response_generation', business.first_stage_id],
    ]);
    // Its cost is in the log like any other call's.
    expect(discarded[0]?.tokensIn).toBeGreaterThan(0);
    // The answer's steps are the three that were used.
    expect(t.body.processing_steps.map((s: { step: string }) => s.step)).toEqual([
      'stage_selection',
      'data_extraction',
      'response_generation',
    ]);
  });

  it('stage changes to a stage with another extraction template whose reply needs facts (3)', async () => {
    const { business, booking } = await twoStages({ bookingExtraction: OTHER_EXTRACTION });
    const t = await turn(business, 'book order 17 please');
    expect(t.waves).toEqual([
      ['data_extraction', 'stage_selection'],
      ['data_extraction'],
      ['response_generation'],
    ]);
    expect(t.body.stage_id).toBe(booking.stage_id);
    expect(t.log).toEqual([
      'data_extraction:discarded',
      'data_extraction:success',
      'response_generation:success',
      'stage_selection:success',
    ]);
  });

  it('stage changes to another extraction template, reply uses no facts: reply ∥ new extraction (2)', async () => {
    const { business, booking } = await twoStages({
      bookingExtraction: OTHER_EXTRACTION,
      bookingReply: FACT_FREE_REPLY,
    });
    const t = await turn(business, 'book order 18 please');
    expect(t.waves).toEqual([
      ['data_extraction', 'stage_selection'],
      ['data_extraction', 'response_generation'],
    ]);
    expect(t.body).toMatchObject({ stage_id: booking.stage_id, response: '[Booking] book order 18 please' });
  });

  it('one stage: no selection; a fact-free reply runs alongside the extraction (1), else after it (2)', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(model);
    const withFacts = await turn(business, 'single stage with facts');
    expect(withFacts.waves).toEqual([['data_extraction'], ['response_generation']]);
    await useTemplate(business, business.first_stage_id, 'response_generation', FACT_FREE_REPLY);
    const without = await turn(business, 'single stage without facts');
    expect(without.waves).toEqual([['data_extraction', 'response_generation']]);
    expect(without.log).toEqual(['data_extraction:success', 'response_generation:success']);
  });

  it('a failed selection answers with the fallback and discards the speculative reply', async () => {
    const { business } = await twoStages({ generalReply: FACT_FREE_REPLY });
    p.llm.script({ match: (r) => classify(r) === 'stage_selection', status: 500 });
    const t = await turn(business, 'selection is down');
    expect(t.body).toMatchObject({ fallback: true, stage_id: business.first_stage_id });
    expect(t.log).toEqual([
      'data_extraction:success',
      'response_generation:discarded',
      'stage_selection:error',
    ]);
  });
});

describe('round trips with transition rules (issue 16)', () => {
  async function patchStage(business: CreatedBusiness, stageId: string, payload: Record<string, unknown>) {
    const response = await p.t.app.inject({
      method: 'PATCH',
      url: `/api/stages/${stageId}`,
      headers: bearer(business.api_key),
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
  }

  it('a rule that holds at turn start: no selection; the target’s extraction, then its reply (2), or both at once (1)', async () => {
    const { business, booking } = await twoStages({});
    await patchStage(business, business.first_stage_id, {
      transition_rules: [{ kind: 'asks_for_human', target_stage_id: booking.stage_id }],
    });
    const withFacts = await turn(business, 'can I talk to a human please');
    expect(withFacts.waves).toEqual([['data_extraction'], ['response_generation']]);
    expect(withFacts.body.stage_id).toBe(booking.stage_id);
    expect(withFacts.log).toEqual(['data_extraction:success', 'response_generation:success']);

    const other = await twoStages({ bookingReply: FACT_FREE_REPLY });
    await patchStage(other.business, other.business.first_stage_id, {
      transition_rules: [{ kind: 'asks_for_human', target_stage_id: other.booking.stage_id }],
    });
    const without = await turn(other.business, 'I want a real person now');
    expect(without.waves).toEqual([['data_extraction', 'response_generation']]);
    expect(without.body.response).toBe('[Booking] I want a real person now');
  });

  it('a rule that holds on the extracted facts: selection ∥ extraction → the target’s reply (2), selection discarded', async () => {
    const { business, booking } = await twoStages({ generalReply: FACT_FREE_REPLY });
    const field = await p.t.app.inject({
      method: 'POST',
      url: `/api/businesses/${business.business_id}/fields`,
      headers: bearer(business.api_key),
      payload: { name: 'email', label: 'E-mail', type: 'email' },
    });
    expect(field.statusCode, field.body).toBe(201);
    await patchStage(business, business.first_stage_id, {
      optional_fields: ['email'],
      transition_rules: [
        { kind: 'field_equals', field: 'email', value: 'vip@example.com', target_stage_id: booking.stage_id },
      ],
    });
    const t = await turn(business, 'hello, I am vip@example.com');
    expect(t.waves).toEqual([
      ['data_extraction', 'response_generation', 'stage_selection'],
      ['response_generation'],
    ]);
    expect(t.body).toMatchObject({
      stage_id: booking.stage_id,
      extracted_data: { email: 'vip@example.com' },
    });
    // The speculative extraction is kept (its facts moved the conversation); the speculative reply and
    // the selection answer are logged as discarded.
    expect(t.log).toEqual([
      'data_extraction:success',
      'response_generation:discarded',
      'response_generation:success',
      'stage_selection:discarded',
    ]);
  });
});

describe('streaming a speculative reply', () => {
  async function stream(business: CreatedBusiness, content: string) {
    const address = await p.t.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => {
      const bound = p.t.app.server.address();
      return typeof bound === 'object' && bound ? `http://127.0.0.1:${bound.port}` : '';
    });
    const response = await fetch(`${address}/api/message`, {
      method: 'POST',
      headers: {
        ...bearer(business.api_key),
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ content }),
    });
    const text = await response.text();
    return [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      event: m[1] as string,
      data: JSON.parse(m[2] as string),
    }));
  }
  const tokens = (events: { event: string; data: { text?: string } }[]) =>
    events
      .filter((e) => e.event === 'token')
      .map((e) => e.data.text)
      .join('');

  it('streams the kept speculative reply, and never one for a stage the conversation left', async () => {
    const { business } = await twoStages({ generalReply: FACT_FREE_REPLY, bookingReply: FACT_FREE_REPLY });
    p.llm.setStreamInterval(20);
    const stays = await stream(business, 'opening hours?');
    expect(tokens(stays)).toBe('[General] opening hours?');
    expect(stays.at(-1)).toMatchObject({ event: 'done', data: { response: '[General] opening hours?' } });

    const moves = await stream(business, 'book for two');
    expect(tokens(moves)).toBe('[Booking] book for two');
    expect(moves.at(-1)).toMatchObject({ event: 'done', data: { response: '[Booking] book for two' } });
    expect(waves(turnRequests('book for two'))).toEqual([
      ['data_extraction', 'response_generation', 'stage_selection'],
      ['response_generation'],
    ]);
  });

  it('the widget gets the first token of a fact-free reply before a slow extraction has answered', async () => {
    const { business } = await twoStages({ generalReply: FACT_FREE_REPLY });
    const web = await enableWebChannel(p.t.app, business, {});
    const visitor = await newVisitor(p.t.app, web.publishable_key);
    p.llm.script({ match: (r) => classify(r) === 'data_extraction', delayMs: 4 * LATENCY_MS, json: {} });
    const address = await p.t.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => {
      const bound = p.t.app.server.address();
      return typeof bound === 'object' && bound ? `http://127.0.0.1:${bound.port}` : '';
    });
    const response = await fetch(`${address}/api/widget/messages`, {
      method: 'POST',
      headers: {
        ...visitorHeaders(visitor.visitor_token),
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ content: 'widget hello' }),
    });
    let text = '';
    let firstTokenAt: number | undefined;
    const decoder = new TextDecoder();
    for await (const chunk of response.body as ReadableStream<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (firstTokenAt === undefined && text.includes('event: token')) firstTokenAt = performance.now();
    }
    expect(text).toContain('"response":"[General] widget hello"');
    const extraction = turnRequests('widget hello').find((r) => classify(r) === 'data_extraction');
    // The fake LLM runs in this process: its clock is ours.
    expect(firstTokenAt).toBeLessThan(extraction?.answeredAt ?? 0);
  });
});
