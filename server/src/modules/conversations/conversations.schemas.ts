import { type Static, Type } from '@sinclair/typebox';
import { CursorListResponse, CursorQuery, Nullable, PageQuery, Timestamp, Uuid } from '../../lib/schemas.js';

const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const ConversationStatus = Type.Union([Type.Literal('active'), Type.Literal('closed')]);

/** One stored message; `extracted_data` merges the facts extracted from this message (null: none). */
export const Message = Type.Object(
  {
    message_id: Uuid,
    conversation_id: Uuid,
    sender_type: Type.String({ description: 'user, assistant, agent or system' }),
    message_content: Type.String(),
    sequence_number: Type.Integer({ description: 'Position in the conversation, from 1, unique' }),
    channel: Type.String(),
    external_message_id: Nullable(Type.String()),
    status: Type.String({
      description:
        'Inbound: pending, processed, skipped, failed. Outbound: queued, sent, delivered, read, failed',
    }),
    delivery_status: Nullable(
      Type.String({
        description:
          'Outbound (assistant/agent) messages: queued, sent, delivered, read or failed; null for inbound',
      }),
    ),
    delivery_error: Nullable(
      Type.String({ description: 'Why the channel refused or failed the delivery (when failed)' }),
    ),
    stage_id: Nullable(Uuid),
    reply_to_message_id: Nullable(Uuid),
    created_at: Timestamp,
    extracted_data: Nullable(JsonObject),
  },
  { $id: 'Message' },
);

export const AiControlStatus = Type.Object(
  {
    is_stopped: Type.Boolean(),
    stop_time: Nullable(Timestamp),
    expiration_time: Nullable(Type.String({ format: 'date-time', description: 'null: until resumed' })),
  },
  { $id: 'AiControlStatus' },
);

export const LastMessage = Type.Object(
  {
    message_content: Type.String(),
    sender_type: Type.String(),
    created_at: Timestamp,
  },
  { $id: 'LastMessage' },
);

const conversationFields = {
  conversation_id: Uuid,
  business_id: Uuid,
  user_id: Uuid,
  user_name: Type.String({
    description:
      "The customer's best name: their first/last name, else a collected name, else a label by channel " +
      '(e.g. `WhatsApp +351912345678`, `Messenger customer 1234`, `Website visitor 3f2a`, `Simulator`)',
  }),
  stage_id: Nullable(Uuid),
  stage_name: Nullable(Type.String()),
  agent_id: Nullable(Uuid),
  status: Type.String({ description: 'active or closed' }),
  channel: Type.String(),
  session_id: Nullable(Type.String()),
  start_time: Timestamp,
  last_updated: Timestamp,
  message_count: Type.Integer(),
  last_message: Nullable(LastMessage),
  collected_data: JsonObject,
  ai_stopped: Type.Boolean({ description: 'The AI is paused for this conversation right now' }),
  assignee_id: Nullable(
    Type.String({ format: 'uuid', description: 'The team account handling the conversation' }),
  ),
  assignee_name: Nullable(Type.String({ description: "That account's display name" })),
  waiting_since: Nullable(
    Type.String({
      format: 'date-time',
      description: 'Since when a customer message (or a hand-off) waits for an answer; null: nothing waits',
    }),
  ),
  unread_count: Type.Integer({
    minimum: 0,
    description: "Customer messages after the calling account's read mark (0 for API keys)",
  }),
};

/** A conversation as lists show it. */
export const ConversationSummary = Type.Object(conversationFields, { $id: 'ConversationSummary' });

/** A conversation with its AI-control status. */
export const Conversation = Type.Object(
  { ...conversationFields, ai_control: AiControlStatus },
  { $id: 'Conversation' },
);

export const StageTransition = Type.Object(
  {
    stage_transition_id: Uuid,
    from_stage_id: Nullable(Uuid),
    from_stage_name: Nullable(Type.String()),
    to_stage_id: Nullable(Uuid),
    to_stage_name: Nullable(Type.String()),
    message_id: Nullable(Uuid),
    reason: Nullable(
      Type.String({
        description:
          "Why the stage changed: 'selection' (the model's choice) or 'rule:<label or kind>' (a transition rule); null before transitions were recorded with a reason",
      }),
    ),
    created_at: Timestamp,
  },
  { $id: 'StageTransition' },
);

export const Customer = Type.Object(
  {
    user_id: Uuid,
    name: Type.String({ description: 'The best name, as `user_name`' }),
    first_name: Type.String(),
    last_name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    whatsapp_id: Nullable(Type.String()),
    messenger_psid: Nullable(Type.String()),
  },
  { $id: 'Customer' },
);

export const ConversationDetail = Type.Object(
  {
    conversation: Conversation,
    customer: Customer,
    messages: Type.Array(Message),
    collected_data: JsonObject,
    stage_transitions: Type.Array(StageTransition),
  },
  { $id: 'ConversationDetail' },
);

export const ConversationWithMessages = Type.Object(
  {
    ...conversationFields,
    messages: Type.Array(Message),
  },
  { $id: 'ConversationWithMessages' },
);

export const UserConversations = Type.Object(
  { conversations: Type.Array(ConversationWithMessages) },
  { $id: 'UserConversations' },
);

export const LlmCall = Type.Object(
  {
    llm_call_id: Uuid,
    business_id: Uuid,
    conversation_id: Nullable(Uuid),
    message_id: Nullable(Uuid),
    template_id: Nullable(Uuid),
    stage_id: Nullable(Uuid),
    call_type: Type.String(),
    provider: Type.String(),
    model: Type.String(),
    system_prompt: Type.String(),
    prompt: Type.String(),
    response: Nullable(Type.String()),
    tokens_in: Type.Integer(),
    tokens_out: Type.Integer(),
    latency_ms: Type.Integer(),
    cost_usd: Type.Number(),
    status: Type.String(),
    error: Nullable(
      Type.String({ description: 'Why the call failed, in generic words (never the provider’s own text)' }),
    ),
    error_detail: Nullable(
      Type.String({
        description:
          'The provider’s own error text; only for the master key and platform admins, null for everyone else',
      }),
    ),
    created_at: Timestamp,
  },
  { $id: 'LlmCall' },
);

export const ConversationParams = Type.Object({ conversation_id: Uuid });
export const UserParams = Type.Object({ user_id: Uuid });

/** `data.<key>=<value>` parameters filter on collected data; keys are checked by the service. */
export const DATA_FILTER_PREFIX = 'data.';

const ListFilters = {
  business_id: Type.Optional(Uuid),
  user_id: Type.Optional(Uuid),
  status: Type.Optional(ConversationStatus),
  stage_id: Type.Optional(Uuid),
  channel: Type.Optional(
    Type.Union(
      [
        Type.Literal('api'),
        Type.Literal('web'),
        Type.Literal('whatsapp'),
        Type.Literal('messenger'),
        Type.Literal('simulator'),
      ],
      { description: 'One channel; without it, simulator conversations are left out' },
    ),
  ),
  assignee_id: Type.Optional(
    Type.Union([Uuid, Type.Literal('me'), Type.Literal('none')], {
      description: 'An account id, `me` (the calling account; nothing for a key) or `none` (unassigned)',
    }),
  ),
  waiting: Type.Optional(
    Type.Boolean({ description: 'true: a customer message waits for an answer; false: nothing waits' }),
  ),
  q: Type.Optional(
    Type.String({ minLength: 1, maxLength: 500, description: 'Text searched in the messages' }),
  ),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'last_updated at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'last_updated at or before' })),
};

const DataFilterOptions = {
  description:
    'Also `data.<key>=<value>` on collected data (key: ^[A-Za-z0-9_]{1,64}$). A business with typed ' +
    "fields filters by the field's type: the value normalised as extraction does (e-mail, phone, enum, " +
    'boolean, date), `min..max` ranges on number and date fields (`data.age=18..30`, `data.visit=2026-01-01..`); ' +
    'an unknown field or a bad value is a 400. Without fields: collected_data ->> key equals value.',
  patternProperties: { '^data\\.': Type.String({ maxLength: 500 }) },
};

export const ListConversationsQuery = Type.Object(
  { ...ListFilters, ...PageQuery, ...CursorQuery },
  DataFilterOptions,
);

/** At most this many conversations per CSV export (narrow the filters beyond). */
export const MAX_EXPORT_ROWS = 10_000;

export const ExportConversationsQuery = Type.Object(
  {
    ...ListFilters,
    columns: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'Comma-separated field names to export (default: every field of the business)',
      }),
    ),
  },
  DataFilterOptions,
);

export const MessagesQuery = Type.Object({ ...PageQuery, ...CursorQuery });

export const UpdateConversationBody = Type.Object(
  {
    status: Type.Optional(ConversationStatus),
    assignee_id: Type.Optional(
      Nullable(
        Type.String({
          format: 'uuid',
          description: 'A member of the business, or null to unassign',
        }),
      ),
    ),
  },
  { $id: 'UpdateConversationBody', additionalProperties: false, minProperties: 1 },
);

export const AiControlBody = Type.Object(
  {
    action: Type.Union([Type.Literal('stop'), Type.Literal('resume')]),
    duration_hours: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 8760,
        description: 'Only with stop; absent: stopped until resumed',
      }),
    ),
  },
  { $id: 'AiControlBody', additionalProperties: false },
);

export const AgentReplyBody = Type.Object(
  { content: Type.String({ description: 'Up to MAX_MESSAGE_CHARS characters' }) },
  { $id: 'AgentReplyBody', additionalProperties: false },
);

export const LlmCallsQuery = Type.Object({
  business_id: Type.Optional(Uuid),
  conversation_id: Type.Optional(Uuid),
  message_id: Type.Optional(Uuid),
  call_type: Type.Optional(Type.String({ pattern: '^[a-z_]{1,64}$' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  ...CursorQuery,
});

export const LlmCallList = CursorListResponse('llm_calls', LlmCall, 'LlmCallList');

export type Message = Static<typeof Message>;
export type ConversationSummary = Static<typeof ConversationSummary>;
export type Conversation = Static<typeof Conversation>;
export type ConversationDetail = Static<typeof ConversationDetail>;
export type Customer = Static<typeof Customer>;
export type LlmCall = Static<typeof LlmCall>;
export type AiControlStatus = Static<typeof AiControlStatus>;
