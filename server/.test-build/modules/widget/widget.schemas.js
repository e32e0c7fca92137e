import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
export const SessionBody = Type.Object({
    key: Type.String({ minLength: 1, maxLength: 200, description: 'The publishable key `pk_…`' }),
    visitor_token: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A token this business issued before' })),
}, { additionalProperties: false });
export const SessionResponse = Type.Object({
    visitor_token: Type.String({ description: 'Send as `Authorization: Bearer` to the other widget routes' }),
    conversation_id: Nullable(Uuid),
    title: Type.String(),
    greeting: Type.String(),
    color: Type.String(),
});
export const WidgetMessageBody = Type.Object({ content: Type.String({ maxLength: 100_000 }) }, { additionalProperties: false });
export const WidgetReply = Type.Object({
    success: Type.Boolean(),
    response: Nullable(Type.String()),
    conversation_id: Uuid,
    message_id: Uuid,
    response_id: Nullable(Uuid),
    ai_stopped: Type.Boolean(),
});
export const WidgetMessage = Type.Object({
    message_id: Uuid,
    conversation_id: Uuid,
    sender_type: Type.Union([Type.Literal('customer'), Type.Literal('assistant'), Type.Literal('agent')]),
    content: Type.String(),
    created_at: Timestamp,
});
export const HistoryQuery = Type.Object({ after: Type.Optional(Uuid) });
export const HistoryResponse = Type.Object({ messages: Type.Array(WidgetMessage) });
//# sourceMappingURL=widget.schemas.js.map