import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/build-test-app.js';
import type { Json } from '../helpers/call-api.js';
import { waitFor } from '../helpers/meta-app.js';
import { customerMessage, scriptedModel } from '../helpers/pipeline-fixture.js';
import { callServer, type RestartableServer, restartableServer } from '../helpers/server-process.js';

/**
 * Issue 13: SIGTERM lets in-flight work finish (up to SHUTDOWN_TIMEOUT_MS) and tells load balancers
 * to stop sending; past the deadline the process gives its conversations' leases up, so another
 * process continues them at once instead of after TURN_LEASE_MS.
 */
describe('while shutting down (in process)', () => {
  it('/health answers 503 shutting_down and other requests 503 with Connection: close', async () => {
    const t = await buildTestApp();
    try {
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      t.app.beginShutdown();
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'shutting_down', database: 'connected' });
      const other = await t.app.inject({ method: 'GET', url: '/ping' });
      expect(other.statusCode).toBe(503);
      expect(other.headers.connection).toBe('close');
      expect(other.json().error.code).toBe('SERVICE_ERROR');
    } finally {
      await t.close();
    }
  });
});

let f: RestartableServer;

beforeAll(async () => {
  f = await restartableServer(
    { defaultAnswer: scriptedModel() },
    {
      // Long: only a released lease lets the next process continue within the test's patience.
      TURN_LEASE_MS: '120000',
      LLM_TIMEOUT_MS: '120000',
      TURN_TIMEOUT_MS: '120000',
      SHUTDOWN_TIMEOUT_MS: '20000',
    },
  );
}, 120_000);

afterAll(() => f?.close());

const api = (method: string, path: string, key: string, body?: unknown) =>
  callServer(f.server?.baseUrl, method, path, key, body);

async function businessWithUser() {
  const created = await api('POST', '/api/businesses', f.env.ICMP_API_KEY as string, {
    business_name: `Shutdown ${randomBytes(3).toString('hex')}`,
    business_description: 'graceful shutdown test',
  });
  expect(created.status).toBe(201);
  const key = created.body.api_key as string;
  const user = await api('POST', '/api/users', key, { first_name: 'Ana', last_name: 'Silva' });
  expect(user.status).toBe(201);
  return { key, userId: user.body.user_id as string };
}

const replyStep = (text: string) => (r: Parameters<typeof customerMessage>[0]) =>
  customerMessage(r) === text && !r.response_format;

describe('SIGTERM on a server process', () => {
  it('lets the turn in flight finish: its request gets the 200 reply, the process exits 0', async () => {
    const server = await f.start();
    const { key, userId } = await businessWithUser();
    const slow = f.llm.script({ match: replyStep('slow one'), delayMs: 3000, respond: scriptedModel() });
    const pending = api('POST', '/api/message', key, { content: 'slow one', user_id: userId });
    await waitFor(async () => f.llm.requests.some(replyStep('slow one')), 60_000, 'the reply step to start');
    server.child.kill('SIGTERM');
    const answered = await pending;
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body.response).toBe('Reply to: slow one');
    expect(await server.exited(), server.output()).toBe(0);
    expect(slow.hits).toBe(1);

    // Nothing lost: the next process serves the stored turn.
    const next = await f.start();
    const transcript = await api('GET', `/api/conversations/${answered.body.conversation_id}`, key);
    expect(
      (transcript.body.messages as Json[]).map((m) => [m.sender_type, m.message_content, m.status]),
    ).toEqual([
      ['user', 'slow one', 'processed'],
      ['assistant', 'Reply to: slow one', expect.any(String)],
    ]);
    await next.stop();
  }, 240_000);

  it('past SHUTDOWN_TIMEOUT_MS releases the lease of the unfinished turn: the next process answers it at once', async () => {
    const server = await f.start({ SHUTDOWN_TIMEOUT_MS: '1000' });
    const { key, userId } = await businessWithUser();
    const stuck = f.llm.script({ match: replyStep('stuck one'), hang: true, times: 1 });
    const lost = api('POST', '/api/message', key, { content: 'stuck one', user_id: userId }).catch(
      () => null,
    );
    await waitFor(async () => stuck.hits === 1, 60_000, 'the reply step to start');
    server.child.kill('SIGTERM');
    // Deadline passed with the turn unfinished: exit 1, after releasing the lease.
    expect(await server.exited(), server.output()).toBe(1);
    expect(server.output()).toMatch(/shutdown deadline passed/);
    await lost;

    // The lease would hold the conversation for 120 s; released, the next process's recovery sweep
    // (at start, for messages pending over 5 s) answers the message within this test's 60 s.
    await f.start();
    const conversations = await api('GET', '/api/conversations', key);
    const conversationId = (conversations.body.conversations as Json[])[0]?.conversation_id as string;
    expect(conversationId).toBeTruthy();
    const messages = await waitFor(
      async () => {
        const transcript = await api('GET', `/api/conversations/${conversationId}`, key);
        const list = transcript.body.messages as Json[];
        return list.length === 2 ? list : null;
      },
      60_000,
      'the released conversation to be answered',
    );
    expect(messages.map((m) => [m.sender_type, m.message_content, m.status])).toEqual([
      ['user', 'stuck one', 'processed'],
      ['assistant', 'Reply to: stuck one', expect.any(String)],
    ]);
  }, 300_000);
});
