import { findConversationFacts } from './variables.repository.js';
/**
 * The variable context of one conversation as it stands (its customer, stage and collected data), for
 * rendering outside a turn: a template preview, a canned reply. undefined when the business has no
 * such conversation. One memo, so rendering several texts with it computes each variable once.
 */
export async function conversationVariableContext(ctx, businessId, conversationId, extra = {}) {
    const conversation = await findConversationFacts(ctx.db, businessId, conversationId);
    if (!conversation)
        return undefined;
    return {
        businessId,
        conversationId,
        userId: conversation.userId,
        stageId: conversation.stageId,
        collectedData: conversation.collectedData ?? {},
        ...extra,
        memo: new Map(),
    };
}
//# sourceMappingURL=conversation-variables.js.map