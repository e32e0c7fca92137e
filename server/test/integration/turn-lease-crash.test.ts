import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../helpers/call-api.js';
import { waitFor } from '../helpers/meta-app.js';
import { customerMessage, scriptedModel } from '../helpers/pipeline-fixture.js';
import { type RestartableServer, restartableServer } from '../helpers/server-process.js';

/**
 * Issue 12 finding 3: kill -9 of a server process in the middle of a turn. Its conversation lease is
 * short (TURN_LEASE_MS) and was only alive through its heartbeat, so the restarted server answers the
 * conversation's next message within seconds — not after the old lease of three full LLM timeouts.
 */
let f: RestartableServer;

beforeAll(async () => {
  f = await restartableServer(
    { defaultAnswer: scriptedModel() },
    {
      // Before the fix the lease covered three full calls: (20 s + 2 s) × 3 + 10 s = 76 s.
      LLM_TIMEOUT_MS: '20000',
      TURN_LEASE_MS: '3000',
    },
  );
  await f.start();
}, 120_000);

afterAll(() => f?.close());

async function api(method: string, path: string, key: string, body?: unknown, signal?: AbortSignal) {
  const response = await fetch(`${f.server?.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as Json };
}

describe('a crashed worker’s conversation', () => {
  it('resumes within seconds of the crash: the next message is answered, both in order', async () => {
    const admin = f.env.ICMP_API_KEY as string;
    const created = await api('POST', '/api/businesses', admin, {
      business_name: `Lease ${randomBytes(3).toString('hex')}`,
      business_description: 'lease test',
    });
    expect(created.status).toBe(201);
    const key = created.body.api_key as string;
    const user = await api('POST', '/api/users', key, { first_name: 'Ana', last_name: 'Silva' });
    expect(user.status).toBe(201);
    const hold = f.llm.script({
      match: (r) => customerMessage(r) === 'crash me' && !r.response_format,
      hang: true,
      times: 1,
    });
    const first = api('POST', '/api/message', key, { content: 'crash me', user_id: user.body.user_id }).catch(
      () => null,
    );
    await waitFor(async () => hold.hits === 1, 30_000, 'the reply generation to start');
    await f.server?.crash();
    await first;
    await f.start();
    // The dead process's lease ends within TURN_LEASE_MS (3 s); 40 s is far below the old 76 s.
    const next = await api(
      'POST',
      '/api/message',
      key,
      { content: 'after the crash', user_id: user.body.user_id },
      AbortSignal.timeout(40_000),
    );
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body.response).toBe('Reply to: after the crash');
    const transcript = await api('GET', `/api/conversations/${next.body.conversation_id}`, key);
    expect(
      (transcript.body.messages as Json[]).map((m) => [m.sender_type, m.message_content, m.status]),
    ).toEqual([
      ['user', 'crash me', 'processed'],
      ['assistant', 'Reply to: crash me', expect.any(String)],
      ['user', 'after the crash', 'processed'],
      ['assistant', 'Reply to: after the crash', expect.any(String)],
    ]);
  }, 180_000);
});
