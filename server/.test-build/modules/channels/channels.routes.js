import { Type } from '@sinclair/typebox';
import { EmptyBody, errorResponses, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { Channels, MessengerChannel, MetaChannelParam, PublishableKey, PutMessengerBody, PutWebBody, PutWhatsAppBody, WebChannel, WhatsAppChannel, } from './channels.schemas.js';
import { describeChannels, disconnectChannel, putMessenger, putWeb, putWhatsApp, rotateWebKey, } from './channels.service.js';
const tags = ['channels'];
const Params = Type.Object({ business_id: Uuid });
export const channelRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const businessOf = (request) => scopeBusinessId(principalOf(request), request.params.business_id);
    app.get('/api/businesses/:business_id/channels', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: "A business's WhatsApp, Messenger and website-widget connections (secrets never returned)",
            params: Params,
            response: { 200: Channels, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => describeChannels(ctx, businessOf(request)));
    app.put('/api/businesses/:business_id/channels/whatsapp', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: 'Connect a WhatsApp Cloud API phone number (secrets are write-only)',
            params: Params,
            body: PutWhatsAppBody,
            response: { 200: WhatsAppChannel, ...errorResponses(400, 401, 403, 404, 409) },
        },
    }, async (request) => putWhatsApp(ctx, principalOf(request), businessOf(request), request.body));
    app.put('/api/businesses/:business_id/channels/messenger', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: 'Connect a Facebook page for Messenger (secrets are write-only)',
            params: Params,
            body: PutMessengerBody,
            response: { 200: MessengerChannel, ...errorResponses(400, 401, 403, 404, 409) },
        },
    }, async (request) => putMessenger(ctx, principalOf(request), businessOf(request), request.body));
    app.delete('/api/businesses/:business_id/channels/:channel', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: 'Disconnect WhatsApp or Messenger',
            params: Type.Object({ business_id: Uuid, channel: MetaChannelParam }),
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request, reply) => {
        await disconnectChannel(ctx, principalOf(request), businessOf(request), request.params.channel);
        return reply.status(204).send(null);
    });
    app.put('/api/businesses/:business_id/channels/web', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: 'Configure the website chat widget',
            params: Params,
            body: PutWebBody,
            response: { 200: WebChannel, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => putWeb(ctx, principalOf(request), businessOf(request), request.body));
    app.post('/api/businesses/:business_id/channels/web/rotate-key', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: 'Issue a new publishable widget key; the old one stops opening sessions',
            params: Params,
            body: EmptyBody,
            response: {
                200: PublishableKey,
                ...errorResponses(400, 401, 403, 404),
            },
        },
    }, async (request) => rotateWebKey(ctx, principalOf(request), businessOf(request)));
};
//# sourceMappingURL=channels.routes.js.map