/**
 * The role × route matrix, generated from the app's own route table: every route with a declared access
 * rule, asked by every kind of principal — anonymous, each member role, a platform admin account, another
 * business's owner, the master key and an API key of each scope — must get exactly what
 * lib/principal.ts's role matrix says: 401 without a credential, 403 for a role or scope that may not,
 * 404 for another business's resource, and (when allowed) anything but 401/403.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiKeyScope,
  type MemberRole,
  type Permission,
  ROLE_PERMISSIONS,
  SCOPE_PERMISSIONS,
} from '../../src/lib/principal.js';
import { type AccessRule, type RouteAccess, registerAuth } from '../../src/plugins/auth.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import {
  bearer,
  createAgent,
  createBusiness,
  createUser,
  insertConversationWithMessage,
} from '../helpers/factories.js';
import { addMember, createAccount, signIn } from '../helpers/team.js';

/** Routes anyone may call: they check their own credentials (webhook signatures, visitor tokens). */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /ping',
  'POST /api/save-config',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'GET /api/auth/setup',
  'POST /api/auth/password-reset',
  'POST /api/auth/password-reset/confirm',
  'GET /api/invitations/:token',
  'POST /api/invitations/:token/accept',
  'GET /widget.js',
  'OPTIONS /api/widget/*',
  'POST /api/widget/sessions',
  'POST /api/widget/messages',
  'GET /api/widget/messages',
  'GET /api/widget/events',
  'GET /webhook/whatsapp',
  'POST /webhook/whatsapp',
  'GET /webhook/messenger',
  'POST /webhook/messenger',
  'GET /openapi.json',
].sort();

/**
 * What every other route needs (api.md's role table): `any`/`account`/`master`, or a permission and
 * where the business comes from. Changing a route's rule means changing this list on purpose.
 */
const PROTECTED_ROUTES: Record<string, string> = {
  'GET /api/settings/runtime': 'any',
  'GET /metrics': 'master',
  'GET /api/auth/me': 'any',
  'POST /api/auth/accounts': 'master',
  'GET /api/auth/sessions': 'account',
  'DELETE /api/auth/sessions': 'account',
  'DELETE /api/auth/sessions/:session_id': 'account',
  'POST /api/auth/password': 'account',
  'GET /api/businesses/:business_id/members': 'manage:param',
  'POST /api/businesses/:business_id/members': 'manage:param',
  'PATCH /api/businesses/:business_id/members/:member_id': 'manage:param',
  'DELETE /api/businesses/:business_id/members/:member_id': 'manage:param',
  'GET /api/businesses/:business_id/invitations': 'manage:param',
  'DELETE /api/businesses/:business_id/invitations/:invitation_id': 'manage:param',
  'GET /api/businesses/:business_id/api-keys': 'manage:param',
  'POST /api/businesses/:business_id/api-keys': 'manage:param',
  'DELETE /api/businesses/:business_id/api-keys/:key_id': 'manage:param',
  'GET /api/businesses/:business_id/audit-log': 'edit:param',
  'GET /api/businesses/:business_id/releases': 'read:param',
  'POST /api/businesses/:business_id/releases': 'edit:param',
  'GET /api/businesses/:business_id/releases/status': 'read:param',
  'GET /api/businesses/:business_id/releases/diff': 'read:param',
  'GET /api/businesses/:business_id/releases/:number': 'read:param',
  'POST /api/businesses/:business_id/releases/:number/restore': 'edit:param',
  'GET /api/businesses/:business_id/fields': 'read:param',
  'POST /api/businesses/:business_id/fields': 'edit:param',
  'GET /api/businesses/:business_id/fields/:name': 'read:param',
  'PUT /api/businesses/:business_id/fields/:name': 'edit:param',
  'PATCH /api/businesses/:business_id/fields/:name': 'edit:param',
  'DELETE /api/businesses/:business_id/fields/:name': 'edit:param',
  'GET /api/businesses/:business_id/configuration/export': 'read:param',
  'POST /api/businesses/:business_id/configuration/import': 'edit:param',
  'POST /api/businesses': 'master',
  'GET /api/businesses': 'master',
  'GET /api/businesses/:business_id': 'read:param',
  'PUT /api/businesses/:business_id': 'edit:param',
  'PATCH /api/businesses/:business_id': 'edit:param',
  'DELETE /api/businesses/:business_id': 'manage:param',
  'POST /api/businesses/:business_id/rotate-key': 'manage:param',
  'GET /api/businesses/:business_id/channels': 'manage:param',
  'PUT /api/businesses/:business_id/channels/whatsapp': 'manage:param',
  'PUT /api/businesses/:business_id/channels/messenger': 'manage:param',
  'DELETE /api/businesses/:business_id/channels/:channel': 'manage:param',
  'PUT /api/businesses/:business_id/channels/web': 'manage:param',
  'POST /api/businesses/:business_id/channels/web/rotate-key': 'manage:param',
  'POST /api/businesses/:business_id/channels/:channel/test': 'manage:param',
  'POST /api/users': 'edit:body',
  'GET /api/users': 'read:query',
  'GET /api/users/:user_id': 'read:resource',
  'PUT /api/users/:user_id': 'edit:resource',
  'DELETE /api/users/:user_id': 'edit:resource',
  'POST /api/agents': 'edit:body',
  'GET /api/agents': 'read:query',
  'GET /api/agents/:agent_id': 'read:resource',
  'PUT /api/agents/:agent_id': 'edit:resource',
  'DELETE /api/agents/:agent_id': 'edit:resource',
  'GET /api/conversations': 'read:query',
  'GET /api/conversations/export': 'read:query',
  'GET /api/conversations/events': 'converse:query',
  'GET /api/conversations/:conversation_id': 'read:resource',
  'GET /api/conversations/:conversation_id/messages': 'read:resource',
  'PATCH /api/conversations/:conversation_id': 'converse:resource',
  'DELETE /api/conversations/:conversation_id': 'edit:resource',
  'GET /api/conversations/:conversation_id/ai-control': 'read:resource',
  'POST /api/conversations/:conversation_id/ai-control': 'converse:resource',
  'POST /api/conversations/:conversation_id/agent-reply': 'converse:resource',
  'POST /api/conversations/:conversation_id/take-over': 'converse:resource',
  'POST /api/conversations/:conversation_id/give-back': 'converse:resource',
  'POST /api/conversations/:conversation_id/read': 'read:resource',
  'GET /api/conversations/:conversation_id/notes': 'converse:resource',
  'POST /api/conversations/:conversation_id/notes': 'converse:resource',
  'PATCH /api/conversations/:conversation_id/collected-data': 'converse:resource',
  'GET /api/canned-replies': 'read:query',
  'POST /api/canned-replies': 'edit:body',
  'PUT /api/canned-replies/:canned_reply_id': 'edit:resource',
  'DELETE /api/canned-replies/:canned_reply_id': 'edit:resource',
  'POST /api/test-cases': 'edit:body',
  'POST /api/test-cases/from-turn': 'edit:body',
  'GET /api/test-cases': 'read:query',
  'GET /api/test-cases/:test_case_id': 'read:resource',
  'PATCH /api/test-cases/:test_case_id': 'edit:resource',
  'DELETE /api/test-cases/:test_case_id': 'edit:resource',
  'POST /api/test-runs': 'edit:body',
  'GET /api/test-runs': 'read:query',
  'GET /api/test-runs/compare': 'read:query',
  'GET /api/test-runs/:test_run_id': 'read:resource',
  'GET /api/users/:user_id/conversations': 'read:resource',
  'GET /api/llm-calls': 'read:query',
  'POST /api/templates': 'edit:body',
  'GET /api/templates': 'read:query',
  'GET /api/templates/:template_id': 'read:resource',
  'PUT /api/templates/:template_id': 'edit:resource',
  'PATCH /api/templates/:template_id': 'edit:resource',
  'DELETE /api/templates/:template_id': 'edit:resource',
  'GET /api/templates/:template_id/versions': 'read:resource',
  'POST /api/templates/:template_id/versions/:version/restore': 'edit:resource',
  'POST /api/templates/:template_id/render': 'read:resource',
  'GET /api/templates/:template_id/variables': 'read:resource',
  'POST /api/templates/:template_id/test': 'edit:resource',
  'GET /api/template-variables': 'any',
  'POST /api/stages': 'edit:body',
  'GET /api/stages': 'read:query',
  'GET /api/stages/transitions': 'read:query',
  'GET /api/stages/:stage_id': 'read:resource',
  'PUT /api/stages/:stage_id': 'edit:resource',
  'PATCH /api/stages/:stage_id': 'edit:resource',
  'DELETE /api/stages/:stage_id': 'edit:resource',
  'GET /api/analytics/overview': 'read:query',
  'GET /api/analytics/stages': 'read:query',
  'GET /api/analytics/llm-usage': 'read:query',
  'POST /api/message': 'messages:body',
};

/**
 * Routes that act as the calling person (take-over assigns the caller): a credential without an
 * account — an API key, the master key — is refused with 403 even where its permissions would allow.
 */
const ACCOUNT_ONLY_ROUTES = new Set(['POST /api/conversations/:conversation_id/take-over']);

interface Fixture {
  businessId: string;
  userId: string;
  agentId: string;
  stageId: string;
  templateId: string;
  conversationId: string;
  cannedReplyId: string;
  testCaseId: string;
  testRunId: string;
}

type PrincipalKind =
  | { kind: 'anonymous' }
  | { kind: 'master' }
  | { kind: 'admin-account' }
  | { kind: 'member'; role: MemberRole }
  | { kind: 'foreign-owner' }
  | { kind: 'key'; scope: ApiKeyScope };

interface Caller {
  name: string;
  who: PrincipalKind;
  headers: Record<string, string>;
  /** The business and resources its requests address. */
  target: Fixture;
}

let t: TestApp;
const callers: Caller[] = [];

async function makeFixture(): Promise<Fixture & { apiKey: string }> {
  const business = await createBusiness(t.app, t.masterKey);
  const forConversation = await createUser(t.app, business.api_key);
  const user = await createUser(t.app, business.api_key);
  const agent = await createAgent(t.app, business.api_key);
  const conversation = await insertConversationWithMessage(t.database.db, {
    businessId: business.business_id,
    userId: forConversation.user_id,
  });
  const stage = await t.app.inject({
    method: 'GET',
    url: `/api/stages/${business.first_stage_id}`,
    headers: bearer(business.api_key),
  });
  const cannedReply = await t.app.inject({
    method: 'POST',
    url: '/api/canned-replies',
    headers: bearer(business.api_key),
    payload: { shortcut: 'hello', content: 'Hello {{user_name}}!' },
  });
  expect(cannedReply.statusCode, cannedReply.body).toBe(201);
  const testCase = await t.app.inject({
    method: 'POST',
    url: '/api/test-cases',
    headers: bearer(business.api_key),
    payload: {
      stage_id: business.first_stage_id,
      name: 'stays',
      message: 'hello',
      expectations: { stage: { mode: 'stays' } },
    },
  });
  expect(testCase.statusCode, testCase.body).toBe(201);
  const testRun = await t.app.inject({
    method: 'POST',
    url: '/api/test-runs',
    headers: bearer(business.api_key),
    payload: {},
  });
  expect(testRun.statusCode, testRun.body).toBe(202);
  return {
    apiKey: business.api_key,
    businessId: business.business_id,
    userId: user.user_id,
    agentId: agent.agent_id,
    // The entry stage and a template it uses: deleting them is a 409, so they outlive the matrix.
    stageId: business.first_stage_id,
    templateId: stage.json().response_generation_template_id,
    conversationId: conversation.conversationId,
    cannedReplyId: cannedReply.json().canned_reply_id,
    testCaseId: testCase.json().test_case_id,
    testRunId: testRun.json().test_run_id,
  };
}

const cookieHeaders = (cookie: string) => ({ cookie, origin: 'http://localhost' });

beforeAll(async () => {
  t = await buildTestApp();
  const roles: MemberRole[] = ['owner', 'editor', 'agent', 'viewer'];
  for (const role of roles) {
    const target = await makeFixture();
    const member = await addMember(t.app, t.masterKey, target.businessId, role);
    callers.push({
      name: role,
      who: { kind: 'member', role },
      headers: cookieHeaders(member.cookie),
      target,
    });
  }
  const viewerTarget = callers.find((c) => c.name === 'viewer')?.target as Fixture;
  callers.push({ name: 'anonymous', who: { kind: 'anonymous' }, headers: {}, target: viewerTarget });
  const foreign = await makeFixture();
  const foreignOwner = await addMember(t.app, t.masterKey, foreign.businessId, 'owner');
  callers.push({
    name: 'foreign owner',
    who: { kind: 'foreign-owner' },
    headers: cookieHeaders(foreignOwner.cookie),
    target: viewerTarget,
  });
  callers.push({
    name: 'master key',
    who: { kind: 'master' },
    headers: bearer(t.masterKey),
    target: await makeFixture(),
  });
  const admin = await createAccount(t.app, t.masterKey, { is_admin: true });
  callers.push({
    name: 'admin account',
    who: { kind: 'admin-account' },
    headers: cookieHeaders(await signIn(t.app, admin.email)),
    target: await makeFixture(),
  });
  for (const scope of ['messages', 'read', 'write', 'admin'] as const) {
    const target = await makeFixture();
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/businesses/${target.businessId}/api-keys`,
      headers: bearer(t.masterKey),
      payload: { name: `${scope} key`, scopes: [scope] },
    });
    expect(created.statusCode).toBe(201);
    callers.push({
      name: `${scope} key`,
      who: { kind: 'key', scope },
      headers: bearer(created.json().api_key),
      target,
    });
  }
}, 180_000);
afterAll(async () => {
  // Aborted streams leave their connections to Node's header timeout: cut them.
  t?.app.server.closeAllConnections();
  await t?.close();
});

const routes = () => t.app.routeAccess.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'));

function fillUrl(url: string, f: Fixture) {
  const values: Record<string, string> = {
    business_id: f.businessId,
    user_id: f.userId,
    agent_id: f.agentId,
    stage_id: f.stageId,
    template_id: f.templateId,
    conversation_id: f.conversationId,
    canned_reply_id: f.cannedReplyId,
    test_case_id: f.testCaseId,
    test_run_id: f.testRunId,
    version: '1',
    number: '1',
    channel: 'whatsapp',
    // A field name no business has: an allowed caller gets 404.
    name: 'no_such_field',
    token: 'not-a-token',
    // Unknown ids of sub-resources: an allowed caller gets 404, which is no 401/403.
    member_id: '00000000-0000-4000-8000-000000000001',
    invitation_id: '00000000-0000-4000-8000-000000000002',
    key_id: '00000000-0000-4000-8000-000000000003',
    session_id: '00000000-0000-4000-8000-000000000004',
  };
  return url.replace(/:(\w+)/g, (_, name: string) => {
    const value = values[name];
    if (!value) throw new Error(`no fixture for :${name} in ${url}`);
    return value;
  });
}

type Expectation = { status: 401 | 403 | 404 } | 'allowed';

function expected(rule: AccessRule, who: PrincipalKind, route = ''): Expectation | null {
  if (rule === 'public' || rule === 'optional') return null;
  if (who.kind === 'anonymous') return { status: 401 };
  if (ACCOUNT_ONLY_ROUTES.has(route) && (who.kind === 'master' || who.kind === 'key')) {
    return { status: 403 };
  }
  const isAccount = who.kind === 'member' || who.kind === 'foreign-owner' || who.kind === 'admin-account';
  const isAdmin = who.kind === 'master' || who.kind === 'admin-account';
  if (rule === 'any') return 'allowed';
  if (rule === 'account') return isAccount ? 'allowed' : { status: 403 };
  if (rule === 'master') return isAdmin ? 'allowed' : { status: 403 };
  if (isAdmin) return 'allowed';
  if (who.kind === 'foreign-owner')
    return typeof rule.business === 'object' ? { status: 404 } : { status: 403 };
  const permissions: readonly Permission[] =
    who.kind === 'member' ? ROLE_PERMISSIONS[who.role] : SCOPE_PERMISSIONS[who.scope];
  return permissions.includes(rule.permission) ? 'allowed' : { status: 403 };
}

/** Live streams (server-sent events), which `inject` cannot read: they are called over a socket. */
const STREAMS = new Set(['GET /api/conversations/events']);
let streamBase: string | undefined;

async function streamStatus(pathAndQuery: string, headers: Record<string, string>) {
  streamBase ??= await t.app.listen({ port: 0, host: '127.0.0.1' });
  const controller = new AbortController();
  const response = await fetch(`${streamBase}${pathAndQuery}`, { headers, signal: controller.signal });
  if (response.status === 200) {
    controller.abort();
    return { status: 200, code: undefined };
  }
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code };
}

/** Destructive routes last, deleting the business at the very end. */
const order = (r: RouteAccess) =>
  r.method === 'DELETE' ? (r.url === '/api/businesses/:business_id' ? 2 : 1) : 0;

describe('access rules', () => {
  it('every route declares one, and the public ones are exactly the known list', () => {
    const table = routes();
    expect(table.length).toBeGreaterThan(60);
    for (const route of table) expect(route.access, `${route.method} ${route.url}`).toBeDefined();
    const publicRoutes = table
      .filter((r) => r.access === 'public' || r.access === 'optional')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(publicRoutes).toEqual(PUBLIC_ROUTES);
    const describeRule = (rule: AccessRule) =>
      typeof rule === 'string'
        ? rule
        : `${rule.permission}:${typeof rule.business === 'object' ? 'resource' : rule.business}`;
    const rules = Object.fromEntries(
      table
        .filter((r) => r.access !== 'public' && r.access !== 'optional')
        .map((r) => [`${r.method} ${r.url}`, describeRule(r.access)]),
    );
    expect(rules).toEqual(PROTECTED_ROUTES);
  });

  it('a route without an access rule stops the app from starting', async () => {
    const app = Fastify();
    registerAuth(app, {
      db: t.database.db,
      resolveKey: Object.assign(async () => null, { describe: async () => ({ hash: '', keyId: null }) }),
      failures: { blockedFor: async () => 0, record: async () => {}, close: async () => {} },
      masterKeyHash: '',
      sessionIdleMinutes: 1,
      allowedOrigins: [],
    });
    expect(() => app.get('/api/forgotten', async () => 'open')).toThrow(/declares no access rule/);
    await app.close();
  });

  it('every route answers every principal as the role matrix says', async () => {
    const table = [...routes()].sort((a, b) => order(a) - order(b));
    const failures: string[] = [];
    let checked = 0;
    for (const route of table) {
      for (const caller of callers) {
        const want = expected(route.access, caller.who, `${route.method} ${route.url}`);
        if (!want) continue;
        const url = fillUrl(route.url, caller.target);
        const query = `business_id=${caller.target.businessId}`;
        const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        if (STREAMS.has(`${route.method} ${route.url}`)) {
          // A stream never ends by itself: over a socket, its status and error body, then hang up.
          const status = await streamStatus(`${url}?${query}`, caller.headers);
          checked += 1;
          const ok =
            want === 'allowed'
              ? status.status === 200
              : status.status === want.status &&
                status.code ===
                  { 401: 'AUTHENTICATION_ERROR', 403: 'AUTHORIZATION_ERROR', 404: 'NOT_FOUND' }[want.status];
          if (!ok)
            failures.push(
              `${route.method} ${route.url} as ${caller.name}: want ${JSON.stringify(want)}, got ${status.status}`,
            );
          continue;
        }
        const response = await t.app.inject({
          method: route.method as 'GET',
          url: `${url}?${query}`,
          headers: caller.headers,
          ...(hasBody ? { payload: { business_id: caller.target.businessId } } : {}),
        });
        checked += 1;
        const status = response.statusCode;
        const ok =
          want === 'allowed'
            ? status !== 401 && status !== 403 && status < 500
            : status === want.status &&
              response.json().error?.code ===
                { 401: 'AUTHENTICATION_ERROR', 403: 'AUTHORIZATION_ERROR', 404: 'NOT_FOUND' }[want.status];
        if (!ok) {
          failures.push(
            `${route.method} ${route.url} as ${caller.name}: want ${want === 'allowed' ? 'allowed' : want.status}, got ${status} ${response.body.slice(0, 120)}`,
          );
        }
      }
    }
    // routes × principals, for the report
    console.info(`access matrix: ${table.length} routes × ${callers.length} principals, ${checked} checks`);
    expect(failures).toEqual([]);
  }, 300_000);
});
