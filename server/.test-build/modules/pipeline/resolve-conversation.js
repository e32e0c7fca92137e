import { notFound } from '../../errors.js';
import { findConversationOwner, findUserWithActiveConversation, insertAnonymousUser, insertConversation, lockUser, reactivateConversation, } from './inbound.repository.js';
/**
 * The conversation a message belongs to: the given one (of this business and user), else the user's
 * active one, else a new one in the entry stage. A user is created on first contact. Run it in a
 * transaction that also stores the message: concurrent first messages of one user then wait for each
 * other on the user's row, and the later ones find the conversation the first one opened.
 */
export async function resolveConversation(tx, input) {
    const { businessId } = input;
    if (input.conversationId) {
        const conversation = await findConversationOwner(tx, businessId, input.conversationId);
        if (!conversation || (input.userId && conversation.userId !== input.userId))
            throw notFound('Conversation');
        if (conversation.status !== 'active')
            await reactivateConversation(tx, businessId, input.conversationId);
        return {
            userId: conversation.userId,
            conversationId: input.conversationId,
            userCreated: false,
            conversationCreated: false,
        };
    }
    let userId = input.userId;
    let userCreated = false;
    if (userId) {
        if (!(await lockUser(tx, businessId, userId)))
            throw notFound('User');
        // A statement of its own after the lock, so it sees a conversation committed while this one waited.
        const row = await findUserWithActiveConversation(tx, businessId, userId);
        if (!row)
            throw notFound('User');
        if (row.conversationId)
            return { userId, conversationId: row.conversationId, userCreated: false, conversationCreated: false };
    }
    else {
        userId = await insertAnonymousUser(tx, businessId);
        userCreated = true;
    }
    const conversationId = await insertConversation(tx, {
        businessId,
        userId,
        stageId: input.entryStageId,
        channel: input.channel,
    });
    return { userId, conversationId, userCreated, conversationCreated: true };
}
//# sourceMappingURL=resolve-conversation.js.map