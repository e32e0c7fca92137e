import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app.js';
import type { Db } from '../../src/db/client.js';
import { conversations, messages } from '../../src/db/schema.js';

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface CreatedBusiness {
  business_id: string;
  business_name: string;
  api_key: string;
  first_stage_id: string;
  [key: string]: unknown;
}

export const uniqueName = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;

export async function createBusiness(app: App, masterKey: string, body: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/businesses',
    headers: bearer(masterKey),
    payload: { business_name: uniqueName('Biz'), business_description: 'A test business', ...body },
  });
  if (response.statusCode !== 201)
    throw new Error(`createBusiness failed: ${response.statusCode} ${response.body}`);
  return response.json() as CreatedBusiness;
}

export async function createUser(app: App, apiKey: string, body: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: bearer(apiKey),
    payload: { first_name: 'Ana', last_name: 'Silva', ...body },
  });
  if (response.statusCode !== 201)
    throw new Error(`createUser failed: ${response.statusCode} ${response.body}`);
  return response.json() as { user_id: string; business_id: string };
}

export async function createAgent(app: App, apiKey: string, body: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/agents',
    headers: bearer(apiKey),
    payload: { agent_name: uniqueName('Agent'), ...body },
  });
  if (response.statusCode !== 201)
    throw new Error(`createAgent failed: ${response.statusCode} ${response.body}`);
  return response.json() as { agent_id: string; business_id: string; agent_name: string };
}

/** Inserts a conversation with one customer message straight into the database (no pipeline). */
export async function insertConversationWithMessage(
  db: Db,
  ids: { businessId: string; userId: string },
  content = 'Hello there',
) {
  const [conversation] = await db
    .insert(conversations)
    .values({ businessId: ids.businessId, userId: ids.userId, lastSequence: 1 })
    .returning();
  if (!conversation) throw new Error('conversation insert returned nothing');
  const [message] = await db
    .insert(messages)
    .values({
      conversationId: conversation.conversationId,
      businessId: ids.businessId,
      senderType: 'user',
      messageContent: content,
      sequenceNumber: 1,
      status: 'processed',
    })
    .returning();
  if (!message) throw new Error('message insert returned nothing');
  return { conversationId: conversation.conversationId, messageId: message.messageId };
}

/** A random UUID that names nothing. */
export const missingId = () => randomUUID();
