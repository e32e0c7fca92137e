import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createInvalidationBus } from '../../src/cache/invalidation-bus.js';
import type { ConversationEvent } from '../../src/modules/conversations/conversation-events.js';
import { buildTestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import { enableWebChannel, newVisitor, openEventStream, visitorHeaders } from '../helpers/widget-fixture.js';

const openStreams = async (app: App, masterKey: string) => {
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(masterKey) });
  return Number(/^icmp_widget_streams_open (\d+)$/m.exec(metrics.body)?.[1]);
};

describe('widget live stream lifecycle', () => {
  it("forwards typing of the visitor's conversation only, and lets go of a closed stream", async () => {
    const bus = await createInvalidationBus();
    const t = await buildTestApp({ REDIS_URL: '' }, { bus });
    try {
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const business = await createBusiness(t.app, t.masterKey);
      const web = await enableWebChannel(t.app, business);
      const visitor = await newVisitor(t.app, web.publishable_key);
      const sent = await t.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: visitorHeaders(visitor.visitor_token),
        payload: { content: 'hello' },
      });
      const conversationId = sent.json().conversation_id as string;
      const stream = await openEventStream(
        `${address}/api/widget/events`,
        visitorHeaders(visitor.visitor_token),
      );
      await stream.next((e) => e.event === 'ready');
      expect(await openStreams(t.app, t.masterKey)).toBe(1);

      const typing = (conversation_id: string, on: boolean): ConversationEvent => ({
        type: 'typing',
        business_id: business.business_id,
        conversation_id,
        on,
      });
      // Someone else's conversation first: it must not show up.
      bus.publish('conversation-event', JSON.stringify(typing('00000000-0000-4000-8000-000000000000', true)));
      bus.publish('conversation-event', JSON.stringify(typing(conversationId, true)));
      const first = await stream.next((e) => e.event === 'typing');
      expect(JSON.parse(first.data)).toEqual({ on: true });
      bus.publish('conversation-event', JSON.stringify(typing(conversationId, false)));
      await stream.next((e) => e.event === 'typing' && JSON.parse(e.data).on === false);
      expect(stream.events.filter((e) => e.event === 'typing')).toHaveLength(2);

      await stream.close();
      await expect.poll(() => openStreams(t.app, t.masterKey), { timeout: 15_000 }).toBe(0);
    } finally {
      // After the client aborted, one connection to the listening server lingers until Node's header
      // timeout (~70 s on close, seen with undici's fetch); cut it so the suite does not wait for it.
      t.app.server.closeAllConnections();
      await t.close();
      await bus.close();
    }
  });
});
