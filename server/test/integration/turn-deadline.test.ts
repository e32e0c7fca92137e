import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { llmCalls, messages } from '../../src/db/schema.js';
import { buildTestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import { waitFor } from '../helpers/meta-app.js';
import {
  classify,
  customerMessage,
  type PipelineApp,
  scriptedModel,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';

/**
 * Issue 12 finding 3, unbounded turns: one deadline for the whole turn (TURN_TIMEOUT_MS), and a short
 * conversation lease renewed by a heartbeat (TURN_LEASE_MS). The crash case is in turn-lease-crash.test.ts.
 */
let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp({
    // Each call alone could wait a minute, three times: the turn's deadline must end it long before.
    LLM_TIMEOUT_MS: '60000',
    LLM_MAX_RETRIES: '2',
    TURN_TIMEOUT_MS: '2000',
    TURN_LEASE_MS: '600',
  });
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

const send = (app: typeof p.t.app, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/message', headers: bearer(key), payload });

describe('TURN_TIMEOUT_MS', () => {
  it('a hanging model ends the turn at its deadline with the fallback, without retries past it', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      settings: { fallback_reply: 'We will call you back.' },
    });
    p.llm.setDefault(() => ({ hang: true }));
    const started = Date.now();
    const response = await send(p.t.app, business.api_key, { content: 'are you there?' });
    // Far below one call's own timeout (60 s), let alone 3 attempts × 2 steps.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ response: 'We will call you back.', fallback: true });
    // The extraction hung until the deadline; no retry and no reply call started after it.
    expect(p.llm.requests.map(classify)).toEqual(['data_extraction']);
    const calls = await p.t.database.db
      .select()
      .from(llmCalls)
      .where(eq(llmCalls.messageId, response.json().message_id));
    expect(calls.map((c) => [c.callType, c.status, c.error])).toEqual([
      ['data_extraction', 'error', 'timeout'],
    ]);
  }, 120_000);

  it('a slow extraction leaves the reply only the time left', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, {
      settings: { fallback_reply: 'Back soon.' },
    });
    p.llm.setDefault(scriptedModel());
    // The extraction answers after most of the turn's 2 s; the reply hangs.
    p.llm.script({ match: (r) => classify(r) === 'data_extraction', delayMs: 1200, json: { city: 'Porto' } });
    p.llm.script({ match: (r) => classify(r) === 'response_generation', hang: true });
    const started = Date.now();
    const response = await send(p.t.app, business.api_key, { content: 'I live in Porto' });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(response.json()).toMatchObject({ response: 'Back soon.', fallback: true });
    const calls = await p.t.database.db
      .select()
      .from(llmCalls)
      .where(eq(llmCalls.messageId, response.json().message_id));
    const reply = calls.find((c) => c.callType === 'response_generation');
    expect(reply).toMatchObject({ status: 'error', error: 'timeout' });
    // It was given what was left of the 2 s, not its own 60 s.
    expect(reply?.latencyMs).toBeLessThan(2000);
  }, 120_000);
});

describe('TURN_LEASE_MS with a heartbeat', () => {
  it('a turn longer than the lease keeps it: another process waits instead of running it twice', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    p.llm.setDefault(scriptedModel());
    // The reply takes ~4 leases (600 ms); without renewal the other process would take over.
    p.llm.script({
      match: (r) => classify(r) === 'response_generation' && customerMessage(r) === 'slow one',
      delayMs: 1500,
      content: 'Slow reply',
    });
    const second = await buildTestApp(
      {
        OPENAI_BASE_URL: p.llm.url,
        OPENAI_API_KEY: 'sk-test',
        LLM_MODEL: 'fake-model',
        TURN_LEASE_MS: '600',
      },
      p.t.database.kind === 'pglite' ? { database: p.t.database } : {},
    );
    try {
      const opening = (await send(p.t.app, business.api_key, { content: 'hello' })).json();
      const slow = send(p.t.app, business.api_key, {
        content: 'slow one',
        conversation_id: opening.conversation_id,
      });
      await waitFor(
        async () => p.llm.requests.some((r) => customerMessage(r) === 'slow one' && !r.response_format),
        30_000,
        'the slow reply to start',
      );
      const next = await send(second.app, business.api_key, {
        content: 'next one',
        conversation_id: opening.conversation_id,
      });
      expect(next.statusCode, next.body).toBe(200);
      expect((await slow).json().response).toBe('Slow reply');
      expect(next.json().response).toBe('Reply to: next one');
      const replies = p.llm.requests.filter((r) => customerMessage(r) === 'slow one' && !r.response_format);
      expect(replies).toHaveLength(1);
      const stored = await p.t.database.db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, opening.conversation_id))
        .orderBy(messages.sequenceNumber);
      expect(stored.map((m) => m.messageContent)).toEqual([
        'hello',
        'Reply to: hello',
        'slow one',
        'Slow reply',
        'next one',
        'Reply to: next one',
      ]);
    } finally {
      await second.close();
    }
  }, 120_000);
});
