import { notFound } from '../../errors.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { lockCollectedData, writeCollectedData } from './collected-data.repository.js';
import { publishConversationEvent } from './conversation-events.js';
/**
 * A person corrects what the assistant collected: the named keys are set (null removes one), the
 * others stay. The next turn reads the conversation's data when it starts, so its prompts see the edit.
 */
export async function editCollectedData(ctx, principal, conversationId, scope, edit) {
    const { businessId, after } = await ctx.db.transaction(async (tx) => {
        const current = await lockCollectedData(tx, conversationId, scope);
        if (!current)
            throw notFound('Conversation');
        const before = current.collectedData ?? {};
        const next = { ...before };
        for (const [key, value] of Object.entries(edit)) {
            if (value === null)
                delete next[key];
            else
                next[key] = value;
        }
        await writeCollectedData(tx, conversationId, next);
        await recordAudit(tx, actorOf(principal), {
            businessId: current.businessId,
            action: 'update',
            entityType: 'conversation',
            entityId: conversationId,
            before: { collected_data: before },
            after: { collected_data: next },
            details: { collected_data_keys: Object.keys(edit) },
        });
        return { businessId: current.businessId, after: next };
    });
    publishConversationEvent(ctx, {
        type: 'conversation',
        business_id: businessId,
        conversation_id: conversationId,
    });
    return { collected_data: after };
}
//# sourceMappingURL=collected-data.service.js.map