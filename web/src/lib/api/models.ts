import type { components, paths } from './schema';

/**
 * Named model types for components, derived from the generated `paths` (not from
 * `components.schemas`, whose names the server may change). The fetch functions need none of these:
 * openapi-fetch infers their return types. When the server drops a field, the component using it
 * stops compiling.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Success<R> = R extends { 200: infer S } ? Json<S> : R extends { 201: infer S } ? Json<S> : never;

/** The JSON body of the success (200, else 201) response of `method path`. */
export type ResponseOf<P extends keyof paths, M extends Method> = paths[P][M] extends {
  responses: infer R;
}
  ? Success<R>
  : never;

export type Me = ResponseOf<'/api/auth/me', 'get'>;
export type RuntimeInfo = ResponseOf<'/api/settings/runtime', 'get'>;

export type Business = ResponseOf<'/api/businesses/{business_id}', 'get'>;
export type LlmUsage = ResponseOf<'/api/analytics/llm-usage', 'get'>;
export type BusinessWithKey = ResponseOf<'/api/businesses', 'post'>;
export type Agent = ResponseOf<'/api/agents/{agent_id}', 'get'>;
export type EndUser = ResponseOf<'/api/users', 'get'>['users'][number];

export type Template = ResponseOf<'/api/templates/{template_id}', 'get'>;
export type Field = ResponseOf<'/api/businesses/{business_id}/fields/{name}', 'get'>;
export type FieldType = Field['type'];
export type TemplateType = Template['template_type'];
export type TemplateVersion = ResponseOf<'/api/templates/{template_id}/versions', 'get'>['versions'][number];
export type TemplateVariable = ResponseOf<'/api/template-variables', 'get'>['variables'][number];
export type RenderResult = ResponseOf<'/api/templates/{template_id}/render', 'post'>;
export type TemplateTestResult = ResponseOf<'/api/templates/{template_id}/test', 'post'>;

export type Stage = ResponseOf<'/api/stages/{stage_id}', 'get'>;
/** A stage's transition rule, evaluated in order before the selection call (issue 16). */
export type TransitionRule = Stage['transition_rules'][number];
export type StageTransitionCount = ResponseOf<'/api/stages/transitions', 'get'>['transitions'][number];

/** A row of the conversation list (carries `ai_stopped`, not `ai_control`). */
export type ConversationSummary = ResponseOf<'/api/conversations', 'get'>['conversations'][number];
export type ConversationDetail = ResponseOf<'/api/conversations/{conversation_id}', 'get'>;
export type Conversation = ConversationDetail['conversation'];
export type StageTransition = ConversationDetail['stage_transitions'][number];
export type Message = ConversationDetail['messages'][number];
export type AiControl = ConversationDetail['conversation']['ai_control'];
export type LlmCall = ResponseOf<'/api/llm-calls', 'get'>['llm_calls'][number];
/** The live inbox (issue 11). */
export type Customer = ConversationDetail['customer'];
export type ConversationChannel = NonNullable<
  NonNullable<paths['/api/conversations']['get']['parameters']['query']>['channel']
>;
export type Note = ResponseOf<'/api/conversations/{conversation_id}/notes', 'get'>['notes'][number];
export type CannedReply = ResponseOf<'/api/canned-replies', 'get'>['canned_replies'][number];

export type MessageResponse = ResponseOf<'/api/message', 'post'>;
export type ProcessingStep = MessageResponse['processing_steps'][number];

export type AnalyticsOverview = ResponseOf<'/api/analytics/overview', 'get'>;
export type AnalyticsDay = AnalyticsOverview['per_day'][number];
export type AnalyticsFunnelStage = AnalyticsOverview['stage_funnel'][number];
export type AnalyticsLlmStep = AnalyticsOverview['llm']['per_step'][number];
export type AnalyticsFillRate = AnalyticsOverview['extraction']['fill_rates'][number];
export type StageAnalytics = ResponseOf<'/api/analytics/stages', 'get'>;
export type StageInsight = StageAnalytics['stages'][number];

export type Channels = ResponseOf<'/api/businesses/{business_id}/channels', 'get'>;
export type WhatsAppChannel = Channels['whatsapp'];
export type MessengerChannel = Channels['messenger'];
export type WebChannel = Channels['web'];

type AuditLogPath = paths['/api/businesses/{business_id}/audit-log']['get'];
export type AuditEntry = ResponseOf<'/api/businesses/{business_id}/audit-log', 'get'>['entries'][number];
export type AuditActor = AuditEntry['actor'];
export type AuditLogQuery = NonNullable<AuditLogPath['parameters']['query']>;
export type AuditEntityType = NonNullable<AuditLogQuery['entity_type']>;

/** Team accounts (api.md "Team accounts and roles"). `Me` is one object whose `role` says which fields are set. */
export type AccountUser = NonNullable<Me['user']>;
export type Membership = NonNullable<Me['memberships']>[number];
export type MemberRole = Membership['role'];
export type SetupStatus = ResponseOf<'/api/auth/setup', 'get'>;
export type AuthSession = ResponseOf<'/api/auth/sessions', 'get'>['sessions'][number];
export type Member = ResponseOf<'/api/businesses/{business_id}/members', 'get'>['members'][number];
export type Invitation = ResponseOf<'/api/invitations/{token}', 'get'>;
export type CreatedInvitation = ResponseOf<'/api/businesses/{business_id}/members', 'post'>;
export type PendingInvitation = ResponseOf<
  '/api/businesses/{business_id}/invitations',
  'get'
>['invitations'][number];
export type ApiKey = ResponseOf<'/api/businesses/{business_id}/api-keys', 'get'>['api_keys'][number];
export type KeyScope = ApiKey['scopes'][number];
export type CreatedApiKey = ResponseOf<'/api/businesses/{business_id}/api-keys', 'post'>;

/** The live inbox stream's events (`data` of GET /api/conversations/events). */
export type ConversationEvent = components['schemas']['ConversationEvent'];

export type ReleaseList = ResponseOf<'/api/businesses/{business_id}/releases', 'get'>;
export type ReleaseSummary = ReleaseList['releases'][number];
export type ReleaseStatus = ResponseOf<'/api/businesses/{business_id}/releases/status', 'get'>;
export type ConfigurationDiff = ResponseOf<'/api/businesses/{business_id}/releases/diff', 'get'>;
