import type { Db } from '../../src/db/client.js';
import { conversations, messages, stageTransitions } from '../../src/db/schema.js';

/** Inserts a conversation and its messages directly (sequence numbers 1..n, one second apart). */
export async function insertConversation(
  db: Db,
  input: {
    businessId: string;
    userId: string;
    stageId?: string | null;
    collectedData?: Record<string, unknown>;
    messages?: { sender: 'user' | 'assistant' | 'agent' | 'system'; content: string }[];
    startAt?: Date;
  },
) {
  const list = input.messages ?? [];
  const [conversation] = await db
    .insert(conversations)
    .values({
      businessId: input.businessId,
      userId: input.userId,
      stageId: input.stageId ?? null,
      collectedData: input.collectedData ?? {},
      lastSequence: list.length,
    })
    .returning();
  if (!conversation) throw new Error('conversation insert failed');
  const start = (input.startAt ?? new Date('2026-01-01T10:00:00Z')).getTime();
  const rows = list.length
    ? await db
        .insert(messages)
        .values(
          list.map((message, index) => ({
            conversationId: conversation.conversationId,
            businessId: input.businessId,
            senderType: message.sender,
            messageContent: message.content,
            sequenceNumber: index + 1,
            status: message.sender === 'user' ? 'processed' : 'sent',
            createdAt: new Date(start + index * 1000),
          })),
        )
        .returning()
    : [];
  return { conversation, messages: rows };
}

export async function insertTransition(
  db: Db,
  input: { businessId: string; conversationId: string; fromStageId: string | null; toStageId: string | null },
) {
  await db.insert(stageTransitions).values(input);
}
