import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, conversations, messages, users } from '../../src/db/schema.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import {
  bearer,
  type CreatedBusiness,
  createAgent,
  createBusiness,
  createUser,
  insertConversationWithMessage,
  missingId,
  uniqueName,
} from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const inject = (method: Method, url: string, headers: Record<string, string> = {}, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

/** The callers of the tenant matrix that must be refused, with what they get. */
const refusedCallers = (foreign: CreatedBusiness) =>
  [
    ['no key', {}, 401, 'AUTHENTICATION_ERROR'],
    ['wrong key', bearer('icmp_wrong_key'), 401, 'AUTHENTICATION_ERROR'],
    ['foreign business key', bearer(foreign.api_key), 404, 'NOT_FOUND'],
  ] as const;

describe('users', () => {
  it('creates, reads, lists, updates and deletes a user with the business key', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const created = await inject('POST', '/api/users', bearer(business.api_key), {
      first_name: '  Maria ',
      last_name: 'Costa',
      email: 'maria@example.com',
      phone: '+351 912 345 678',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({
      business_id: business.business_id,
      first_name: 'Maria',
      last_name: 'Costa',
      email: 'maria@example.com',
      phone: '+351 912 345 678',
    });
    expect(user.user_id).toMatch(/^[0-9a-f-]{36}$/);

    const read = await inject('GET', `/api/users/${user.user_id}`, bearer(business.api_key));
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(user);

    const list = await inject('GET', '/api/users', bearer(business.api_key));
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ total: 1, page: 1, per_page: 20 });
    expect(list.json().users.map((u: { user_id: string }) => u.user_id)).toEqual([user.user_id]);

    const updated = await inject('PUT', `/api/users/${user.user_id}`, bearer(business.api_key), {
      last_name: 'Costa Silva',
      email: null,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ first_name: 'Maria', last_name: 'Costa Silva', email: null });

    const deleted = await inject('DELETE', `/api/users/${user.user_id}`, bearer(business.api_key));
    expect(deleted.statusCode).toBe(204);
    expectError(
      await inject('GET', `/api/users/${user.user_id}`, bearer(business.api_key)),
      404,
      'NOT_FOUND',
    );
    expectError(
      await inject('DELETE', `/api/users/${user.user_id}`, bearer(business.api_key)),
      404,
      'NOT_FOUND',
    );
  });

  it('pages the list', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    for (let i = 0; i < 3; i += 1) await createUser(t.app, business.api_key, { first_name: `U${i}` });
    const page = await inject('GET', '/api/users?per_page=2&page=2', bearer(business.api_key));
    expect(page.json()).toMatchObject({ total: 3, page: 2, per_page: 2 });
    expect(page.json().users).toHaveLength(1);
  });

  it('lets the master key act for a named business and requires business_id', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    expectFieldErrors(
      await inject('POST', '/api/users', bearer(t.masterKey), { first_name: 'A', last_name: 'B' }),
      ['business_id'],
    );
    expectFieldErrors(await inject('GET', '/api/users', bearer(t.masterKey)), ['business_id']);
    const created = await inject('POST', '/api/users', bearer(t.masterKey), {
      business_id: business.business_id,
      first_name: 'A',
      last_name: 'B',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().business_id).toBe(business.business_id);
    const list = await inject('GET', `/api/users?business_id=${business.business_id}`, bearer(t.masterKey));
    expect(list.json().total).toBe(1);
    const userId = created.json().user_id;
    expect((await inject('GET', `/api/users/${userId}`, bearer(t.masterKey))).statusCode).toBe(200);
    expect(
      (await inject('PUT', `/api/users/${userId}`, bearer(t.masterKey), { first_name: 'Z' })).json()
        .first_name,
    ).toBe('Z');
    expect((await inject('DELETE', `/api/users/${userId}`, bearer(t.masterKey))).statusCode).toBe(204);
    // A master-key request for a business that does not exist is not a 500.
    const ghost = await inject('POST', '/api/users', bearer(t.masterKey), {
      business_id: missingId(),
      first_name: 'A',
      last_name: 'B',
    });
    expect(ghost.statusCode).toBeGreaterThanOrEqual(400);
    expect(ghost.statusCode).toBeLessThan(500);
  });

  it('refuses another business’s business_id with 403 and changes nothing', async () => {
    const own = await createBusiness(t.app, t.masterKey);
    const foreign = await createBusiness(t.app, t.masterKey);
    expectError(
      await inject('POST', '/api/users', bearer(own.api_key), {
        business_id: foreign.business_id,
        first_name: 'X',
        last_name: 'Y',
      }),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(
      await inject('GET', `/api/users?business_id=${foreign.business_id}`, bearer(own.api_key)),
      403,
      'AUTHORIZATION_ERROR',
    );
    expect(
      await t.database.db.select().from(users).where(eq(users.businessId, foreign.business_id)),
    ).toHaveLength(0);
    // Naming its own business explicitly is fine.
    const own201 = await inject('POST', '/api/users', bearer(own.api_key), {
      business_id: own.business_id,
      first_name: 'X',
      last_name: 'Y',
    });
    expect(own201.statusCode).toBe(201);
  });

  it('hides another business’s user behind 404 and refuses missing or wrong keys', async () => {
    const owner = await createBusiness(t.app, t.masterKey);
    const foreign = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, owner.api_key, { first_name: 'Keep', last_name: 'Me' });
    const url = `/api/users/${user.user_id}`;
    for (const [label, headers, status, code] of refusedCallers(foreign)) {
      expectError(await inject('GET', url, headers), status, code);
      expectError(await inject('PUT', url, headers, { first_name: 'Stolen' }), status, code);
      expectError(await inject('DELETE', url, headers), status, code);
      expect(label).toBeTruthy();
    }
    const after = await inject('GET', url, bearer(owner.api_key));
    expect(after.json()).toMatchObject({ first_name: 'Keep', last_name: 'Me' });
    const list = await inject('GET', '/api/users', bearer(foreign.api_key));
    expect(list.json()).toMatchObject({ total: 0, users: [] });
    expectError(await inject('GET', '/api/users'), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await inject('POST', '/api/users', bearer('nope'), { first_name: 'A', last_name: 'B' }),
      401,
      'AUTHENTICATION_ERROR',
    );
  });

  it('validates input', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = bearer(business.api_key);
    expectFieldErrors(await inject('POST', '/api/users', key, { last_name: 'B' }), ['first_name']);
    expectFieldErrors(await inject('POST', '/api/users', key, { first_name: 'A' }), ['last_name']);
    expectFieldErrors(
      await inject('POST', '/api/users', key, { first_name: 'A', last_name: 'B', email: 'not-an-email' }),
      ['email'],
    );
    expectFieldErrors(
      await inject('POST', '/api/users', key, { first_name: 'A', last_name: 'B', phone: 'call me' }),
      ['phone'],
    );
    expectFieldErrors(
      await inject('POST', '/api/users', key, { first_name: 'A', last_name: 'B', business_id: 'x' }),
      ['business_id'],
    );
    expectFieldErrors(
      await inject('POST', '/api/users', key, { first_name: 'A', last_name: 'B', role: 'admin' }),
      ['role'],
    );
    expectError(await inject('GET', '/api/users?business_id=not-a-uuid', key), 400, 'VALIDATION_ERROR');
    expectError(await inject('GET', '/api/users/not-a-uuid', key), 400, 'VALIDATION_ERROR');
    const user = await createUser(t.app, business.api_key);
    expectError(await inject('PUT', `/api/users/${user.user_id}`, key, {}), 400, 'VALIDATION_ERROR');
    expectFieldErrors(await inject('PUT', `/api/users/${user.user_id}`, key, { business_id: missingId() }), [
      'business_id',
    ]);
    expectError(await inject('GET', `/api/users/${missingId()}`, key), 404, 'NOT_FOUND');
    expect(
      await t.database.db.select().from(users).where(eq(users.businessId, business.business_id)),
    ).toHaveLength(1);
  });

  it('DELETE erases the user’s conversations and messages', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, business.api_key);
    const other = await createUser(t.app, business.api_key);
    const doomed = await insertConversationWithMessage(t.database.db, {
      businessId: business.business_id,
      userId: user.user_id,
    });
    const kept = await insertConversationWithMessage(t.database.db, {
      businessId: business.business_id,
      userId: other.user_id,
    });
    expect((await inject('DELETE', `/api/users/${user.user_id}`, bearer(business.api_key))).statusCode).toBe(
      204,
    );
    const db = t.database.db;
    expect(
      await db.select().from(conversations).where(eq(conversations.conversationId, doomed.conversationId)),
    ).toHaveLength(0);
    expect(await db.select().from(messages).where(eq(messages.messageId, doomed.messageId))).toHaveLength(0);
    expect(
      await db.select().from(conversations).where(eq(conversations.conversationId, kept.conversationId)),
    ).toHaveLength(1);
    expect(await db.select().from(messages).where(eq(messages.messageId, kept.messageId))).toHaveLength(1);
  });
});

describe('agents', () => {
  it('creates, reads, lists, updates and deletes an agent with the business key', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const name = uniqueName('Sales');
    const created = await inject('POST', '/api/agents', bearer(business.api_key), {
      agent_name: ` ${name} `,
    });
    expect(created.statusCode).toBe(201);
    const agent = created.json();
    expect(agent).toMatchObject({ business_id: business.business_id, agent_name: name, agent_type: 'ai' });

    expect((await inject('GET', `/api/agents/${agent.agent_id}`, bearer(business.api_key))).json()).toEqual(
      agent,
    );
    const list = await inject('GET', '/api/agents', bearer(business.api_key));
    expect(list.json()).toMatchObject({ total: 1, page: 1, per_page: 20 });
    expect(list.json().agents[0].agent_id).toBe(agent.agent_id);

    const updated = await inject('PUT', `/api/agents/${agent.agent_id}`, bearer(business.api_key), {
      agent_name: 'Support',
      agent_type: 'human',
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ agent_name: 'Support', agent_type: 'human' });

    expect(
      (await inject('DELETE', `/api/agents/${agent.agent_id}`, bearer(business.api_key))).statusCode,
    ).toBe(204);
    expectError(
      await inject('GET', `/api/agents/${agent.agent_id}`, bearer(business.api_key)),
      404,
      'NOT_FOUND',
    );
    expect(await t.database.db.select().from(agents).where(eq(agents.agentId, agent.agent_id))).toHaveLength(
      0,
    );
  });

  it('refuses duplicate names within a business, case-insensitively, but not across businesses', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const agent = await createAgent(t.app, business.api_key, { agent_name: 'Front Desk' });
    for (const agent_name of ['Front Desk', 'front desk', '  FRONT DESK ']) {
      expectError(
        await inject('POST', '/api/agents', bearer(business.api_key), { agent_name }),
        409,
        'CONFLICT',
      );
    }
    expect(
      (await inject('POST', '/api/agents', bearer(other.api_key), { agent_name: 'Front Desk' })).statusCode,
    ).toBe(201);
    const second = await createAgent(t.app, business.api_key, { agent_name: 'Back Office' });
    expectError(
      await inject('PUT', `/api/agents/${second.agent_id}`, bearer(business.api_key), {
        agent_name: 'FRONT desk',
      }),
      409,
      'CONFLICT',
    );
    // Renaming to itself in another case is not a clash.
    const self = await inject('PUT', `/api/agents/${agent.agent_id}`, bearer(business.api_key), {
      agent_name: 'FRONT DESK',
    });
    expect(self.statusCode).toBe(200);
    expect(
      await t.database.db.select().from(agents).where(eq(agents.businessId, business.business_id)),
    ).toHaveLength(2);
  });

  it('follows the tenant matrix', async () => {
    const owner = await createBusiness(t.app, t.masterKey);
    const foreign = await createBusiness(t.app, t.masterKey);
    const agent = await createAgent(t.app, owner.api_key, { agent_name: 'Mine' });
    const url = `/api/agents/${agent.agent_id}`;
    for (const [, headers, status, code] of refusedCallers(foreign)) {
      expectError(await inject('GET', url, headers), status, code);
      expectError(await inject('PUT', url, headers, { agent_name: 'Stolen' }), status, code);
      expectError(await inject('DELETE', url, headers), status, code);
    }
    expect((await inject('GET', url, bearer(owner.api_key))).json().agent_name).toBe('Mine');
    expect((await inject('GET', url, bearer(t.masterKey))).json().agent_name).toBe('Mine');

    expectError(
      await inject('POST', '/api/agents', bearer(owner.api_key), {
        business_id: foreign.business_id,
        agent_name: 'X',
      }),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(
      await inject('GET', `/api/agents?business_id=${foreign.business_id}`, bearer(owner.api_key)),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(await inject('GET', '/api/agents'), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await inject('POST', '/api/agents', { 'x-api-key': 'bad' }, { agent_name: 'X' }),
      401,
      'AUTHENTICATION_ERROR',
    );
    expect(
      await t.database.db.select().from(agents).where(eq(agents.businessId, foreign.business_id)),
    ).toHaveLength(0);

    const asAdmin = await inject('POST', '/api/agents', bearer(t.masterKey), {
      business_id: foreign.business_id,
      agent_name: 'By admin',
    });
    expect(asAdmin.statusCode).toBe(201);
    expectFieldErrors(
      await inject('POST', '/api/agents', bearer(t.masterKey), { agent_name: 'No business' }),
      ['business_id'],
    );
    const adminList = await inject(
      'GET',
      `/api/agents?business_id=${foreign.business_id}`,
      bearer(t.masterKey),
    );
    expect(adminList.json().total).toBe(1);
  });

  it('validates input', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = bearer(business.api_key);
    expectFieldErrors(await inject('POST', '/api/agents', key, {}), ['agent_name']);
    expectFieldErrors(await inject('POST', '/api/agents', key, { agent_name: '' }), ['agent_name']);
    expectFieldErrors(await inject('POST', '/api/agents', key, { agent_name: '   ' }), ['agent_name']);
    expectFieldErrors(await inject('POST', '/api/agents', key, { agent_name: 'A', agent_type: 'robot' }), [
      'agent_type',
    ]);
    const agent = await createAgent(t.app, business.api_key);
    expectError(await inject('PUT', `/api/agents/${agent.agent_id}`, key, {}), 400, 'VALIDATION_ERROR');
    expectFieldErrors(await inject('PUT', `/api/agents/${agent.agent_id}`, key, { agent_name: ' ' }), [
      'agent_name',
    ]);
    expectError(await inject('GET', '/api/agents/123', key), 400, 'VALIDATION_ERROR');
    expectError(await inject('DELETE', `/api/agents/${missingId()}`, key), 404, 'NOT_FOUND');
    expectError(
      await inject('PUT', `/api/agents/${missingId()}`, key, { agent_name: 'Ghost' }),
      404,
      'NOT_FOUND',
    );
  });
});
