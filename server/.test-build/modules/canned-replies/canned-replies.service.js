import { conflict, invalid, notFound } from '../../errors.js';
import { actorOf } from '../../lib/principal.js';
import { recordAudit } from '../audit/index.js';
import { conversationVariableContext, renderWithContext } from '../templates/index.js';
import { deleteCannedReply, findCannedReply, insertCannedReply, listCannedReplies, updateCannedReply, } from './canned-replies.repository.js';
export function serializeCannedReply(row) {
    return {
        canned_reply_id: row.cannedReplyId,
        business_id: row.businessId,
        shortcut: row.shortcut,
        content: row.content,
        created_at: row.createdAt.toISOString(),
        updated_at: row.updatedAt.toISOString(),
    };
}
const cleanContent = (content) => {
    const trimmed = content.trim();
    if (!trimmed)
        throw invalid('content must not be blank', { content: 'must not be blank' });
    return trimmed;
};
const isUniqueViolation = (error) => {
    for (let e = error, depth = 0; e && depth < 4; depth++) {
        if (e.code === '23505')
            return true;
        e = e.cause;
    }
    return false;
};
const shortcutTaken = (shortcut) => conflict(`A canned reply with the shortcut "${shortcut}" already exists`, { shortcut });
/**
 * The business's canned replies; with a conversation, each also rendered for it — the same variable
 * providers as a turn's prompts (customer, stage, collected data), one memo for all of them.
 */
export async function listBusinessCannedReplies(ctx, businessId, conversationId) {
    const vc = conversationId ? await conversationVariableContext(ctx, businessId, conversationId) : undefined;
    if (conversationId && !vc)
        throw notFound('Conversation');
    const rows = await listCannedReplies(ctx.db, businessId);
    const replies = rows.map(serializeCannedReply);
    if (!vc)
        return { canned_replies: replies };
    const now = new Date();
    return {
        canned_replies: await Promise.all(replies.map(async (reply) => {
            const rendered = await renderWithContext(ctx, { content: reply.content, systemPrompt: '' }, { ...vc, now });
            return { ...reply, rendered: rendered.rendered_content };
        })),
    };
}
export async function createCannedReply(ctx, principal, businessId, input) {
    const content = cleanContent(input.content);
    try {
        const created = await ctx.db.transaction(async (tx) => {
            const row = await insertCannedReply(tx, { businessId, shortcut: input.shortcut, content });
            await recordAudit(tx, actorOf(principal), {
                businessId,
                action: 'create',
                entityType: 'canned_reply',
                entityId: row.cannedReplyId,
                before: null,
                after: serializeCannedReply(row),
            });
            return row;
        });
        return serializeCannedReply(created);
    }
    catch (error) {
        if (isUniqueViolation(error))
            throw shortcutTaken(input.shortcut);
        throw error;
    }
}
export async function changeCannedReply(ctx, principal, id, scope, input) {
    const values = {};
    if (input.shortcut !== undefined)
        values.shortcut = input.shortcut;
    if (input.content !== undefined)
        values.content = cleanContent(input.content);
    try {
        const updated = await ctx.db.transaction(async (tx) => {
            const current = await findCannedReply(tx, id, scope, { forUpdate: true });
            if (!current)
                throw notFound('Canned reply');
            const row = await updateCannedReply(tx, id, scope, values);
            if (!row)
                throw notFound('Canned reply');
            await recordAudit(tx, actorOf(principal), {
                businessId: row.businessId,
                action: 'update',
                entityType: 'canned_reply',
                entityId: id,
                before: serializeCannedReply(current),
                after: serializeCannedReply(row),
            });
            return row;
        });
        return serializeCannedReply(updated);
    }
    catch (error) {
        if (isUniqueViolation(error))
            throw shortcutTaken(values.shortcut ?? '');
        throw error;
    }
}
export async function removeCannedReply(ctx, principal, id, scope) {
    await ctx.db.transaction(async (tx) => {
        const current = await findCannedReply(tx, id, scope, { forUpdate: true });
        if (!current || !(await deleteCannedReply(tx, id, scope)))
            throw notFound('Canned reply');
        await recordAudit(tx, actorOf(principal), {
            businessId: current.businessId,
            action: 'delete',
            entityType: 'canned_reply',
            entityId: id,
            before: serializeCannedReply(current),
            after: null,
        });
    });
}
//# sourceMappingURL=canned-replies.service.js.map