import { forbidden, notFound } from '../../errors.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { aiControlStatus, RESUMED } from './ai-control.js';
import { publishConversationEvent } from './conversation-events.js';
import { accountDisplayName, findConversation, markConversationRead, updateConversation, } from './conversations.repository.js';
import { announceAssignment, conversationView, viewerOf } from './conversations.service.js';
/*
 * The live inbox's actions on one conversation: a person takes it over from the AI, gives it back,
 * or marks it read. Each change and its audit entry commit together; events follow the commit.
 */
async function requireConversation(ctx, conversationId, scope) {
    const conversation = await findConversation(ctx.db, conversationId, scope);
    if (!conversation)
        throw notFound('Conversation');
    return conversation;
}
const handoverState = (row, now) => ({
    assignee_id: row.assigneeAccountId,
    waiting_since: row.waitingSince?.toISOString() ?? null,
    ai_control: aiControlStatus(row, now),
});
async function changeHandover(ctx, principal, current, action, values, now) {
    return ctx.db.transaction(async (tx) => {
        const row = await updateConversation(tx, current.conversationId, current.businessId, values, false);
        if (!row)
            throw notFound('Conversation');
        await recordAudit(tx, actorOf(principal), {
            businessId: row.businessId,
            action,
            entityType: 'conversation',
            entityId: row.conversationId,
            before: handoverState(current, now),
            after: handoverState(row, now),
        });
        return row;
    });
}
/**
 * The calling account handles the conversation from now on: it is assigned to them and the AI stops
 * (until resumed), in one statement. Only a person can take over: an API key (or the master key)
 * has no account to assign.
 */
export async function takeOverConversation(ctx, principal, conversationId, scope) {
    const accountId = viewerOf(principal);
    if (!accountId) {
        throw forbidden('Taking over a conversation needs a signed-in account: an API key cannot be assigned');
    }
    const current = await requireConversation(ctx, conversationId, scope);
    const now = new Date();
    const row = await changeHandover(ctx, principal, current, 'take_over', { assigneeAccountId: accountId, aiStoppedAt: now, aiStoppedUntil: null }, now);
    announceAssignment(ctx, row, await accountDisplayName(ctx.db, accountId));
    publishConversationEvent(ctx, {
        type: 'ai',
        business_id: row.businessId,
        conversation_id: conversationId,
        is_stopped: true,
        reason: 'agent',
    });
    return conversationView(ctx, principal, conversationId);
}
/** The AI answers again: it is resumed, nothing waits for a person, and nobody is assigned. */
export async function giveBackConversation(ctx, principal, conversationId, scope) {
    const current = await requireConversation(ctx, conversationId, scope);
    const now = new Date();
    const row = await changeHandover(ctx, principal, current, 'give_back', { ...RESUMED, waitingSince: null, assigneeAccountId: null }, now);
    publishConversationEvent(ctx, {
        type: 'ai',
        business_id: row.businessId,
        conversation_id: conversationId,
        is_stopped: false,
        reason: 'agent',
    });
    announceAssignment(ctx, row, null);
    return conversationView(ctx, principal, conversationId);
}
/** The calling account has read the conversation up to its latest message (nothing for a key). */
export async function markRead(ctx, principal, conversationId, scope) {
    await requireConversation(ctx, conversationId, scope);
    const accountId = viewerOf(principal);
    if (accountId)
        await markConversationRead(ctx.db, accountId, conversationId);
}
//# sourceMappingURL=conversation-actions.service.js.map