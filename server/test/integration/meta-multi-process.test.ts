import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi } from '../helpers/call-api.js';
import { createBusiness } from '../helpers/factories.js';
import { type FakeGraphApi, startFakeGraphApi } from '../helpers/fake-graph-api.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import type { FakeLlm } from '../helpers/fake-llm-types.js';
import { APP_SECRET, uniqueDigits, waitFor } from '../helpers/meta-app.js';
import { wa, waInbound } from '../helpers/meta-fixtures.js';
import { signMetaBody } from '../helpers/meta-signing.js';
import { scriptedModel } from '../helpers/pipeline-fixture.js';

/**
 * Two servers on one PostgreSQL, both running the delivery worker: webhooks land on either, and the
 * outbox (claimed with FOR UPDATE SKIP LOCKED plus a lease) sends every reply exactly once.
 */
describe.runIf(Boolean(process.env.DATABASE_URL))('two servers sharing the outbox on PostgreSQL', () => {
  let llm: FakeLlm;
  let graph: FakeGraphApi;
  const apps: { t: TestApp; baseUrl: string }[] = [];

  beforeAll(async () => {
    llm = await startFakeLlmServer({ defaultAnswer: scriptedModel() });
    graph = await startFakeGraphApi();
    for (let i = 0; i < 2; i += 1) {
      const t = await buildTestApp({
        OPENAI_BASE_URL: llm.url,
        OPENAI_API_KEY: 'sk-test',
        LLM_MODEL: 'fake-model',
        LLM_MAX_RETRIES: '0',
        GRAPH_API_BASE_URL: graph.url,
        META_APP_SECRET: APP_SECRET,
        GRAPH_RETRY_BASE_MS: '50',
      });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      await t.app.startBackgroundWork?.();
      apps.push({ t, baseUrl: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` });
    }
  });
  afterAll(async () => {
    for (const { t } of apps) await t.close();
    await graph?.close();
    await llm?.close();
  });

  it('sends each of 40 replies once whichever server took the webhook', async () => {
    const [a, b] = apps as [{ t: TestApp; baseUrl: string }, { t: TestApp; baseUrl: string }];
    const business = await createBusiness(a.t.app, a.t.masterKey);
    const phoneNumberId = uniqueDigits();
    const put = await callApi(
      a.t.app,
      'PUT',
      `/api/businesses/${business.business_id}/channels/whatsapp`,
      business.api_key,
      {
        phone_number_id: phoneNumberId,
        access_token: 'EAAmulti',
      },
    );
    expect(put.status).toBe(200);
    const customers = Array.from({ length: 20 }, () => uniqueDigits());
    const posts = customers.flatMap((waId, i) =>
      [0, 1].map(async (n) => {
        const body = JSON.stringify(waInbound(phoneNumberId, { waId }, [wa.text(`hello ${i}.${n}`)]).payload);
        const target = (i + n) % 2 === 0 ? a : b;
        const response = await fetch(`${target.baseUrl}/webhook/whatsapp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': signMetaBody(body, APP_SECRET),
          },
          body,
        });
        return response.status;
      }),
    );
    expect(new Set(await Promise.all(posts))).toEqual(new Set([200]));
    const mine = (r: { to: string | null }) => customers.includes(r.to ?? '');
    await waitFor(async () => graph.requests.filter(mine).length >= 40, 60_000, '40 sends');
    await Promise.all(apps.map(({ t }) => t.app.drainOutbox?.()));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const texts = graph.requests.filter(mine).map((r) => `${r.to}:${r.text}`);
    expect(texts).toHaveLength(40);
    expect(new Set(texts).size).toBe(40);
  }, 90_000);
});
