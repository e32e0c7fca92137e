import { errorResponses } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf } from '../../plugins/auth.js';
import { CollectedData, UpdateCollectedDataBody } from './collected-data.schemas.js';
import { editCollectedData } from './collected-data.service.js';
import { findConversation } from './conversations.repository.js';
import { ConversationParams } from './conversations.schemas.js';
export const collectedDataRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const conversationOwner = byResource('conversation_id', async (id) => (await findConversation(ctx.db, id, undefined))?.businessId);
    app.patch('/api/conversations/:conversation_id/collected-data', {
        config: { access: { permission: 'converse', business: conversationOwner } },
        schema: {
            tags: ['conversations'],
            summary: 'Correct the collected data: set keys, or remove them with null',
            params: ConversationParams,
            body: UpdateCollectedDataBody,
            response: { 200: CollectedData, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => {
        const principal = principalOf(request);
        return editCollectedData(ctx, principal, request.params.conversation_id, businessFilter(principal), request.body.data);
    });
};
//# sourceMappingURL=collected-data.routes.js.map