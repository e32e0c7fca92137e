import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi } from '../helpers/call-api.js';
import { bearer, createBusiness } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('POST /api/message channel label', () => {
  it('labels API traffic `api` and the dashboard simulator `simulator`, on the conversation and its messages', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const viaApi = await callApi(t.app, 'POST', '/api/message', business.api_key, {
      content: 'Hello from the app',
    });
    const viaSimulator = await callApi(t.app, 'POST', '/api/message', business.api_key, {
      content: 'Hello from the simulator',
      channel: 'simulator',
    });
    expect(viaApi.status).toBe(200);
    expect(viaSimulator.status).toBe(200);
    for (const [sent, channel] of [
      [viaApi, 'api'],
      [viaSimulator, 'simulator'],
    ] as const) {
      const detail = await callApi(
        t.app,
        'GET',
        `/api/conversations/${sent.body.conversation_id}`,
        business.api_key,
      );
      expect(detail.body.conversation.channel).toBe(channel);
      expect(detail.body.messages.map((m: { channel: string }) => m.channel)).toEqual([channel, channel]);
    }
  });

  it('refuses the channels that only their own integrations may write', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    for (const channel of ['whatsapp', 'messenger', 'web', 'sms']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/message',
        headers: bearer(business.api_key),
        payload: { content: 'hi', channel },
      });
      expectFieldErrors(response, ['channel']);
    }
  });
});
