import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';

let t: TestApp;
let a: CreatedBusiness;
let b: CreatedBusiness;

beforeAll(async () => {
  t = await buildTestApp();
  a = await createBusiness(t.app, t.masterKey);
  b = await createBusiness(t.app, t.masterKey);
});
afterAll(async () => t.close());

const call = (method: string, url: string, key: string, payload?: unknown) =>
  callApi(t.app, method, url, key, payload);

async function createTemplate(key: string, body: Json = {}) {
  const res = await call('POST', '/api/templates', key, {
    template_name: 'Greeting reply',
    template_type: 'response_generation',
    content: 'Hello {{user_name}}, welcome to {{business_name}}.',
    system_prompt: 'You are the assistant of {{business_name}}.',
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('POST /api/templates', () => {
  it('creates a template and returns it in full with no warnings for built-in variables', async () => {
    const body = await createTemplate(a.api_key);
    expect(body).toMatchObject({
      business_id: a.business_id,
      template_name: 'Greeting reply',
      template_type: 'response_generation',
      content: 'Hello {{user_name}}, welcome to {{business_name}}.',
      system_prompt: 'You are the assistant of {{business_name}}.',
      is_default: false,
      version: 1,
      warnings: [],
    });
    expect(body.template_id).toMatch(/^[0-9a-f-]{36}$/);
    const fetched = await call('GET', `/api/templates/${body.template_id}`, a.api_key);
    expect(fetched.status).toBe(200);
    expect(fetched.body).not.toHaveProperty('warnings');
    expect(fetched.body.content).toBe(body.content);
  });

  it.each([
    ['selection', 'stage_selection'],
    ['extraction', 'data_extraction'],
    ['generation', 'response_generation'],
    ['default_data_extraction', 'default_data_extraction'],
  ])('normalises the template type %s to %s', async (input, stored) => {
    const body = await createTemplate(a.api_key, { template_type: input });
    expect(body.template_type).toBe(stored);
  });

  it('warns about variables the catalogue does not know, but saves the template', async () => {
    const body = await createTemplate(a.api_key, {
      content: 'Order {{order_number}} for {{user_name}}; literal JSON {"a": 1} stays',
      system_prompt: 'Ship to {{shipping.city}}',
    });
    expect(body.warnings).toHaveLength(2);
    expect(body.warnings[0]).toContain('{{order_number}}');
    expect(body.warnings[0]).toMatch(/extracted data/);
    expect(body.warnings[1]).toContain('{{shipping.city}}');
    const fetched = await call('GET', `/api/templates/${body.template_id}`, a.api_key);
    expect(fetched.status).toBe(200);
  });

  it('rejects bad input with VALIDATION_ERROR and field errors', async () => {
    const cases: [Json, string][] = [
      [{ template_name: 'x', template_type: 'bogus', content: 'c' }, 'template_type'],
      [{ template_name: 'x', template_type: 'stage_selection' }, 'content'],
      [{ template_type: 'stage_selection', content: 'c' }, 'template_name'],
      [{ template_name: 'x', template_type: 'stage_selection', content: '' }, 'content'],
      [{ template_name: 'x', template_type: 'stage_selection', content: 'c', extra: 1 }, 'extra'],
      [{ template_name: 'x', template_type: 'stage_selection', content: 42 }, 'content'],
    ];
    for (const [payload, field] of cases) {
      const res = await call('POST', '/api/templates', a.api_key, payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.error.details.field_errors)).toContain(field);
    }
    const blank = await call('POST', '/api/templates', a.api_key, {
      template_name: '   ',
      template_type: 'stage_selection',
      content: 'c',
    });
    expect(blank.status).toBe(400);
  });

  it('needs business_id with the master key and refuses another business for a business key', async () => {
    const payload = { template_name: 'x', template_type: 'stage_selection', content: 'c' };
    const masterWithout = await call('POST', '/api/templates', t.masterKey, payload);
    expect(masterWithout.status).toBe(400);
    expect(masterWithout.body.error.details.field_errors).toHaveProperty('business_id');
    const master = await call('POST', '/api/templates', t.masterKey, {
      ...payload,
      business_id: b.business_id,
    });
    expect(master.status).toBe(201);
    expect(master.body.business_id).toBe(b.business_id);
    const foreign = await call('POST', '/api/templates', a.api_key, {
      ...payload,
      business_id: b.business_id,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('AUTHORIZATION_ERROR');
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/templates', payload });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('GET /api/templates', () => {
  it('lists only the business’s templates, with filters and paging', async () => {
    const biz = await createBusiness(t.app, t.masterKey);
    // A new business has its three default_* templates and the entry stage's three copies.
    const all = await call('GET', '/api/templates', biz.api_key);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 6, page: 1, per_page: 20 });
    expect(all.body.templates.every((x: Json) => x.business_id === biz.business_id)).toBe(true);

    const defaults = await call('GET', '/api/templates?is_default=true', biz.api_key);
    expect(defaults.body.total).toBe(3);
    expect(defaults.body.templates.map((x: Json) => x.template_type).sort()).toEqual([
      'default_data_extraction',
      'default_response_generation',
      'default_stage_selection',
    ]);
    const notDefault = await call('GET', '/api/templates?is_default=false', biz.api_key);
    expect(notDefault.body.total).toBe(3);

    const byAlias = await call('GET', '/api/templates?template_type=extraction', biz.api_key);
    expect(byAlias.body.total).toBe(1);
    expect(byAlias.body.templates[0].template_type).toBe('data_extraction');

    const page2 = await call('GET', '/api/templates?per_page=4&page=2', biz.api_key);
    expect(page2.body).toMatchObject({ total: 6, page: 2, per_page: 4 });
    expect(page2.body.templates).toHaveLength(2);
    const page1 = await call('GET', '/api/templates?per_page=4&page=1', biz.api_key);
    const ids = [...page1.body.templates, ...page2.body.templates].map((x: Json) => x.template_id);
    expect(new Set(ids).size).toBe(6);
  });

  it('applies the tenant rules', async () => {
    expect((await call('GET', '/api/templates', t.masterKey)).status).toBe(400);
    const master = await call('GET', `/api/templates?business_id=${b.business_id}`, t.masterKey);
    expect(master.status).toBe(200);
    expect(master.body.templates.every((x: Json) => x.business_id === b.business_id)).toBe(true);
    const foreign = await call('GET', `/api/templates?business_id=${b.business_id}`, a.api_key);
    expect(foreign.status).toBe(403);
    const bad = await call('GET', '/api/templates?per_page=1000', a.api_key);
    expect(bad.status).toBe(400);
    const badType = await call('GET', '/api/templates?template_type=nope', a.api_key);
    expect(badType.status).toBe(400);
  });
});

describe('GET/PUT/DELETE /api/templates/{id}', () => {
  it('answers 404 for another business’s template and for unknown ids, 400 for a bad uuid', async () => {
    const own = await createTemplate(b.api_key);
    for (const [method, payload] of [
      ['GET', undefined],
      ['PUT', { content: 'hijacked' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, `/api/templates/${own.template_id}`, a.api_key, payload);
      expect(res.status, method).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    for (const url of [
      `/api/templates/${own.template_id}/versions`,
      `/api/templates/${own.template_id}/variables`,
    ]) {
      expect((await call('GET', url, a.api_key)).status).toBe(404);
    }
    expect(
      (await call('POST', `/api/templates/${own.template_id}/versions/1/restore`, a.api_key)).status,
    ).toBe(404);
    expect((await call('POST', `/api/templates/${own.template_id}/render`, a.api_key, {})).status).toBe(404);
    const still = await call('GET', `/api/templates/${own.template_id}`, b.api_key);
    expect(still.body.content).toBe(own.content);
    expect((await call('GET', `/api/templates/${own.template_id}`, t.masterKey)).status).toBe(200);
    expect((await call('GET', '/api/templates/00000000-0000-4000-8000-000000000000', a.api_key)).status).toBe(
      404,
    );
    const badId = await call('GET', '/api/templates/not-a-uuid', a.api_key);
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('updates partially, stores every update as a version and restores one', async () => {
    const created = await createTemplate(a.api_key, { content: 'v1 {{business_name}}' });
    const v2 = await call('PUT', `/api/templates/${created.template_id}`, a.api_key, {
      content: 'v2 {{unknown_thing}}',
    });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({
      version: 2,
      content: 'v2 {{unknown_thing}}',
      template_name: 'Greeting reply',
    });
    expect(v2.body.warnings).toHaveLength(1);
    const v3 = await call('PATCH', `/api/templates/${created.template_id}`, a.api_key, {
      template_name: 'Renamed',
      system_prompt: 'sp3',
    });
    expect(v3.body).toMatchObject({ version: 3, template_name: 'Renamed', content: 'v2 {{unknown_thing}}' });

    const versions = await call('GET', `/api/templates/${created.template_id}/versions`, a.api_key);
    expect(versions.status).toBe(200);
    expect(versions.body).toMatchObject({ total: 3, current_version: 3 });
    expect(versions.body.versions.map((v: Json) => v.version)).toEqual([3, 2, 1]);
    expect(versions.body.versions[2]).toMatchObject({
      content: 'v1 {{business_name}}',
      template_name: 'Greeting reply',
    });

    const restored = await call(
      'POST',
      `/api/templates/${created.template_id}/versions/1/restore`,
      a.api_key,
    );
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({
      version: 4,
      content: 'v1 {{business_name}}',
      template_name: 'Greeting reply',
      system_prompt: created.system_prompt,
      warnings: [],
    });
    const after = await call('GET', `/api/templates/${created.template_id}/versions?per_page=2`, a.api_key);
    expect(after.body).toMatchObject({ total: 4, per_page: 2, current_version: 4 });
    expect(after.body.versions[0]).toMatchObject({ version: 4, content: 'v1 {{business_name}}' });

    const missing = await call(
      'POST',
      `/api/templates/${created.template_id}/versions/99/restore`,
      a.api_key,
    );
    expect(missing.status).toBe(404);
    const zero = await call('POST', `/api/templates/${created.template_id}/versions/0/restore`, a.api_key);
    expect(zero.status).toBe(400);
  });

  it('rejects empty and malformed updates', async () => {
    const created = await createTemplate(a.api_key);
    expect((await call('PUT', `/api/templates/${created.template_id}`, a.api_key, {})).status).toBe(400);
    expect(
      (await call('PUT', `/api/templates/${created.template_id}`, a.api_key, { version: 7 })).status,
    ).toBe(400);
    const malformed = await t.app.inject({
      method: 'PUT',
      url: `/api/templates/${created.template_id}`,
      headers: { ...bearer(a.api_key), 'content-type': 'application/json' },
      payload: '{"content": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_ERROR');
    const unchanged = await call('GET', `/api/templates/${created.template_id}`, a.api_key);
    expect(unchanged.body.version).toBe(1);
  });

  it('refuses to delete a template a stage uses (409) and deletes it once unused', async () => {
    const biz = await createBusiness(t.app, t.masterKey);
    const stage = await call('GET', `/api/stages/${biz.first_stage_id}`, biz.api_key);
    const usedId = stage.body.response_generation_template_id as string;
    const refused = await call('DELETE', `/api/templates/${usedId}`, biz.api_key);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    expect(refused.body.error.details.stage_ids).toEqual([biz.first_stage_id]);
    expect((await call('GET', `/api/templates/${usedId}`, biz.api_key)).status).toBe(200);

    const type = await call('PUT', `/api/templates/${usedId}`, biz.api_key, {
      template_type: 'stage_selection',
    });
    expect(type.status).toBe(409);

    const replacement = await createTemplate(biz.api_key);
    const moved = await call('PUT', `/api/stages/${biz.first_stage_id}`, biz.api_key, {
      response_generation_template_id: replacement.template_id,
    });
    expect(moved.status).toBe(200);
    const deleted = await call('DELETE', `/api/templates/${usedId}`, biz.api_key);
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/api/templates/${usedId}`, biz.api_key)).status).toBe(404);
    expect((await call('GET', `/api/templates/${usedId}/versions`, biz.api_key)).status).toBe(404);
  });
});
