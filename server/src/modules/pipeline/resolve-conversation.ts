import { and, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, users } from '../../db/schema.js';
import { notFound } from '../../errors.js';

export interface ResolveInput {
  businessId: string;
  userId?: string | undefined;
  conversationId?: string | undefined;
  entryStageId: string | null;
  channel: string;
}

export interface ResolvedConversation {
  userId: string;
  conversationId: string;
  userCreated: boolean;
  conversationCreated: boolean;
}

/**
 * The conversation a message belongs to: the given one (of this business and user), else the user's
 * active one, else a new one in the entry stage. A user is created on first contact.
 */
export async function resolveConversation(db: DbOrTx, input: ResolveInput): Promise<ResolvedConversation> {
  const { businessId } = input;
  if (input.conversationId) {
    const [conversation] = await db
      .select({ userId: conversations.userId, status: conversations.status })
      .from(conversations)
      .where(
        and(eq(conversations.conversationId, input.conversationId), eq(conversations.businessId, businessId)),
      )
      .limit(1);
    if (!conversation || (input.userId && conversation.userId !== input.userId))
      throw notFound('Conversation');
    if (conversation.status !== 'active') {
      await db
        .update(conversations)
        .set({ status: 'active' })
        .where(eq(conversations.conversationId, input.conversationId));
    }
    return {
      userId: conversation.userId,
      conversationId: input.conversationId,
      userCreated: false,
      conversationCreated: false,
    };
  }

  let userId = input.userId;
  let userCreated = false;
  if (userId) {
    const [row] = await db
      .select({ userId: users.userId, conversationId: conversations.conversationId })
      .from(users)
      .leftJoin(
        conversations,
        and(eq(conversations.userId, users.userId), eq(conversations.status, 'active')),
      )
      .where(and(eq(users.userId, userId), eq(users.businessId, businessId)))
      .orderBy(desc(conversations.lastUpdated))
      .limit(1);
    if (!row) throw notFound('User');
    if (row.conversationId)
      return { userId, conversationId: row.conversationId, userCreated: false, conversationCreated: false };
  } else {
    const [created] = await db.insert(users).values({ businessId }).returning({ userId: users.userId });
    userId = (created as { userId: string }).userId;
    userCreated = true;
  }
  const [conversation] = await db
    .insert(conversations)
    .values({ businessId, userId, stageId: input.entryStageId, channel: input.channel })
    .returning({ conversationId: conversations.conversationId });
  return {
    userId,
    conversationId: (conversation as { conversationId: string }).conversationId,
    userCreated,
    conversationCreated: true,
  };
}
