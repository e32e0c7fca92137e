import { Type } from '@sinclair/typebox';
import { Nullable, Uuid } from '../../lib/schemas.js';
/** Every event names its business and conversation; `type` tells the rest. */
const event = (type, fields, description) => Type.Object({
    type: Type.Literal(type),
    business_id: Uuid,
    conversation_id: Uuid,
    ...fields,
}, { description });
/**
 * What happened in a conversation, for live views (the inbox stream, the widget) and for the channel
 * senders — one declaration for the server, the OpenAPI document and the web app.
 */
export const ConversationEventSchema = Type.Union([
    event('message', { message_id: Uuid, sender_type: Type.String(), channel: Type.String() }, 'A message was stored: a customer message, an assistant or agent reply'),
    event('typing', {
        on: Type.Boolean(),
        channel: Type.Optional(Type.String()),
        message_id: Type.Optional(Uuid),
    }, 'The assistant works on a reply (`on`: a turn started; off: it ended, with or without one)'),
    event('delivery', {
        message_id: Uuid,
        delivery_status: Type.String(),
        delivery_error: Type.Optional(Nullable(Type.String())),
    }, 'The channel accepted, delivered, read or failed an outbound message'),
    event('stage', { stage_id: Nullable(Uuid), stage_name: Nullable(Type.String()), previous_stage_id: Nullable(Uuid) }, 'The pipeline moved the conversation to another stage'),
    event('ai', {
        is_stopped: Type.Boolean(),
        reason: Type.Union([Type.Literal('agent'), Type.Literal('handoff'), Type.Literal('expired')]),
    }, 'The AI was stopped or resumed (by a person, a hand-off, or its stop expiring)'),
    event('handoff', { reason: Type.Union([Type.Literal('stage'), Type.Literal('customer_request')]) }, 'The assistant handed the conversation to the team: a hand-off stage, or the customer asked'),
    event('assignment', { assignee_id: Nullable(Uuid), assignee_name: Nullable(Type.String()) }, 'The conversation was assigned or unassigned'),
    event('status', { status: Type.String() }, 'Opened or closed'),
    event('note', { note_id: Uuid }, 'An internal note was added (the team sees it; the customer never does)'),
    event('conversation', {}, 'Something else about the conversation changed (collected data edited, customer renamed)'),
], { $id: 'ConversationEvent' });
//# sourceMappingURL=conversation-events.schemas.js.map