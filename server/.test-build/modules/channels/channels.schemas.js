import { Type } from '@sinclair/typebox';
import { Nullable } from '../../lib/schemas.js';
const SecretInput = (description) => Type.Optional(Nullable(Type.String({ maxLength: 1024, description: `${description}; write-only. null or "" removes it` })));
export const WhatsAppChannel = Type.Object({
    phone_number_id: Nullable(Type.String()),
    has_access_token: Type.Boolean(),
    has_app_secret: Type.Boolean(),
    has_verify_token: Type.Boolean(),
    webhook_url: Type.String({ description: 'Paste into the Callback URL of the Meta app' }),
    connected: Type.Boolean({ description: 'A phone number id and an access token are set' }),
}, { $id: 'WhatsAppChannel' });
export const MessengerChannel = Type.Object({
    page_id: Nullable(Type.String()),
    has_page_access_token: Type.Boolean(),
    has_app_secret: Type.Boolean(),
    has_verify_token: Type.Boolean(),
    webhook_url: Type.String({ description: 'Paste into the Callback URL of the Meta app' }),
    connected: Type.Boolean({ description: 'A page id and a page access token are set' }),
}, { $id: 'MessengerChannel' });
export const WebChannel = Type.Object({
    enabled: Type.Boolean(),
    publishable_key: Type.String({ description: 'pk_… — not a secret: it only opens widget sessions' }),
    allowed_origins: Type.Array(Type.String()),
    title: Type.String(),
    greeting: Type.String(),
    color: Type.String(),
    snippet: Type.String({ description: 'The <script> tag to paste into the website' }),
}, { $id: 'WebChannel' });
export const Channels = Type.Object({ whatsapp: WhatsAppChannel, messenger: MessengerChannel, web: WebChannel }, { $id: 'Channels' });
const MetaId = (description) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9]+$', description });
export const PutWhatsAppBody = Type.Object({
    phone_number_id: MetaId('Phone number ID from WhatsApp Manager (digits)'),
    access_token: SecretInput('System-user access token with whatsapp_business_messaging'),
    app_secret: SecretInput('App secret of the Meta app (signs webhooks); default META_APP_SECRET'),
    verify_token: SecretInput('Webhook verify token; default META_VERIFY_TOKEN'),
}, { $id: 'PutWhatsAppBody', additionalProperties: false });
export const PutMessengerBody = Type.Object({
    page_id: MetaId('Facebook page ID (digits)'),
    page_access_token: SecretInput('Page access token with pages_messaging'),
    app_secret: SecretInput('App secret of the Meta app (signs webhooks); default META_APP_SECRET'),
    verify_token: SecretInput('Webhook verify token; default META_VERIFY_TOKEN'),
}, { $id: 'PutMessengerBody', additionalProperties: false });
export const Origin = Type.String({
    maxLength: 300,
    pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$',
    description: 'scheme://host[:port], no path (e.g. https://shop.example)',
});
export const PutWebBody = Type.Object({
    enabled: Type.Boolean(),
    allowed_origins: Type.Array(Origin, { maxItems: 50 }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    greeting: Type.Optional(Type.String({ maxLength: 500 })),
    color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb' })),
}, { $id: 'PutWebBody', additionalProperties: false });
export const MetaChannelParam = Type.Union([Type.Literal('whatsapp'), Type.Literal('messenger')]);
export const PublishableKey = Type.Object({ publishable_key: Type.String() }, { $id: 'PublishableKey' });
//# sourceMappingURL=channels.schemas.js.map