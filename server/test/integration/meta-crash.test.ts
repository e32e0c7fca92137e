import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../helpers/call-api.js';
import { type FakeGraphApi, startFakeGraphApi } from '../helpers/fake-graph-api.js';
import { uniqueDigits, waitFor } from '../helpers/meta-app.js';
import { wa, waChange, waInbound, waPayload, waStatus } from '../helpers/meta-fixtures.js';
import { signMetaBody } from '../helpers/meta-signing.js';
import { scriptedModel } from '../helpers/pipeline-fixture.js';
import { callServer, type RestartableServer, restartableServer } from '../helpers/server-process.js';

/**
 * kill -9 of a real server process (src/main.ts) at the two dangerous moments, then a restart on
 * the same database (a temporary PGlite DATA_DIR, or the test file's own PostgreSQL database when the suite
 * runs on PostgreSQL): the reply still reaches the customer, exactly once.
 */
const SECRET = 'crash-test-app-secret';

let graph: FakeGraphApi;
let f: RestartableServer;

beforeAll(async () => {
  graph = await startFakeGraphApi();
  f = await restartableServer(
    { defaultAnswer: scriptedModel() },
    {
      LLM_TIMEOUT_MS: '1000',
      GRAPH_API_BASE_URL: graph.url,
      // The dead process's claim lasts the Graph timeout + 10 s. The grace is longer than a restart can
      // take on a busy shared machine (it has taken 20 s+), so the test always posts Meta's status
      // inside it, as Meta does within seconds.
      GRAPH_TIMEOUT_MS: '5000',
      GRAPH_RETRY_BASE_MS: '100',
      GRAPH_RECONCILE_MS: '45000',
      META_APP_SECRET: SECRET,
    },
  );
  await f.start();
}, 120_000);

afterAll(async () => {
  await f?.close();
  await graph?.close();
});

const api = (method: string, path: string, key: string, body?: unknown) =>
  callServer(f.server?.baseUrl, method, path, key, body);

async function setUpBusiness() {
  const created = await api('POST', '/api/businesses', f.env.ICMP_API_KEY as string, {
    business_name: `Crash ${randomBytes(3).toString('hex')}`,
    business_description: 'crash test',
  });
  expect(created.status).toBe(201);
  const phoneNumberId = uniqueDigits();
  const connected = await api(
    'PUT',
    `/api/businesses/${created.body.business_id}/channels/whatsapp`,
    created.body.api_key,
    {
      phone_number_id: phoneNumberId,
      access_token: 'EAAcrash',
    },
  );
  expect(connected.status).toBe(200);
  return { key: created.body.api_key as string, phoneNumberId };
}

async function postSigned(payload: unknown) {
  const body = JSON.stringify(payload);
  const response = await fetch(`${f.server?.baseUrl}/webhook/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, SECRET) },
    body,
  });
  return response.status;
}

async function transcript(key: string) {
  const list = await api('GET', '/api/conversations', key);
  const [conversation] = list.body.conversations as Json[];
  if (!conversation) return [];
  return (await api('GET', `/api/conversations/${conversation.conversation_id}`, key)).body
    .messages as Json[];
}

describe('crash between the acknowledgement and the reply', () => {
  it('kill -9 during the LLM call: after a restart the reply is sent exactly once', async () => {
    const { key, phoneNumberId } = await setUpBusiness();
    const waId = uniqueDigits();
    const hold = f.llm.script({
      match: (r) => r.text.includes('crash during llm') && !r.response_format,
      hang: true,
      times: 1,
    });
    expect(await postSigned(waInbound(phoneNumberId, { waId }, [wa.text('crash during llm')]).payload)).toBe(
      200,
    );
    await waitFor(async () => hold.hits === 1, 20_000, 'the reply generation to start');
    await f.restart();
    // The message stayed pending; the restarted server's recovery sweep processes it once the dead
    // process's conversation lease has expired.
    const [send] = await graph.waitForRequests(1, { filter: (r) => r.to === waId, timeoutMs: 90_000 });
    expect(send?.text).toBe('Reply to: crash during llm');
    await waitFor(
      async () =>
        (await transcript(key)).find((m) => m.sender_type === 'assistant' && m.delivery_status === 'sent'),
      20_000,
      'sent',
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(graph.requests.filter((r) => r.to === waId)).toHaveLength(1);
    expect((await transcript(key)).map((m) => [m.sender_type, m.status])).toEqual([
      ['user', 'processed'],
      ['assistant', 'sent'],
    ]);
  }, 150_000);

  it('kill -9 after the send, before recording it: Meta’s status with our reference settles it, no second send', async () => {
    const { key, phoneNumberId } = await setUpBusiness();
    const waId = uniqueDigits();
    // Meta receives the send, but the process dies before the answer comes back.
    graph.script({ match: (r) => r.to === waId, fault: { hang: true } });
    expect(await postSigned(waInbound(phoneNumberId, { waId }, [wa.text('crash during send')]).payload)).toBe(
      200,
    );
    const [inFlight] = await graph.waitForRequests(1, { filter: (r) => r.to === waId, timeoutMs: 30_000 });
    const sentAt = Date.now();
    await f.restart();
    const reference = ((inFlight?.body ?? {}) as Json).biz_opaque_callback_data as string;
    expect(reference).toMatch(/:0$/);
    const status = waStatus('wamid.CRASHRECONCILED', 'sent', { recipientId: waId, callbackData: reference });
    expect(
      await postSigned(waPayload([{ changes: [waChange({ phoneNumberId, statuses: [status] })] }])),
    ).toBe(200);
    await waitFor(
      async () =>
        (await transcript(key)).find((m) => m.sender_type === 'assistant' && m.delivery_status === 'sent'),
      20_000,
      'sent',
    );
    // Past the dead process's claim (15 s): the restarted server does not send it again.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentAt + 17_000 - Date.now())));
    expect(graph.requests.filter((r) => r.to === waId)).toHaveLength(1);
    const reply = (await transcript(key)).find((m) => m.sender_type === 'assistant');
    expect(reply?.external_message_id).toBe('wamid.CRASHRECONCILED');
  }, 150_000);
});
