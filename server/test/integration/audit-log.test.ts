import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs } from '../../src/db/schema.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import {
  bearer,
  type CreatedBusiness,
  createBusiness,
  createUser,
  insertConversationWithMessage,
  missingId,
} from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ PUBLIC_URL: 'https://icmp.example.com/' });
});
afterAll(async () => t.close());

const call = (method: string, url: string, key: string, payload?: unknown) =>
  callApi(t.app, method, url, key, payload);

const MASTER = { type: 'master', id: null, name: 'master key' };
// The key made with the business: the first of its named keys.
const BUSINESS_KEY = { type: 'api_key', id: expect.any(String), name: 'Default key' };

/** The business's audit log (as the master key sees it), newest first. */
async function auditLog(business: CreatedBusiness, query = '', key = t.masterKey) {
  const res = await call('GET', `/api/businesses/${business.business_id}/audit-log?${query}`, key);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { entries: Json[]; total: number; page: number; per_page: number };
}

/** The entries that appeared since `count` entries were there (a log only grows at its head). */
async function newEntries(business: CreatedBusiness, count: number) {
  const log = await auditLog(business, 'per_page=100');
  return log.entries.slice(0, log.total - count).reverse();
}

async function total(business: CreatedBusiness) {
  return (await auditLog(business, 'per_page=1')).total;
}

/** Runs `change`, then answers the one audit entry it produced. */
async function onlyEntryOf(business: CreatedBusiness, change: () => Promise<unknown>) {
  const before = await total(business);
  await change();
  const entries = await newEntries(business, before);
  expect(entries, JSON.stringify(entries)).toHaveLength(1);
  return entries[0] as Json;
}

async function ok(method: string, url: string, key: string, payload?: unknown, status = 200) {
  const res = await call(method, url, key, payload);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

describe('the audit log records every configuration change', () => {
  it('business create (master), update and key rotation (business key)', async () => {
    const business = await createBusiness(t.app, t.masterKey, { business_description: 'Before' });
    const log = await auditLog(business);
    expect(log).toMatchObject({ total: 1, page: 1, per_page: 20 });
    const [created] = log.entries;
    expect(created).toMatchObject({
      actor: MASTER,
      action: 'create',
      entity_type: 'business',
      entity_id: business.business_id,
      before: null,
      after: { business_id: business.business_id, business_description: 'Before', has_api_key: true },
    });
    expect(created?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(created?.at))).toBe(false);

    const updated = await onlyEntryOf(business, () =>
      ok('PATCH', `/api/businesses/${business.business_id}`, business.api_key, {
        business_description: 'After',
        settings: { history_limit: 7 },
      }),
    );
    expect(updated).toMatchObject({
      actor: BUSINESS_KEY,
      action: 'update',
      entity_type: 'business',
      entity_id: business.business_id,
      before: { business_description: 'Before', settings: {} },
      after: { business_description: 'After', settings: { history_limit: 7 } },
    });

    let newKey = '';
    const rotated = await onlyEntryOf(business, async () => {
      newKey = (await ok('POST', `/api/businesses/${business.business_id}/rotate-key`, business.api_key))
        .api_key;
    });
    expect(rotated).toMatchObject({
      actor: BUSINESS_KEY,
      action: 'rotate_key',
      entity_type: 'api_key',
      before: null,
      after: null,
    });
    const everything = JSON.stringify(await auditLog(business, '', newKey));
    expect(everything).not.toContain(newKey);
    expect(everything).not.toContain(business.api_key);
  });

  it('template create, update, restore and delete with the whole template before and after', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = business.api_key;
    let template: Json = {};
    const created = await onlyEntryOf(business, async () => {
      template = await ok(
        'POST',
        '/api/templates',
        key,
        {
          template_name: 'Reply',
          template_type: 'response_generation',
          content: 'line one\nline two',
        },
        201,
      );
    });
    expect(created).toMatchObject({
      actor: BUSINESS_KEY,
      action: 'create',
      entity_type: 'template',
      entity_id: template.template_id,
      before: null,
      after: { template_name: 'Reply', content: 'line one\nline two', version: 1 },
    });
    expect(created.after).not.toHaveProperty('warnings');

    const updated = await onlyEntryOf(business, () =>
      ok('PUT', `/api/templates/${template.template_id}`, key, { content: 'line one\nline 2' }),
    );
    expect(updated).toMatchObject({
      action: 'update',
      before: { content: 'line one\nline two', version: 1 },
      after: { content: 'line one\nline 2', version: 2 },
    });

    const restored = await onlyEntryOf(business, () =>
      ok('POST', `/api/templates/${template.template_id}/versions/1/restore`, key),
    );
    expect(restored).toMatchObject({
      action: 'restore',
      entity_id: template.template_id,
      before: { content: 'line one\nline 2', version: 2 },
      after: { content: 'line one\nline two', version: 3 },
      details: { restored_version: 1 },
    });

    const deleted = await onlyEntryOf(business, () =>
      ok('DELETE', `/api/templates/${template.template_id}`, key, undefined, 204),
    );
    expect(deleted).toMatchObject({
      action: 'delete',
      entity_type: 'template',
      entity_id: template.template_id,
      before: { template_name: 'Reply', version: 3 },
      after: null,
    });
  });

  it('a refused change records nothing (the entry shares the change’s transaction)', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const stage = await ok('GET', `/api/stages/${business.first_stage_id}`, business.api_key);
    const count = await total(business);
    const inUse = await call(
      'DELETE',
      `/api/templates/${stage.response_generation_template_id}`,
      business.api_key,
    );
    expect(inUse.status).toBe(409);
    const entry = await call('DELETE', `/api/stages/${business.first_stage_id}`, business.api_key);
    expect(entry.status).toBe(409);
    const duplicate = await call('POST', '/api/stages', business.api_key, { stage_name: stage.stage_name });
    expect(duplicate.status).toBe(409);
    expect(await total(business)).toBe(count);
  });

  it('stage create, update and delete; copied default templates are recorded as created', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = business.api_key;
    const entryStage = await ok('GET', `/api/stages/${business.first_stage_id}`, key);
    const count = await total(business);
    const copied = await ok('POST', '/api/stages', key, { stage_name: 'Billing' }, 201);
    // Entries written in one transaction may share a timestamp (PGlite's clock is coarse), so their
    // order among themselves is not part of the contract: compare them by kind.
    const entries = await newEntries(business, count);
    expect(entries.map((e) => `${e.entity_type}:${e.action}`).sort()).toEqual([
      'stage:create',
      'template:create',
      'template:create',
      'template:create',
    ]);
    const stageEntry = entries.find((e) => e.entity_type === 'stage');
    expect(
      entries
        .filter((e) => e.entity_type === 'template')
        .map((e) => e.entity_id)
        .sort(),
    ).toEqual(
      [
        copied.stage_selection_template_id,
        copied.data_extraction_template_id,
        copied.response_generation_template_id,
      ].sort(),
    );
    expect(stageEntry).toMatchObject({
      entity_id: copied.stage_id,
      before: null,
      after: { stage_name: 'Billing', response_generation_template_name: 'Billing — response generation' },
    });

    let stage: Json = {};
    const created = await onlyEntryOf(business, async () => {
      stage = await ok(
        'POST',
        '/api/stages',
        key,
        {
          stage_name: 'Orders',
          stage_selection_template_id: entryStage.stage_selection_template_id,
          data_extraction_template_id: entryStage.data_extraction_template_id,
          response_generation_template_id: entryStage.response_generation_template_id,
        },
        201,
      );
    });
    expect(created).toMatchObject({
      action: 'create',
      entity_type: 'stage',
      after: { stage_name: 'Orders' },
    });

    const updated = await onlyEntryOf(business, () =>
      ok('PUT', `/api/stages/${stage.stage_id}`, key, {
        stage_description: 'Order questions',
        response_generation_template_id: copied.response_generation_template_id,
      }),
    );
    expect(updated).toMatchObject({
      action: 'update',
      entity_id: stage.stage_id,
      before: {
        stage_description: '',
        response_generation_template_id: entryStage.response_generation_template_id,
      },
      after: {
        stage_description: 'Order questions',
        response_generation_template_id: copied.response_generation_template_id,
        response_generation_template_name: 'Billing — response generation',
      },
    });

    const deleted = await onlyEntryOf(business, () =>
      ok('DELETE', `/api/stages/${stage.stage_id}`, key, undefined, 204),
    );
    expect(deleted).toMatchObject({
      action: 'delete',
      entity_type: 'stage',
      before: { stage_id: stage.stage_id, stage_description: 'Order questions' },
      after: null,
    });
  });

  it('agent create, update and delete', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = business.api_key;
    let agent: Json = {};
    const created = await onlyEntryOf(business, async () => {
      agent = await ok('POST', '/api/agents', key, { agent_name: 'Front desk' }, 201);
    });
    expect(created).toMatchObject({
      actor: BUSINESS_KEY,
      action: 'create',
      entity_type: 'agent',
      entity_id: agent.agent_id,
      before: null,
      after: { agent_name: 'Front desk', agent_type: 'ai' },
    });
    const updated = await onlyEntryOf(business, () =>
      ok('PUT', `/api/agents/${agent.agent_id}`, key, { agent_name: 'Back office', agent_type: 'human' }),
    );
    expect(updated).toMatchObject({
      action: 'update',
      before: { agent_name: 'Front desk', agent_type: 'ai' },
      after: { agent_name: 'Back office', agent_type: 'human' },
    });
    const deleted = await onlyEntryOf(business, () =>
      ok('DELETE', `/api/agents/${agent.agent_id}`, t.masterKey, undefined, 204),
    );
    expect(deleted).toMatchObject({
      actor: MASTER,
      action: 'delete',
      before: { agent_name: 'Back office' },
      after: null,
    });
  });

  it('channel changes carry the public view of the channel and never a secret', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = business.api_key;
    const base = `/api/businesses/${business.business_id}/channels`;
    const secrets = [
      'EAAG-audit-whatsapp-token',
      'audit-app-secret-1',
      'audit-verify-token-1',
      'EAAG-audit-page-token',
      'audit-app-secret-2',
      'audit-verify-token-2',
    ];
    const phone = `1${Date.now()}`;
    const connected = await onlyEntryOf(business, () =>
      ok('PUT', `${base}/whatsapp`, key, {
        phone_number_id: phone,
        access_token: secrets[0],
        app_secret: secrets[1],
        verify_token: secrets[2],
      }),
    );
    expect(connected).toMatchObject({
      action: 'create',
      entity_type: 'channel',
      entity_id: 'whatsapp',
      before: null,
      after: { phone_number_id: phone, has_access_token: true, has_app_secret: true, connected: true },
    });
    const changed = await onlyEntryOf(business, () =>
      ok('PUT', `${base}/whatsapp`, key, { phone_number_id: phone, app_secret: null }),
    );
    expect(changed).toMatchObject({
      action: 'update',
      before: { has_app_secret: true },
      after: { has_app_secret: false, has_access_token: true },
    });
    const page = `2${Date.now()}`;
    const messenger = await onlyEntryOf(business, () =>
      ok('PUT', `${base}/messenger`, key, {
        page_id: page,
        page_access_token: secrets[3],
        app_secret: secrets[4],
        verify_token: secrets[5],
      }),
    );
    expect(messenger).toMatchObject({
      entity_id: 'messenger',
      after: { page_id: page, has_page_access_token: true },
    });
    const disconnected = await onlyEntryOf(business, () =>
      ok('DELETE', `${base}/whatsapp`, key, undefined, 204),
    );
    expect(disconnected).toMatchObject({
      action: 'delete',
      entity_id: 'whatsapp',
      before: { phone_number_id: phone, has_access_token: true },
      after: null,
    });

    const initial = await ok('GET', base, key);
    const web = await onlyEntryOf(business, () =>
      ok('PUT', `${base}/web`, key, { enabled: true, allowed_origins: ['https://shop.example'] }),
    );
    expect(web).toMatchObject({
      action: 'update',
      entity_id: 'web',
      before: { enabled: false, allowed_origins: [], publishable_key: initial.web.publishable_key },
      after: { enabled: true, allowed_origins: ['https://shop.example'] },
    });
    let newKey = '';
    const rotated = await onlyEntryOf(business, async () => {
      newKey = (await ok('POST', `${base}/web/rotate-key`, key)).publishable_key;
    });
    expect(rotated).toMatchObject({
      action: 'rotate_key',
      entity_id: 'web',
      before: { publishable_key: initial.web.publishable_key },
      after: { publishable_key: newKey, enabled: true },
    });

    // Neither the API nor the stored rows hold a secret, in clear or in any other field.
    const answered = JSON.stringify(await auditLog(business, 'per_page=100'));
    const stored = JSON.stringify(
      await t.database.db.select().from(auditLogs).where(eq(auditLogs.businessId, business.business_id)),
    );
    for (const secret of secrets) {
      expect(answered).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(stored).not.toMatch(/"(access_token|page_access_token|app_secret|verify_token|secrets)"/);
  });

  it('conversation status and AI control changes keep what changed', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, business.api_key);
    const { conversationId: id } = await insertConversationWithMessage(t.database.db, {
      businessId: business.business_id,
      userId: user.user_id,
    });
    const closed = await onlyEntryOf(business, () =>
      ok('PATCH', `/api/conversations/${id}`, business.api_key, { status: 'closed' }),
    );
    expect(closed).toMatchObject({
      entity_type: 'conversation',
      entity_id: id,
      before: { status: 'active' },
      after: { status: 'closed' },
    });
    const stopped = await onlyEntryOf(business, () =>
      ok('POST', `/api/conversations/${id}/ai-control`, business.api_key, { action: 'stop' }),
    );
    expect(stopped).toMatchObject({
      action: 'ai_stop',
      before: { is_stopped: false },
      after: { is_stopped: true },
    });
  });

  it('deleting a business leaves one installation-wide entry with what it was', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    await ok('DELETE', `/api/businesses/${business.business_id}`, t.masterKey, undefined, 204);
    const rows = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.entityId, business.business_id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      businessId: null,
      actorType: 'master',
      action: 'delete',
      entityType: 'business',
      before: { business_id: business.business_id, business_name: business.business_name },
      after: null,
    });
    expectError(
      await t.app.inject({
        method: 'GET',
        url: `/api/businesses/${business.business_id}/audit-log`,
        headers: bearer(t.masterKey),
      }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('GET /api/businesses/{business_id}/audit-log', () => {
  let business: CreatedBusiness;
  let agentId = '';
  beforeAll(async () => {
    business = await createBusiness(t.app, t.masterKey);
    agentId = (await ok('POST', '/api/agents', business.api_key, { agent_name: 'A' }, 201)).agent_id;
    await ok('PUT', `/api/agents/${agentId}`, t.masterKey, { agent_name: 'B' });
    await ok('PATCH', `/api/businesses/${business.business_id}`, business.api_key, { address: 'Main St 1' });
  });

  const kinds = (log: { entries: Json[] }) => log.entries.map((e) => `${e.entity_type}:${e.action}`);

  it('lists newest first and pages as the Lists section says', async () => {
    const all = await auditLog(business);
    expect(kinds(all)).toEqual(['business:update', 'agent:update', 'agent:create', 'business:create']);
    const page2 = await auditLog(business, 'per_page=3&page=2');
    expect(page2).toMatchObject({ total: 4, page: 2, per_page: 3 });
    expect(kinds(page2)).toEqual(['business:create']);
    expect((await auditLog(business, 'page=5')).entries).toEqual([]);
  });

  it('filters by entity type, actor type or id, and time', async () => {
    expect(kinds(await auditLog(business, 'entity_type=agent'))).toEqual(['agent:update', 'agent:create']);
    expect(kinds(await auditLog(business, 'actor=master'))).toEqual(['agent:update', 'business:create']);
    expect(kinds(await auditLog(business, 'actor=api_key&entity_type=business'))).toEqual([
      'business:update',
    ]);
    expect((await auditLog(business, 'actor=account')).total).toBe(0);
    expect((await auditLog(business, `actor=${missingId()}`)).total).toBe(0);

    const all = (await auditLog(business)).entries;
    const oldest = all[3]?.at as string;
    const newest = all[0]?.at as string;
    expect(kinds(await auditLog(business, `to=${encodeURIComponent(oldest)}`))).toEqual(['business:create']);
    expect(kinds(await auditLog(business, `from=${encodeURIComponent(newest)}`))).toEqual([
      'business:update',
    ]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await auditLog(business, `from=${encodeURIComponent(future)}`)).total).toBe(0);
    expect((await auditLog(business, `from=${encodeURIComponent(oldest)}&to=${future}`)).total).toBe(4);
  });

  it('answers 400 for bad filters', async () => {
    const url = `/api/businesses/${business.business_id}/audit-log`;
    const get = (query: string) =>
      t.app.inject({ method: 'GET', url: `${url}?${query}`, headers: bearer(business.api_key) });
    for (const bad of ['yesterday', '2024-13-01T00:00:00Z', '12345']) {
      expectFieldErrors(await get(`from=${encodeURIComponent(bad)}`), ['from']);
      expectFieldErrors(await get(`to=${encodeURIComponent(bad)}`), ['to']);
    }
    expectFieldErrors(await get('from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z'), ['from']);
    expectFieldErrors(await get('entity_type=secret'), ['entity_type']);
    expectFieldErrors(await get('actor=somebody'), ['actor']);
    for (const query of ['per_page=0', 'per_page=101', 'page=0', 'page=x']) {
      expectError(await get(query), 400, 'VALIDATION_ERROR');
    }
  });

  it('keeps each business to its own log', async () => {
    const other = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}/audit-log`;
    expectError(
      await t.app.inject({ method: 'GET', url, headers: bearer(other.api_key) }),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(await t.app.inject({ method: 'GET', url }), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await t.app.inject({
        method: 'GET',
        url: `/api/businesses/${missingId()}/audit-log`,
        headers: bearer(t.masterKey),
      }),
      404,
      'NOT_FOUND',
    );
    const own = await auditLog(other, '', other.api_key);
    expect(own.total).toBe(1);
    expect(JSON.stringify(own)).not.toContain(business.business_id);
    expect(JSON.stringify(own)).not.toContain(agentId);
  });
});
