/**
 * Every page's URL, in one place. `routes` are the router's patterns (relative to the app shell);
 * `paths` build the links and `navigate()` targets. Adding a page: a pattern here, a builder here,
 * a lazy route in `app/router.tsx`.
 */
export const routes = {
  signIn: '/sign-in',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password/:token',
  invitation: '/invitations/:token',
  conversations: 'conversations',
  conversation: 'conversations/:conversationId',
  /** The open conversation, as a child of `conversations` (the inbox keeps its list mounted). */
  conversationChild: ':conversationId',
  analytics: 'analytics',
  simulator: 'simulator',
  stages: 'stages',
  stageFlow: 'stages/flow',
  stageNew: 'stages/new',
  stage: 'stages/:stageId',
  stageEdit: 'stages/:stageId/edit',
  templates: 'templates',
  templateNew: 'templates/new',
  template: 'templates/:templateId',
  agents: 'agents',
  channels: 'channels',
  settings: 'settings',
  cannedReplies: 'canned-replies',
  fields: 'fields',
  auditLog: 'audit-log',
  releases: 'releases',
  businesses: 'businesses',
  members: 'members',
  apiKeys: 'api-keys',
  account: 'account',
} as const;

const id = (value: string) => encodeURIComponent(value);
const query = (params: Record<string, string | null | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const paths = {
  home: () => '/',
  /** `method: 'key'` opens the API-key tab. */
  signIn: (method?: 'key' | null) => `/sign-in${query({ method })}`,
  forgotPassword: () => '/forgot-password',
  /** The server mails `{PUBLIC_URL}/reset-password/{token}` and `{PUBLIC_URL}/invitations/{token}`. */
  resetPassword: (token: string) => `/reset-password/${id(token)}`,
  invitation: (token: string) => `/invitations/${id(token)}`,
  conversations: () => '/conversations',
  conversation: (conversationId: string) => `/conversations/${id(conversationId)}`,
  analytics: () => '/analytics',
  simulator: () => '/simulator',
  /** `agent` filters the list to one agent's stages. */
  stages: (agentId?: string | null) => `/stages${query({ agent: agentId })}`,
  stageFlow: () => '/stages/flow',
  stageNew: (agentId?: string | null) => `/stages/new${query({ agent: agentId })}`,
  stage: (stageId: string) => `/stages/${id(stageId)}`,
  stageEdit: (stageId: string) => `/stages/${id(stageId)}/edit`,
  /** A stage's Tests tab, showing one run's results. */
  stageTestRun: (stageId: string, runId: string) =>
    `/stages/${id(stageId)}${query({ tab: 'tests', run: runId })}`,
  templates: () => '/templates',
  templateNew: () => '/templates/new',
  template: (templateId: string) => `/templates/${id(templateId)}`,
  agents: () => '/agents',
  channels: () => '/channels',
  settings: () => '/settings',
  cannedReplies: () => '/canned-replies',
  fields: () => '/fields',
  /** `entity_type`/`actor` open the log filtered (the filters live in the URL). */
  auditLog: (filters: { entity_type?: string | null; actor?: string | null } = {}) =>
    `/audit-log${query(filters)}`,
  releases: () => '/releases',
  businesses: () => '/businesses',
  members: () => '/members',
  apiKeys: () => '/api-keys',
  account: () => '/account',
};
