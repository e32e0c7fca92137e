import { and, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations } from '../../db/schema.js';

const scoped = (conversationId: string, businessId: string | undefined): SQL | undefined =>
  businessId
    ? and(eq(conversations.conversationId, conversationId), eq(conversations.businessId, businessId))
    : eq(conversations.conversationId, conversationId);

/** The conversation's collected data, its row locked (in the caller's transaction) until the edit is written. */
export async function lockCollectedData(db: DbOrTx, conversationId: string, businessId: string | undefined) {
  const [row] = await db
    .select({ businessId: conversations.businessId, collectedData: conversations.collectedData })
    .from(conversations)
    .where(scoped(conversationId, businessId))
    .limit(1)
    .for('update');
  return row;
}

export async function writeCollectedData(db: DbOrTx, conversationId: string, data: Record<string, unknown>) {
  await db
    .update(conversations)
    .set({ collectedData: data })
    .where(eq(conversations.conversationId, conversationId));
}
