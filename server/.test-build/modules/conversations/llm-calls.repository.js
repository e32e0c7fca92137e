import { and, desc, eq, sql } from 'drizzle-orm';
import { llmCalls } from '../../db/schema.js';
import { cappedCount, instantKey } from './conversations.repository.js';
export async function insertLlmCall(db, values) {
    await db.insert(llmCalls).values(values);
}
/**
 * The LLM call log of one business, newest first: up to `limit + 1` rows (one more tells there is a
 * next page) at an offset or after a cursor, with each row's cursor key; the count stops at
 * `countCap + 1` (an exact count over millions of rows on every page cost 200 ms).
 */
export async function listLlmCalls(db, f, limit, offset, after, countCap) {
    const conditions = [eq(llmCalls.businessId, f.businessId)];
    if (f.conversationId)
        conditions.push(eq(llmCalls.conversationId, f.conversationId));
    if (f.messageId)
        conditions.push(eq(llmCalls.messageId, f.messageId));
    if (f.callType)
        conditions.push(eq(llmCalls.callType, f.callType));
    const where = and(...conditions);
    const keyset = after
        ? sql `${llmCalls.createdAt} <= ${after.at}::timestamptz
          AND (${llmCalls.createdAt}, ${llmCalls.llmCallId}) < (${after.at}::timestamptz, ${after.id}::uuid)`
        : undefined;
    const [rows, total] = await Promise.all([
        db
            .select({ call: llmCalls, key: instantKey(llmCalls.createdAt) })
            .from(llmCalls)
            .where(and(where, keyset))
            .orderBy(desc(llmCalls.createdAt), desc(llmCalls.llmCallId))
            .limit(limit + 1)
            .offset(after ? 0 : offset),
        cappedCount(db, sql `SELECT 1 FROM llm_calls WHERE ${where}`, countCap),
    ]);
    return { rows, total };
}
//# sourceMappingURL=llm-calls.repository.js.map