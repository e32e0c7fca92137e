/**
 * Canned replies through the real app: create, list (sorted, and rendered for a conversation with the
 * template variables), change, delete; who may; bad input; duplicate shortcuts; another business's
 * replies and conversations; the audit entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, type CreatedBusiness, createBusiness, createUser, missingId } from '../helpers/factories.js';
import { addMember, browser, type TeamMember } from '../helpers/team.js';
import { seedConversation } from './conversations.seed.js';

let t: TestApp;
let a: CreatedBusiness;
let b: CreatedBusiness;
const team: Record<'owner' | 'editor' | 'agent' | 'viewer', TeamMember> = {} as never;

type Caller = string | TeamMember;
const headersOf = (caller: Caller) => (typeof caller === 'string' ? bearer(caller) : browser(caller.cookie));

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, caller: Caller, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: headersOf(caller),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const create = async (caller: Caller, body: Record<string, unknown>) => {
  const response = await inject('POST', '/api/canned-replies', caller, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { canned_reply_id: string; shortcut: string; content: string };
};

const list = async (caller: Caller, query = '') => {
  const response = await inject('GET', `/api/canned-replies${query}`, caller);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().canned_replies as Array<Record<string, unknown>>;
};

const auditOf = async (business: CreatedBusiness, entityId: string) => {
  const response = await inject(
    'GET',
    `/api/businesses/${business.business_id}/audit-log?entity_type=canned_reply&per_page=100`,
    business.api_key,
  );
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().entries as Array<Record<string, unknown>>)
    .filter((e) => e.entity_id === entityId)
    .reverse();
};

beforeAll(async () => {
  t = await buildTestApp();
  a = await createBusiness(t.app, t.masterKey, { business_name: `Padaria ${Date.now()}` });
  b = await createBusiness(t.app, t.masterKey);
  for (const role of ['owner', 'editor', 'agent', 'viewer'] as const) {
    team[role] = await addMember(t.app, t.masterKey, a.business_id, role);
  }
}, 120_000);
afterAll(async () => t?.close());

describe('canned replies', () => {
  it('an editor creates, changes and deletes one; each change is audited', async () => {
    const created = await inject('POST', '/api/canned-replies', team.editor, {
      business_id: a.business_id,
      shortcut: 'thanks',
      content: '  Thank you, {{user_name}}!  ',
    });
    expect(created.statusCode, created.body).toBe(201);
    const reply = created.json();
    expect(reply).toEqual({
      canned_reply_id: expect.any(String),
      business_id: a.business_id,
      shortcut: 'thanks',
      content: 'Thank you, {{user_name}}!',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const url = `/api/canned-replies/${reply.canned_reply_id}`;
    const changed = await inject('PUT', url, team.editor, { content: 'Many thanks, {{user_name}}.' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ shortcut: 'thanks', content: 'Many thanks, {{user_name}}.' });
    const renamed = await inject('PUT', url, team.owner, { shortcut: 'thank-you' });
    expect(renamed.json()).toMatchObject({ shortcut: 'thank-you', content: 'Many thanks, {{user_name}}.' });

    const deleted = await inject('DELETE', url, team.editor);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expectError(await inject('DELETE', url, team.editor), 404, 'NOT_FOUND');
    expect((await list(team.viewer)).map((r) => r.canned_reply_id)).not.toContain(reply.canned_reply_id);

    const entries = await auditOf(a, reply.canned_reply_id);
    expect(entries.map((e) => e.action)).toEqual(['create', 'update', 'update', 'delete']);
    expect(entries[0]).toMatchObject({
      actor: { type: 'account', id: team.editor.accountId },
      before: null,
      after: { shortcut: 'thanks', content: 'Thank you, {{user_name}}!' },
    });
    expect(entries[1]).toMatchObject({
      before: { content: 'Thank you, {{user_name}}!' },
      after: { content: 'Many thanks, {{user_name}}.' },
    });
    expect(entries[3]).toMatchObject({ before: { shortcut: 'thank-you' }, after: null });
  });

  it('agents and viewers read them; only editors and owners (or write keys) change them', async () => {
    const reply = await create(a.api_key, { shortcut: 'roles', content: 'Hello' });
    const url = `/api/canned-replies/${reply.canned_reply_id}`;
    for (const member of [team.agent, team.viewer]) {
      expect((await list(member)).map((r) => r.shortcut)).toContain('roles');
      expectError(
        await inject('POST', '/api/canned-replies', member, { shortcut: 'nope', content: 'x' }),
        403,
        'AUTHORIZATION_ERROR',
      );
      expectError(await inject('PUT', url, member, { content: 'changed' }), 403, 'AUTHORIZATION_ERROR');
      expectError(await inject('DELETE', url, member), 403, 'AUTHORIZATION_ERROR');
    }
    expect((await list(a.api_key)).find((r) => r.shortcut === 'roles')?.content).toBe('Hello');
    expect((await list(a.api_key)).map((r) => r.shortcut)).not.toContain('nope');
  });

  it('lists sorted by shortcut, only the business’s own', async () => {
    for (const shortcut of ['zeta', 'alpha', 'm-1', 'm_1', '9lives']) {
      await create(team.editor, { shortcut: `sort-${shortcut}`, content: shortcut });
    }
    await create(b.api_key, { shortcut: 'sort-beta', content: 'B' });
    const shortcuts = (await list(team.agent))
      .map((r) => String(r.shortcut))
      .filter((s) => s.startsWith('sort-'));
    expect(shortcuts).toEqual(['sort-9lives', 'sort-alpha', 'sort-m-1', 'sort-m_1', 'sort-zeta']);
    expect((await list(b.api_key)).map((r) => r.shortcut)).toEqual(['sort-beta']);
    // The master key names the business.
    expect((await list(t.masterKey, `?business_id=${b.business_id}`)).map((r) => r.shortcut)).toEqual([
      'sort-beta',
    ]);
    expect((await list(team.agent)).every((r) => !('rendered' in r))).toBe(true);
  });

  it('renders each reply for a conversation: customer, stage, collected data; unknown variables empty', async () => {
    const user = await createUser(t.app, a.api_key, { first_name: 'Marta', last_name: 'Costa' });
    const { conversationId } = await seedConversation(t.database.db, {
      businessId: a.business_id,
      userId: user.user_id,
      stageId: a.first_stage_id,
      messages: ['Where is my order?'],
      collectedData: { order_number: 'A-1042', sneaky: '{{business_name}}' },
    });
    const stage = await inject('GET', `/api/stages/${a.first_stage_id}`, a.api_key);
    const stageName = stage.json().stage_name as string;
    const business = await inject('GET', `/api/businesses/${a.business_id}`, a.api_key);
    const businessName = business.json().business_name as string;

    await create(team.editor, {
      shortcut: 'render-order',
      content:
        'Hi {{user_name}}, order {{order_number}} ({{current_stage}}) at {{business_name}}.{{no_such_thing}}',
    });
    await create(team.editor, { shortcut: 'render-plain', content: 'No variables here' });
    await create(team.editor, { shortcut: 'render-inject', content: 'You wrote: {{sneaky}}' });

    const rendered = (await list(team.agent, `?conversation_id=${conversationId}`)).filter((r) =>
      String(r.shortcut).startsWith('render-'),
    );
    expect(Object.fromEntries(rendered.map((r) => [r.shortcut, r.rendered]))).toEqual({
      'render-order': `Hi Marta Costa, order A-1042 (${stageName}) at ${businessName}.`,
      'render-plain': 'No variables here',
      // A value is inserted as text, never rendered again.
      'render-inject': 'You wrote: {{business_name}}',
    });
    expect(rendered.find((r) => r.shortcut === 'render-order')?.content).toContain('{{user_name}}');

    // Collected data edited since: the next listing renders the new value.
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/api/conversations/${conversationId}/collected-data`,
      headers: bearer(a.api_key),
      payload: { data: { order_number: 'B-7' } },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const again = await list(team.agent, `?conversation_id=${conversationId}`);
    expect(again.find((r) => r.shortcut === 'render-order')?.rendered).toMatch(/^Hi Marta Costa, order B-7 /);
  });

  it('a duplicate shortcut is a 409, on create and on rename; another business may use it', async () => {
    const first = await create(team.editor, { shortcut: 'dup', content: 'one' });
    const other = await create(team.editor, { shortcut: 'dup-other', content: 'two' });
    const conflict = await inject('POST', '/api/canned-replies', team.editor, {
      shortcut: 'dup',
      content: 'x',
    });
    const error = expectError(conflict, 409, 'CONFLICT');
    expect(error.message).toContain('dup');
    expectError(
      await inject('PUT', `/api/canned-replies/${other.canned_reply_id}`, team.editor, { shortcut: 'dup' }),
      409,
      'CONFLICT',
    );
    // Renaming to its own shortcut is no conflict.
    const same = await inject('PUT', `/api/canned-replies/${first.canned_reply_id}`, team.editor, {
      shortcut: 'dup',
      content: 'one again',
    });
    expect(same.statusCode, same.body).toBe(200);
    await create(b.api_key, { shortcut: 'dup', content: 'B has its own' });
    const mine = (await list(team.agent)).filter((r) => String(r.shortcut).startsWith('dup'));
    expect(mine.map((r) => [r.shortcut, r.content])).toEqual([
      ['dup', 'one again'],
      ['dup-other', 'two'],
    ]);
    // The refused changes recorded nothing.
    expect((await auditOf(a, other.canned_reply_id)).map((e) => e.action)).toEqual(['create']);
  });

  it('rejects bad shortcuts, content and bodies with 400 and the error envelope', async () => {
    const badShortcuts = ['', 'Hello', '-start', '_start', 'has space', 'ação', 'a'.repeat(33), 'semi;colon'];
    for (const shortcut of badShortcuts) {
      const response = await inject('POST', '/api/canned-replies', team.editor, { shortcut, content: 'x' });
      expectFieldErrors(response, ['shortcut']);
    }
    expect(
      (await inject('POST', '/api/canned-replies', team.editor, { shortcut: 'a'.repeat(32), content: 'x' }))
        .statusCode,
    ).toBe(201);
    for (const payload of [
      { shortcut: 'bad-content' },
      { shortcut: 'bad-content', content: '' },
      { shortcut: 'bad-content', content: 'x'.repeat(4001) },
      { shortcut: 'bad-content', content: 5 },
      { shortcut: 'bad-content', content: 'x', extra: true },
      { content: 'no shortcut' },
    ]) {
      expectError(await inject('POST', '/api/canned-replies', team.editor, payload), 400, 'VALIDATION_ERROR');
    }
    expectFieldErrors(
      await inject('POST', '/api/canned-replies', team.editor, { shortcut: 'blank', content: '  \n ' }),
      ['content'],
    );
    const reply = await create(team.editor, { shortcut: 'put-target', content: 'x' });
    const url = `/api/canned-replies/${reply.canned_reply_id}`;
    for (const payload of [{}, { shortcut: 'Bad' }, { content: '' }, { business_id: b.business_id }]) {
      expectError(await inject('PUT', url, team.editor, payload), 400, 'VALIDATION_ERROR');
    }
    expectError(
      await inject('PUT', '/api/canned-replies/not-a-uuid', team.editor, { content: 'x' }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await inject('GET', '/api/canned-replies?conversation_id=nope', team.agent),
      400,
      'VALIDATION_ERROR',
    );
    expect((await list(team.agent)).map((r) => r.shortcut)).not.toContain('bad-content');
  });

  it("another business's replies and conversations are 404; its business_id is 403", async () => {
    const theirs = await create(b.api_key, { shortcut: 'private', content: 'B secret' });
    const url = `/api/canned-replies/${theirs.canned_reply_id}`;
    for (const caller of [a.api_key, team.owner, team.editor]) {
      expectError(await inject('PUT', url, caller, { content: 'mine now' }), 404, 'NOT_FOUND');
      expectError(await inject('DELETE', url, caller), 404, 'NOT_FOUND');
    }
    expectError(
      await inject('PUT', `/api/canned-replies/${missingId()}`, a.api_key, { content: 'x' }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await inject('POST', '/api/canned-replies', team.editor, {
        business_id: b.business_id,
        shortcut: 'planted',
        content: 'x',
      }),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(
      await inject('GET', `/api/canned-replies?business_id=${b.business_id}`, team.agent),
      403,
      'AUTHORIZATION_ERROR',
    );

    const userB = await createUser(t.app, b.api_key);
    const { conversationId } = await seedConversation(t.database.db, {
      businessId: b.business_id,
      userId: userB.user_id,
      messages: ['hi'],
      collectedData: { secret: 'B data' },
    });
    expectError(
      await inject('GET', `/api/canned-replies?conversation_id=${conversationId}`, team.agent),
      404,
      'NOT_FOUND',
    );
    expectError(
      await inject('GET', `/api/canned-replies?conversation_id=${missingId()}`, a.api_key),
      404,
      'NOT_FOUND',
    );

    const still = await list(b.api_key);
    expect(still.find((r) => r.shortcut === 'private')?.content).toBe('B secret');
    expect(
      (await list(b.api_key, `?conversation_id=${conversationId}`)).find((r) => r.shortcut === 'private'),
    ).toMatchObject({ rendered: 'B secret' });
  });
});
