import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmCalls } from '../../src/db/schema.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import {
  classify,
  customerMessage,
  type PipelineApp,
  scriptedModel,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';

const DAY_MS = 86_400_000;

let p: PipelineApp;
let a: CreatedBusiness;
let b: CreatedBusiness;
let booking: { stage_id: string; stage_name: string };
let today: string;

const send = async (key: string, payload: Record<string, unknown>, status = 200) => {
  const response = await p.t.app.inject({
    method: 'POST',
    url: '/api/message',
    headers: bearer(key),
    payload,
  });
  expect(response.statusCode, response.body).toBe(status);
  return response.json() as {
    conversation_id: string;
    user_id: string;
    message_id: string;
    fallback: boolean;
  };
};

const overview = (key: string | null, query: Record<string, string> = {}) =>
  p.t.app.inject({
    method: 'GET',
    url: '/api/analytics/overview',
    query,
    headers: key ? bearer(key) : {},
  });

async function overviewOk(key: string, query: Record<string, string> = {}) {
  const response = await overview(key, query);
  expect(response.statusCode, response.body).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the body is probed freely in assertions
  return response.json() as Record<string, any>;
}

/**
 * The overview estimates percentiles from latency histograms (buckets 5 % wide, exact below 21 ms):
 * within 5 % of the exact value.
 */
function expectEstimate(actual: number, exact: number) {
  expect(Math.abs(actual - exact)).toBeLessThanOrEqual(exact * 0.05 + 0.5);
}

/** Linear interpolation between closest ranks, as PostgreSQL's percentile_cont. */
function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] ?? 0;
  return lowValue + ((sorted[high] ?? lowValue) - lowValue) * (position - low);
}

beforeAll(async () => {
  p = await startPipelineApp();
  a = await createBusiness(p.t.app, p.t.masterKey, {
    settings: { fallback_reply: 'We will call you back.' },
  });
  b = await createBusiness(p.t.app, p.t.masterKey);
  const stage = await p.t.app.inject({
    method: 'POST',
    url: '/api/stages',
    headers: bearer(a.api_key),
    payload: { stage_name: 'Booking', stage_description: 'Reserving a table', stage_type: 'conversation' },
  });
  expect(stage.statusCode, stage.body).toBe(201);
  booking = stage.json();
  // Booking extracts with a template of its own, so routing there discards the speculative extraction.
  const extraction = await p.t.app.inject({
    method: 'PATCH',
    url: `/api/templates/${stage.json().data_extraction_template_id}`,
    headers: bearer(a.api_key),
    payload: { content: 'Booking details in:\n"""{{message_content}}"""' },
  });
  expect(extraction.statusCode, extraction.body).toBe(200);

  p.llm.setDefault(
    scriptedModel({
      route: (m) => (/book/i.test(m) ? 'Booking' : undefined),
      extract: (m) => {
        const email = m.match(/\S+@\S+/)?.[0];
        if (email) return { email };
        return m.includes('phone') ? { phone: '+351 900 000 000' } : {};
      },
      respond: (m) => `ok: ${m}`,
    }),
  );
  // Only the reply to "please explode" fails (after its retry): a logged error and a fallback reply.
  p.llm.script({
    match: (r) => classify(r) === 'response_generation' && customerMessage(r).includes('explode'),
    status: 500,
    body: { error: { message: 'boom' } },
  });

  // Business A, conversation 1: routed General → Booking, then an e-mail extracted.
  const first = await send(a.api_key, { content: 'I want to book a table' });
  await send(a.api_key, { content: 'my email is bo@example.com', user_id: first.user_id });
  // Conversation 2 (another customer): a failed reply, then the AI stopped, then a human agent.
  const second = await send(a.api_key, { content: 'please explode' });
  expect(second.fallback).toBe(true);
  const stop = await p.t.app.inject({
    method: 'POST',
    url: `/api/conversations/${second.conversation_id}/ai-control`,
    headers: bearer(a.api_key),
    payload: { action: 'stop' },
  });
  expect(stop.statusCode, stop.body).toBe(200);
  await send(a.api_key, { content: 'anyone there?', conversation_id: second.conversation_id }, 202);
  const agent = await p.t.app.inject({
    method: 'POST',
    url: `/api/conversations/${second.conversation_id}/agent-reply`,
    headers: bearer(a.api_key),
    payload: { content: 'A human here.' },
  });
  expect(agent.statusCode, agent.body).toBe(201);

  // Business B: its own traffic, which must never show up in A's numbers.
  const other = await send(b.api_key, { content: 'call my phone' });
  await send(b.api_key, { content: 'book it, also x@example.com', user_id: other.user_id });
  today = new Date().toISOString().slice(0, 10);
});
afterAll(async () => p?.close());

describe('GET /api/analytics/overview', () => {
  it('counts the business’s conversations, messages, stages, LLM calls and extraction exactly', async () => {
    const from = new Date(Date.now() - 3 * DAY_MS).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const body = await overviewOk(a.api_key, { from, to });

    expect(body.business_id).toBe(a.business_id);
    expect(body.from).toBe(from);
    expect(body.to).toBe(to);
    expect(body.totals).toEqual({
      conversations: 2,
      new_conversations: 2,
      active_conversations: 2,
      messages: 8,
      user_messages: 4,
      assistant_messages: 3,
      agent_messages: 1,
      users: 2,
      fallback_replies: 1,
      ai_stopped_messages: 1,
    });

    expect(body.stage_funnel).toEqual([
      {
        stage_id: a.first_stage_id,
        stage_name: 'General',
        conversations_entered: 2,
        conversations_current: 1,
        transitions_in: 0,
        transitions_out: 1,
      },
      {
        stage_id: booking.stage_id,
        stage_name: 'Booking',
        conversations_entered: 1,
        conversations_current: 1,
        transitions_in: 1,
        transitions_out: 0,
      },
    ]);

    // Turn 1: selection + discarded speculative extraction + extraction + reply; turns 2 and 3: three
    // calls each, the reply of turn 3 failing. The AI-stopped message made none.
    const { llm } = body;
    expect(llm).toMatchObject({ calls: 10, errors: 1 });
    expect(llm.error_rate).toBeCloseTo(0.1, 10);
    expect(llm.per_step.map((s: Record<string, unknown>) => [s.call_type, s.calls, s.errors])).toEqual([
      ['data_extraction', 4, 0],
      ['response_generation', 3, 1],
      ['stage_selection', 3, 0],
    ]);

    const rows = await p.t.database.db.select().from(llmCalls).where(eq(llmCalls.businessId, a.business_id));
    expect(rows).toHaveLength(10);
    const sum = (list: typeof rows, pick: (r: (typeof rows)[number]) => number) =>
      list.reduce((total, r) => total + pick(r), 0);
    expect(llm.tokens_in).toBe(sum(rows, (r) => r.tokensIn));
    expect(llm.tokens_out).toBe(sum(rows, (r) => r.tokensOut));
    expect(llm.tokens_in).toBeGreaterThan(0);
    expect(llm.cost_usd).toBeCloseTo(
      sum(rows, (r) => r.costUsd),
      9,
    );
    const latencies = rows.map((r) => r.latencyMs);
    expectEstimate(llm.latency_ms.p50, percentile(latencies, 0.5));
    expectEstimate(llm.latency_ms.p95, percentile(latencies, 0.95));
    expectEstimate(llm.latency_ms.p99, percentile(latencies, 0.99));
    expect(llm.latency_ms.p50).toBeLessThanOrEqual(llm.latency_ms.p95);
    expect(llm.latency_ms.p95).toBeLessThanOrEqual(llm.latency_ms.p99);
    for (const step of llm.per_step) {
      const ofStep = rows.filter((r) => r.callType === step.call_type);
      expect(step.tokens_in).toBe(sum(ofStep, (r) => r.tokensIn));
      expect(step.tokens_out).toBe(sum(ofStep, (r) => r.tokensOut));
      expect(step.cost_usd).toBeCloseTo(
        sum(ofStep, (r) => r.costUsd),
        9,
      );
      expectEstimate(
        step.p50_ms,
        percentile(
          ofStep.map((r) => r.latencyMs),
          0.5,
        ),
      );
      expectEstimate(
        step.p95_ms,
        percentile(
          ofStep.map((r) => r.latencyMs),
          0.95,
        ),
      );
    }

    expect(body.extraction).toEqual({
      messages_with_facts: 1,
      fill_rates: [{ key: 'email', conversations: 1, rate: 0.5 }],
    });

    // Four UTC days (from is three days back), zero-filled, today holding everything.
    expect(body.per_day).toHaveLength(4);
    expect(body.per_day.map((d: { date: string }) => d.date)).toEqual(
      [3, 2, 1, 0].map((n) =>
        new Date(Date.parse(`${today}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10),
      ),
    );
    expect(body.per_day.at(-1)).toEqual({
      date: today,
      conversations: 2,
      messages: 8,
      llm_calls: 10,
      errors: 1,
    });
    for (const day of body.per_day.slice(0, -1)) {
      expect(day).toMatchObject({ conversations: 0, messages: 0, llm_calls: 0, errors: 0 });
    }
  });

  it('keeps each business to its own data', async () => {
    const body = await overviewOk(b.api_key);
    expect(body.business_id).toBe(b.business_id);
    expect(body.totals).toMatchObject({
      conversations: 1,
      messages: 4,
      user_messages: 2,
      assistant_messages: 2,
      agent_messages: 0,
      users: 1,
      fallback_replies: 0,
      ai_stopped_messages: 0,
    });
    // One stage: selection is skipped and not logged; extraction + reply per message.
    expect(body.llm).toMatchObject({ calls: 4, errors: 0, error_rate: 0 });
    expect(body.stage_funnel).toEqual([
      {
        stage_id: b.first_stage_id,
        stage_name: 'General',
        conversations_entered: 1,
        conversations_current: 1,
        transitions_in: 0,
        transitions_out: 0,
      },
    ]);
    expect(body.extraction).toEqual({
      messages_with_facts: 2,
      fill_rates: [
        { key: 'email', conversations: 1, rate: 1 },
        { key: 'phone', conversations: 1, rate: 1 },
      ],
    });
    expect(body.per_day.at(-1)).toMatchObject({ date: today, conversations: 1, messages: 4, llm_calls: 4 });
  });

  it('defaults to the last 30 days and answers the same to the master key with business_id', async () => {
    const before = Date.now();
    const own = await overviewOk(a.api_key);
    const to = Date.parse(own.to);
    expect(to).toBeGreaterThanOrEqual(before - 1000);
    expect(to - Date.parse(own.from)).toBe(30 * DAY_MS);
    expect(own.per_day).toHaveLength(31);
    expect(own.per_day.at(-1).date).toBe(today);
    expect(own.per_day.reduce((n: number, d: { messages: number }) => n + d.messages, 0)).toBe(8);

    const fixed = { from: own.from, to: own.to };
    const master = await overviewOk(p.t.masterKey, { ...fixed, business_id: a.business_id });
    expect(master).toEqual(await overviewOk(a.api_key, { ...fixed, business_id: a.business_id }));
    expect(master.totals).toEqual(own.totals);
  });

  it('answers zeros for a range without activity, every day still listed', async () => {
    const from = new Date(Date.now() - 10 * DAY_MS).toISOString();
    const to = new Date(Date.now() - 5 * DAY_MS).toISOString();
    const body = await overviewOk(a.api_key, { from, to });
    expect(Object.values(body.totals).every((n) => n === 0)).toBe(true);
    expect(body.per_day).toHaveLength(6);
    expect(body.per_day.every((d: Record<string, number>) => d.messages === 0 && d.llm_calls === 0)).toBe(
      true,
    );
    expect(
      body.stage_funnel.map((s: Record<string, unknown>) => [s.stage_name, s.conversations_entered]),
    ).toEqual([
      ['General', 0],
      ['Booking', 0],
    ]);
    expect(body.llm).toEqual({
      calls: 0,
      errors: 0,
      error_rate: 0,
      latency_ms: { p50: null, p95: null, p99: null },
      tokens_in: 0,
      tokens_out: 0,
      cost_usd: 0,
      per_step: [],
    });
    expect(body.extraction).toEqual({ messages_with_facts: 0, fill_rates: [] });
  });

  it('checks credentials: own key, foreign business, master key, no key', async () => {
    expect((await overview(a.api_key, { business_id: a.business_id })).statusCode).toBe(200);
    expectError(await overview(a.api_key, { business_id: b.business_id }), 403, 'AUTHORIZATION_ERROR');
    expectFieldErrors(await overview(p.t.masterKey), ['business_id']);
    expectError(await overview(null, { business_id: a.business_id }), 401, 'AUTHENTICATION_ERROR');
    expectError(await overview('not-a-key'), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await overview(p.t.masterKey, { business_id: '00000000-0000-4000-8000-000000000000' }),
      404,
      'NOT_FOUND',
    );
  });

  it('rejects a malformed, inverted or too long range', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    expectError(await overview(a.api_key, { from: 'yesterday' }), 400, 'VALIDATION_ERROR');
    expectError(await overview(a.api_key, { to: '2026-13-45T00:00:00Z' }), 400, 'VALIDATION_ERROR');
    expectFieldErrors(await overview(a.api_key, { from: iso(now), to: iso(now - DAY_MS) }), ['from']);
    expectFieldErrors(await overview(a.api_key, { from: iso(now - 367 * DAY_MS), to: iso(now) }), ['from']);
    expect((await overview(a.api_key, { from: iso(now - 366 * DAY_MS), to: iso(now) })).statusCode).toBe(200);
    const future = await overviewOk(a.api_key, { from: iso(now + DAY_MS), to: iso(now + 2 * DAY_MS) });
    expect(future.totals.messages).toBe(0);
  });
});
