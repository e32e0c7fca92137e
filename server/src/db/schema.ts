import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const _id = () => uuid().primaryKey().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
// PostgreSQL's 64-bit transaction id and snapshot types, read and written as text by SQL only.
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });
const pgSnapshot = customType<{ data: string }>({ dataType: () => 'pg_snapshot' });

/** Non-secret business settings (channel connections and their secrets live in `channel_connections`). */
export type FieldType = 'text' | 'email' | 'phone' | 'number' | 'date' | 'enum' | 'boolean';

/** A typed fact a business collects (issue 16). `name` is the key in collected data. */
export interface FieldDefinition {
  name: string;
  label: string;
  type: FieldType;
  description: string;
  /** Allowed values of an `enum` field (absent for other types). */
  values?: string[];
  pii: boolean;
}

/**
 * A stage's transition rule (issue 16), evaluated in order before the selection model: the first that
 * holds moves the conversation to `target_stage_id` without a selection call.
 */
export type TransitionRule =
  | { kind: 'complete'; target_stage_id: string; label?: string }
  | {
      kind: 'field_equals';
      field: string;
      value: string | number | boolean;
      target_stage_id: string;
      label?: string;
    }
  | { kind: 'asks_for_human'; target_stage_id: string; label?: string };

export interface BusinessSettings {
  fallback_reply?: string;
  llm_model?: string;
  llm_provider?: 'openai' | 'anthropic';
  llm_temperature?: number;
  history_limit?: number;
  /** What the assistant says when a customer asks for a person (default in the pipeline). */
  handoff_message?: string;
  /** Monthly LLM spend (USD, from the recorded cost); at it the offline engine answers. */
  llm_budget_usd?: number;
}

export const businesses = pgTable(
  'businesses',
  {
    businessId: uuid('business_id').primaryKey().defaultRandom(),
    businessName: text('business_name').notNull(),
    businessDescription: text('business_description').notNull().default(''),
    address: text('address'),
    phoneNumber: text('phone_number'),
    website: text('website'),
    ownerId: text('owner_id'),
    firstStageId: uuid('first_stage_id').references((): AnyPgColumn => stages.stageId, {
      onDelete: 'set null',
    }),
    settings: jsonb('settings').$type<BusinessSettings>().notNull().default({}),
    // The business's typed fields (issue 16): part of the draft configuration, frozen by a release.
    fields: jsonb('fields').$type<FieldDefinition[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('businesses_name_unique').on(sql`lower(${t.businessName})`),
    index('businesses_first_stage_idx').on(t.firstStageId),
  ],
);

export const agents = pgTable(
  'agents',
  {
    agentId: uuid('agent_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    agentName: text('agent_name').notNull(),
    agentType: text('agent_type').notNull().default('ai'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('agents_business_name_unique').on(t.businessId, sql`lower(${t.agentName})`)],
);

export const templates = pgTable(
  'templates',
  {
    templateId: uuid('template_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    templateName: text('template_name').notNull(),
    templateType: text('template_type').notNull(),
    content: text('content').notNull(),
    systemPrompt: text('system_prompt').notNull().default(''),
    isDefault: boolean('is_default').notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('templates_business_type_idx').on(t.businessId, t.templateType)],
);

export const templateVersions = pgTable(
  'template_versions',
  {
    templateId: uuid('template_id')
      .notNull()
      .references(() => templates.templateId, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    templateName: text('template_name').notNull(),
    content: text('content').notNull(),
    systemPrompt: text('system_prompt').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.templateId, t.version] })],
);

export const stages = pgTable(
  'stages',
  {
    stageId: uuid('stage_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').references(() => agents.agentId, { onDelete: 'set null' }),
    stageName: text('stage_name').notNull(),
    stageDescription: text('stage_description').notNull().default(''),
    stageType: text('stage_type').notNull().default('conversation'),
    // NO ACTION (checked at statement end) so deleting a business cascades through stages and templates.
    stageSelectionTemplateId: uuid('stage_selection_template_id')
      .notNull()
      .references(() => templates.templateId),
    dataExtractionTemplateId: uuid('data_extraction_template_id')
      .notNull()
      .references(() => templates.templateId),
    responseGenerationTemplateId: uuid('response_generation_template_id')
      .notNull()
      .references(() => templates.templateId),
    fallbackReply: text('fallback_reply'),
    // Entering this stage hands the conversation to the team: the AI stops after its reply.
    handoff: boolean('handoff').notNull().default(false),
    // Names of the business's fields this stage must / may collect (stage goals, issue 16).
    requiredFields: jsonb('required_fields').$type<string[]>().notNull().default([]),
    optionalFields: jsonb('optional_fields').$type<string[]>().notNull().default([]),
    // Stages that may follow this one (ids of the same business): null = any, [] = none but this one.
    allowedNextStageIds: jsonb('allowed_next_stage_ids').$type<string[] | null>(),
    // Ordered rules evaluated before the selection model (the first that holds moves the conversation).
    transitionRules: jsonb('transition_rules').$type<TransitionRule[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('stages_business_name_unique').on(t.businessId, sql`lower(${t.stageName})`),
    index('stages_agent_idx').on(t.agentId),
    index('stages_selection_template_idx').on(t.stageSelectionTemplateId),
    index('stages_extraction_template_idx').on(t.dataExtractionTemplateId),
    index('stages_response_template_idx').on(t.responseGenerationTemplateId),
  ],
);

export const users = pgTable(
  'users',
  {
    userId: uuid('user_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    email: text('email'),
    phone: text('phone'),
    whatsappId: text('whatsapp_id'),
    messengerPsid: text('messenger_psid'),
    webVisitorId: text('web_visitor_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('users_business_created_idx').on(t.businessId, t.createdAt),
    // The channel identity first (migration 0029): a customer is found by it alone, then their business
    // checked, so a business the statistics underestimate is never walked by a business index.
    uniqueIndex('users_whatsapp_business_unique').on(t.whatsappId, t.businessId),
    uniqueIndex('users_messenger_business_unique').on(t.messengerPsid, t.businessId),
    uniqueIndex('users_web_visitor_business_unique').on(t.webVisitorId, t.businessId),
  ],
);

export type ChannelName = 'whatsapp' | 'messenger' | 'web';

/** Non-secret settings of a connection; only the web widget has any today. */
export interface ChannelSettings {
  enabled?: boolean;
  allowed_origins?: string[];
  title?: string;
  greeting?: string;
  color?: string;
}

/**
 * A business's connection to a channel: the WhatsApp phone number id, the Messenger page id or the
 * widget's publishable key as `external_id` (unique per channel, so an inbound event finds one
 * business), and its secrets sealed with the secret box (never stored or returned in clear).
 */
export const channelConnections = pgTable(
  'channel_connections',
  {
    connectionId: uuid('connection_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    channel: text('channel').$type<ChannelName>().notNull(),
    externalId: text('external_id').notNull(),
    settings: jsonb('settings').$type<ChannelSettings>().notNull().default({}),
    secrets: jsonb('secrets').$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('channel_connections_business_channel_unique').on(t.businessId, t.channel),
    uniqueIndex('channel_connections_external_unique').on(t.channel, t.externalId),
  ],
);

export const conversations = pgTable(
  'conversations',
  {
    conversationId: uuid('conversation_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.userId, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').references(() => agents.agentId, { onDelete: 'set null' }),
    stageId: uuid('stage_id').references(() => stages.stageId, { onDelete: 'set null' }),
    sessionId: text('session_id'),
    channel: text('channel').notNull().default('api'),
    status: text('status').notNull().default('active'),
    aiStoppedAt: timestamp('ai_stopped_at', { withTimezone: true }),
    aiStoppedUntil: timestamp('ai_stopped_until', { withTimezone: true }),
    collectedData: jsonb('collected_data').$type<Record<string, unknown>>().notNull().default({}),
    lastSequence: integer('last_sequence').notNull().default(0),
    // Cross-process processing lease: one worker at a time handles a conversation's pending messages.
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    // The team member handling the conversation (live inbox).
    assigneeAccountId: uuid('assignee_account_id').references((): AnyPgColumn => accounts.accountId, {
      onDelete: 'set null',
    }),
    // Since when a customer message (or a hand-off) waits for a person or the assistant to answer.
    waitingSince: timestamp('waiting_since', { withTimezone: true }),
    startTime: timestamp('start_time', { withTimezone: true }).notNull().defaultNow(),
    lastUpdated: timestamp('last_updated', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conversations_business_updated_idx').on(t.businessId, t.lastUpdated),
    // The list's order (newest activity first, the id breaking ties) with the channel the default
    // list filters on: a deep `page=` walks this index alone (no sort, no heap once vacuumed).
    index('conversations_business_list_idx').on(
      t.businessId,
      t.lastUpdated.desc().nullsFirst(),
      t.conversationId.desc().nullsFirst(),
      t.channel,
    ),
    // The overview's raw partial days and per-day series count conversations by start_time.
    index('conversations_business_start_idx').on(t.businessId, t.startTime),
    // The dashboard's simulator chats, few per business: analytics leave them out with a hashed
    // NOT IN over this index instead of a conversation lookup per counted row.
    index('conversations_simulator_idx')
      .on(t.businessId, t.conversationId)
      .where(sql`${t.channel} = 'simulator'`),
    index('conversations_user_status_idx').on(t.userId, t.status),
    index('conversations_business_stage_idx').on(t.businessId, t.stageId),
    index('conversations_business_assignee_idx').on(t.businessId, t.assigneeAccountId, t.lastUpdated),
    index('conversations_business_waiting_idx')
      .on(t.businessId, t.waitingSince)
      .where(sql`${t.waitingSince} IS NOT NULL`),
    // Foreign keys a deletion sets to null (stage, agent, account): found by index, not a scan.
    index('conversations_stage_idx').on(t.stageId),
    index('conversations_agent_idx').on(t.agentId),
    index('conversations_assignee_idx').on(t.assigneeAccountId),
    // `data.<key>=<value>` filters: `collected_data @> {"key": value}`.
    index('conversations_collected_data_idx').using('gin', t.collectedData.op('jsonb_path_ops')),
  ],
);

export const messages = pgTable(
  'messages',
  {
    messageId: uuid('message_id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.conversationId, { onDelete: 'cascade' }),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    senderType: text('sender_type').notNull(),
    messageContent: text('message_content').notNull(),
    sequenceNumber: integer('sequence_number').notNull(),
    channel: text('channel').notNull().default('api'),
    externalMessageId: text('external_message_id'),
    // Inbound: pending → processed | skipped | failed. Outbound: queued → sent | failed (before 0027 also
    // delivered and read, which are now `receipt`'s).
    status: text('status').notNull(),
    /**
     * What Meta reported of a sent reply: delivered, then read (0027). Kept apart from `status`, which
     * three partial indexes' predicates name, so that these two updates per reply are HOT: a new row
     * version on the same page and no index entry, where a change of `status` enters the row again in
     * every index of the table, the trigram GIN included.
     */
    receipt: text('receipt'),
    /**
     * The stage that handled it — history: no foreign key, so deleting a stage rewrites no log rows
     * (a deleted stage's id stays; its name reads as null). Only conversations.stage_id is live.
     */
    stageId: uuid('stage_id'),
    replyToMessageId: uuid('reply_to_message_id').references((): AnyPgColumn => messages.messageId, {
      onDelete: 'set null',
    }),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    /**
     * The inserting transaction, as on llm_calls: the analytics fold (migration 0026) adds the
     * messages whose transaction committed since its last snapshot. NULL on messages counted before it.
     */
    rollupXid: xid8('rollup_xid').default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index('messages_rollup_xid_idx').on(t.rollupXid).where(sql`${t.rollupXid} IS NOT NULL`),
    uniqueIndex('messages_conversation_sequence_unique').on(t.conversationId, t.sequenceNumber),
    // A channel's own id (WhatsApp, Messenger, an API client's idempotency key) first, so that a lookup
    // reads the id alone and checks business and channel after (db/message-by-external-id.ts, 0032).
    uniqueIndex('messages_external_id_business_unique')
      .on(t.externalMessageId, t.businessId, t.channel)
      .where(sql`${t.externalMessageId} IS NOT NULL`),
    index('messages_business_created_idx').on(t.businessId, t.createdAt),
    index('messages_pending_idx').on(t.conversationId, t.sequenceNumber).where(sql`${t.status} = 'pending'`),
    // A conversation's processed customer messages in order: the analytics triggers look up the first
    // one on every turn; on the whole conversation's index range that lookup read every message before
    // it whenever the planner misjudged how many match (0024).
    index('messages_first_customer_idx')
      .on(t.conversationId, t.sequenceNumber)
      .where(sql`${t.senderType} = 'user' AND ${t.status} = 'processed'`),
    index('messages_reply_to_idx').on(t.replyToMessageId),
    // The outbox: outbound WhatsApp/Messenger messages not yet handed to the Graph API.
    index('messages_queued_idx').on(t.createdAt).where(sql`${t.status} = 'queued'`),
    // Each conversation's earliest queued reply, the only one the outbox may send (0028).
    index('messages_queued_conversation_idx')
      .on(t.conversationId, t.sequenceNumber)
      .where(sql`${t.status} = 'queued'`),
    // No index on stage_id here, on llm_calls, extracted_data or stage_transitions (dropped in 0016):
    // history without a foreign key since 0010, and no query filters by it alone.
    // `q=` search: trigram GIN (pg_trgm) for ILIKE '%text%', led by the business (btree_gin): a word
    // common in other tenants' messages costs a small business nothing (GIN skips by the rarer key).
    index('messages_business_content_trgm_idx').using(
      'gin',
      t.businessId,
      t.messageContent.op('gin_trgm_ops'),
    ),
  ],
);

export const llmCalls = pgTable(
  'llm_calls',
  {
    llmCallId: uuid('llm_call_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.conversationId, {
      onDelete: 'cascade',
    }),
    messageId: uuid('message_id').references(() => messages.messageId, { onDelete: 'set null' }),
    templateId: uuid('template_id').references(() => templates.templateId, { onDelete: 'set null' }),
    /**
     * The stage that handled it — history: no foreign key, so deleting a stage rewrites no log rows
     * (a deleted stage's id stays; its name reads as null). Only conversations.stage_id is live.
     */
    stageId: uuid('stage_id'),
    callType: text('call_type').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    systemPrompt: text('system_prompt').notNull().default(''),
    prompt: text('prompt').notNull(),
    response: text('response'),
    tokensIn: integer('tokens_in').notNull().default(0),
    tokensOut: integer('tokens_out').notNull().default(0),
    latencyMs: integer('latency_ms').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    status: text('status').notNull(),
    /** A generic reason, safe to show a tenant ("timeout", "the model endpoint answered HTTP 500"). */
    error: text('error'),
    /** The provider's own words, for the operator only (the master key / platform admins). */
    errorDetail: text('error_detail'),
    createdAt: createdAt(),
    /**
     * The inserting transaction (`pg_current_xact_id()`): the analytics fold (migration 0025) adds the
     * calls whose transaction committed since its last snapshot. NULL on calls counted before it.
     */
    rollupXid: xid8('rollup_xid').default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index('llm_calls_rollup_xid_idx').on(t.rollupXid).where(sql`${t.rollupXid} IS NOT NULL`),
    index('llm_calls_business_created_idx').on(t.businessId, t.createdAt),
    index('llm_calls_conversation_idx').on(t.conversationId, t.createdAt),
    index('llm_calls_message_idx').on(t.messageId),
    index('llm_calls_template_idx').on(t.templateId),
  ],
);

export const extractedData = pgTable(
  'extracted_data',
  {
    extractedDataId: uuid('extracted_data_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.conversationId, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.messageId, { onDelete: 'cascade' }),
    /**
     * The stage that handled it — history: no foreign key, so deleting a stage rewrites no log rows
     * (a deleted stage's id stays; its name reads as null). Only conversations.stage_id is live.
     */
    stageId: uuid('stage_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('extracted_data_conversation_idx').on(t.conversationId, t.createdAt),
    // INCLUDE (message_id, conversation_id), which drizzle cannot declare (migration 0021): the
    // overview's "messages with facts" reads a month of a business's rows from the index alone.
    index('extracted_data_business_facts_idx').on(t.businessId, t.createdAt),
    index('extracted_data_message_idx').on(t.messageId),
  ],
);

export const stageTransitions = pgTable(
  'stage_transitions',
  {
    stageTransitionId: uuid('stage_transition_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.conversationId, { onDelete: 'cascade' }),
    // History, like messages.stage_id: no foreign key, a deleted stage's id stays.
    fromStageId: uuid('from_stage_id'),
    toStageId: uuid('to_stage_id'),
    messageId: uuid('message_id').references(() => messages.messageId, { onDelete: 'set null' }),
    // Why the stage changed: 'selection' (the model's choice) or 'rule:<label or kind>'.
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [
    index('stage_transitions_conversation_idx').on(t.conversationId, t.createdAt),
    index('stage_transitions_business_idx').on(t.businessId, t.createdAt),
    index('stage_transitions_message_idx').on(t.messageId),
  ],
);

/** Who made an audited change: a team account, a named API key, or the installation's master key. */
export type AuditActorType = 'account' | 'api_key' | 'master';

/**
 * One configuration change: who (actor type/id/name, the name kept as it was then), what (action,
 * entity) and the entity's public JSON before and after (null before a create, after a delete). Never
 * secrets. `details` holds extra context (a restored version number; what older rows recorded).
 */
export const auditLogs = pgTable(
  'audit_logs',
  {
    auditLogId: uuid('audit_log_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id').references(() => businesses.businessId, { onDelete: 'cascade' }),
    actorType: text('actor_type').$type<AuditActorType>().notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    // clock_timestamp(), not now(): the entries one transaction writes keep their order.
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [
    index('audit_logs_business_created_idx').on(t.businessId, t.createdAt),
    index('audit_logs_business_entity_created_idx').on(t.businessId, t.entityType, t.createdAt),
    index('audit_logs_business_actor_created_idx').on(t.businessId, t.actorId, t.createdAt),
  ],
);

/**
 * Delivery state of an outbound WhatsApp/Messenger message. The message row itself (`status: queued`)
 * is the outbox entry; this row holds the attempts, the claim lease, the part in flight and the Graph
 * message ids of the parts already sent (the text may be split into several sends).
 */
export const messageDeliveries = pgTable(
  'message_deliveries',
  {
    messageId: uuid('message_id')
      .primaryKey()
      .references(() => messages.messageId, { onDelete: 'cascade' }),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    partsSent: integer('parts_sent').notNull().default(0),
    graphMessageIds: text('graph_message_ids').array().notNull().default(sql`'{}'::text[]`),
    // A part whose send started but whose answer was never recorded (crash): resent only after a grace
    // period in which a status webhook or echo carrying our reference can confirm it.
    inFlightPart: integer('in_flight_part'),
    inFlightSince: timestamp('in_flight_since', { withTimezone: true }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    updatedAt: updatedAt(),
  },
  // No index on graph_message_ids: a status naming a later part finds it in message_delivery_parts,
  // and without one the update that records a part sent can stay HOT.
  (t) => [index('message_deliveries_business_idx').on(t.businessId)],
);

/**
 * The Graph message id of each part after the first of a reply split into several sends (a first
 * part's id is the message's `external_message_id`), so that a status naming a later part alone is one
 * probe of this key. Graph id first: a lookup reads the id and checks the business after, whatever the
 * statistics believe about the business's size (migration 0029's reasoning).
 */
export const messageDeliveryParts = pgTable(
  'message_delivery_parts',
  {
    graphMessageId: text('graph_message_id').notNull(),
    businessId: uuid('business_id').notNull(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.messageId, { onDelete: 'cascade' }),
    part: integer('part').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.graphMessageId, t.businessId] }),
    index('message_delivery_parts_message_idx').on(t.messageId),
  ],
);

/** People who sign in to the dashboard: e-mail + Argon2id password hash. */
export const accounts = pgTable(
  'accounts',
  {
    accountId: uuid('account_id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    passwordHash: text('password_hash').notNull(),
    isAdmin: boolean('is_admin').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('accounts_email_unique').on(sql`lower(${t.email})`)],
);

export type MemberRole = 'owner' | 'editor' | 'agent' | 'viewer';

/** An account's role in one business. */
export const memberships = pgTable(
  'memberships',
  {
    membershipId: uuid('membership_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.accountId, { onDelete: 'cascade' }),
    role: text('role').$type<MemberRole>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('memberships_business_account_unique').on(t.businessId, t.accountId),
    index('memberships_account_idx').on(t.accountId),
  ],
);

/** How far each team account has read each conversation (unread counts in the inbox). */
export const conversationReads = pgTable(
  'conversation_reads',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.accountId, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.conversationId, { onDelete: 'cascade' }),
    lastReadSequence: integer('last_read_sequence').notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.conversationId] }),
    index('conversation_reads_conversation_idx').on(t.conversationId),
  ],
);

/** An invitation to join a business; only the SHA-256 of its token is stored. */
export const invitations = pgTable(
  'invitations',
  {
    invitationId: uuid('invitation_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').$type<MemberRole>().notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by').references(() => accounts.accountId, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invitations_token_hash_unique').on(t.tokenHash),
    index('invitations_business_idx').on(t.businessId, t.createdAt),
    index('invitations_invited_by_idx').on(t.invitedBy),
  ],
);

export type ApiKeyScope = 'messages' | 'read' | 'write' | 'admin';

/** Who made something: an account, an API key or the master key. */
export interface ActorRef {
  type: 'account' | 'api_key' | 'master';
  id: string | null;
  name: string;
}

/** A business's named API keys; only the SHA-256 of a key is stored, with its first characters to show. */
export const apiKeys = pgTable(
  'api_keys',
  {
    keyId: uuid('key_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes').array().$type<ApiKeyScope[]>().notNull(),
    // The key made with the business: rotate-key replaces its secret.
    isPrimary: boolean('is_primary').notNull().default(false),
    createdBy: jsonb('created_by').$type<ActorRef>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_unique').on(t.keyHash),
    index('api_keys_business_idx').on(t.businessId, t.createdAt),
    uniqueIndex('api_keys_primary_unique').on(t.businessId).where(sql`${t.isPrimary}`),
  ],
);

export type SessionKind = 'account' | 'api_key' | 'master';

/**
 * A signed-in browser. The cookie holds a random token; only its SHA-256 is stored. A key sign-in
 * keeps the key's hash at sign-in (`credential_hash`): a rotated or deleted key ends its sessions.
 */
export const sessions = pgTable(
  'sessions',
  {
    sessionId: uuid('session_id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    kind: text('kind').$type<SessionKind>().notNull(),
    accountId: uuid('account_id').references(() => accounts.accountId, { onDelete: 'cascade' }),
    apiKeyId: uuid('api_key_id').references(() => apiKeys.keyId, { onDelete: 'cascade' }),
    credentialHash: text('credential_hash'),
    userAgent: text('user_agent').notNull().default(''),
    ipAddress: text('ip_address').notNull().default(''),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_unique').on(t.tokenHash),
    index('sessions_account_idx').on(t.accountId),
    index('sessions_api_key_idx').on(t.apiKeyId),
  ],
);

/** Single-use password reset tokens (1 h); only the SHA-256 of a token is stored. */
export const passwordResets = pgTable(
  'password_resets',
  {
    resetId: uuid('reset_id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.accountId, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('password_resets_token_hash_unique').on(t.tokenHash),
    index('password_resets_account_idx').on(t.accountId),
  ],
);

/**
 * A team member's internal note on a conversation: shown to the team, never sent to the customer and
 * never put in a prompt. `author_name` is kept as it was, like the audit log's actor name.
 */
export const conversationNotes = pgTable(
  'conversation_notes',
  {
    noteId: uuid('note_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.conversationId, { onDelete: 'cascade' }),
    authorAccountId: uuid('author_account_id').references(() => accounts.accountId, {
      onDelete: 'set null',
    }),
    authorName: text('author_name').notNull(),
    content: text('content').notNull(),
    // clock_timestamp(), not now(): notes keep the order they were written in.
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [
    index('conversation_notes_conversation_idx').on(t.conversationId, t.createdAt),
    index('conversation_notes_business_idx').on(t.businessId),
    index('conversation_notes_author_idx').on(t.authorAccountId),
  ],
);

/** A business's saved replies, with `{{variables}}`; the shortcut is unique within the business. */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    cannedReplyId: uuid('canned_reply_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    shortcut: text('shortcut').notNull(),
    content: text('content').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('canned_replies_business_shortcut_unique').on(t.businessId, t.shortcut)],
);

// ------------------------------------------------------------------------------------------------
// Analytics rollups (migration 0010). Maintained by statement-level triggers on messages,
// conversations, llm_calls and stage_transitions in the writing transaction (exact: inserts,
// updates and deletes each add their signed delta), backfilled by the migration — except the LLM
// calls' inserts, which a fold adds after their commit (migration 0025, `analytics_fold_state`). The
// overview reads them for whole UTC days and raw rows only for the partial first and last day of a range.
// `simulator`: the row's conversation is a dashboard simulator chat (left out by default).
// `slot` (migration 0017): each key is striped over 16 rows, the triggers writing into slot
// `pg_backend_pid() % 16`, so concurrent writers of one business rarely wait on one row lock. A slot
// alone means nothing (it may be negative): readers sum over slots. Past days' slots are folded back
// into slot 0 (analytics/rollup-compaction.ts), so a range of past days reads one row per key; the
// partial `…_unfolded_idx` indexes find the rows left to fold.

/** Per business and UTC day: messages (created_at) and conversations started (start_time). */
export const analyticsDaily = pgTable(
  'analytics_daily',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    simulator: boolean('simulator').notNull(),
    slot: smallint('slot').notNull().default(0),
    newConversations: integer('new_conversations').notNull().default(0),
    messages: integer('messages').notNull().default(0),
    userMessages: integer('user_messages').notNull().default(0),
    assistantMessages: integer('assistant_messages').notNull().default(0),
    agentMessages: integer('agent_messages').notNull().default(0),
    fallbackReplies: integer('fallback_replies').notNull().default(0),
    aiStoppedMessages: integer('ai_stopped_messages').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.day, t.simulator, t.slot] }),
    index('analytics_daily_unfolded_idx').on(t.day).where(sql`${t.slot} <> 0`),
  ],
);

/**
 * Per business, UTC day, pipeline step (call_type) and model: LLM calls with a latency histogram.
 * `latency_hist[i + 1]` counts the calls in bucket i (`analytics_latency_bucket`: 0 for < 1 ms,
 * then [1.05^(i-1), 1.05^i) ms): percentiles are estimated from summed buckets (within 5 %).
 */
export const analyticsDailyLlm = pgTable(
  'analytics_daily_llm',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    simulator: boolean('simulator').notNull(),
    callType: text('call_type').notNull(),
    model: text('model').notNull(),
    slot: smallint('slot').notNull().default(0),
    calls: integer('calls').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    tokensIn: numeric('tokens_in').notNull().default('0'),
    tokensOut: numeric('tokens_out').notNull().default('0'),
    costUsd: numeric('cost_usd').notNull().default('0'),
    latencyHist: integer('latency_hist').array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.day, t.simulator, t.callType, t.model, t.slot] }),
    index('analytics_daily_llm_unfolded_idx').on(t.day).where(sql`${t.slot} <> 0`),
  ],
);

/**
 * What a fold (migration 0025) has added to a rollup: `folded` is the snapshot it last read, so the
 * rows to add next are those whose transaction that snapshot did not see. One row, `llm_calls`.
 */
export const analyticsFoldState = pgTable('analytics_fold_state', {
  name: text('name').primaryKey(),
  folded: pgSnapshot('folded').notNull(),
});

/**
 * Conversations whose first processed customer message may have moved (migration 0030): the message
 * triggers queue them, and the messages' fold (`analytics_fold_messages`) looks each first message up
 * again into `analytics_stage_entry_hour.first` and takes them off. No key: a conversation queued twice
 * is looked up once.
 */
export const analyticsFirstMessageQueue = pgTable('analytics_first_message_queue', {
  conversationId: uuid('conversation_id').notNull(),
});

/**
 * Conversations' changes that count in `analytics_daily.new_conversations` and
 * `analytics_conversation_hour.started` (migration 0031): each insert, counted change and delete
 * queues its signed row (a change: the old row with -1, the new with +1), and the messages' fold adds
 * the day counts and sets the queued conversations' start hours again. No key, no index: the fold
 * takes the whole queue.
 */
export const analyticsConversationQueue = pgTable('analytics_conversation_queue', {
  sign: smallint('sign').notNull(),
  businessId: uuid('business_id').notNull(),
  conversationId: uuid('conversation_id').notNull(),
  startTime: timestamp('start_time', { withTimezone: true }).notNull(),
  simulator: boolean('simulator').notNull(),
});

/** Per business, UTC day and stage: stage transitions into and out of it. No FK on the stage: history. */
export const analyticsDailyStage = pgTable(
  'analytics_daily_stage',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    simulator: boolean('simulator').notNull(),
    stageId: uuid('stage_id').notNull(),
    slot: smallint('slot').notNull().default(0),
    transitionsIn: integer('transitions_in').notNull().default(0),
    transitionsOut: integer('transitions_out').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.day, t.simulator, t.stageId, t.slot] }),
    index('analytics_daily_stage_unfolded_idx').on(t.day).where(sql`${t.slot} <> 0`),
  ],
);

/**
 * Per business, UTC hour and conversation (migration 0016): the conversation's messages in the hour
 * (`messages`, by created_at) and whether it started in it (`started`, 1 in the hour of start_time).
 * The overview's distinct counts (conversations, active, new, customers, fill rates) read the range's
 * conversation ids from here instead of probing each conversation's messages. No simulator flag: the
 * reads leave simulator chats out through `conversations_simulator_idx`, so a channel change moves
 * nothing here. No FK on the conversation (a delete takes its rows out in `analytics_conversation_detach`).
 */
export const analyticsConversationHour = pgTable(
  'analytics_conversation_hour',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    conversationId: uuid('conversation_id').notNull(),
    messages: integer('messages').notNull().default(0),
    started: integer('started').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.hour, t.conversationId] }),
    index('analytics_conversation_hour_conversation_idx').on(t.conversationId),
  ],
);

/**
 * Per business, UTC hour, stage and conversation (migration 0016): how the conversation entered the
 * stage in that hour — `transitions` into it, and `first` = 1 when its first processed customer
 * message (by sequence number) was handled there. The overview's "conversations entered" per stage.
 */
export const analyticsStageEntryHour = pgTable(
  'analytics_stage_entry_hour',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    stageId: uuid('stage_id').notNull(),
    conversationId: uuid('conversation_id').notNull(),
    transitions: integer('transitions').notNull().default(0),
    first: integer('first').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.hour, t.stageId, t.conversationId] }),
    index('analytics_stage_entry_hour_conversation_idx').on(t.conversationId),
  ],
);

/**
 * A published release: an immutable snapshot of the business configuration the pipeline reads
 * (pipeline settings, entry stage, stages, templates — `ReleaseContent` in modules/config-cache). Live
 * traffic uses the business's highest `number`; a business without a release serves its working draft.
 */
export const configReleases = pgTable(
  'config_releases',
  {
    releaseId: uuid('release_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    note: text('note').notNull().default(''),
    author: jsonb('author').$type<ActorRef>().notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    contentHash: text('content_hash').notNull(),
    /** The release whose content this one restored; null for a publish of the draft. */
    restoredFrom: integer('restored_from'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [uniqueIndex('config_releases_business_number_unique').on(t.businessId, t.number)],
);

/**
 * A golden test of one stage (issue 15): the conversation so far, a new customer message and what each
 * pipeline step must produce. `history`, `collected_data` and `expectations` are JSON because they are
 * read and written whole (see golden-tests.schemas.ts for their shape).
 */
export const testCases = pgTable(
  'test_cases',
  {
    testCaseId: uuid('test_case_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    // The stage the conversation is in when the message arrives; its tests go with it.
    stageId: uuid('stage_id')
      .notNull()
      .references(() => stages.stageId, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    history: jsonb('history').$type<{ sender: string; content: string }[]>().notNull().default([]),
    collectedData: jsonb('collected_data').$type<Record<string, unknown>>().notNull().default({}),
    message: text('message').notNull(),
    expectations: jsonb('expectations').$type<Record<string, unknown>>().notNull().default({}),
    /** The real or simulated turn the case was made from (a reference only: the turn may be deleted). */
    sourceMessageId: uuid('source_message_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('test_cases_business_stage_idx').on(t.businessId, t.stageId, t.createdAt),
    index('test_cases_stage_idx').on(t.stageId),
  ],
);

/**
 * One run of test cases against a configuration target with a model. Runs are asynchronous: the process
 * that accepted it runs it under a lease (`lease_owner`/`lease_until`, renewed while it works); a run
 * whose lease expired is taken over by any process's sweep and resumed after its recorded results.
 */
export const testRuns = pgTable(
  'test_runs',
  {
    testRunId: uuid('test_run_id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    /** 'draft', 'published' or 'release:<n>'. */
    target: text('target').notNull(),
    /** The model asked for; null: the business's own setting (or the deployment's default). */
    model: text('model'),
    repeat: integer('repeat').notNull().default(1),
    /** The cases, fixed when the run is created. */
    testCaseIds: jsonb('test_case_ids').$type<string[]>().notNull(),
    stageId: uuid('stage_id'),
    /** For a run of the draft: the draft's content hash when the run was made (has the draft changed since?). */
    configHash: text('config_hash'),
    /** queued → running → completed | failed */
    status: text('status').notNull().default('queued'),
    total: integer('total').notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    error: text('error'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('test_runs_business_created_idx').on(t.businessId, t.createdAt),
    index('test_runs_unfinished_idx').on(t.leaseUntil).where(sql`${t.status} IN ('queued', 'running')`),
  ],
);

/** One execution of one case in a run (a case repeated N times has N rows), with its steps and checks. */
export const testRunResults = pgTable(
  'test_run_results',
  {
    testRunResultId: uuid('test_run_result_id').primaryKey().defaultRandom(),
    testRunId: uuid('test_run_id')
      .notNull()
      .references(() => testRuns.testRunId, { onDelete: 'cascade' }),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.businessId, { onDelete: 'cascade' }),
    /** The case as it was run (a later edit or deletion does not change the result). */
    testCaseId: uuid('test_case_id').notNull(),
    caseName: text('case_name').notNull(),
    iteration: integer('iteration').notNull(),
    passed: boolean('passed').notNull(),
    reply: text('reply').notNull().default(''),
    stageId: uuid('stage_id'),
    extractedData: jsonb('extracted_data').$type<Record<string, unknown>>().notNull().default({}),
    /** Per step: the ProcessingStep (prompt, answer, latency, tokens, cost) and its checks. */
    steps: jsonb('steps').$type<unknown[]>().notNull().default([]),
    latencyMs: integer('latency_ms').notNull().default(0),
    tokensIn: integer('tokens_in').notNull().default(0),
    tokensOut: integer('tokens_out').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('test_run_results_run_case_iteration_unique').on(t.testRunId, t.testCaseId, t.iteration),
    index('test_run_results_business_idx').on(t.businessId),
  ],
);
