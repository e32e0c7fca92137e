import type { AppContext } from '../../context.js';
import { decodeInstantCursor, encodeCursor, LIST_COUNT_CAP } from '../../lib/cursor.js';
import type { Principal } from '../../lib/principal.js';
import { dataMaskFor } from '../fields/index.js';
import { listLlmCalls } from './llm-calls.repository.js';
import { serializeLlmCall } from './serialize-conversation.js';

export interface LlmCallQuery {
  conversation_id?: string;
  message_id?: string;
  call_type?: string;
  page?: number;
  limit?: number;
  cursor?: string;
}

/** One business's LLM call log, newest first; `limit` is the page size (default 50, at most 500). */
export async function listBusinessLlmCalls(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  query: LlmCallQuery,
) {
  const operator = principal.role === 'admin';
  const limit = query.limit ?? 50;
  const page = query.page ?? 1;
  const after = query.cursor === undefined ? undefined : decodeInstantCursor(query.cursor);
  const mask = await dataMaskFor(ctx, principal, businessId);
  const { rows, total } = await listLlmCalls(
    ctx.db,
    {
      businessId,
      conversationId: query.conversation_id,
      messageId: query.message_id,
      callType: query.call_type,
    },
    limit,
    (page - 1) * limit,
    after,
    LIST_COUNT_CAP,
  );
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    llm_calls: pageRows.map((row) => serializeLlmCall(row.call, operator, mask)),
    total: Math.min(total, LIST_COUNT_CAP),
    total_capped: total > LIST_COUNT_CAP,
    page,
    per_page: limit,
    next_cursor: rows.length > limit && last ? encodeCursor([last.key, last.call.llmCallId]) : null,
  };
}
