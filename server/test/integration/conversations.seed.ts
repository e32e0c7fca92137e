/**
 * Direct inserts for conversation data that no endpoint of this module creates (POST /api/message
 * lives in the pipeline). Businesses and users are created through the API by the tests.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import {
  conversations,
  extractedData,
  llmCalls,
  messages,
  stages,
  stageTransitions,
} from '../../src/db/schema.js';

export interface SeedMessage {
  sender?: 'user' | 'assistant' | 'agent' | 'system';
  content: string;
  extracted?: Record<string, unknown>[];
  createdAt?: Date;
}

export interface SeedConversation {
  businessId: string;
  userId: string;
  stageId?: string | null;
  status?: 'active' | 'closed';
  channel?: string;
  collectedData?: Record<string, unknown>;
  lastUpdated?: Date;
  messages?: (SeedMessage | string)[];
}

export async function seedConversation(db: Db, s: SeedConversation) {
  const list = (s.messages ?? []).map((m) => (typeof m === 'string' ? { content: m } : m));
  const [conversation] = await db
    .insert(conversations)
    .values({
      businessId: s.businessId,
      userId: s.userId,
      stageId: s.stageId ?? null,
      status: s.status ?? 'active',
      channel: s.channel ?? 'api',
      collectedData: s.collectedData ?? {},
      lastSequence: list.length,
      ...(s.lastUpdated ? { lastUpdated: s.lastUpdated } : {}),
    })
    .returning();
  if (!conversation) throw new Error('seed: no conversation');
  const messageIds: string[] = [];
  let index = 0;
  for (const m of list) {
    index += 1;
    const [row] = await db
      .insert(messages)
      .values({
        conversationId: conversation.conversationId,
        businessId: s.businessId,
        senderType: m.sender ?? (index % 2 === 1 ? 'user' : 'assistant'),
        messageContent: m.content,
        sequenceNumber: index,
        channel: conversation.channel,
        status: 'processed',
        stageId: s.stageId ?? null,
        ...(m.createdAt ? { createdAt: m.createdAt } : {}),
      })
      .returning();
    if (!row) throw new Error('seed: no message');
    messageIds.push(row.messageId);
    for (const data of m.extracted ?? []) {
      await db.insert(extractedData).values({
        businessId: s.businessId,
        conversationId: conversation.conversationId,
        messageId: row.messageId,
        stageId: s.stageId ?? null,
        data,
      });
    }
  }
  return { conversation, conversationId: conversation.conversationId, messageIds };
}

/** A second stage of a business, reusing the entry stage's templates. */
export async function seedStage(db: Db, businessId: string, firstStageId: string, stageName: string) {
  const [first] = await db.select().from(stages).where(eq(stages.stageId, firstStageId));
  if (!first) throw new Error('seed: no entry stage');
  const [row] = await db
    .insert(stages)
    .values({
      businessId,
      stageName,
      stageSelectionTemplateId: first.stageSelectionTemplateId,
      dataExtractionTemplateId: first.dataExtractionTemplateId,
      responseGenerationTemplateId: first.responseGenerationTemplateId,
    })
    .returning();
  if (!row) throw new Error('seed: no stage');
  return row.stageId;
}

export async function seedTransition(
  db: Db,
  v: {
    businessId: string;
    conversationId: string;
    from: string | null;
    to: string;
    messageId?: string;
    createdAt?: Date;
  },
) {
  const [row] = await db
    .insert(stageTransitions)
    .values({
      businessId: v.businessId,
      conversationId: v.conversationId,
      fromStageId: v.from,
      toStageId: v.to,
      messageId: v.messageId ?? null,
      ...(v.createdAt ? { createdAt: v.createdAt } : {}),
    })
    .returning();
  if (!row) throw new Error('seed: no transition');
  return row.stageTransitionId;
}

export async function seedLlmCall(
  db: Db,
  v: {
    businessId: string;
    conversationId?: string | null;
    messageId?: string | null;
    callType?: string;
    createdAt?: Date;
    prompt?: string;
  },
) {
  const [row] = await db
    .insert(llmCalls)
    .values({
      businessId: v.businessId,
      conversationId: v.conversationId ?? null,
      messageId: v.messageId ?? null,
      callType: v.callType ?? 'response_generation',
      provider: 'offline',
      model: 'offline-engine',
      systemPrompt: 'sys',
      prompt: v.prompt ?? 'prompt',
      response: 'answer',
      tokensIn: 12,
      tokensOut: 34,
      latencyMs: 56,
      costUsd: 0.0012,
      status: 'success',
      ...(v.createdAt ? { createdAt: v.createdAt } : {}),
    })
    .returning();
  if (!row) throw new Error('seed: no llm call');
  return row.llmCallId;
}
