import { Type } from '@sinclair/typebox';
import { errorResponses, Uuid } from '../../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../../plugins/auth.js';
import { sendTestMessage } from './send-test-message.js';
const Params = Type.Object({
    business_id: Uuid,
    channel: Type.Union([Type.Literal('whatsapp'), Type.Literal('messenger')]),
});
const TestBody = Type.Object({
    to: Type.String({ minLength: 1, maxLength: 64, description: 'wa_id (phone number) or Messenger PSID' }),
    text: Type.Optional(Type.String({ maxLength: 4096 })),
}, { additionalProperties: false, $id: 'ChannelTestMessageBody' });
const TestResult = Type.Object({
    success: Type.Literal(true),
    channel: Type.String(),
    to: Type.String(),
    graph_message_id: Type.String(),
}, { $id: 'ChannelTestMessageResult' });
export const metaChannelRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    app.post('/api/businesses/:business_id/channels/:channel/test', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags: ['channels'],
            summary: 'Send a test message through the Graph API with the stored credentials',
            params: Params,
            body: TestBody,
            response: { 200: TestResult, ...errorResponses(400, 401, 403, 404, 409, 502) },
        },
    }, async (request) => {
        const businessId = scopeBusinessId(principalOf(request), request.params.business_id);
        return sendTestMessage(ctx, businessId, request.params.channel, request.body);
    });
};
//# sourceMappingURL=meta-channel.routes.js.map