import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/meta-app.js';
import { scriptedModel } from '../helpers/pipeline-fixture.js';
import { callServer, type RestartableServer, restartableServer } from '../helpers/server-process.js';

/**
 * A server started over messages left pending by a dead process recovers them in the background: it
 * listens (health checks, new traffic) while the recovered turns wait on the model. The first sweep
 * used to run before the server listened, so a backlog or a slow model kept a restarted process
 * deaf for as long as the turns took.
 */
let f: RestartableServer;

beforeAll(async () => {
  f = await restartableServer(
    { defaultAnswer: scriptedModel() },
    // The model never answers the stranded message within the test; a short lease lets the new
    // process's first sweep take the conversation.
    { LLM_TIMEOUT_MS: '600000', TURN_TIMEOUT_MS: '600000', TURN_LEASE_MS: '1000' },
  );
  await f.start();
}, 120_000);

afterAll(async () => {
  await f?.server?.crash();
  await f?.close();
});

describe('pending-message recovery at start', () => {
  it('listens while the recovered turn is still waiting on the model', async () => {
    const created = await callServer(
      f.server?.baseUrl,
      'POST',
      '/api/businesses',
      f.env.ICMP_API_KEY as string,
      {
        business_name: 'Recovery at start',
        business_description: 'a restart with a stranded message',
      },
    );
    expect(created.status).toBe(201);
    const key = created.body.api_key as string;
    const hold = f.llm.script({ match: 'stranded by a crash', hang: true });
    // Its turn hangs on the model; the process dies with the message pending.
    void callServer(f.server?.baseUrl, 'POST', '/api/message', key, { content: 'stranded by a crash' }).catch(
      () => {},
    );
    await waitFor(async () => hold.hits >= 1, 30_000, 'the first turn to reach the model');
    await f.server?.crash();
    // Older than the recovery's grace (5 s) and past the dead process's lease, before the restart.
    await new Promise((resolve) => setTimeout(resolve, 7_000));

    await f.start();
    await waitFor(async () => hold.hits >= 2, 60_000, 'the recovery to resume the turn');
    const health = await fetch(`${f.server?.baseUrl}/health`);
    expect(health.status).toBe(200);
    const list = await callServer(f.server?.baseUrl, 'GET', '/api/conversations', key);
    expect(list.status).toBe(200);
    const [conversation] = list.body.conversations as Array<{ conversation_id: string }>;
    const detail = await callServer(
      f.server?.baseUrl,
      'GET',
      `/api/conversations/${conversation?.conversation_id}`,
      key,
    );
    // The recovered turn is still waiting on the model: the message is pending, unanswered.
    expect(
      (detail.body.messages as Array<{ sender_type: string; status: string }>).map((m) => [
        m.sender_type,
        m.status,
      ]),
    ).toEqual([['user', 'pending']]);
    expect(hold.hits).toBe(2);
  }, 180_000);
});
