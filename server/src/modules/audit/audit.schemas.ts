import { type Static, Type } from '@sinclair/typebox';
import { ListResponse, Nullable, PageQuery, Timestamp, Uuid } from '../../lib/schemas.js';

/** What an audit entry may be about; the `entity_type` filter accepts exactly these. */
export const AuditEntityType = Type.Union([
  Type.Literal('business'),
  Type.Literal('template'),
  Type.Literal('stage'),
  Type.Literal('agent'),
  Type.Literal('channel'),
  Type.Literal('api_key'),
  Type.Literal('conversation'),
  Type.Literal('member'),
  Type.Literal('invitation'),
  Type.Literal('canned_reply'),
  Type.Literal('release'),
  Type.Literal('configuration'),
  Type.Literal('field'),
]);
export type AuditEntityType = Static<typeof AuditEntityType>;

const ActorType = Type.Union([Type.Literal('account'), Type.Literal('api_key'), Type.Literal('master')]);
const ACTOR_TYPES = ActorType.anyOf.map((literal) => literal.const);

const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const AuditActorSchema = Type.Object(
  {
    type: ActorType,
    id: Nullable(Type.String({ description: 'The account or key id; null for the master key' })),
    name: Type.String({ description: "The account's or key's name at the time of the change" }),
  },
  { $id: 'AuditActor' },
);

export const AuditEntry = Type.Object(
  {
    id: Uuid,
    at: Timestamp,
    actor: AuditActorSchema,
    action: Type.String({
      description:
        'create, update, delete, restore (a template version or a release), rotate_key, ai_stop, ai_resume, take_over, give_back, publish (a release), import (a configuration document)',
    }),
    entity_type: Type.String({ description: AuditEntityType.anyOf.map((l) => l.const).join(', ') }),
    entity_id: Nullable(
      Type.String({ description: 'A uuid; for a channel its name (whatsapp, messenger, web)' }),
    ),
    before: Type.Union([JsonObject, Type.Null()], {
      description: "The entity's public JSON before the change; null for a create",
    }),
    after: Type.Union([JsonObject, Type.Null()], {
      description: "The entity's public JSON after the change; null for a delete",
    }),
    details: Type.Union([JsonObject, Type.Null()], {
      description: 'Context the snapshots do not show, such as the version a template was restored from',
    }),
  },
  { $id: 'AuditEntry' },
);
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditEntryList = ListResponse('entries', AuditEntry);

/** `actor`: an actor type, or the id of an account or key (a UUID). */
export const ACTOR_FILTER_PATTERN = `^(${ACTOR_TYPES.join('|')}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`;

export const AuditLogQuery = Type.Object({
  actor: Type.Optional(
    Type.String({
      pattern: ACTOR_FILTER_PATTERN,
      description: 'An actor type (account, api_key, master) or the id of an account or API key',
    }),
  ),
  entity_type: Type.Optional(AuditEntityType),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Changes at or after this instant' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Changes at or before this instant' })),
  ...PageQuery,
});
export type AuditLogQuery = Static<typeof AuditLogQuery>;
