import { decodeInstantCursor, encodeCursor, LIST_COUNT_CAP } from '../../lib/cursor.js';
import { listLlmCalls } from './llm-calls.repository.js';
import { serializeLlmCall } from './serialize-conversation.js';
/** One business's LLM call log, newest first; `limit` is the page size (default 50, at most 500). */
export async function listBusinessLlmCalls(ctx, businessId, query, operator = false) {
    const limit = query.limit ?? 50;
    const page = query.page ?? 1;
    const after = query.cursor === undefined ? undefined : decodeInstantCursor(query.cursor);
    const { rows, total } = await listLlmCalls(ctx.db, {
        businessId,
        conversationId: query.conversation_id,
        messageId: query.message_id,
        callType: query.call_type,
    }, limit, (page - 1) * limit, after, LIST_COUNT_CAP);
    const pageRows = rows.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    return {
        llm_calls: pageRows.map((row) => serializeLlmCall(row.call, operator)),
        total: Math.min(total, LIST_COUNT_CAP),
        total_capped: total > LIST_COUNT_CAP,
        page,
        per_page: limit,
        next_cursor: rows.length > limit && last ? encodeCursor([last.key, last.call.llmCallId]) : null,
    };
}
//# sourceMappingURL=llm-calls.service.js.map