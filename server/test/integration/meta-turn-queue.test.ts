import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { buildTestApp, openTestDatabase, type TestApp } from '../helpers/build-test-app.js';
import type { Json } from '../helpers/call-api.js';
import { type FakeGraphApi, startFakeGraphApi } from '../helpers/fake-graph-api.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import type { FakeLlm } from '../helpers/fake-llm-types.js';
import {
  APP_SECRET,
  type ConnectedBusiness,
  createConnectedBusiness,
  type MetaApp,
  messagesOf,
  postWebhook,
  uniqueDigits,
  waitFor,
} from '../helpers/meta-app.js';
import { wa, waInbound } from '../helpers/meta-fixtures.js';
import { customerMessage, scriptedModel } from '../helpers/pipeline-fixture.js';

/**
 * The webhook turn queue (TURN_CONCURRENCY) over real HTTP: with one slot, turns run one at a time in
 * arrival order, a conversation's messages stay in order and are answered once, and what is still
 * queued when the process stops is answered after a restart by the pending-message sweep.
 */
let llm: FakeLlm;
let graph: FakeGraphApi;
let database: Database;
const env = () => ({
  OPENAI_BASE_URL: llm.url,
  OPENAI_API_KEY: 'sk-test-not-a-real-key',
  LLM_MODEL: 'fake-model',
  LLM_TIMEOUT_MS: '20000',
  LLM_MAX_RETRIES: '0',
  GRAPH_API_BASE_URL: graph.url,
  META_APP_SECRET: APP_SECRET,
  GRAPH_TIMEOUT_MS: '2000',
  GRAPH_RETRY_BASE_MS: '50',
  GRAPH_RECONCILE_MS: '300',
  TURN_CONCURRENCY: '1',
});

// No background work (outbox, periodic sweep) is started: on a PostgreSQL shared with other test
// files, an outbox worker here would send their replies to this file's fake Graph API. Webhook turns
// need none of it; the restart test calls the sweep itself.
async function start(): Promise<MetaApp> {
  const t: TestApp = await buildTestApp(env(), { database });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return { t, llm, graph, baseUrl: `http://127.0.0.1:${port}`, close: () => t.close() };
}

beforeAll(async () => {
  llm = await startFakeLlmServer({ defaultAnswer: scriptedModel() });
  graph = await startFakeGraphApi();
  database = await openTestDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: null, poolSize: 10 });
});
afterAll(async () => {
  await database?.close();
  await graph?.close();
  await llm?.close();
});

/** The queue's gauge as /metrics shows it. */
async function turns(m: MetaApp) {
  const text = (
    await m.t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${m.t.masterKey}` },
    })
  ).body;
  const read = (state: string) =>
    Number(text.match(new RegExp(`^icmp_background_turns\\{state="${state}"\\} (\\d+)`, 'm'))?.[1] ?? 0);
  return { queued: read('queued'), running: read('running') };
}

const send = (m: MetaApp, business: ConnectedBusiness, waId: string, text: string) =>
  postWebhook(m, 'whatsapp', waInbound(business.phoneNumberId, { waId }, [wa.text(text)]).payload);

/** Customer messages in the order the LLM was first asked about them. */
const llmOrder = (words: string[]) => {
  const seen: string[] = [];
  for (const request of llm.requests) {
    const message = customerMessage(request);
    if (words.includes(message) && !seen.includes(message)) seen.push(message);
  }
  return seen;
};

/** One assistant reply right after each customer message, per conversation. */
function expectAnsweredOnce(messages: Json[], words: string[]) {
  for (const word of words) {
    const index = messages.findIndex((msg) => msg.sender_type === 'user' && msg.message_content === word);
    expect(index, word).toBeGreaterThanOrEqual(0);
    expect(messages[index + 1]?.sender_type, word).toBe('assistant');
    expect(
      messages.filter((msg) => msg.message_content === `Reply to: ${word}`),
      word,
    ).toHaveLength(1);
  }
}

describe('one slot for webhook turns', () => {
  it('runs turns in arrival order, one conversation entry at a time, each message answered once', async () => {
    const m = await start();
    try {
      const business = await createConnectedBusiness(m);
      const [a, b, c] = [uniqueDigits(), uniqueDigits(), uniqueDigits()];
      const tag = uniqueDigits();
      const word = (name: string) => `${name} ${tag}`;
      // A's first turn is slow, so everything after it waits for the one slot.
      llm.script({
        match: (request) => customerMessage(request) === word('A1'),
        delayMs: 4000,
        times: 1,
        respond: scriptedModel(),
      });
      expect((await send(m, business, a, word('A1'))).status).toBe(200);
      await waitFor(async () => (await turns(m)).running === 1, 15_000, 'A1 running');
      for (const [waId, text] of [
        [b, 'B1'],
        [c, 'C1'],
        [a, 'A2'],
        [b, 'B2'],
      ] as const)
        expect((await send(m, business, waId, word(text))).status).toBe(200);
      // Acknowledged at once and stored; B2 joined B's queue entry, A2 waits behind A's running turn.
      expect(await turns(m)).toEqual({ queued: 3, running: 1 });
      const words = ['A1', 'B1', 'B2', 'C1', 'A2'].map(word);
      await m.t.app.backgroundTurnsIdle?.();
      expect(await turns(m)).toEqual({ queued: 0, running: 0 });
      expect(llmOrder(words)).toEqual(words);
      expectAnsweredOnce(await messagesOf(m, business, 'whatsapp'), words);
    } finally {
      await m.close();
    }
  }, 90_000);

  it('leaves queued messages pending when the process stops; the sweep after a restart answers them once', async () => {
    const first = await start();
    const business = await createConnectedBusiness(first);
    const [a, b, c] = [uniqueDigits(), uniqueDigits(), uniqueDigits()];
    const tag = uniqueDigits();
    const word = (name: string) => `${name} ${tag}`;
    llm.script({
      match: (request) => customerMessage(request) === word('A1'),
      delayMs: 4000,
      times: 1,
      respond: scriptedModel(),
    });
    expect((await send(first, business, a, word('A1'))).status).toBe(200);
    await waitFor(async () => (await turns(first)).running === 1, 15_000, 'A1 running');
    expect((await send(first, business, b, word('B1'))).status).toBe(200);
    expect((await send(first, business, c, word('C1'))).status).toBe(200);
    expect(await turns(first)).toEqual({ queued: 2, running: 1 });
    // Stopping waits for the running turn and drops the queue: B1 and C1 stay pending, unanswered.
    await first.close();
    const asked = () => llmOrder([word('B1'), word('C1')]);
    expect(asked()).toEqual([]);

    const second = await start();
    try {
      const stored = await messagesOf(second, business, 'whatsapp');
      expect(stored.filter((msg) => msg.sender_type === 'assistant')).toHaveLength(1);
      expect(stored.filter((msg) => msg.status === 'pending').map((msg) => msg.message_content)).toEqual(
        expect.arrayContaining([word('B1'), word('C1')]),
      );
      // The sweep takes messages pending for a few seconds; poll it rather than wait for its timer.
      await waitFor(
        async () => {
          await second.t.app.sweepPendingMessages?.();
          return asked().length === 2;
        },
        60_000,
        'B1 and C1 processed after the restart',
      );
      expectAnsweredOnce(await messagesOf(second, business, 'whatsapp'), ['A1', 'B1', 'C1'].map(word));
    } finally {
      await second.close();
    }
  }, 120_000);
});
