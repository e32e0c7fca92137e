import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { conversations } from '../../src/db/schema.js';
import { buildTestApp } from '../helpers/build-test-app.js';
import { apiAsserts, callApi, type Json } from '../helpers/call-api.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import type { FakeLlmRequest } from '../helpers/fake-llm-types.js';
import { classify, type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

/*
 * Typed fields (issue 16): the fields API, stage goals, typed extraction through the real app and a
 * fake OpenAI-compatible model, and fields frozen in a release.
 */
let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

const { call, ok, fails } = apiAsserts(() => p.t.app);

const fieldsUrl = (b: CreatedBusiness) => `/api/businesses/${b.business_id}/fields`;

const ALL_TYPES = [
  { name: 'full_name', label: 'Name', type: 'text', description: 'First and last name' },
  { name: 'email', label: 'E-mail', type: 'email', pii: true },
  { name: 'phone', label: 'Phone', type: 'phone', pii: true },
  { name: 'guests', label: 'Guests', type: 'number' },
  { name: 'visit_date', label: 'Visit date', type: 'date' },
  { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] },
  { name: 'breakfast', label: 'Breakfast', type: 'boolean' },
];

async function businessWithFields(required: string[], optional: string[] = []) {
  const b = await createBusiness(p.t.app, p.t.masterKey);
  for (const field of ALL_TYPES) await ok('POST', fieldsUrl(b), b.api_key, field, 201);
  await ok('PUT', `/api/stages/${b.first_stage_id}`, b.api_key, {
    required_fields: required,
    optional_fields: optional,
  });
  return b;
}

const extractionRequests = () => p.llm.requests.filter((r) => classify(r) === 'data_extraction');
const schemaOf = (r: FakeLlmRequest) =>
  (r.response_format as { json_schema?: { name: string; strict: boolean; schema: Json } }).json_schema;

describe('fields API', () => {
  it('creates, lists, reads, updates and deletes fields; bad input is a clear 4xx', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    expect(await ok('GET', fieldsUrl(b), b.api_key)).toEqual({ fields: [] });
    const created = await ok(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'], pii: false },
      201,
    );
    expect(created).toEqual({
      name: 'room',
      label: 'Room',
      type: 'enum',
      description: '',
      values: ['Single', 'Double'],
      pii: false,
    });
    await ok(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'email', label: 'E-mail', type: 'email', pii: true },
      201,
    );
    expect((await ok('GET', fieldsUrl(b), b.api_key)).fields.map((f: Json) => f.name)).toEqual([
      'room',
      'email',
    ]);
    expect(await ok('GET', `${fieldsUrl(b)}/email`, b.api_key)).toMatchObject({ type: 'email', pii: true });

    // Changing the type away from enum drops its values; to enum without values is refused.
    expect(await ok('PATCH', `${fieldsUrl(b)}/room`, b.api_key, { type: 'text' })).toEqual({
      name: 'room',
      label: 'Room',
      type: 'text',
      description: '',
      pii: false,
    });
    await fails('PATCH', `${fieldsUrl(b)}/room`, b.api_key, { type: 'enum' }, 400);
    await fails('POST', fieldsUrl(b), b.api_key, { name: 'room', label: 'Again', type: 'text' }, 409);
    await fails('POST', fieldsUrl(b), b.api_key, { name: 'Bad Name', label: 'X', type: 'text' }, 400);
    await fails('POST', fieldsUrl(b), b.api_key, { name: 'kind', label: 'Kind', type: 'enum' }, 400);
    await fails(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'kind', label: 'Kind', type: 'enum', values: ['a', 'a'] },
      400,
    );
    await fails(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'age', label: 'Age', type: 'number', values: ['1'] },
      400,
    );
    await fails('POST', fieldsUrl(b), b.api_key, { name: 'age', label: 'Age', type: 'colour' }, 400);
    await fails('GET', `${fieldsUrl(b)}/nope`, b.api_key, undefined, 404);

    // Stage goals name fields of the business, each once, required or optional.
    const stage = `/api/stages/${b.first_stage_id}`;
    await fails('PUT', stage, b.api_key, { required_fields: ['nope'] }, 400);
    await fails('PUT', stage, b.api_key, { required_fields: ['email', 'email'] }, 400);
    await fails('PUT', stage, b.api_key, { required_fields: ['email'], optional_fields: ['email'] }, 400);
    expect(await ok('PUT', stage, b.api_key, { required_fields: ['email'] })).toMatchObject({
      required_fields: ['email'],
      optional_fields: [],
    });
    // A field a stage names cannot be deleted; once the stage lets go, it can.
    await fails('DELETE', `${fieldsUrl(b)}/email`, b.api_key, undefined, 409);
    await ok('PUT', stage, b.api_key, { required_fields: [] });
    await ok('DELETE', `${fieldsUrl(b)}/email`, b.api_key, undefined, 204);
    await fails('DELETE', `${fieldsUrl(b)}/email`, b.api_key, undefined, 404);

    // Another business's key cannot see these fields.
    const other = await createBusiness(p.t.app, p.t.masterKey);
    const foreign = await call('GET', fieldsUrl(b), other.api_key);
    expect([403, 404]).toContain(foreign.status);

    const audit = await ok('GET', `/api/businesses/${b.business_id}/audit-log?entity_type=field`, b.api_key);
    expect(audit.entries.map((e: Json) => e.action).sort()).toEqual(['create', 'create', 'delete', 'update']);
  });
});

describe('typed extraction', () => {
  it('asks for exactly the stage fields and keeps valid values, normalised by type', async () => {
    const b = await businessWithFields(
      ['full_name', 'email', 'phone', 'guests'],
      ['visit_date', 'room', 'breakfast'],
    );
    p.llm.setDefault(
      scriptedModel({
        extract: () => ({
          full_name: '  Ana Lima ',
          email: 'Ana@Example.COM',
          phone: '+351 912 345 678',
          guests: '3',
          visit_date: '24.12.2026',
          room: 'double',
          breakfast: 'yes',
          unasked: 'dropped',
        }),
        respond: () => 'Thanks!',
      }),
    );
    const body = await ok('POST', '/api/message', b.api_key, { content: 'Ana here, see details' });
    expect(body.extracted_data).toEqual({
      full_name: 'Ana Lima',
      email: 'ana@example.com',
      phone: '+351912345678',
      guests: 3,
      visit_date: '2026-12-24',
      room: 'Double',
      breakfast: true,
    });
    const [request] = extractionRequests();
    const schema = request && schemaOf(request);
    expect(schema?.name).toBe('extracted_data');
    expect(schema?.strict).toBe(true);
    expect(Object.keys(schema?.schema.properties)).toEqual([
      'full_name',
      'email',
      'phone',
      'guests',
      'visit_date',
      'room',
      'breakfast',
    ]);
    expect(schema?.schema.required).toHaveLength(7);
    expect(schema?.schema.properties.room).toMatchObject({ enum: ['Single', 'Double', null] });
    expect(schema?.schema.properties.guests.type).toEqual(['number', 'null']);
    const extraction = body.processing_steps.find((s: Json) => s.step === 'data_extraction');
    expect(extraction.rejected_values).toBeUndefined();
    const [conversation] = await p.t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.conversationId, body.conversation_id));
    expect(conversation?.collectedData).toMatchObject({ email: 'ana@example.com', guests: 3 });
  });

  it('drops invalid values per type and records why; null answers are no answer', async () => {
    const b = await businessWithFields(
      ['email', 'phone', 'guests', 'visit_date', 'room', 'breakfast'],
      ['full_name'],
    );
    p.llm.setDefault(
      scriptedModel({
        extract: () => ({
          full_name: null,
          email: 'ana at example',
          phone: 'call me maybe',
          guests: 'several',
          visit_date: '2026-02-30',
          room: 'Suite',
          breakfast: 'perhaps',
        }),
        respond: () => 'Could you say that again?',
      }),
    );
    const body = await ok('POST', '/api/message', b.api_key, {
      content: 'garbled',
      external_message_id: 'typed-1',
    });
    expect(body.extracted_data).toEqual({});
    const extraction = body.processing_steps.find((s: Json) => s.step === 'data_extraction');
    const reasons = Object.fromEntries(
      (extraction.rejected_values as Json[]).map((r) => [r.field, [r.value, r.reason]]),
    );
    expect(reasons).toEqual({
      email: ['ana at example', 'is not an e-mail address'],
      phone: ['call me maybe', 'is not a phone number'],
      guests: ['several', 'is not a number'],
      visit_date: ['2026-02-30', 'is not a calendar date'],
      room: ['Suite', 'is not one of Single, Double'],
      breakfast: ['perhaps', 'is not yes/no'],
    });
    // Stored with the message's result: the stored answer to a repeated message shows them too.
    const again = await ok('POST', '/api/message', b.api_key, {
      content: 'garbled',
      external_message_id: 'typed-1',
      conversation_id: body.conversation_id,
    });
    expect(again.duplicate).toBe(true);
    const stored = again.processing_steps.find((s: Json) => s.step === 'data_extraction');
    expect(stored.rejected_values).toEqual(extraction.rejected_values);
  });

  it('more normalisations: 00 prefix, ISO timestamps, numbers as numbers, false from "no"', async () => {
    const b = await businessWithFields(['phone', 'visit_date', 'guests', 'breakfast']);
    p.llm.setDefault(
      scriptedModel({
        extract: () => ({
          phone: '0044 20 7946 0958',
          visit_date: '2026-03-05T10:00:00Z',
          guests: 2.5,
          breakfast: 'No',
        }),
      }),
    );
    const body = await ok('POST', '/api/message', b.api_key, { content: 'details' });
    expect(body.extracted_data).toEqual({
      phone: '+442079460958',
      visit_date: '2026-03-05',
      guests: 2.5,
      breakfast: false,
    });
  });

  it('a stage without fields extracts free-form as before', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'email', label: 'E-mail', type: 'email' }, 201);
    p.llm.setDefault(
      scriptedModel({ extract: () => ({ favourite_colour: 'green', email: 'not-an-email' }) }),
    );
    const body = await ok('POST', '/api/message', b.api_key, { content: 'I like green' });
    expect(body.extracted_data).toEqual({ favourite_colour: 'green', email: 'not-an-email' });
    expect(body.stage_complete).toBe(true);
    const [request] = extractionRequests();
    expect(request?.response_format).toMatchObject({ type: 'json_object' });
  });
});

describe('stage goals', () => {
  it('{{missing_fields}} lists the required fields not collected yet, with labels and descriptions', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    await ok(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'email', label: 'E-mail', type: 'email', description: 'Where we send the confirmation' },
      201,
    );
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'visit_date', label: 'Visit date', type: 'date' }, 201);
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'notes', label: 'Notes', type: 'text' }, 201);
    const stage = await ok('PUT', `/api/stages/${b.first_stage_id}`, b.api_key, {
      required_fields: ['email', 'visit_date'],
      optional_fields: ['notes'],
    });
    await ok('PUT', `/api/templates/${stage.response_generation_template_id}`, b.api_key, {
      content: 'Still needed:\n{{missing_fields}}\nCustomer: """{{message_content}}"""',
    });
    p.llm.setDefault(
      scriptedModel({
        extract: (m) =>
          m.includes('@')
            ? { email: 'ana@example.com', visit_date: 'soon' }
            : m.includes('2026')
              ? { visit_date: '2026-12-24' }
              : {},
        respond: () => 'Noted.',
      }),
    );
    const replyPrompt = (body: Json) =>
      body.processing_steps.find((s: Json) => s.step === 'response_generation').prompt as string;

    const first = await ok('POST', '/api/message', b.api_key, { content: 'hello' });
    expect(replyPrompt(first)).toContain(
      'Still needed:\n- E-mail: Where we send the confirmation\n- Visit date\nCustomer:',
    );
    expect(replyPrompt(first)).not.toContain('Notes');
    expect(first.stage_complete).toBe(false);

    // This message's own facts count (the reply waits for the extraction); an invalid date does not.
    const second = await ok('POST', '/api/message', b.api_key, {
      content: 'ana@example.com',
      conversation_id: first.conversation_id,
    });
    expect(second.extracted_data).toEqual({ email: 'ana@example.com' });
    expect(replyPrompt(second)).toContain('Still needed:\n- Visit date\nCustomer:');
    expect(second.stage_complete).toBe(false);

    // All required fields collected: the stage is complete and nothing is missing.
    const third = await ok('POST', '/api/message', b.api_key, {
      content: 'on 2026-12-24',
      conversation_id: first.conversation_id,
      external_message_id: 'goal-3',
    });
    expect(third.stage_complete).toBe(true);
    expect(replyPrompt(third)).toContain('Still needed:\n\nCustomer:');
    const again = await ok('POST', '/api/message', b.api_key, {
      content: 'on 2026-12-24',
      conversation_id: first.conversation_id,
      external_message_id: 'goal-3',
    });
    expect(again).toMatchObject({ duplicate: true, stage_complete: true });
  });
});

describe('fields in releases', () => {
  it('a release freezes the fields: a draft edit changes live extraction only when published', async () => {
    const b = await businessWithFields(['room']);
    p.llm.setDefault(scriptedModel({ extract: () => ({ room: 'Double' }) }));
    const release = await ok(
      'POST',
      `/api/businesses/${b.business_id}/releases`,
      b.api_key,
      { note: 'v1' },
      201,
    );
    expect(release.configuration.fields.map((f: Json) => f.name)).toContain('room');
    expect(release.configuration.stages[0].required_fields).toEqual(['room']);

    // The draft's enum no longer has Double: live traffic still runs release 1.
    await ok('PATCH', `${fieldsUrl(b)}/room`, b.api_key, { values: ['Single', 'Suite'] });
    const live = await ok('POST', '/api/message', b.api_key, { content: 'a double please' });
    expect(live.extracted_data).toEqual({ room: 'Double' });
    const liveSchema = schemaOf(extractionRequests()[0] as FakeLlmRequest);
    expect(liveSchema?.schema.properties.room.enum).toEqual(['Single', 'Double', null]);

    const diff = await ok('GET', `/api/businesses/${b.business_id}/releases/diff`, b.api_key);
    expect(diff.settings.map((c: Json) => c.field)).toContain('fields');

    await ok('POST', `/api/businesses/${b.business_id}/releases`, b.api_key, { note: 'v2' }, 201);
    const after = await ok('POST', '/api/message', b.api_key, { content: 'a double please' });
    expect(after.extracted_data).toEqual({});
    const step = after.processing_steps.find((s: Json) => s.step === 'data_extraction');
    expect(step.rejected_values).toEqual([
      { field: 'room', value: 'Double', reason: 'is not one of Single, Suite' },
    ]);

    // Restoring release 1 brings the old field definition back into the draft.
    await ok('POST', `/api/businesses/${b.business_id}/releases/1/restore`, b.api_key, {}, 201);
    expect((await ok('GET', `${fieldsUrl(b)}/room`, b.api_key)).values).toEqual(['Single', 'Double']);
  });

  it('export carries the fields; an import whose stage names an unknown field is refused', async () => {
    const b = await businessWithFields(['email']);
    const exported = await ok('GET', `/api/businesses/${b.business_id}/configuration/export`, b.api_key);
    expect(exported.configuration.fields).toHaveLength(ALL_TYPES.length);
    const target = await createBusiness(p.t.app, p.t.masterKey);
    const imported = await ok(
      'POST',
      `/api/businesses/${target.business_id}/configuration/import`,
      target.api_key,
      exported,
    );
    expect(imported.configuration.fields).toEqual(exported.configuration.fields);
    expect((await ok('GET', fieldsUrl(target), target.api_key)).fields).toHaveLength(ALL_TYPES.length);

    const broken = structuredClone(exported);
    broken.configuration.fields = broken.configuration.fields.filter((f: Json) => f.name !== 'email');
    const refused = await fails(
      'POST',
      `/api/businesses/${target.business_id}/configuration/import`,
      target.api_key,
      broken,
      400,
    );
    expect(JSON.stringify(refused)).toContain('not a field of the document');
  });
});

describe('offline engine', () => {
  it('fills typed fields from its patterns: the one field of each type, an enum value the message names', async () => {
    const offline = await buildTestApp();
    try {
      const b = await createBusiness(offline.app, offline.masterKey);
      const post = async (url: string, payload: unknown, status = 200) => {
        const res = await callApi(offline.app, 'POST', url, b.api_key, payload);
        expect(res.status, JSON.stringify(res.body)).toBe(status);
        return res.body as Json;
      };
      for (const field of ALL_TYPES) await post(fieldsUrl(b), field, 201);
      const put = await callApi(offline.app, 'PUT', `/api/stages/${b.first_stage_id}`, b.api_key, {
        required_fields: ['email', 'phone', 'visit_date', 'room'],
        optional_fields: ['guests'],
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const body = await post('/api/message', {
        content:
          'I am Ana, ana@example.com, +351 912 345 678, a double room on 24.12.2026 for 3 people, order #A1234',
      });
      expect(body.engine).toBe('offline');
      expect(body.extracted_data).toEqual({
        email: 'ana@example.com',
        phone: '+351912345678',
        visit_date: '2026-12-24',
        room: 'Double',
        guests: 3,
      });
      expect(body.stage_complete).toBe(true);
    } finally {
      await offline.close();
    }
  });
});
