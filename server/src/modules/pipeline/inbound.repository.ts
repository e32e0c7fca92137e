import { and, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, users } from '../../db/schema.js';

/** Who owns a conversation of the business, and whether it is active (undefined: none such). */
export async function findConversationOwner(db: DbOrTx, businessId: string, conversationId: string) {
  const [row] = await db
    .select({ userId: conversations.userId, status: conversations.status })
    .from(conversations)
    .where(and(eq(conversations.conversationId, conversationId), eq(conversations.businessId, businessId)))
    .limit(1);
  return row;
}

export async function reactivateConversation(db: DbOrTx, businessId: string, conversationId: string) {
  await db
    .update(conversations)
    .set({ status: 'active' })
    .where(and(eq(conversations.conversationId, conversationId), eq(conversations.businessId, businessId)));
}

/** The user (of the business) and their most recently updated active conversation, if any. */
/** Holds the user's row until the transaction ends (false: no such user in this business). */
export async function lockUser(tx: DbOrTx, businessId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .select({ userId: users.userId })
    .from(users)
    .where(and(eq(users.userId, userId), eq(users.businessId, businessId)))
    .for('update');
  return rows.length > 0;
}

export async function findUserWithActiveConversation(db: DbOrTx, businessId: string, userId: string) {
  const [row] = await db
    .select({ userId: users.userId, conversationId: conversations.conversationId })
    .from(users)
    .leftJoin(conversations, and(eq(conversations.userId, users.userId), eq(conversations.status, 'active')))
    .where(and(eq(users.userId, userId), eq(users.businessId, businessId)))
    .orderBy(desc(conversations.lastUpdated))
    .limit(1);
  return row;
}

/** A customer seen for the first time: a user with no name yet. */
export async function insertAnonymousUser(db: DbOrTx, businessId: string): Promise<string> {
  const [created] = await db.insert(users).values({ businessId }).returning({ userId: users.userId });
  return (created as { userId: string }).userId;
}

export async function insertConversation(
  db: DbOrTx,
  values: { businessId: string; userId: string; stageId: string | null; channel: string },
): Promise<string> {
  const [created] = await db
    .insert(conversations)
    .values(values)
    .returning({ conversationId: conversations.conversationId });
  return (created as { conversationId: string }).conversationId;
}
