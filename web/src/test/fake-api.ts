/**
 * A tiny in-memory fake of the ICMP HTTP API (api.md), installed as `fetch`. It is the only thing
 * the component tests replace: every component, hook and api function under test is real.
 */
import { vi } from 'vitest';
import type {
  CannedReply,
  Customer,
  InboxConversationDetail,
  InboxConversationSummary,
  Note,
} from '@/lib/api/inbox-models';
import type {
  AccountUser,
  Agent,
  AiControl,
  AnalyticsDay,
  AnalyticsOverview,
  ApiKey,
  AuditEntry,
  AuthSession,
  Business,
  Channels,
  ConfigurationDiff,
  ConversationSummary,
  Field,
  Invitation,
  LlmCall,
  Me,
  Member,
  MemberRole,
  Membership,
  Message,
  PendingInvitation,
  ReleaseStatus,
  ReleaseSummary,
  Stage,
  StageInsight,
  StageTransition,
  StageTransitionCount,
  Template,
  TemplateVariable,
  TemplateVersion,
} from '@/lib/api/models';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Handler = (req: RecordedRequest, params: Record<string, string>) => Response | Promise<Response>;

export const BUSINESS_ID = '11111111-1111-4111-8111-111111111111';

let seq = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
const now = () => new Date(Date.UTC(2026, 2, 12, 14, 5, seq)).toISOString();

export function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
  });
}
export function apiError(
  status: number,
  code: string,
  message: string,
  fieldErrors?: Record<string, string>,
): Response {
  return json(status, {
    error: { code, message, details: fieldErrors ? { field_errors: fieldErrors } : {} },
  });
}
/** GET /api/businesses/{id}/channels as a business with nothing connected sees it. */
export function makeChannels(): Channels {
  const key = 'pk_test_publishable_key_000000000000';
  return {
    whatsapp: {
      phone_number_id: null,
      has_access_token: false,
      has_app_secret: false,
      has_verify_token: false,
      webhook_url: 'https://icmp.example.com/webhook/whatsapp',
      connected: false,
    },
    messenger: {
      page_id: null,
      has_page_access_token: false,
      has_app_secret: false,
      has_verify_token: false,
      webhook_url: 'https://icmp.example.com/webhook/messenger',
      connected: false,
    },
    web: {
      enabled: false,
      publishable_key: key,
      allowed_origins: [],
      title: 'Chat with us',
      greeting: 'Hi! How can we help you today?',
      color: '#1565c0',
      snippet: `<script src="https://icmp.example.com/widget.js" data-key="${key}" async></script>`,
    },
  };
}

/** Whole response objects (every field the server sends, typed by the generated schema) from the parts a test cares about. */
export function makeBusiness(b: Partial<Business> = {}): Business {
  return {
    business_id: BUSINESS_ID,
    business_name: 'Acme Bikes',
    business_description: '',
    address: null,
    phone_number: null,
    website: null,
    owner_id: null,
    first_stage_id: null,
    settings: {},
    has_api_key: true,
    created_at: now(),
    updated_at: now(),
    ...b,
  };
}

/** An audit entry; by default the business key updating something. */
export function makeAuditEntry(e: Partial<AuditEntry> & Pick<AuditEntry, 'entity_type'>): AuditEntry {
  return {
    id: uuid(),
    at: now(),
    actor: { type: 'api_key', id: null, name: 'business key' },
    action: 'update',
    entity_id: uuid(),
    before: null,
    after: null,
    details: null,
    ...e,
  };
}

export function makeAgent(a: Partial<Agent> & Pick<Agent, 'agent_id' | 'agent_name'>): Agent {
  return { business_id: BUSINESS_ID, agent_type: 'ai', created_at: now(), updated_at: now(), ...a };
}

export function makeConversation(
  c: Partial<InboxConversationSummary> & Pick<ConversationSummary, 'conversation_id' | 'user_id'>,
): InboxConversationSummary {
  return {
    assignee_id: null,
    assignee_name: null,
    waiting_since: null,
    unread_count: 0,
    business_id: BUSINESS_ID,
    user_name: '',
    stage_id: null,
    stage_name: null,
    agent_id: null,
    status: 'active',
    channel: 'api',
    session_id: null,
    start_time: now(),
    last_updated: now(),
    message_count: 0,
    last_message: null,
    collected_data: {},
    ai_stopped: false,
    ...c,
  };
}

export function makeMessage(
  m: Partial<Message> & Pick<Message, 'message_id' | 'conversation_id' | 'sender_type' | 'message_content'>,
): Message {
  return {
    sequence_number: 1,
    channel: 'api',
    external_message_id: null,
    status: 'processed',
    delivery_status: null,
    delivery_error: null,
    stage_id: null,
    reply_to_message_id: null,
    created_at: now(),
    extracted_data: null,
    ...m,
  };
}

export function makeTransition(
  t: Partial<StageTransition> & Pick<StageTransition, 'to_stage_id'>,
): StageTransition {
  return {
    stage_transition_id: uuid(),
    from_stage_id: null,
    from_stage_name: null,
    to_stage_name: null,
    message_id: null,
    reason: null,
    created_at: now(),
    ...t,
  };
}

export function makeLlmCall(
  c: Partial<LlmCall> & Pick<LlmCall, 'llm_call_id' | 'call_type' | 'prompt'>,
): LlmCall {
  return {
    business_id: BUSINESS_ID,
    conversation_id: null,
    message_id: null,
    template_id: null,
    stage_id: null,
    provider: 'offline',
    model: 'offline',
    system_prompt: '',
    response: null,
    tokens_in: 0,
    tokens_out: 0,
    latency_ms: 0,
    cost_usd: 0,
    status: 'success',
    error: null,
    error_detail: null,
    created_at: now(),
    ...c,
  };
}

/** A signed-in team account: one membership per entry of `roles` (the first is Acme Bikes). */
export function memberMe(
  memberships: { business_id?: string; business_name?: string; role: MemberRole }[],
  user: Partial<AccountUser> = {},
): Me & { user: AccountUser; memberships: Membership[] } {
  return {
    role: 'member',
    user: { id: 'u-1', email: 'sam@example.com', name: 'Sam Doe', is_admin: false, ...user },
    memberships: memberships.map((m, i) => ({
      business_id: m.business_id ?? (i === 0 ? BUSINESS_ID : uuid()),
      business_name: m.business_name ?? (i === 0 ? 'Acme Bikes' : `Business ${i + 1}`),
      role: m.role,
    })),
  };
}

export function makeMember(m: Partial<Member> & Pick<Member, 'email' | 'role'>): Member {
  return {
    member_id: uuid(),
    account_id: uuid(),
    name: m.email.split('@')[0] ?? '',
    created_at: now(),
    ...m,
  };
}

export function makeApiKey(k: Partial<ApiKey> & Pick<ApiKey, 'name'>): ApiKey {
  return {
    key_id: uuid(),
    business_id: BUSINESS_ID,
    is_primary: false,
    prefix: `icmp_${String(seq).padStart(4, '0')}`,
    scopes: ['messages'],
    created_by: null,
    created_at: now(),
    last_used_at: null,
    expires_at: null,
    ...k,
  };
}

export function makeAuthSession(s: Partial<AuthSession> = {}): AuthSession {
  return {
    session_id: uuid(),
    current: false,
    device: 'Firefox on Linux',
    ip_address: '203.0.113.7',
    created_at: now(),
    last_seen_at: now(),
    expires_at: now(),
    ...s,
  };
}

const list = <K extends string, T>(key: K, items: T[]) => ({
  [key]: items,
  total: items.length,
  page: 1,
  per_page: 100,
});

export const CATALOGUE: TemplateVariable[] = [
  {
    name: 'message_content',
    description: "The customer's new message",
    category: 'message',
    example: 'Where is my order #12345?',
  },
  { name: 'business_name', description: "The business's name", category: 'business', example: 'Acme Bikes' },
  { name: 'user_name', description: "The customer's name when known", category: 'user', example: 'Jane Doe' },
  {
    name: 'available_stages',
    description: 'The stages as "name: description" lines',
    category: 'stages',
    example: 'Greeting: hello',
  },
  {
    name: 'conversation_history',
    description: 'Recent messages, oldest first',
    category: 'history',
    example: 'User: Hi',
  },
  {
    name: 'extracted_data',
    description: 'JSON of the facts collected',
    category: 'data',
    example: '{"email": "jane@example.com"}',
  },
];

const DAY_MS = 86_400_000;
const utcDay = (t: number) => new Date(t).toISOString().slice(0, 10);

type AnalyticsBody = Omit<AnalyticsOverview, 'business_id' | 'from' | 'to' | 'per_day'>;
type DayCounts = Omit<AnalyticsDay, 'date'>;

/** What the server answers for a business without traffic in the range. */
export function emptyAnalytics(): AnalyticsBody {
  return {
    totals: {
      conversations: 0,
      new_conversations: 0,
      active_conversations: 0,
      messages: 0,
      user_messages: 0,
      assistant_messages: 0,
      agent_messages: 0,
      users: 0,
      fallback_replies: 0,
      ai_stopped_messages: 0,
    },
    stage_funnel: [
      {
        stage_id: '22222222-2222-4222-8222-000000000001',
        stage_name: 'Greeting',
        conversations_entered: 0,
        conversations_current: 0,
        transitions_in: 0,
        transitions_out: 0,
      },
    ],
    llm: {
      calls: 0,
      errors: 0,
      error_rate: 0,
      latency_ms: { p50: null, p95: null, p99: null },
      tokens_in: 0,
      tokens_out: 0,
      cost_usd: 0,
      per_step: [],
    },
    extraction: { messages_with_facts: 0, fill_rates: [] },
  };
}

/** A consistent month of traffic: per-step sums match the LLM totals, per-day sums match the totals. */
export function sampleAnalytics(): { body: AnalyticsBody; days: Record<number, DayCounts> } {
  const stage = (n: number, name: string, entered: number, current: number, tin: number, tout: number) => ({
    stage_id: `22222222-2222-4222-8222-00000000000${n}`,
    stage_name: name,
    conversations_entered: entered,
    conversations_current: current,
    transitions_in: tin,
    transitions_out: tout,
  });
  return {
    body: {
      totals: {
        conversations: 12,
        new_conversations: 10,
        active_conversations: 11,
        messages: 58,
        user_messages: 29,
        assistant_messages: 27,
        agent_messages: 2,
        users: 11,
        fallback_replies: 3,
        ai_stopped_messages: 1,
      },
      stage_funnel: [
        stage(1, 'Greeting', 12, 3, 0, 9),
        stage(2, 'Order status', 6, 5, 6, 1),
        stage(3, 'Booking', 4, 3, 4, 1),
        stage(4, 'Complaint', 1, 1, 1, 0),
      ],
      llm: {
        calls: 81,
        errors: 2,
        error_rate: 2 / 81,
        latency_ms: { p50: 612, p95: 1840.5, p99: 2310 },
        tokens_in: 48210,
        tokens_out: 6120,
        cost_usd: 0.0873,
        per_step: [
          {
            call_type: 'stage_selection',
            calls: 29,
            errors: 0,
            p50_ms: 402,
            p95_ms: 988,
            tokens_in: 14500,
            tokens_out: 290,
            cost_usd: 0.0213,
          },
          {
            call_type: 'data_extraction',
            calls: 27,
            errors: 1,
            p50_ms: 530.5,
            p95_ms: 1412,
            tokens_in: 12410,
            tokens_out: 1830,
            cost_usd: 0.0198,
          },
          {
            call_type: 'response_generation',
            calls: 25,
            errors: 1,
            p50_ms: 1104,
            p95_ms: 2206,
            tokens_in: 21300,
            tokens_out: 4000,
            cost_usd: 0.0462,
          },
        ],
      },
      extraction: {
        messages_with_facts: 17,
        fill_rates: [
          { key: 'name', conversations: 9, rate: 0.75 },
          { key: 'email', conversations: 6, rate: 0.5 },
          { key: 'order_number', conversations: 5, rate: 5 / 12 },
          { key: 'phone', conversations: 2, rate: 2 / 12 },
        ],
      },
    },
    // Days before today (UTC) → counts; every other day of the range is zero.
    days: {
      0: { conversations: 2, messages: 10, llm_calls: 14, errors: 0 },
      1: { conversations: 3, messages: 16, llm_calls: 22, errors: 1 },
      3: { conversations: 1, messages: 6, llm_calls: 9, errors: 0 },
      5: { conversations: 2, messages: 12, llm_calls: 17, errors: 1 },
      12: { conversations: 2, messages: 14, llm_calls: 19, errors: 0 },
    },
  };
}

export class FakeApi {
  requests: RecordedRequest[] = [];
  me: Me | null = {
    role: 'business',
    business_id: BUSINESS_ID,
    business_name: 'Acme Bikes',
  };
  business: Business = makeBusiness();
  channels: Channels = makeChannels();
  templates: Template[] = [];
  versions = new Map<string, TemplateVersion[]>();
  stages: Stage[] = [];
  agents: Agent[] = [];
  conversations: InboxConversationSummary[] = [];
  /** Internal notes (GET/POST /api/conversations/{id}/notes). */
  notes: Note[] = [];
  cannedReplies: CannedReply[] = [];
  fields: Field[] = [];
  /** The detail's `customer`, by user id (else one built from the conversation). */
  customers = new Map<string, Customer>();
  /** The detail's `ai_control`, by conversation id (the list carries only `ai_stopped`). */
  aiControl = new Map<string, AiControl>();
  messages: Message[] = [];
  transitions: StageTransition[] = [];
  /** GET /api/stages/transitions: observed moves between stages (from null: conversation start). */
  transitionCounts: StageTransitionCount[] = [];
  llmCalls: LlmCall[] = [];
  /** GET /api/businesses/{id}/audit-log, newest first; filtered by entity_type and actor (type or id). */
  auditEntries: AuditEntry[] = [];
  /** GET /api/analytics/overview: everything but the range and `per_day`, which follow the query. */
  analytics: AnalyticsBody = emptyAnalytics();
  /** Per-day counts, keyed by days before today (UTC); `seedAnalytics()` fills both. */
  analyticsDays: Record<number, DayCounts> = {};
  /** GET /api/analytics/stages: the stages' rows (the range follows the query). */
  stageInsights: StageInsight[] = [];
  /** GET /api/analytics/llm-usage: this month's spend; the budget comes from the business's settings. */
  llmSpentUsd = 0;
  /** GET /api/auth/setup */
  hasAccounts = true;
  members: Member[] = [];
  /** Pending invitations: made with POST …/members, listed by GET …/invitations. */
  invitations: PendingInvitation[] = [];
  /** GET /api/invitations/:token, by token. */
  invitationViews = new Map<string, Invitation>();
  /** E-mails that already have an account (accepting an invitation without a session answers 409). */
  existingEmails: string[] = [];
  apiKeys: ApiKey[] = [];
  authSessions: AuthSession[] = [];
  /** GET /api/businesses/{id}/releases, newest first; a publish adds one and clears `draftChanged`. */
  releases: ReleaseSummary[] = [];
  draftChanged = true;
  /** GET /api/businesses/{id}/releases/status `last_test_run`. */
  lastTestRun: ReleaseStatus['last_test_run'] = null;
  /** GET …/releases/diff answers this whatever the sides. */
  releaseDiff: ConfigurationDiff = {
    from: '1',
    to: 'draft',
    changed: false,
    settings: [],
    stages: [],
    templates: [],
  };
  /** Per-route overrides, for error cases: `fake.override('PUT /api/templates/:id', () => apiError(...))`. */
  overrides = new Map<string, Handler>();
  private routes: [string, RegExp, string[], Handler][] = [];

  constructor() {
    this.seedDefaults();
    this.defineRoutes();
  }

  addTemplate(t: Partial<Template> & Pick<Template, 'template_name' | 'template_type'>): Template {
    const tpl: Template = {
      template_id: uuid(),
      business_id: BUSINESS_ID,
      content: '',
      system_prompt: '',
      is_default: false,
      version: 1,
      created_at: now(),
      updated_at: now(),
      ...t,
    };
    this.templates.push(tpl);
    this.versions.set(tpl.template_id, [
      {
        template_id: tpl.template_id,
        version: 1,
        content: tpl.content,
        system_prompt: tpl.system_prompt,
        template_name: tpl.template_name,
        created_at: now(),
      },
    ]);
    return tpl;
  }

  addStage(s: Partial<Stage> & Pick<Stage, 'stage_name'>): Stage {
    const pick = (type: string) => this.templates.find((t) => t.template_type === type)?.template_id ?? '';
    const stage: Stage = {
      stage_id: uuid(),
      business_id: BUSINESS_ID,
      agent_id: null,
      stage_description: '',
      stage_type: 'conversation',
      stage_selection_template_id: pick('stage_selection'),
      data_extraction_template_id: pick('data_extraction'),
      response_generation_template_id: pick('response_generation'),
      stage_selection_template_name: null,
      data_extraction_template_name: null,
      response_generation_template_name: null,
      fallback_reply: null,
      handoff: false,
      required_fields: [],
      optional_fields: [],
      allowed_next_stage_ids: null,
      transition_rules: [],
      created_at: now(),
      updated_at: now(),
      ...s,
    };
    this.stages.push(stage);
    return stage;
  }

  private seedDefaults() {
    this.addTemplate({
      template_name: 'Default selection',
      template_type: 'default_stage_selection',
      is_default: true,
      content: 'Stages:\n{{available_stages}}\nMessage: {{message_content}}',
    });
    this.addTemplate({
      template_name: 'Default extraction',
      template_type: 'default_data_extraction',
      is_default: true,
      content: 'Extract facts from: {{message_content}}',
      system_prompt: 'Answer in JSON.',
    });
    this.addTemplate({
      template_name: 'Default response',
      template_type: 'default_response_generation',
      is_default: true,
      content: 'You work for {{business_name}}. Reply to {{message_content}}',
    });
  }

  seedAnalytics() {
    const { body, days } = sampleAnalytics();
    this.analytics = body;
    this.analyticsDays = days;
    return this;
  }

  override(route: string, handler: Handler) {
    this.overrides.set(route, handler);
  }

  private on(method: string, pattern: string, handler: Handler) {
    const names: string[] = [];
    const source = pattern.replace(/:([a-z_]+)/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    const re = new RegExp(`^${source}$`);
    this.routes.push([`${method} ${pattern}`, re, names, handler]);
  }

  private defineReleaseRoutes() {
    const published = () => this.releases[0]?.number ?? null;
    const addRelease = (note: string, restoredFrom: number | null) => {
      const release: ReleaseSummary = {
        number: (published() ?? 0) + 1,
        note,
        author: { type: 'account', id: 'acc-1', name: 'Ana Editor' },
        created_at: now(),
        content_hash: 'hash',
        restored_from: restoredFrom,
        stage_count: this.stages.length,
        template_count: this.templates.length,
      };
      this.releases.unshift(release);
      this.draftChanged = false;
      return json(201, {
        ...release,
        configuration: { settings: {}, entry_stage_id: null, stages: [], templates: [] },
      });
    };
    this.on('GET', '/api/businesses/:id/releases', () =>
      json(200, {
        releases: this.releases,
        published: published(),
        draft_changed: this.draftChanged,
        draft_hash: 'draft',
      }),
    );
    this.on('GET', '/api/businesses/:id/releases/status', () =>
      json(200, {
        published: published(),
        published_at: this.releases[0]?.created_at ?? null,
        draft_changed: this.draftChanged,
        last_test_run: this.lastTestRun,
      }),
    );
    this.on('GET', '/api/businesses/:id/releases/diff', () => json(200, this.releaseDiff));
    this.on('POST', '/api/businesses/:id/releases', (r) => {
      if (this.releases.length > 0 && !this.draftChanged)
        return apiError(409, 'CONFLICT', `The draft equals release ${published()}: nothing to publish`);
      return addRelease(((r.body as { note?: string }).note ?? '').trim(), null);
    });
    this.on('POST', '/api/businesses/:id/releases/:number/restore', (_r, p) => {
      const n = Number(p.number);
      if (!this.releases.some((x) => x.number === n))
        return apiError(404, 'NOT_FOUND', `Release ${n} not found`);
      return addRelease(`Restored release ${n}`, n);
    });
  }

  private defineFieldRoutes() {
    this.on('GET', '/api/businesses/:id/fields', () => json(200, { fields: this.fields }));
    this.on('POST', '/api/businesses/:id/fields', (r) => {
      const b = r.body as Field;
      if (this.fields.some((f) => f.name === b.name))
        return apiError(409, 'CONFLICT', `A field named "${b.name}" already exists`, { name: 'is taken' });
      const field: Field = { ...b, description: b.description ?? '', pii: b.pii ?? false };
      this.fields.push(field);
      return json(201, field);
    });
    this.on('PUT', '/api/businesses/:id/fields/:name', (r, p) => {
      const f = this.fields.find((x) => x.name === p.name);
      if (!f) return apiError(404, 'NOT_FOUND', 'Field not found');
      Object.assign(f, r.body as object);
      return json(200, f);
    });
    this.on('DELETE', '/api/businesses/:id/fields/:name', (_r, p) => {
      if (this.stages.some((s) => [...s.required_fields, ...s.optional_fields].includes(p.name as string)))
        return apiError(409, 'CONFLICT', `The field "${p.name}" is a goal of a stage`);
      this.fields = this.fields.filter((f) => f.name !== p.name);
      return json(204, undefined);
    });
  }

  private defineRoutes() {
    this.defineFieldRoutes();
    this.on('GET', '/api/auth/me', () =>
      this.me ? json(200, this.me) : apiError(401, 'AUTHENTICATION_ERROR', 'Not signed in'),
    );
    this.on('POST', '/api/auth/login', () => apiError(401, 'AUTHENTICATION_ERROR', 'Invalid API key'));
    this.on('POST', '/api/save-config', () => apiError(401, 'AUTHENTICATION_ERROR', 'Invalid API key'));
    this.on('POST', '/api/auth/logout', () => {
      this.me = null;
      return json(204, undefined);
    });
    this.defineTeamRoutes();
    this.on('GET', '/api/settings/runtime', () =>
      json(200, { llm_mode: 'offline', model: null, version: 'test' }),
    );
    this.on('GET', '/api/businesses/:id', () => json(200, this.business));
    this.on('PATCH', '/api/businesses/:id', (r) => {
      const body = r.body as Partial<Business>;
      // Like the server: settings merge into the stored ones, and a null removes one.
      const settings = Object.fromEntries(
        Object.entries({ ...this.business.settings, ...body.settings }).filter(([, v]) => v !== null),
      );
      this.business = { ...this.business, ...body, settings };
      return json(200, this.business);
    });
    this.on('GET', '/api/analytics/llm-usage', () => {
      const budget = this.business.settings.llm_budget_usd ?? null;
      const now = new Date();
      return json(200, {
        month: now.toISOString().slice(0, 7),
        spent_usd: this.llmSpentUsd,
        calls: this.llmSpentUsd > 0 ? 42 : 0,
        budget_usd: budget,
        remaining_usd: budget === null ? null : Math.max(0, budget - this.llmSpentUsd),
        at_budget: budget !== null && this.llmSpentUsd >= budget,
        resets_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
      });
    });
    this.defineChannelRoutes();
    this.on('GET', '/api/agents', () => json(200, list('agents', this.agents)));
    this.on('GET', '/api/template-variables', () => json(200, { variables: CATALOGUE }));
    this.on('GET', '/api/templates', (r) => {
      const type = r.query.get('template_type');
      return json(
        200,
        list(
          'templates',
          this.templates.filter((t) => !type || t.template_type === type),
        ),
      );
    });
    this.on('POST', '/api/templates', (r) => {
      const b = r.body as Template;
      if (!b.template_name)
        return apiError(400, 'VALIDATION_ERROR', 'Invalid body', { template_name: 'is required' });
      const t = this.addTemplate(b);
      return json(201, { ...t, warnings: [] });
    });
    this.on('GET', '/api/templates/:id', (_r, p) => {
      const t = this.templates.find((x) => x.template_id === p.id);
      return t ? json(200, t) : apiError(404, 'NOT_FOUND', 'Template not found');
    });
    this.on('PUT', '/api/templates/:id', (r, p) => {
      const t = this.templates.find((x) => x.template_id === p.id);
      if (!t) return apiError(404, 'NOT_FOUND', 'Template not found');
      Object.assign(t, r.body as object, { updated_at: now() });
      const vs = this.versions.get(t.template_id) ?? [];
      vs.push({
        template_id: t.template_id,
        version: vs.length + 1,
        content: t.content,
        system_prompt: t.system_prompt,
        template_name: t.template_name,
        created_at: now(),
      });
      return json(200, { ...t, warnings: [] });
    });
    this.on('GET', '/api/templates/:id/versions', (_r, p) =>
      json(200, { versions: this.versions.get(p.id as string) ?? [] }),
    );
    this.on('POST', '/api/templates/:id/versions/:version/restore', (_r, p) => {
      const t = this.templates.find((x) => x.template_id === p.id);
      const v = this.versions.get(p.id as string)?.find((x) => x.version === Number(p.version));
      if (!t || !v) return apiError(404, 'NOT_FOUND', 'Version not found');
      Object.assign(t, { content: v.content, system_prompt: v.system_prompt, updated_at: now() });
      return json(200, t);
    });
    this.on('POST', '/api/templates/:id/render', (r, p) => {
      const t = this.templates.find((x) => x.template_id === p.id);
      if (!t) return apiError(404, 'NOT_FOUND', 'Template not found');
      const body = r.body as { variables?: Record<string, string>; content?: string; system_prompt?: string };
      const vars = body.variables ?? {};
      const used: string[] = [];
      const missing: string[] = [];
      const render = (s: string) =>
        s.replace(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g, (_, n: string) => {
          used.push(n);
          if (vars[n] === undefined) missing.push(n);
          return vars[n] ?? '';
        });
      return json(200, {
        rendered_content: render(body.content ?? t.content),
        rendered_system_prompt: render(body.system_prompt ?? t.system_prompt ?? ''),
        variables_used: [...new Set(used)],
        missing_variables: [...new Set(missing)],
      });
    });
    this.on('GET', '/api/stages', (r) => {
      const agent = r.query.get('agent_id');
      return json(
        200,
        list(
          'stages',
          this.stages.filter((s) => !agent || s.agent_id === agent),
        ),
      );
    });
    this.on('POST', '/api/stages', (r) => {
      const b = r.body as Stage;
      if (this.stages.some((s) => s.stage_name === b.stage_name)) {
        return apiError(409, 'CONFLICT', 'A stage with this name already exists', {
          stage_name: 'already used by another stage',
        });
      }
      return json(201, this.addStage(b));
    });
    this.on('GET', '/api/stages/transitions', () => json(200, { transitions: this.transitionCounts }));
    this.on('GET', '/api/stages/:id', (_r, p) => {
      const s = this.stages.find((x) => x.stage_id === p.id);
      return s ? json(200, s) : apiError(404, 'NOT_FOUND', 'Stage not found');
    });
    this.on('PUT', '/api/stages/:id', (r, p) => {
      const s = this.stages.find((x) => x.stage_id === p.id);
      if (!s) return apiError(404, 'NOT_FOUND', 'Stage not found');
      Object.assign(s, r.body as object);
      return json(200, s);
    });
    this.on('POST', '/api/message', (r) => {
      const b = r.body as { content?: string };
      if (!b.content) return apiError(400, 'VALIDATION_ERROR', 'Invalid body', { content: 'is required' });
      return this.streamMessage();
    });
    this.on('GET', '/api/analytics/overview', (r) => {
      // Same range rules as the server: `to` defaults to now, `from` to 30 days before `to`.
      const to = r.query.get('to') ? new Date(r.query.get('to') as string) : new Date();
      const from = r.query.get('from')
        ? new Date(r.query.get('from') as string)
        : new Date(to.getTime() - 30 * DAY_MS);
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
        return apiError(400, 'VALIDATION_ERROR', 'Invalid from', { from: 'must be a date-time' });
      if (from > to)
        return apiError(400, 'VALIDATION_ERROR', 'from must not be after to', {
          from: 'must not be after to',
        });
      const today = Date.parse(utcDay(Date.now()));
      const perDay: AnalyticsDay[] = [];
      for (let t = Date.parse(utcDay(from.getTime())); t <= to.getTime(); t += DAY_MS) {
        const counts = this.analyticsDays[Math.round((today - t) / DAY_MS)];
        perDay.push({
          date: utcDay(t),
          ...(counts ?? { conversations: 0, messages: 0, llm_calls: 0, errors: 0 }),
        });
      }
      const overview: AnalyticsOverview = {
        business_id: r.query.get('business_id') ?? BUSINESS_ID,
        from: from.toISOString(),
        to: to.toISOString(),
        ...this.analytics,
        per_day: perDay,
      };
      return json(200, overview);
    });
    this.on('GET', '/api/analytics/stages', (r) =>
      json(200, {
        business_id: r.query.get('business_id') ?? BUSINESS_ID,
        from: r.query.get('from') ?? new Date(Date.now() - 30 * DAY_MS).toISOString(),
        to: new Date().toISOString(),
        quiet_hours: 24,
        stages: this.stageInsights,
      }),
    );
    this.on('GET', '/api/businesses/:id/audit-log', (r) => {
      const type = r.query.get('entity_type');
      const actor = r.query.get('actor');
      const entries = this.auditEntries.filter(
        (e) =>
          (!type || e.entity_type === type) && (!actor || e.actor.type === actor || e.actor.id === actor),
      );
      return json(200, { ...list('entries', entries), per_page: Number(r.query.get('per_page') ?? 20) });
    });
    this.on('GET', '/api/users', () => json(200, list('users', [])));
    this.defineReleaseRoutes();
    this.defineInboxRoutes();
    this.on('GET', '/api/llm-calls', (r) =>
      json(200, {
        llm_calls: this.llmCalls.filter((c) => c.conversation_id === r.query.get('conversation_id')),
      }),
    );
    this.on('POST', '/api/conversations/:id/ai-control', (r, p) => {
      const c = this.conversations.find((x) => x.conversation_id === p.id);
      if (!c) return apiError(404, 'NOT_FOUND', 'Conversation not found');
      const { action } = r.body as { action: string };
      if (action !== 'stop' && action !== 'resume')
        return apiError(400, 'VALIDATION_ERROR', 'bad action', { action: 'stop or resume' });
      const control: AiControl = {
        is_stopped: action === 'stop',
        stop_time: action === 'stop' ? now() : null,
        expiration_time: null,
      };
      this.aiControl.set(c.conversation_id, control);
      c.ai_stopped = control.is_stopped;
      return json(200, control);
    });
    this.on('POST', '/api/conversations/:id/agent-reply', (r, p) => {
      const content = (r.body as { content?: string }).content;
      if (!content) return apiError(400, 'VALIDATION_ERROR', 'Invalid body', { content: 'is required' });
      const m = makeMessage({
        message_id: uuid(),
        conversation_id: p.id as string,
        sender_type: 'agent',
        message_content: content,
        sequence_number: this.messages.filter((x) => x.conversation_id === p.id).length + 1,
        status: 'sent',
      });
      this.messages.push(m);
      const c = this.conversations.find((x) => x.conversation_id === p.id);
      if (c) c.waiting_since = null;
      return json(201, m);
    });
  }

  /** Events the next POST /api/message streams (when asked for text/event-stream), split into awkward chunks. */
  sseScript: { event: string; data: unknown }[] = [];

  private streamMessage(): Response {
    const text = this.sseScript
      .map((e) => `event: ${e.event}\r\ndata: ${JSON.stringify(e.data)}\r\n\r\n`)
      .join('');
    const bytes = new TextEncoder().encode(`: ping\n\n${text}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    return new Response(stream, {
      status: 200,
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8' },
    });
  }

  /** The `fetch` replacement. Accepts a Request (openapi-fetch) or a URL + init (streaming code). */
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request =
      input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const rec: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(rec);
    for (const [key, re, names, handler] of this.routes) {
      const [method] = key.split(' ');
      if (method !== request.method) continue;
      const m = url.pathname.match(re);
      if (!m) continue;
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] as string)]));
      return (this.overrides.get(key) ?? handler)(rec, params);
    }
    return apiError(404, 'NOT_FOUND', `No fake route for ${request.method} ${url.pathname}`);
  };

  private defineTeamRoutes() {
    this.on('GET', '/api/auth/setup', () => json(200, { has_accounts: this.hasAccounts }));
    this.on('POST', '/api/auth/accounts', (r) => {
      if (this.me?.role !== 'admin') return apiError(403, 'AUTHORIZATION_ERROR', 'Master key required');
      const b = r.body as { email: string; name: string; is_admin?: boolean };
      this.hasAccounts = true;
      return json(201, { id: uuid(), email: b.email, name: b.name, is_admin: !!b.is_admin });
    });
    this.on('GET', '/api/auth/sessions', () => json(200, { sessions: this.authSessions }));
    this.on('DELETE', '/api/auth/sessions', () => {
      this.authSessions = this.authSessions.filter((s) => s.current);
      return json(204, undefined);
    });
    this.on('DELETE', '/api/auth/sessions/:id', (_r, p) => {
      this.authSessions = this.authSessions.filter((s) => s.session_id !== p.id);
      return json(204, undefined);
    });
    this.on('POST', '/api/auth/password', (r) => {
      const b = r.body as { current_password: string };
      if (b.current_password !== 'old-password')
        return apiError(401, 'AUTHENTICATION_ERROR', 'The current password is wrong');
      this.authSessions = this.authSessions.filter((s) => s.current);
      return json(204, undefined);
    });
    this.on('POST', '/api/auth/password-reset', () => json(202, { success: true }));
    this.on('POST', '/api/auth/password-reset/confirm', (r) => {
      const b = r.body as { token: string };
      return b.token === 'good-token'
        ? json(204, undefined)
        : apiError(400, 'VALIDATION_ERROR', 'This reset link is not valid or has expired');
    });
    const members = '/api/businesses/:id/members';
    this.on('GET', members, () => json(200, list('members', this.members)));
    this.on('POST', members, (r) => {
      const b = r.body as { email: string; role: MemberRole };
      if (!b.email.includes('@'))
        return apiError(400, 'VALIDATION_ERROR', 'Invalid body', { email: 'must be an e-mail' });
      const id = uuid();
      this.invitations.push({
        invitation_id: id,
        email: b.email,
        role: b.role,
        created_at: now(),
        expires_at: now(),
      });
      return json(201, {
        invitation_id: id,
        invitation_url: `https://icmp.example.com/invitations/tok-${id}`,
        email: b.email,
        role: b.role,
        expires_at: now(),
        mailed: false,
      });
    });
    this.on('PATCH', `${members}/:mid`, (r, p) => {
      const m = this.members.find((x) => x.member_id === p.mid);
      if (!m) return apiError(404, 'NOT_FOUND', 'Member not found');
      const role = (r.body as { role: MemberRole }).role;
      const owners = this.members.filter((x) => x.role === 'owner');
      if (m.role === 'owner' && role !== 'owner' && owners.length === 1)
        return apiError(409, 'CONFLICT', 'The last owner cannot be demoted');
      m.role = role;
      return json(200, m);
    });
    this.on('DELETE', `${members}/:mid`, (_r, p) => {
      const m = this.members.find((x) => x.member_id === p.mid);
      if (!m) return apiError(404, 'NOT_FOUND', 'Member not found');
      if (m.role === 'owner' && this.members.filter((x) => x.role === 'owner').length === 1)
        return apiError(409, 'CONFLICT', 'The last owner cannot be removed');
      this.members = this.members.filter((x) => x !== m);
      return json(204, undefined);
    });
    this.on('GET', '/api/businesses/:id/invitations', () => json(200, list('invitations', this.invitations)));
    this.on('DELETE', '/api/businesses/:id/invitations/:iid', (_r, p) => {
      const before = this.invitations.length;
      this.invitations = this.invitations.filter((x) => x.invitation_id !== p.iid);
      return before === this.invitations.length
        ? apiError(404, 'NOT_FOUND', 'Invitation not found')
        : json(204, undefined);
    });
    this.on('GET', '/api/invitations/:token', (_r, p) => {
      const inv = this.invitationViews.get(p.token as string);
      return inv ? json(200, inv) : apiError(404, 'NOT_FOUND', 'Invitation not found');
    });
    this.on('POST', '/api/invitations/:token/accept', (r, p) => {
      const inv = this.invitationViews.get(p.token as string);
      if (!inv) return apiError(404, 'NOT_FOUND', 'Invitation not found');
      const b = (r.body ?? {}) as { name?: string; password?: string };
      const signedIn = this.me?.role === 'member' ? this.me : null;
      if (!signedIn && (!b.name || !b.password))
        return apiError(400, 'VALIDATION_ERROR', 'name and password are required to create the account', {
          name: 'is required',
        });
      if (!signedIn && this.existingEmails.includes(inv.email))
        return apiError(
          409,
          'CONFLICT',
          'An account with this e-mail exists: sign in, then accept the invitation',
        );
      const base = signedIn ?? memberMe([], { email: inv.email, name: b.name ?? '', id: uuid() });
      this.me = {
        ...base,
        memberships: [
          ...(base.memberships ?? []),
          { business_id: inv.business_id, business_name: inv.business_name, role: inv.role },
        ],
      };
      this.invitationViews.delete(p.token as string);
      return json(200, this.me);
    });
    const keys = '/api/businesses/:id/api-keys';
    this.on('GET', keys, () => json(200, list('api_keys', this.apiKeys)));
    this.on('POST', keys, (r) => {
      const b = r.body as { name: string; scopes: ApiKey['scopes']; expires_at?: string };
      if (!b.name) return apiError(400, 'VALIDATION_ERROR', 'Invalid body', { name: 'is required' });
      const k = makeApiKey({ name: b.name, scopes: b.scopes, expires_at: b.expires_at ?? null });
      this.apiKeys.push(k);
      return json(201, {
        key_id: k.key_id,
        name: k.name,
        api_key: `${k.prefix}_SECRET_${k.key_id.slice(-4)}`,
        business_id: BUSINESS_ID,
        prefix: k.prefix,
        scopes: k.scopes,
        expires_at: k.expires_at,
        created_at: k.created_at,
      });
    });
    this.on('DELETE', `${keys}/:kid`, (_r, p) => {
      this.apiKeys = this.apiKeys.filter((k) => k.key_id !== p.kid);
      return json(204, undefined);
    });
  }

  /** The signed-in account's id (null for a key): `assignee_id=me` and take-over use it. */
  private myAccountId(): string | null {
    return this.me?.role === 'member' || this.me?.role === 'admin' ? (this.me.user?.id ?? null) : null;
  }

  conversationDetail(c: InboxConversationSummary): InboxConversationDetail {
    return {
      conversation: {
        ...c,
        ai_control: this.aiControl.get(c.conversation_id) ?? {
          is_stopped: c.ai_stopped,
          stop_time: null,
          expiration_time: null,
        },
      },
      messages: this.messages.filter((m) => m.conversation_id === c.conversation_id),
      collected_data: c.collected_data,
      stage_transitions: this.transitions,
      customer: this.customers.get(c.user_id) ?? {
        user_id: c.user_id,
        name: c.user_name,
        first_name: c.user_name,
        last_name: '',
        email: null,
        phone: null,
        whatsapp_id: null,
        messenger_psid: null,
      },
    };
  }

  /** The live inbox's routes (inbox contract): filters, hand-off actions, notes, canned replies. */
  private defineInboxRoutes() {
    const find = (id: string | undefined) => this.conversations.find((x) => x.conversation_id === id);
    const notFound = () => apiError(404, 'NOT_FOUND', 'Conversation not found');
    this.on('GET', '/api/conversations', (r) => {
      const q = r.query;
      const me = this.myAccountId();
      const rows = this.conversations
        .filter((c) => {
          if (q.get('channel') ? c.channel !== q.get('channel') : c.channel === 'simulator') return false;
          if (q.get('status') && c.status !== q.get('status')) return false;
          if (q.get('stage_id') && c.stage_id !== q.get('stage_id')) return false;
          if (q.get('user_id') && c.user_id !== q.get('user_id')) return false;
          const a = q.get('assignee_id');
          if (a === 'me' && (!me || c.assignee_id !== me)) return false;
          if (a === 'none' && c.assignee_id !== null) return false;
          if (a && a !== 'me' && a !== 'none' && c.assignee_id !== a) return false;
          if (q.get('waiting') === 'true' && !c.waiting_since) return false;
          if (q.get('waiting') === 'false' && c.waiting_since) return false;
          const text = q.get('q')?.toLowerCase();
          if (
            text &&
            !this.messages.some(
              (m) =>
                m.conversation_id === c.conversation_id && m.message_content.toLowerCase().includes(text),
            )
          )
            return false;
          for (const [k, v] of q)
            if (k.startsWith('data.') && String(c.collected_data?.[k.slice(5)] ?? '') !== v) return false;
          return true;
        })
        .sort((a, b) => (b.last_updated ?? '').localeCompare(a.last_updated ?? ''));
      return json(200, list('conversations', rows));
    });
    this.on('GET', '/api/conversations/:id', (_r, p) => {
      const c = find(p.id);
      return c ? json(200, this.conversationDetail(c)) : notFound();
    });
    this.on('PATCH', '/api/conversations/:id', (r, p) => {
      const c = find(p.id);
      if (!c) return notFound();
      const b = r.body as { status?: 'active' | 'closed'; assignee_id?: string | null };
      if (b.assignee_id !== undefined) {
        const member = this.members.find((m) => m.account_id === b.assignee_id);
        const me = this.me?.role === 'member' && this.me.user?.id === b.assignee_id ? this.me.user : null;
        if (b.assignee_id !== null && !member && !me)
          return apiError(400, 'VALIDATION_ERROR', 'The assignee is not a member of this business');
        c.assignee_id = b.assignee_id;
        c.assignee_name = b.assignee_id === null ? null : (member?.name ?? me?.name ?? null);
      }
      if (b.status) {
        c.status = b.status;
        if (b.status === 'closed') c.waiting_since = null;
      }
      return json(200, this.conversationDetail(c).conversation);
    });
    this.on('POST', '/api/conversations/:id/take-over', (_r, p) => {
      const c = find(p.id);
      if (!c) return notFound();
      const me = this.me?.role === 'member' ? this.me.user : null;
      if (!me) return apiError(403, 'FORBIDDEN', 'Taking over needs a signed-in account, not an API key');
      c.assignee_id = me.id;
      c.assignee_name = me.name;
      c.ai_stopped = true;
      this.aiControl.set(c.conversation_id, { is_stopped: true, stop_time: now(), expiration_time: null });
      return json(200, this.conversationDetail(c).conversation);
    });
    this.on('POST', '/api/conversations/:id/give-back', (_r, p) => {
      const c = find(p.id);
      if (!c) return notFound();
      c.assignee_id = null;
      c.assignee_name = null;
      c.waiting_since = null;
      c.ai_stopped = false;
      this.aiControl.set(c.conversation_id, { is_stopped: false, stop_time: null, expiration_time: null });
      return json(200, this.conversationDetail(c).conversation);
    });
    this.on('POST', '/api/conversations/:id/read', (_r, p) => {
      const c = find(p.id);
      if (!c) return notFound();
      if (this.myAccountId()) c.unread_count = 0;
      return json(204, undefined);
    });
    this.on('GET', '/api/conversations/:id/notes', (_r, p) =>
      find(p.id) ? json(200, { notes: this.notes.filter((n) => n.conversation_id === p.id) }) : notFound(),
    );
    this.on('POST', '/api/conversations/:id/notes', (r, p) => {
      if (!find(p.id)) return notFound();
      const content = (r.body as { content?: string }).content ?? '';
      if (!content || content.length > 4000)
        return apiError(400, 'VALIDATION_ERROR', 'Invalid body', { content: 'must be 1 to 4000 characters' });
      const me = this.me?.role === 'member' ? this.me.user : null;
      const note: Note = {
        note_id: uuid(),
        conversation_id: p.id as string,
        content,
        author_id: me?.id ?? null,
        author_name: me?.name ?? 'API key',
        created_at: now(),
      };
      this.notes.push(note);
      return json(201, note);
    });
    this.on('PATCH', '/api/conversations/:id/collected-data', (r, p) => {
      const c = find(p.id);
      if (!c) return notFound();
      const data = (r.body as { data: Record<string, unknown> }).data;
      const next: Record<string, unknown> = { ...c.collected_data };
      for (const [k, v] of Object.entries(data)) {
        if (!/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/.test(k))
          return apiError(400, 'VALIDATION_ERROR', 'Invalid key', { data: `"${k}" is not a valid key` });
        if (v === null) delete next[k];
        else next[k] = v;
      }
      c.collected_data = next;
      return json(200, { collected_data: next });
    });
    this.on('GET', '/api/users/:id/conversations', (_r, p) =>
      json(200, {
        conversations: this.conversations
          .filter((c) => c.user_id === p.id)
          .map((c) => ({
            ...c,
            messages: this.messages.filter((m) => m.conversation_id === c.conversation_id),
          })),
      }),
    );
    this.on('GET', '/api/canned-replies', (r) => {
      const c = find(r.query.get('conversation_id') ?? undefined);
      const rows = [...this.cannedReplies].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
      return json(200, {
        canned_replies: c
          ? rows.map((x) => ({
              ...x,
              rendered: x.content.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, n: string) =>
                n === 'user_name' ? c.user_name : String(c.collected_data?.[n] ?? ''),
              ),
            }))
          : rows,
      });
    });
    this.on('POST', '/api/canned-replies', (r) => {
      const b = r.body as { shortcut: string; content: string };
      if (this.cannedReplies.some((x) => x.shortcut === b.shortcut))
        return apiError(409, 'CONFLICT', 'This shortcut is taken', { shortcut: 'already used' });
      const reply: CannedReply = {
        canned_reply_id: uuid(),
        business_id: BUSINESS_ID,
        shortcut: b.shortcut,
        content: b.content,
        created_at: now(),
        updated_at: now(),
      };
      this.cannedReplies.push(reply);
      return json(201, reply);
    });
    this.on('PUT', '/api/canned-replies/:id', (r, p) => {
      const x = this.cannedReplies.find((c) => c.canned_reply_id === p.id);
      if (!x) return apiError(404, 'NOT_FOUND', 'Canned reply not found');
      Object.assign(x, r.body as object, { updated_at: now() });
      return json(200, x);
    });
    this.on('DELETE', '/api/canned-replies/:id', (_r, p) => {
      this.cannedReplies = this.cannedReplies.filter((c) => c.canned_reply_id !== p.id);
      return json(204, undefined);
    });
  }

  /** A canned reply as the server stores it. */
  addCannedReply(shortcut: string, content: string): CannedReply {
    const reply: CannedReply = {
      canned_reply_id: uuid(),
      business_id: BUSINESS_ID,
      shortcut,
      content,
      created_at: now(),
      updated_at: now(),
    };
    this.cannedReplies.push(reply);
    return reply;
  }

  private defineChannelRoutes() {
    const base = '/api/businesses/:id/channels';
    this.on('GET', base, () => json(200, this.channels));
    this.on('PUT', `${base}/whatsapp`, (r) => {
      const b = r.body as Record<string, string | undefined>;
      const w = this.channels.whatsapp;
      const next = {
        ...w,
        phone_number_id: b.phone_number_id ?? null,
        has_access_token: w.has_access_token || !!b.access_token,
        has_app_secret: w.has_app_secret || !!b.app_secret,
        has_verify_token: w.has_verify_token || !!b.verify_token,
      };
      this.channels = { ...this.channels, whatsapp: { ...next, connected: next.has_access_token } };
      return json(200, this.channels.whatsapp);
    });
    this.on('POST', `${base}/:channel/test`, (r, p) =>
      json(200, {
        success: true,
        channel: p.channel,
        to: (r.body as { to: string }).to,
        graph_message_id: 'wamid.TEST1',
      }),
    );
    this.on('PUT', `${base}/web`, (r) => {
      const b = r.body as Partial<Channels['web']>;
      this.channels = { ...this.channels, web: { ...this.channels.web, ...b } };
      return json(200, this.channels.web);
    });
    this.on('POST', `${base}/web/rotate-key`, () => {
      const key = `pk_rotated_${++seq}`;
      this.channels = {
        ...this.channels,
        web: {
          ...this.channels.web,
          publishable_key: key,
          snippet: this.channels.web.snippet.replace(/pk_\w+/, key),
        },
      };
      return json(200, { publishable_key: key });
    });
  }

  install() {
    vi.stubGlobal('fetch', this.fetch);
    return this;
  }

  find(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }
}
