import type { AppContext } from '../../context.js';
import { listLlmCalls } from './llm-calls.repository.js';
import { serializeLlmCall } from './serialize-conversation.js';

export interface LlmCallQuery {
  conversation_id?: string;
  message_id?: string;
  call_type?: string;
  page?: number;
  limit?: number;
}

/** One business's LLM call log, newest first; `limit` is the page size (default 50, at most 500). */
export async function listBusinessLlmCalls(
  ctx: AppContext,
  businessId: string,
  query: LlmCallQuery,
  operator = false,
) {
  const limit = query.limit ?? 50;
  const page = query.page ?? 1;
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
  );
  return { llm_calls: rows.map((row) => serializeLlmCall(row, operator)), total, page, per_page: limit };
}
