/**
 * Every TanStack Query key, in one place. Keys are hierarchical: `all` of a resource is the prefix
 * of its lists and details, so invalidating `qk.stages.all(id)` refreshes every stage query of that
 * business. Hooks and invalidations use only these builders.
 */
type Id = string | null | undefined;

export const qk = {
  me: () => ['auth', 'me'] as const,
  runtime: () => ['settings', 'runtime'] as const,
  setup: () => ['auth', 'setup'] as const,
  invitation: (token: string) => ['invitation', token] as const,
  account: {
    sessions: () => ['account', 'sessions'] as const,
  },
  members: {
    all: (businessId: Id) => ['members', businessId] as const,
    /** Under `all`: inviting or removing refreshes the pending invitations too. */
    invitations: (businessId: Id) => ['members', businessId, 'invitations'] as const,
  },
  apiKeys: {
    all: (businessId: Id) => ['api-keys', businessId] as const,
  },

  businesses: {
    all: () => ['businesses'] as const,
    list: (page: number, perPage: number) => ['businesses', page, perPage] as const,
    detail: (businessId: Id) => ['business', businessId] as const,
  },
  agents: {
    all: (businessId: Id) => ['agents', businessId] as const,
  },
  channels: {
    all: (businessId: Id) => ['channels', businessId] as const,
  },
  users: {
    all: (businessId: Id) => ['users', businessId] as const,
  },
  stages: {
    all: (businessId: Id) => ['stages', businessId] as const,
    list: (businessId: Id, agentId: Id) => ['stages', businessId, { agentId: agentId ?? null }] as const,
    detail: (businessId: Id, stageId: Id) => ['stages', businessId, 'detail', stageId] as const,
    transitions: (businessId: Id) => ['stages', businessId, 'transitions'] as const,
  },
  templates: {
    all: (businessId: Id) => ['templates', businessId] as const,
    list: (businessId: Id, filters: object) => ['templates', businessId, filters] as const,
    detail: (businessId: Id, templateId: Id) => ['templates', businessId, 'detail', templateId] as const,
    versions: (businessId: Id, templateId: Id) => ['templates', businessId, 'versions', templateId] as const,
    render: (businessId: Id, templateId: Id, input: object) =>
      ['templates', businessId, 'render', templateId, input] as const,
    variables: (businessId: Id) => ['template-variables', businessId] as const,
  },
  conversations: {
    all: (businessId: Id) => ['conversations', businessId] as const,
    list: (businessId: Id, filters: object) => ['conversations', businessId, filters] as const,
    detail: (businessId: Id, conversationId: Id) =>
      ['conversations', businessId, 'detail', conversationId] as const,
    llmCalls: (businessId: Id, conversationId: Id) =>
      ['conversations', businessId, 'llm-calls', conversationId] as const,
    notes: (businessId: Id, conversationId: Id) =>
      ['conversations', businessId, 'notes', conversationId] as const,
    /** A customer's other conversations (the inbox's customer panel). */
    ofUser: (businessId: Id, userId: Id) => ['conversations', businessId, 'of-user', userId] as const,
  },
  fields: {
    all: (businessId: Id) => ['fields', businessId] as const,
  },
  cannedReplies: {
    all: (businessId: Id) => ['canned-replies', businessId] as const,
    /** `conversationId`: rendered for that conversation (the composer's picker). */
    list: (businessId: Id, conversationId: Id) =>
      ['canned-replies', businessId, { conversationId: conversationId ?? null }] as const,
  },
  releases: {
    all: (businessId: Id) => ['releases', businessId] as const,
    list: (businessId: Id) => ['releases', businessId, 'list'] as const,
    status: (businessId: Id) => ['releases', businessId, 'status'] as const,
    diff: (businessId: Id, from: string, to: string) => ['releases', businessId, 'diff', from, to] as const,
  },
  audit: {
    all: (businessId: Id) => ['audit-log', businessId] as const,
    list: (businessId: Id, filters: object) => ['audit-log', businessId, filters] as const,
  },
  analytics: {
    overview: (businessId: Id, days: number, from: string, includeSimulator = false) =>
      ['analytics', 'overview', businessId, days, from, includeSimulator] as const,
    llmUsage: (businessId: Id) => ['analytics', 'llm-usage', businessId] as const,
    stages: (businessId: Id, days: number, from: string, includeSimulator = false) =>
      ['analytics', 'stages', businessId, days, from, includeSimulator] as const,
  },
};
