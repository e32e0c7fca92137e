import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agents,
  apiKeys,
  businesses,
  conversations,
  messages,
  stages,
  templates,
  users,
} from '../../src/db/schema.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import {
  bearer,
  createAgent,
  createBusiness,
  createUser,
  insertConversationWithMessage,
  missingId,
  uniqueName,
} from '../helpers/factories.js';
import { sessionCookieOf } from '../helpers/team.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const inject = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string> = {},
  payload?: unknown,
) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

const SECRET_KEYS = ['api_key', 'api_key_hash', 'apiKeyHash', 'channel_secrets', 'channelSecrets'];

describe('POST /api/businesses', () => {
  it('creates a business with its key, default stage, templates and first_stage_id', async () => {
    const name = uniqueName('Bakery');
    const response = await inject('POST', '/api/businesses', bearer(t.masterKey), {
      business_name: name,
      business_description: 'Fresh bread',
      address: '1 Main St',
      phone_number: '+351 123 456',
      website: 'https://bakery.example',
      owner_id: 'owner-1',
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      business_name: name,
      business_description: 'Fresh bread',
      address: '1 Main St',
      phone_number: '+351 123 456',
      website: 'https://bakery.example',
      owner_id: 'owner-1',
      has_api_key: true,
    });
    expect(body.api_key).toMatch(/^icmp_[\w-]{20,}$/);
    expect(body).not.toHaveProperty('api_key_hash');
    expect(body.first_stage_id).toMatch(/^[0-9a-f-]{36}$/);

    const db = t.database.db;
    const stageRows = await db.select().from(stages).where(eq(stages.businessId, body.business_id));
    expect(stageRows.map((s) => s.stageId)).toEqual([body.first_stage_id]);
    const templateRows = await db.select().from(templates).where(eq(templates.businessId, body.business_id));
    const types = templateRows.map((row) => row.templateType);
    for (const role of ['stage_selection', 'data_extraction', 'response_generation']) {
      expect(types).toContain(`default_${role}`);
    }
    const stage = stageRows[0];
    const ownTemplateIds = new Set(templateRows.map((row) => row.templateId));
    expect(ownTemplateIds.has(stage?.stageSelectionTemplateId ?? '')).toBe(true);
    expect(ownTemplateIds.has(stage?.dataExtractionTemplateId ?? '')).toBe(true);
    expect(ownTemplateIds.has(stage?.responseGenerationTemplateId ?? '')).toBe(true);
    for (const template of templateRows) expect(template.content.length).toBeGreaterThan(0);

    // The stored key is a hash, never the key itself.
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.businessId, body.business_id));
    expect(row?.keyHash).not.toContain(body.api_key);
    expect(row?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row).toMatchObject({ scopes: ['admin'], isPrimary: true, prefix: body.api_key.slice(0, 12) });

    // The key returned works at once.
    const me = await inject('GET', '/api/auth/me', bearer(body.api_key));
    expect(me.json()).toEqual({
      role: 'business',
      business_id: body.business_id,
      business_name: name,
      scopes: ['admin'],
    });
  });

  it('needs the master key', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const payload = { business_name: uniqueName('Nope') };
    expectError(
      await inject('POST', '/api/businesses', bearer(business.api_key), payload),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(await inject('POST', '/api/businesses', {}, payload), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await inject('POST', '/api/businesses', bearer('icmp_wrong_key'), payload),
      401,
      'AUTHENTICATION_ERROR',
    );
    const [row] = await t.database.db
      .select()
      .from(businesses)
      .where(eq(businesses.businessName, payload.business_name));
    expect(row).toBeUndefined();
  });

  it('refuses a duplicate name, case-insensitively and after trimming', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const variants = [
      business.business_name,
      business.business_name.toUpperCase(),
      `  ${business.business_name.toLowerCase()} `,
    ];
    for (const business_name of variants) {
      const response = await inject('POST', '/api/businesses', bearer(t.masterKey), { business_name });
      expectError(response, 409, 'CONFLICT');
    }
    const rows = await t.database.db
      .select()
      .from(businesses)
      .where(eq(businesses.businessName, business.business_name));
    expect(rows).toHaveLength(1);
  });

  it('lets only one of two simultaneous creations with one name win', async () => {
    const business_name = uniqueName('Race');
    const responses = await Promise.all(
      [business_name, business_name.toUpperCase()].map((name) =>
        inject('POST', '/api/businesses', bearer(t.masterKey), { business_name: name }),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const loser = responses.find((r) => r.statusCode === 409);
    if (loser) expectError(loser, 409, 'CONFLICT');
  });

  it('validates the body', async () => {
    expectFieldErrors(await inject('POST', '/api/businesses', bearer(t.masterKey), {}), ['business_name']);
    expectFieldErrors(await inject('POST', '/api/businesses', bearer(t.masterKey), { business_name: '' }), [
      'business_name',
    ]);
    expectFieldErrors(
      await inject('POST', '/api/businesses', bearer(t.masterKey), { business_name: '   ' }),
      ['business_name'],
    );
    expectFieldErrors(
      await inject('POST', '/api/businesses', bearer(t.masterKey), { business_name: 'x'.repeat(201) }),
      ['business_name'],
    );
    expectFieldErrors(
      await inject('POST', '/api/businesses', bearer(t.masterKey), {
        business_name: uniqueName('B'),
        api_key: 'mine',
      }),
      ['api_key'],
    );
    expectFieldErrors(
      await inject('POST', '/api/businesses', bearer(t.masterKey), {
        business_name: uniqueName('B'),
        settings: { llm_temperature: 5 },
      }),
      ['settings.llm_temperature'],
    );
  });
});

describe('GET /api/businesses', () => {
  it('lists businesses for the master key with paging', async () => {
    await createBusiness(t.app, t.masterKey);
    await createBusiness(t.app, t.masterKey);
    const response = await inject('GET', '/api/businesses?per_page=1&page=2', bearer(t.masterKey));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.page).toBe(2);
    expect(body.per_page).toBe(1);
    expect(body.total).toBeGreaterThanOrEqual(2);
    expect(body.businesses).toHaveLength(1);
    for (const key of SECRET_KEYS) expect(body.businesses[0]).not.toHaveProperty(key);
    const defaults = (await inject('GET', '/api/businesses', bearer(t.masterKey))).json();
    expect(defaults).toMatchObject({ page: 1, per_page: 20 });
  });

  it('refuses business keys and anonymous callers', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    expectError(await inject('GET', '/api/businesses', bearer(business.api_key)), 403, 'AUTHORIZATION_ERROR');
    expectError(await inject('GET', '/api/businesses'), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await inject('GET', '/api/businesses', { 'x-api-key': 'not-a-key' }),
      401,
      'AUTHENTICATION_ERROR',
    );
  });

  it('rejects bad paging values', async () => {
    for (const query of ['per_page=101', 'per_page=0', 'page=0', 'page=abc', 'per_page=-1']) {
      expectError(
        await inject('GET', `/api/businesses?${query}`, bearer(t.masterKey)),
        400,
        'VALIDATION_ERROR',
      );
    }
  });
});

describe('GET /api/businesses/:business_id', () => {
  it('follows the tenant matrix', async () => {
    const own = await createBusiness(t.app, t.masterKey);
    const foreign = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${own.business_id}`;

    const asAdmin = await inject('GET', url, bearer(t.masterKey));
    expect(asAdmin.statusCode).toBe(200);
    expect(asAdmin.json().business_id).toBe(own.business_id);
    const asOwner = await inject('GET', url, bearer(own.api_key));
    expect(asOwner.statusCode).toBe(200);
    expect(asOwner.json().business_name).toBe(own.business_name);
    expectError(await inject('GET', url, bearer(foreign.api_key)), 403, 'AUTHORIZATION_ERROR');
    expectError(await inject('GET', url), 401, 'AUTHENTICATION_ERROR');
    expectError(await inject('GET', url, bearer(`${own.api_key}x`)), 401, 'AUTHENTICATION_ERROR');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expectError(await inject('GET', `/api/businesses/${missingId()}`, bearer(t.masterKey)), 404, 'NOT_FOUND');
    const error = expectError(
      await inject('GET', '/api/businesses/not-a-uuid', bearer(t.masterKey)),
      400,
      'VALIDATION_ERROR',
    );
    expect(JSON.stringify(error.details)).toContain('business_id');
  });

  it('never shows keys; channel settings are not business fields', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const token = `EAAG-secret-${missingId()}`;
    // Channels have their own API (PUT /api/businesses/{id}/channels/...): the business refuses them.
    const refused = await inject(
      'PATCH',
      `/api/businesses/${business.business_id}`,
      bearer(business.api_key),
      {
        whatsapp_access_token: token,
      },
    );
    expectFieldErrors(refused, ['whatsapp_access_token']);
    expect(refused.body).not.toContain(token);

    for (const key of [t.masterKey, business.api_key]) {
      const response = await inject('GET', `/api/businesses/${business.business_id}`, bearer(key));
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ has_api_key: true });
      for (const secretKey of SECRET_KEYS) expect(body).not.toHaveProperty(secretKey);
      expect(response.body).not.toContain(business.api_key);
    }
    const list = await inject('GET', '/api/businesses?per_page=100', bearer(t.masterKey));
    expect(list.body).not.toContain(business.api_key);
  });
});

describe('PUT/PATCH /api/businesses/:business_id', () => {
  for (const method of ['PUT', 'PATCH'] as const) {
    it(`${method} updates the profile partially and follows the tenant matrix`, async () => {
      const own = await createBusiness(t.app, t.masterKey, {
        address: 'Old street',
        website: 'https://old.example',
      });
      const foreign = await createBusiness(t.app, t.masterKey);
      const url = `/api/businesses/${own.business_id}`;

      const byOwner = await inject(method, url, bearer(own.api_key), {
        business_description: 'Updated by owner',
      });
      expect(byOwner.statusCode).toBe(200);
      expect(byOwner.json()).toMatchObject({
        business_description: 'Updated by owner',
        address: 'Old street',
        website: 'https://old.example',
      });
      const byAdmin = await inject(method, url, bearer(t.masterKey), {
        address: null,
        settings: { history_limit: 7 },
      });
      expect(byAdmin.statusCode).toBe(200);
      expect(byAdmin.json()).toMatchObject({ address: null, business_description: 'Updated by owner' });
      expect(byAdmin.json().settings).toMatchObject({ history_limit: 7 });

      for (const [headers, status, code] of [
        [bearer(foreign.api_key), 403, 'AUTHORIZATION_ERROR'],
        [{}, 401, 'AUTHENTICATION_ERROR'],
        [{ 'x-api-key': 'icmp_nope' }, 401, 'AUTHENTICATION_ERROR'],
      ] as const) {
        expectError(await inject(method, url, headers, { business_description: 'hijacked' }), status, code);
      }
      const after = await inject('GET', url, bearer(t.masterKey));
      expect(after.json().business_description).toBe('Updated by owner');
    });
  }

  it('merges settings instead of replacing them', async () => {
    const business = await createBusiness(t.app, t.masterKey, { settings: { fallback_reply: 'Sorry!' } });
    const url = `/api/businesses/${business.business_id}`;
    const response = await inject('PATCH', url, bearer(business.api_key), {
      settings: { llm_temperature: 0.3 },
    });
    expect(response.json().settings).toEqual({ fallback_reply: 'Sorry!', llm_temperature: 0.3 });
  });

  it('renames, refusing another business’s name in any case', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}`;
    expectError(
      await inject('PATCH', url, bearer(business.api_key), {
        business_name: other.business_name.toLowerCase(),
      }),
      409,
      'CONFLICT',
    );
    const sameNameOtherCase = await inject('PATCH', url, bearer(business.api_key), {
      business_name: business.business_name.toUpperCase(),
    });
    expect(sameNameOtherCase.statusCode).toBe(200);
    expect(sameNameOtherCase.json().business_name).toBe(business.business_name.toUpperCase());
    const me = await inject('GET', '/api/auth/me', bearer(business.api_key));
    expect(me.json().business_name).toBe(business.business_name.toUpperCase());
  });

  it('accepts first_stage_id only for one of its own stages', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}`;
    expectFieldErrors(
      await inject('PATCH', url, bearer(t.masterKey), { first_stage_id: other.first_stage_id }),
      ['first_stage_id'],
    );
    expectFieldErrors(await inject('PATCH', url, bearer(t.masterKey), { first_stage_id: missingId() }), [
      'first_stage_id',
    ]);
    expectFieldErrors(await inject('PATCH', url, bearer(t.masterKey), { first_stage_id: 'stage-1' }), [
      'first_stage_id',
    ]);
    const ok = await inject('PATCH', url, bearer(business.api_key), {
      first_stage_id: business.first_stage_id,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().first_stage_id).toBe(business.first_stage_id);
  });

  it('rejects an empty or unknown body and answers 404 for an unknown business', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}`;
    expectError(await inject('PATCH', url, bearer(business.api_key), {}), 400, 'VALIDATION_ERROR');
    expectFieldErrors(await inject('PATCH', url, bearer(business.api_key), { api_key_hash: 'x' }), [
      'api_key_hash',
    ]);
    expectFieldErrors(await inject('PUT', url, bearer(business.api_key), { widget_key: 'mine' }), [
      'widget_key',
    ]);
    expectError(
      await inject('PATCH', `/api/businesses/${missingId()}`, bearer(t.masterKey), {
        business_description: 'x',
      }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('DELETE /api/businesses/:business_id', () => {
  it('needs the master key or the business’s own owner-level (admin) credential', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}`;
    expectError(await inject('DELETE', url, bearer(other.api_key)), 403, 'AUTHORIZATION_ERROR');
    const writeKey = await inject(
      'POST',
      `/api/businesses/${business.business_id}/api-keys`,
      bearer(t.masterKey),
      {
        name: 'integration',
        scopes: ['write'],
      },
    );
    expectError(await inject('DELETE', url, bearer(writeKey.json().api_key)), 403, 'AUTHORIZATION_ERROR');
    expectError(await inject('DELETE', url), 401, 'AUTHENTICATION_ERROR');
    expectError(await inject('DELETE', url, bearer('icmp_wrong')), 401, 'AUTHENTICATION_ERROR');
    expect((await inject('GET', url, bearer(business.api_key))).statusCode).toBe(200);
  });

  it('removes the business and everything it owns, and nothing of others', async () => {
    const doomed = await createBusiness(t.app, t.masterKey);
    const survivor = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, doomed.api_key);
    await createAgent(t.app, doomed.api_key);
    const conversation = await insertConversationWithMessage(t.database.db, {
      businessId: doomed.business_id,
      userId: user.user_id,
    });
    const survivorUser = await createUser(t.app, survivor.api_key);
    await createAgent(t.app, survivor.api_key);
    await insertConversationWithMessage(t.database.db, {
      businessId: survivor.business_id,
      userId: survivorUser.user_id,
    });

    // Warm the key cache so the test proves the key is dropped, not merely never looked up.
    expect((await inject('GET', '/api/auth/me', bearer(doomed.api_key))).statusCode).toBe(200);

    const response = await inject('DELETE', `/api/businesses/${doomed.business_id}`, bearer(t.masterKey));
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');

    expectError(
      await inject('GET', `/api/businesses/${doomed.business_id}`, bearer(t.masterKey)),
      404,
      'NOT_FOUND',
    );
    expectError(await inject('GET', '/api/auth/me', bearer(doomed.api_key)), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await inject('DELETE', `/api/businesses/${doomed.business_id}`, bearer(t.masterKey)),
      404,
      'NOT_FOUND',
    );

    const db = t.database.db;
    const countOf = async (
      table: typeof users | typeof agents | typeof stages | typeof templates,
      businessId: string,
    ) => (await db.select().from(table).where(eq(table.businessId, businessId))).length;
    for (const table of [users, agents, stages, templates]) {
      expect(await countOf(table, doomed.business_id)).toBe(0);
      expect(await countOf(table, survivor.business_id)).toBeGreaterThan(0);
    }
    expect(
      await db
        .select()
        .from(conversations)
        .where(eq(conversations.conversationId, conversation.conversationId)),
    ).toHaveLength(0);
    expect(
      await db.select().from(messages).where(eq(messages.messageId, conversation.messageId)),
    ).toHaveLength(0);
    expect(
      await db.select().from(messages).where(eq(messages.businessId, survivor.business_id)),
    ).toHaveLength(1);
    expect((await inject('GET', '/api/auth/me', bearer(survivor.api_key))).statusCode).toBe(200);
  });

  it('answers 400 for a malformed id', async () => {
    expectError(await inject('DELETE', '/api/businesses/123', bearer(t.masterKey)), 400, 'VALIDATION_ERROR');
  });
});

describe('POST /api/businesses/:business_id/rotate-key', () => {
  it('issues a new key to the owner and retires the old one at once', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}/rotate-key`;
    // Use the old key first so a cached lookup would have to be dropped.
    expect((await inject('GET', '/api/auth/me', bearer(business.api_key))).statusCode).toBe(200);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { api_key: business.api_key },
    });
    const session = sessionCookieOf(login);
    expect((await inject('GET', '/api/auth/me', { cookie: session })).statusCode).toBe(200);

    const response = await inject('POST', url, bearer(business.api_key));
    expect(response.statusCode).toBe(200);
    const { api_key } = response.json();
    expect(Object.keys(response.json())).toEqual(['api_key']);
    expect(api_key).toMatch(/^icmp_/);
    expect(api_key).not.toBe(business.api_key);

    const oldKeyChannels: Array<Record<string, string>> = [
      bearer(business.api_key),
      { 'x-api-key': business.api_key },
      { cookie: session }, // a session signed in with the old key ends with it
    ];
    for (const headers of oldKeyChannels) {
      expectError(await inject('GET', '/api/auth/me', headers), 401, 'AUTHENTICATION_ERROR');
    }
    const me = await inject('GET', '/api/auth/me', bearer(api_key));
    expect(me.json()).toMatchObject({ role: 'business', business_id: business.business_id });
    const [row] = await t.database.db
      .select({ hash: apiKeys.keyHash })
      .from(apiKeys)
      .where(eq(apiKeys.businessId, business.business_id));
    expect(row?.hash).not.toContain(api_key);
  });

  it('lets the master key rotate any business’s key', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const response = await inject(
      'POST',
      `/api/businesses/${business.business_id}/rotate-key`,
      bearer(t.masterKey),
    );
    expect(response.statusCode).toBe(200);
    expectError(await inject('GET', '/api/auth/me', bearer(business.api_key)), 401, 'AUTHENTICATION_ERROR');
    expect((await inject('GET', '/api/auth/me', bearer(response.json().api_key))).statusCode).toBe(200);
  });

  it('follows the tenant matrix', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const foreign = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}/rotate-key`;
    expectError(await inject('POST', url, bearer(foreign.api_key)), 403, 'AUTHORIZATION_ERROR');
    expectError(await inject('POST', url), 401, 'AUTHENTICATION_ERROR');
    expectError(await inject('POST', url, bearer('icmp_wrong')), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await inject('POST', `/api/businesses/${missingId()}/rotate-key`, bearer(t.masterKey)),
      404,
      'NOT_FOUND',
    );
    expectError(
      await inject('POST', '/api/businesses/xyz/rotate-key', bearer(t.masterKey)),
      400,
      'VALIDATION_ERROR',
    );
    // Nothing happened to the key.
    expect((await inject('GET', '/api/auth/me', bearer(business.api_key))).statusCode).toBe(200);
    expect((await inject('GET', '/api/auth/me', bearer(foreign.api_key))).statusCode).toBe(200);
  });
});
