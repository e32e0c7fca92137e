import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { llmCalls } from '../../db/schema.js';

export type LlmCallRow = typeof llmCalls.$inferSelect;
export type NewLlmCall = typeof llmCalls.$inferInsert;

export async function insertLlmCall(db: DbOrTx, values: NewLlmCall) {
  await db.insert(llmCalls).values(values);
}

export interface LlmCallFilters {
  businessId: string;
  conversationId?: string | undefined;
  messageId?: string | undefined;
  callType?: string | undefined;
}

/** The LLM call log of one business, newest first. */
export async function listLlmCalls(db: DbOrTx, f: LlmCallFilters, limit: number, offset: number) {
  const conditions: SQL[] = [eq(llmCalls.businessId, f.businessId)];
  if (f.conversationId) conditions.push(eq(llmCalls.conversationId, f.conversationId));
  if (f.messageId) conditions.push(eq(llmCalls.messageId, f.messageId));
  if (f.callType) conditions.push(eq(llmCalls.callType, f.callType));
  const where = and(...conditions);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(llmCalls)
      .where(where)
      .orderBy(desc(llmCalls.createdAt), desc(llmCalls.llmCallId))
      .limit(limit)
      .offset(offset),
    db.select({ value: count() }).from(llmCalls).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}
