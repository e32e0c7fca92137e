import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness, createUser } from '../helpers/factories.js';

/**
 * A customer's first messages sent at once (a user made with POST /api/users has no conversation yet)
 * open ONE conversation, not one per message. Found by the multi-process test: on PostgreSQL, 20
 * concurrent first messages opened 13 conversations.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t?.close());

describe('concurrent first messages of one user', () => {
  it('all land in one conversation, each stored and answered once', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, business.api_key);
    const contents = Array.from({ length: 20 }, (_, i) => `first message ${i}`);
    const responses = await Promise.all(
      contents.map((content) =>
        t.app.inject({
          method: 'POST',
          url: '/api/message',
          headers: bearer(business.api_key),
          payload: { user_id: user.user_id, content },
        }),
      ),
    );
    for (const response of responses) expect(response.statusCode, response.body).toBe(200);
    const conversationIds = new Set(responses.map((r) => r.json().conversation_id as string));
    expect(conversationIds.size).toBe(1);

    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/conversations?user_id=${user.user_id}`,
      headers: bearer(business.api_key),
    });
    expect(listed.json().conversations).toHaveLength(1);
    const [conversationId] = conversationIds;
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${conversationId}`,
      headers: bearer(business.api_key),
    });
    const messages = detail.json().messages as Array<{ sender_type: string; message_content: string }>;
    const inbound = messages.filter((m) => m.sender_type === 'user').map((m) => m.message_content);
    expect(inbound.sort()).toEqual([...contents].sort());
    expect(messages.filter((m) => m.sender_type !== 'user')).toHaveLength(20);
  });
});
