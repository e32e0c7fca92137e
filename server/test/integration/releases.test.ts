import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigForTarget } from '../../src/modules/releases/index.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';

/*
 * Releases through the real app (offline engine: a reply is the stage's fallback text, so what the
 * customer gets shows which configuration answered).
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const call = (method: string, url: string, key: string, payload?: unknown) =>
  callApi(t.app, method, url, key, payload);

async function ok(method: string, url: string, key: string, payload?: unknown, status = 200) {
  const res = await call(method, url, key, payload);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body as Json;
}

/** A clear JSON error: the status and the envelope's code. */
function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect((res.body as Json).error?.code, JSON.stringify(res.body)).toBe(code);
}

const base = (b: CreatedBusiness) => `/api/businesses/${b.business_id}`;
const setFallback = (b: CreatedBusiness, text: string) =>
  ok('PUT', `/api/stages/${b.first_stage_id}`, b.api_key, { fallback_reply: text });
const liveAnswer = async (b: CreatedBusiness) =>
  (await ok('POST', '/api/message', b.api_key, { content: 'hello there' })).response as string;

describe('draft and publish', () => {
  it('a business with no release serves its draft; after publishing, the release keeps answering while the draft changes', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    await setFallback(b, 'Answer one');
    const initial = await ok('GET', `${base(b)}/releases`, b.api_key);
    expect(initial).toMatchObject({ releases: [], published: null, draft_changed: true });
    expect(await liveAnswer(b)).toBe('Answer one');

    const first = await ok('POST', `${base(b)}/releases`, b.api_key, { note: 'First cut' }, 201);
    expect(first).toMatchObject({
      number: 1,
      note: 'First cut',
      author: { type: 'api_key' },
      restored_from: null,
      stage_count: 1,
    });
    expect(first.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.configuration.stages[0].fallback_reply).toBe('Answer one');

    await setFallback(b, 'Answer two');
    expect(await liveAnswer(b)).toBe('Answer one');
    expect(await ok('GET', `${base(b)}/releases/status`, b.api_key)).toMatchObject({
      published: 1,
      draft_changed: true,
    });
    const draft = await loadConfigForTarget(t.database.db, b.business_id, 'draft');
    expect(draft?.stagesById.get(b.first_stage_id)?.fallbackReply).toBe('Answer two');
    expect(draft?.releaseNumber).toBeNull();
    const published = await loadConfigForTarget(t.database.db, b.business_id, 'published');
    expect(published?.releaseNumber).toBe(1);
    expect(published?.stagesById.get(b.first_stage_id)?.fallbackReply).toBe('Answer one');

    const second = await ok('POST', `${base(b)}/releases`, b.api_key, { note: 'Second' }, 201);
    expect(second.number).toBe(2);
    expect(await liveAnswer(b)).toBe('Answer two');
    expect((await loadConfigForTarget(t.database.db, b.business_id, { release: 1 }))?.releaseNumber).toBe(1);
    expect(await loadConfigForTarget(t.database.db, b.business_id, { release: 9 })).toBeUndefined();

    // Nothing changed since: publishing again is refused.
    const again = await call('POST', `${base(b)}/releases`, b.api_key, {});
    expectError(again, 409, 'CONFLICT');
    expect(await ok('GET', `${base(b)}/releases/status`, b.api_key)).toMatchObject({ draft_changed: false });
  });

  it('a published template stays live while the draft template is edited, until the next publish', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    await ok('POST', `${base(b)}/releases`, b.api_key, { note: 'v1' }, 201);
    const stage = await ok('GET', `/api/stages/${b.first_stage_id}`, b.api_key);
    const templateId = stage.response_generation_template_id as string;
    await ok('PUT', `/api/templates/${templateId}`, b.api_key, {
      content: 'Draft wording {{message_content}}',
    });
    const live = await loadConfigForTarget(t.database.db, b.business_id, 'published');
    expect(live?.templatesById.get(templateId)?.content).not.toBe('Draft wording {{message_content}}');
    const diff = await ok('GET', `${base(b)}/releases/diff?from=published&to=draft`, b.api_key);
    expect(diff).toMatchObject({ from: '1', to: 'draft', changed: true, stages: [] });
    expect(diff.templates).toEqual([
      expect.objectContaining({
        template_id: templateId,
        change: 'changed',
        fields: [expect.objectContaining({ field: 'content', to: 'Draft wording {{message_content}}' })],
      }),
    ]);
  });

  it('a stage deleted from the draft is no longer served by the release, and restore brings it back', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    const extra = await ok(
      'POST',
      '/api/stages',
      b.api_key,
      { stage_name: 'Returns', fallback_reply: 'Returns desk' },
      201,
    );
    await ok('POST', `${base(b)}/releases`, b.api_key, { note: 'two stages' }, 201);
    await ok('DELETE', `/api/stages/${extra.stage_id}`, b.api_key, undefined, 204);
    const live = await loadConfigForTarget(t.database.db, b.business_id, 'published');
    expect(live?.stages.map((s) => s.stageName)).toEqual(['General']);
    const restored = await ok('POST', `${base(b)}/releases/1/restore`, b.api_key, {}, 201);
    expect(restored).toMatchObject({
      number: 2,
      restored_from: 1,
      note: 'Restored release 1',
      stage_count: 2,
    });
    const stages = await ok('GET', `/api/stages?business_id=${b.business_id}`, b.api_key);
    expect(stages.stages.map((s: Json) => s.stage_name)).toEqual(['General', 'Returns']);
    const after = await loadConfigForTarget(t.database.db, b.business_id, 'published');
    expect(after?.stages.map((s) => s.stageName)).toEqual(['General', 'Returns']);
    expect(after?.releaseNumber).toBe(2);
  });
});

describe('the simulator', () => {
  it('runs the draft or the published configuration; the draft only in the simulator', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    await setFallback(b, 'Published words');
    await ok('POST', `${base(b)}/releases`, b.api_key, {}, 201);
    await setFallback(b, 'Draft words');
    const send = (configuration?: string, conversationId?: string) =>
      ok('POST', '/api/message', b.api_key, {
        content: 'hello there',
        channel: 'simulator',
        ...(configuration ? { configuration } : {}),
        ...(conversationId ? { conversation_id: conversationId } : {}),
      });
    const draft = await send('draft');
    expect(draft.response).toBe('Draft words');
    // The same test chat, switched to the published set.
    expect((await send('published', draft.conversation_id)).response).toBe('Published words');
    expect((await send(undefined, draft.conversation_id)).response).toBe('Published words');
    expect((await send('draft', draft.conversation_id)).response).toBe('Draft words');
    expectError(
      await call('POST', '/api/message', b.api_key, { content: 'hi', configuration: 'draft' }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await call('POST', '/api/message', b.api_key, {
        content: 'hi',
        channel: 'simulator',
        configuration: 'latest',
      }),
      400,
      'VALIDATION_ERROR',
    );
  });
});

describe('the template editor', () => {
  it('previews a template with the draft (its stages), not the published release', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    await ok('POST', `${base(b)}/releases`, b.api_key, {}, 201);
    await ok('POST', '/api/stages', b.api_key, { stage_name: 'Returns desk' }, 201);
    const stage = await ok('GET', `/api/stages/${b.first_stage_id}`, b.api_key);
    const rendered = await ok(
      'POST',
      `/api/templates/${stage.response_generation_template_id}/render`,
      b.api_key,
      {
        content: 'Stages: {{available_stages}}',
      },
    );
    expect(rendered.rendered_content).toContain('Returns desk');
    const live = await loadConfigForTarget(t.database.db, b.business_id, 'published');
    expect(live?.stages.map((s) => s.stageName)).toEqual(['General']);
  });
});

describe('restore', () => {
  it('resets the draft to release N with new template versions and publishes it as a new release', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    const stage = await ok('GET', `/api/stages/${b.first_stage_id}`, b.api_key);
    const templateId = stage.response_generation_template_id as string;
    const original = (await ok('GET', `/api/templates/${templateId}`, b.api_key)).content as string;
    await setFallback(b, 'Old answer');
    await ok('POST', `${base(b)}/releases`, b.api_key, { note: 'old' }, 201);
    await ok('PUT', `/api/templates/${templateId}`, b.api_key, { content: 'New {{message_content}}' });
    await setFallback(b, 'New answer');
    await ok('POST', `${base(b)}/releases`, b.api_key, { note: 'new' }, 201);
    expect(await liveAnswer(b)).toBe('New answer');

    const restored = await ok('POST', `${base(b)}/releases/1/restore`, b.api_key, { note: 'roll back' }, 201);
    expect(restored).toMatchObject({ number: 3, restored_from: 1, note: 'roll back' });
    expect(await liveAnswer(b)).toBe('Old answer');
    const template = await ok('GET', `/api/templates/${templateId}`, b.api_key);
    expect(template.content).toBe(original);
    const versions = await ok('GET', `/api/templates/${templateId}/versions`, b.api_key);
    expect(versions.current_version).toBe(3);
    const diff = await ok('GET', `${base(b)}/releases/diff?from=1&to=3`, b.api_key);
    expect(diff.changed).toBe(false);
    const between = await ok('GET', `${base(b)}/releases/diff?from=1&to=2`, b.api_key);
    expect(between.stages[0]).toMatchObject({
      stage_id: b.first_stage_id,
      change: 'changed',
      fields: [{ field: 'fallback_reply', from: 'Old answer', to: 'New answer' }],
    });
    const log = await ok('GET', `${base(b)}/audit-log?entity_type=release`, b.api_key);
    expect(log.entries.map((e: Json) => e.action)).toEqual(['restore', 'publish', 'publish']);
  });

  it('answers 404 for an unknown release and 400 for a bad number or side', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    expectError(await call('POST', `${base(b)}/releases/7/restore`, b.api_key, {}), 404, 'NOT_FOUND');
    expectError(await call('GET', `${base(b)}/releases/7`, b.api_key), 404, 'NOT_FOUND');
    expectError(await call('GET', `${base(b)}/releases/zero`, b.api_key), 400, 'VALIDATION_ERROR');
    expectError(
      await call('GET', `${base(b)}/releases/diff?from=yesterday`, b.api_key),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await call('GET', `${base(b)}/releases/diff?from=published`, b.api_key), 404, 'NOT_FOUND');
    expectError(await call('POST', `${base(b)}/releases`, b.api_key, { note: 5 }), 400, 'VALIDATION_ERROR');
  });
});

describe('export and import', () => {
  it('an import of an export reproduces the configuration exactly, in the same and in another business', async () => {
    const a = await createBusiness(t.app, t.masterKey, {
      settings: { fallback_reply: 'Hi', history_limit: 12 },
    });
    await ok(
      'POST',
      '/api/stages',
      a.api_key,
      { stage_name: 'Billing', stage_description: 'Invoices', handoff: true },
      201,
    );
    const billingId = (await ok('GET', '/api/stages', a.api_key)).stages.find(
      (s: Json) => s.stage_name === 'Billing',
    ).stage_id as string;
    // Golden tests go with the configuration: one stays, one moves to Billing and checks a field and the reply.
    const caseBodies = [
      {
        stage_id: a.first_stage_id,
        name: 'greeting stays',
        message: 'hello',
        expectations: { stage: { mode: 'stays' }, reply: { max_length: 400 } },
      },
      {
        stage_id: a.first_stage_id,
        name: 'invoice goes to billing',
        history: [
          { sender: 'user', content: 'hi' },
          { sender: 'assistant', content: 'Hello!' },
        ],
        collected_data: { name: 'Ana' },
        message: 'where is my invoice 42?',
        expectations: {
          stage: { mode: 'exactly', stage_id: billingId },
          fields: [{ key: 'invoice', op: 'matches', pattern: '^\\d+$' }],
          reply: { contains: ['invoice'], not_contains: ['sorry'] },
        },
      },
    ];
    for (const body of caseBodies) await ok('POST', '/api/test-cases', a.api_key, body, 201);
    const exported = await ok('GET', `${base(a)}/configuration/export`, a.api_key);
    expect(exported).toMatchObject({ format: 'icmp-configuration', format_version: 1 });
    expect(exported.configuration.stages.map((s: Json) => s.stage_name)).toEqual(['General', 'Billing']);
    expect(exported.tests).toHaveLength(2);
    expect(exported.tests.map(({ test_case_id: _id, ...c }: Json) => c)).toEqual(
      caseBodies.map((c) => ({ history: [], collected_data: {}, ...c })),
    );

    // Same business: change the draft and its tests, import the export, get both back with the same ids.
    await setFallback(a, 'changed');
    await ok('POST', '/api/stages', a.api_key, { stage_name: 'Extra' }, 201);
    await ok('PATCH', `${base(a)}`, a.api_key, { settings: { history_limit: 3 } });
    await ok('PATCH', `/api/test-cases/${exported.tests[0].test_case_id}`, a.api_key, { name: 'renamed' });
    await ok('DELETE', `/api/test-cases/${exported.tests[1].test_case_id}`, a.api_key, undefined, 204);
    await ok('POST', '/api/test-cases', a.api_key, { ...caseBodies[0], name: 'not in the document' }, 201);
    const imported = await ok('POST', `${base(a)}/configuration/import`, a.api_key, exported);
    expect(imported.configuration).toEqual(exported.configuration);
    expect(imported.tests).toBe(2);
    const reExported = await ok('GET', `${base(a)}/configuration/export`, a.api_key);
    expect(reExported.configuration).toEqual(exported.configuration);
    expect(reExported.tests.map((c: Json) => c.name)).toEqual(['greeting stays', 'invoice goes to billing']);
    expect(reExported.tests[0]).toEqual(exported.tests[0]);
    expect({ ...reExported.tests[1], test_case_id: null }).toEqual({
      ...exported.tests[1],
      test_case_id: null,
    });

    // Another business: the same configuration under fresh ids.
    const b = await createBusiness(t.app, t.masterKey);
    await ok('POST', `${base(b)}/configuration/import`, b.api_key, exported);
    const copy = (await ok('GET', `${base(b)}/configuration/export`, b.api_key)).configuration as Json;
    const withoutIds = (c: Json) => {
      const names = new Map<string, string>(c.templates.map((x: Json) => [x.template_id, x.template_name]));
      const stageNames = new Map<string, string>(c.stages.map((x: Json) => [x.stage_id, x.stage_name]));
      return {
        settings: c.settings,
        entry: c.entry_stage_id ? stageNames.get(c.entry_stage_id) : null,
        stages: c.stages.map(({ stage_id: _s, ...s }: Json) => ({
          ...s,
          stage_selection_template_id: names.get(s.stage_selection_template_id),
          data_extraction_template_id: names.get(s.data_extraction_template_id),
          response_generation_template_id: names.get(s.response_generation_template_id),
        })),
        templates: c.templates
          .map(({ template_id: _t, ...x }: Json) => x)
          .sort((x: Json, y: Json) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      };
    };
    expect(withoutIds(copy)).toEqual(withoutIds(exported.configuration));
    expect(copy.stages[0].stage_id).not.toBe(exported.configuration.stages[0].stage_id);
    // Its tests name its own stages (mapped as the stages were), the rest equal.
    const copiedTests = (await ok('GET', `${base(b)}/configuration/export`, b.api_key)).tests as Json[];
    const billingCopy = copy.stages.find((s: Json) => s.stage_name === 'Billing').stage_id;
    expect(copiedTests.map((c) => c.stage_id)).toEqual([copy.stages[0].stage_id, copy.stages[0].stage_id]);
    expect(copiedTests[1].expectations.stage).toEqual({ mode: 'exactly', stage_id: billingCopy });
    const caseWithoutIds = ({ test_case_id: _id, stage_id: _s, expectations, ...c }: Json) => ({
      ...c,
      expectations: { ...expectations, stage: { mode: expectations.stage.mode } },
    });
    expect(copiedTests.map(caseWithoutIds)).toEqual(exported.tests.map(caseWithoutIds));
    expect(copiedTests[0].test_case_id).not.toBe(exported.tests[0].test_case_id);
    const listed = await ok('GET', `/api/test-cases?stage_id=${copy.stages[0].stage_id}`, b.api_key);
    expect(listed.test_cases.map((c: Json) => c.name)).toEqual(['greeting stays', 'invoice goes to billing']);
    const log = await ok('GET', `${base(b)}/audit-log?entity_type=configuration`, b.api_key);
    expect(log.entries[0]).toMatchObject({ action: 'import', entity_type: 'configuration' });
  });

  it('refuses bad documents with a clear 400 and changes nothing', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    const exported = await ok('GET', `${base(b)}/configuration/export`, b.api_key);
    const url = `${base(b)}/configuration/import`;
    expectError(
      await call('POST', url, b.api_key, { ...exported, format_version: 2 }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await call('POST', url, b.api_key, { configuration: exported.configuration }),
      400,
      'VALIDATION_ERROR',
    );
    const dangling = structuredClone(exported);
    dangling.configuration.stages[0].response_generation_template_id = crypto.randomUUID();
    const res = await call('POST', url, b.api_key, dangling);
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(JSON.stringify(res.body)).toContain('response_generation_template_id');
    const wrongRole = structuredClone(exported);
    const stage = wrongRole.configuration.stages[0];
    stage.response_generation_template_id = stage.stage_selection_template_id;
    expectError(await call('POST', url, b.api_key, wrongRole), 400, 'VALIDATION_ERROR');
    const noStages = structuredClone(exported);
    noStages.configuration.stages = [];
    noStages.configuration.entry_stage_id = null;
    expectError(await call('POST', url, b.api_key, noStages), 400, 'VALIDATION_ERROR');
    // A test that names a stage the document does not have.
    const strayTest = structuredClone(exported);
    strayTest.tests = [
      {
        test_case_id: crypto.randomUUID(),
        stage_id: crypto.randomUUID(),
        name: 'stray',
        history: [],
        collected_data: {},
        message: 'hello',
        expectations: { stage: { mode: 'exactly', stage_id: crypto.randomUUID() } },
      },
    ];
    const stray = await call('POST', url, b.api_key, strayTest);
    expectError(stray, 400, 'VALIDATION_ERROR');
    expect((stray.body as Json).error.details.field_errors).toEqual({
      'tests[0].stage_id': 'is not a stage of the document',
      'tests[0].expectations.stage.stage_id': 'is not a stage of the document',
    });
    const badPattern = structuredClone(strayTest);
    badPattern.tests[0].stage_id = exported.configuration.stages[0].stage_id;
    badPattern.tests[0].expectations = { reply: { matches: '(?<=a)b' } };
    const refused = await call('POST', url, b.api_key, badPattern);
    expectError(refused, 400, 'VALIDATION_ERROR');
    expect(Object.keys((refused.body as Json).error.details.field_errors)).toEqual([
      'tests[0].expectations.reply.matches',
    ]);
    const after = await ok('GET', `${base(b)}/configuration/export`, b.api_key);
    expect(after.configuration).toEqual(exported.configuration);
    expect(after.tests).toEqual([]);
  });
});

/**
 * Two server processes on one PostgreSQL (bus: Redis when REDIS_URL is set, else LISTEN/NOTIFY): a
 * release published through one is what the other answers with, without waiting for the cache TTL.
 */
describe.runIf(Boolean(process.env.DATABASE_URL))('two servers sharing the database', () => {
  let other: TestApp;
  beforeAll(async () => {
    other = await buildTestApp();
  });
  afterAll(async () => other?.close());

  const answerOn = async (app: TestApp, b: CreatedBusiness) => {
    const res = await callApi(app.app, 'POST', '/api/message', b.api_key, { content: 'hello there' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body as Json).response as string;
  };

  /** The bus is asynchronous across processes: poll briefly, far below the cache's 5-minute TTL. */
  const eventually = async (read: () => Promise<string>, expected: string) => {
    let value = '';
    for (let attempt = 0; attempt < 100; attempt += 1) {
      value = await read();
      if (value === expected) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return value;
  };

  it('the other process switches to a new release and to a restored one', async () => {
    const b = await createBusiness(t.app, t.masterKey);
    await setFallback(b, 'From release one');
    await ok('POST', `${base(b)}/releases`, b.api_key, {}, 201);
    expect(await answerOn(other, b)).toBe('From release one'); // cached on the other process now
    await setFallback(b, 'From release two');
    // The draft change is not live anywhere…
    expect(await answerOn(other, b)).toBe('From release one');
    await ok('POST', `${base(b)}/releases`, b.api_key, {}, 201);
    // …the publish is, on the other process too.
    expect(await eventually(() => answerOn(other, b), 'From release two')).toBe('From release two');
    await ok('POST', `${base(b)}/releases/1/restore`, b.api_key, {}, 201);
    expect(await eventually(() => answerOn(other, b), 'From release one')).toBe('From release one');
  });
});
