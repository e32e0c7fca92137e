import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/build-test-app.js';
import { apiAsserts, callApi, type Json } from '../helpers/call-api.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import type { FakeLlmRequest } from '../helpers/fake-llm-types.js';
import { classify, type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

/*
 * Stage transitions (issue 16 items 3 and 5): allowed next stages and transition rules on the stage
 * API, their cleanup on deletes, and the pipeline applying them (rules before the selection model).
 */
let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

const { ok, fails } = apiAsserts(() => p.t.app);

const fieldsUrl = (b: CreatedBusiness) => `/api/businesses/${b.business_id}/fields`;

async function stage(b: CreatedBusiness, body: Record<string, unknown>) {
  return ok('POST', '/api/stages', b.api_key, { business_id: b.business_id, ...body }, 201);
}

describe('transitions API', () => {
  it('stores allowed next stages and rules on create/update/get; null means any', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    await ok(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] },
      201,
    );
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'guests', label: 'Guests', type: 'number' }, 201);
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'email', label: 'E-mail', type: 'email' }, 201);
    const first = await ok('GET', `/api/stages/${b.first_stage_id}`, b.api_key);
    expect(first.allowed_next_stage_ids).toBeNull();
    expect(first.transition_rules).toEqual([]);
    const booking = await stage(b, { stage_name: 'Booking' });
    const human = await stage(b, {
      stage_name: 'Human',
      allowed_next_stage_ids: [booking.stage_id],
      transition_rules: [{ kind: 'complete', target_stage_id: booking.stage_id }],
    });
    expect(human.allowed_next_stage_ids).toEqual([booking.stage_id]);
    expect(human.transition_rules).toEqual([{ kind: 'complete', target_stage_id: booking.stage_id }]);

    const updated = await ok('PATCH', `/api/stages/${b.first_stage_id}`, b.api_key, {
      allowed_next_stage_ids: [],
      transition_rules: [
        { kind: 'asks_for_human', target_stage_id: human.stage_id, label: 'wants a person' },
        { kind: 'field_equals', field: 'room', value: 'double', target_stage_id: booking.stage_id },
        { kind: 'field_equals', field: 'guests', value: 2, target_stage_id: booking.stage_id },
        { kind: 'field_equals', field: 'email', value: 'A@B.example', target_stage_id: booking.stage_id },
      ],
    });
    expect(updated.allowed_next_stage_ids).toEqual([]);
    // Values are stored normalised, as extraction stores collected values.
    expect(updated.transition_rules.map((r: Json) => r.value)).toEqual([
      undefined,
      'Double',
      2,
      'a@b.example',
    ]);
    expect((await ok('GET', `/api/stages/${b.first_stage_id}`, b.api_key)).transition_rules).toEqual(
      updated.transition_rules,
    );
    const back = await ok('PATCH', `/api/stages/${b.first_stage_id}`, b.api_key, {
      allowed_next_stage_ids: null,
    });
    expect(back.allowed_next_stage_ids).toBeNull();
    expect(back.transition_rules).toHaveLength(4);
  });

  it('refuses bad transitions with a clear 400', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    const other = await createBusiness(p.t.app, p.t.masterKey);
    await ok(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] },
      201,
    );
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'guests', label: 'Guests', type: 'number' }, 201);
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'vip', label: 'VIP', type: 'boolean' }, 201);
    const booking = await stage(b, { stage_name: 'Booking' });
    const url = `/api/stages/${b.first_stage_id}`;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases: [unknown, RegExp][] = [
      [{ allowed_next_stage_ids: [unknown] }, /is not a stage/],
      [{ allowed_next_stage_ids: [other.first_stage_id] }, /another business/],
      [{ allowed_next_stage_ids: [booking.stage_id, booking.stage_id] }, /twice/],
      [{ allowed_next_stage_ids: [b.first_stage_id] }, /itself/],
      [{ transition_rules: [{ kind: 'complete', target_stage_id: unknown }] }, /is not a stage/],
      [
        { transition_rules: [{ kind: 'complete', target_stage_id: other.first_stage_id }] },
        /another business/,
      ],
      [{ transition_rules: [{ kind: 'complete', target_stage_id: b.first_stage_id }] }, /itself/],
      [
        {
          transition_rules: [
            { kind: 'field_equals', field: 'nope', value: 'x', target_stage_id: booking.stage_id },
          ],
        },
        /not a field of this business/,
      ],
      [
        {
          transition_rules: [
            { kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: booking.stage_id },
          ],
        },
        /not one of Single, Double/,
      ],
      [
        {
          transition_rules: [
            { kind: 'field_equals', field: 'guests', value: '2', target_stage_id: booking.stage_id },
          ],
        },
        /not a number/,
      ],
      [
        {
          transition_rules: [
            { kind: 'field_equals', field: 'vip', value: 'yes', target_stage_id: booking.stage_id },
          ],
        },
        /not a boolean/,
      ],
      [{ transition_rules: [{ kind: 'teleport', target_stage_id: booking.stage_id }] }, /./],
      [{ transition_rules: [{ kind: 'complete' }] }, /./],
    ];
    for (const [body, message] of cases) {
      const error = await fails('PATCH', url, b.api_key, body, 400);
      expect(JSON.stringify(error), JSON.stringify(body)).toMatch(message);
    }
    await fails(
      'POST',
      '/api/stages',
      b.api_key,
      { business_id: b.business_id, stage_name: 'X', allowed_next_stage_ids: [other.first_stage_id] },
      400,
    );
    const unchanged = await ok('GET', url, b.api_key);
    expect(unchanged.allowed_next_stage_ids).toBeNull();
    expect(unchanged.transition_rules).toEqual([]);
  });

  it('deleting a stage removes it from other stages’ transitions (audited); a field a rule uses cannot go', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    await ok(
      'POST',
      fieldsUrl(b),
      b.api_key,
      { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] },
      201,
    );
    const booking = await stage(b, { stage_name: 'Booking' });
    const human = await stage(b, { stage_name: 'Human' });
    await ok('PATCH', `/api/stages/${b.first_stage_id}`, b.api_key, {
      allowed_next_stage_ids: [booking.stage_id, human.stage_id],
      transition_rules: [
        { kind: 'field_equals', field: 'room', value: 'Double', target_stage_id: booking.stage_id },
        { kind: 'asks_for_human', target_stage_id: human.stage_id },
      ],
    });
    const conflict = await fails('DELETE', `${fieldsUrl(b)}/room`, b.api_key, undefined, 409);
    expect(conflict.error.message).toMatch(/transition rule of stage\(s\) "/);
    // Changing the field so that the rule's value is no longer one of it: 409 naming the stage.
    const changed = await fails(
      'PATCH',
      `${fieldsUrl(b)}/room`,
      b.api_key,
      { values: ['Single', 'Suite'] },
      409,
    );
    expect(changed.error.message).toMatch(/compares "room" with "Double", which is not one of Single, Suite/);
    await ok('PATCH', `${fieldsUrl(b)}/room`, b.api_key, { values: ['Single', 'Double', 'Suite'] });

    await ok('DELETE', `/api/stages/${booking.stage_id}`, b.api_key, undefined, 204);
    const first = await ok('GET', `/api/stages/${b.first_stage_id}`, b.api_key);
    expect(first.allowed_next_stage_ids).toEqual([human.stage_id]);
    expect(first.transition_rules).toEqual([{ kind: 'asks_for_human', target_stage_id: human.stage_id }]);
    const audit = await ok('GET', `/api/businesses/${b.business_id}/audit-log?entity_type=stage`, b.api_key);
    const entry = (audit.entries as Json[]).find(
      (e) => e.entity_id === b.first_stage_id && e.details?.removed_stage_id === booking.stage_id,
    );
    expect(entry?.before?.allowed_next_stage_ids).toEqual([booking.stage_id, human.stage_id]);
    expect(entry?.after?.allowed_next_stage_ids).toEqual([human.stage_id]);
    // The rule on the field went with the stage, so the field can go now.
    await ok('DELETE', `${fieldsUrl(b)}/room`, b.api_key, undefined, 204);
  });
});

// ---- the pipeline -------------------------------------------------------------------------------

const kinds = () => p.llm.requests.map((r) => classify(r));
const selections = () => p.llm.requests.filter((r) => classify(r) === 'stage_selection');
const selectionEnum = (r: FakeLlmRequest) =>
  (r.response_format as { json_schema: { schema: { properties: { stage: { enum: string[] } } } } })
    .json_schema.schema.properties.stage.enum;

/** Greeting (entry) → Collect (requires name and email) → Booking, and Human (a hand-off stage). */
async function flowBusiness() {
  const b = await createBusiness(p.t.app, p.t.masterKey);
  await ok('POST', fieldsUrl(b), b.api_key, { name: 'full_name', label: 'Name', type: 'text' }, 201);
  await ok('POST', fieldsUrl(b), b.api_key, { name: 'email', label: 'E-mail', type: 'email' }, 201);
  await ok(
    'POST',
    fieldsUrl(b),
    b.api_key,
    { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] },
    201,
  );
  await ok('PATCH', `/api/stages/${b.first_stage_id}`, b.api_key, { stage_name: 'Greeting' });
  const collect = await stage(b, { stage_name: 'Collect', required_fields: ['full_name', 'email'] });
  const booking = await stage(b, { stage_name: 'Booking', optional_fields: ['room'] });
  const human = await stage(b, { stage_name: 'Human', handoff: true });
  return {
    b,
    greeting: b.first_stage_id as string,
    collect: collect.stage_id,
    booking: booking.stage_id,
    human: human.stage_id,
  };
}

async function send(b: CreatedBusiness, content: string, conversationId?: string) {
  return ok('POST', '/api/message', b.api_key, {
    content,
    ...(conversationId ? { conversation_id: conversationId } : {}),
  });
}

async function transitionsOf(b: CreatedBusiness, conversationId: string) {
  return (await ok('GET', `/api/conversations/${conversationId}`, b.api_key)).stage_transitions as Json[];
}

async function callsOf(b: CreatedBusiness, conversationId: string) {
  return (await ok('GET', `/api/llm-calls?conversation_id=${conversationId}&per_page=100`, b.api_key))
    .llm_calls as Json[];
}

const extractByMessage = (message: string): Record<string, unknown> => {
  const facts: Record<string, unknown> = {};
  const email = message.match(/\S+@\S+/)?.[0];
  if (email) facts.email = email;
  const name = message.match(/I am (\w+)/)?.[1];
  if (name) facts.full_name = name;
  if (/double/i.test(message)) facts.room = 'double';
  return facts;
};

describe('transition rules in the pipeline', () => {
  it('a complete rule fires after extraction: the selection answer is discarded, the reason recorded', async () => {
    const f = await flowBusiness();
    await ok('PATCH', `/api/stages/${f.greeting}`, f.b.api_key, {
      required_fields: ['full_name', 'email'],
      transition_rules: [{ kind: 'complete', target_stage_id: f.booking, label: 'details collected' }],
    });
    // The model would keep the conversation in Greeting; the rule moves it once the goal is met.
    p.llm.setDefault(scriptedModel({ route: () => 'Greeting', extract: extractByMessage }));
    const first = await send(f.b, 'I am Ana');
    expect(first.stage_name).toBe('Greeting');
    const second = await send(f.b, 'ana@example.com', first.conversation_id);
    expect(second.stage_name).toBe('Booking');
    const selection = second.processing_steps.find((s: Json) => s.step === 'stage_selection');
    expect(selection.transition_reason).toBe('rule:details collected');
    const transitions = await transitionsOf(f.b, first.conversation_id);
    expect(transitions.map((t) => [t.to_stage_name, t.reason])).toEqual([
      ['Booking', 'rule:details collected'],
    ]);
    const calls = await callsOf(f.b, first.conversation_id);
    const secondSelection = calls.filter(
      (c) => c.message_id === second.message_id && c.call_type === 'stage_selection',
    );
    expect(secondSelection.map((c) => c.status)).toEqual(['discarded']);
    // The facts that made the rule hold are kept.
    expect(second.extracted_data).toEqual({ email: 'ana@example.com' });
  });

  it('a rule on facts known at turn start moves the turn with no selection request', async () => {
    const f = await flowBusiness();
    await ok('PATCH', `/api/stages/${f.greeting}`, f.b.api_key, { optional_fields: ['room'] });
    p.llm.setDefault(scriptedModel({ route: () => 'Greeting', extract: extractByMessage }));
    const first = await send(f.b, 'A double room please');
    expect(first.extracted_data).toEqual({ room: 'Double' });
    // The rule is added afterwards: the next turn starts with room = Double collected.
    await ok('PATCH', `/api/stages/${f.greeting}`, f.b.api_key, {
      transition_rules: [
        { kind: 'field_equals', field: 'room', value: 'Double', target_stage_id: f.booking },
      ],
    });
    p.llm.reset();
    p.llm.setDefault(scriptedModel({ route: () => 'Greeting', extract: extractByMessage }));
    const second = await send(f.b, 'when can I come?', first.conversation_id);
    expect(second.stage_name).toBe('Booking');
    expect(kinds()).not.toContain('stage_selection');
    expect(kinds().sort()).toEqual(['data_extraction', 'response_generation']);
    const selection = second.processing_steps.find((s: Json) => s.step === 'stage_selection');
    expect(selection).toMatchObject({ skipped: true, transition_reason: 'rule:field_equals' });
    const transitions = await transitionsOf(f.b, first.conversation_id);
    expect(transitions.at(-1)).toMatchObject({ to_stage_name: 'Booking', reason: 'rule:field_equals' });
  });

  it('asks_for_human moves to its target (a hand-off stage) without selection; without the rule, the plain hand-off', async () => {
    const f = await flowBusiness();
    p.llm.setDefault(scriptedModel({ route: () => 'Greeting', respond: () => 'A colleague will join.' }));
    const plain = await send(f.b, 'Can I talk to a human?');
    expect(plain.stage_name).toBe('Greeting');
    expect(p.llm.requests).toHaveLength(0);

    await ok('PATCH', `/api/stages/${f.greeting}`, f.b.api_key, {
      transition_rules: [{ kind: 'asks_for_human', target_stage_id: f.human, label: 'wants a person' }],
    });
    const moved = await send(f.b, 'Can I talk to a human?');
    expect(moved.stage_name).toBe('Human');
    expect(moved.response).toBe('A colleague will join.');
    expect(kinds()).not.toContain('stage_selection');
    // Entering a hand-off stage hands the conversation over.
    const detail = await ok('GET', `/api/conversations/${moved.conversation_id}`, f.b.api_key);
    expect(detail.conversation.ai_stopped).toBe(true);
    expect((await transitionsOf(f.b, moved.conversation_id)).map((t) => t.reason)).toEqual([
      'rule:wants a person',
    ]);
  });

  it('selection offers only the allowed next stages and the current one; a disallowed answer stays', async () => {
    const f = await flowBusiness();
    await ok('PATCH', `/api/stages/${f.greeting}`, f.b.api_key, { allowed_next_stage_ids: [f.collect] });
    p.llm.setDefault(scriptedModel({ route: () => 'Booking' }));
    const first = await send(f.b, 'book me in');
    expect(selectionEnum(selections()[0] as FakeLlmRequest)).toEqual(['Greeting', 'Collect']);
    const selectionPrompt = (selections()[0] as FakeLlmRequest).messages.map((m) => m.content).join('\n');
    expect(selectionPrompt).toContain('Collect');
    expect(selectionPrompt).not.toContain('Booking');
    expect(selectionPrompt).not.toContain('Human');
    // The model insisted on Booking (a server ignoring the enum): the conversation stays, noted on the step.
    expect(first.stage_name).toBe('Greeting');
    expect(first.processing_steps.find((s: Json) => s.step === 'stage_selection').disallowed_stage).toBe(
      'Booking',
    );

    p.llm.setDefault(scriptedModel({ route: () => 'Collect' }));
    const second = await send(f.b, 'ok', first.conversation_id);
    expect(second.stage_name).toBe('Collect');
    expect((await transitionsOf(f.b, first.conversation_id)).map((t) => t.reason)).toEqual(['selection']);

    // `[]`: nothing may follow, so no selection call at all.
    await ok('PATCH', `/api/stages/${f.collect}`, f.b.api_key, { allowed_next_stage_ids: [] });
    p.llm.reset();
    p.llm.setDefault(scriptedModel({ route: () => 'Booking' }));
    const third = await send(f.b, 'hello again', first.conversation_id);
    expect(third.stage_name).toBe('Collect');
    expect(kinds()).not.toContain('stage_selection');
  });

  it('LLM calls per turn on a three-stage business: rules vs. selection only', async () => {
    const script = ['hi', 'I am Ana', 'ana@example.com', 'thanks, see you'];
    const run = async (withRules: boolean) => {
      const f = await flowBusiness();
      await ok('DELETE', `/api/stages/${f.human}`, f.b.api_key, undefined, 204);
      if (withRules) {
        await ok('PATCH', `/api/stages/${f.greeting}`, f.b.api_key, { allowed_next_stage_ids: [f.collect] });
        await ok('PATCH', `/api/stages/${f.collect}`, f.b.api_key, {
          allowed_next_stage_ids: [],
          transition_rules: [{ kind: 'complete', target_stage_id: f.booking }],
        });
        await ok('PATCH', `/api/stages/${f.booking}`, f.b.api_key, { allowed_next_stage_ids: [] });
      }
      // The model routes as a good model would: hello → Collect, the e-mail completes the details → Booking.
      let stageNow = 'Greeting';
      const model = scriptedModel({
        route: (m) =>
          m === 'hi' ? 'Collect' : m.includes('@') && stageNow === 'Collect' ? 'Booking' : stageNow,
        extract: extractByMessage,
      });
      const perTurn: { calls: number; selection: number; stage: string }[] = [];
      let conversationId: string | undefined;
      for (const message of script) {
        p.llm.reset();
        p.llm.setDefault(model);
        const body = await send(f.b, message, conversationId);
        conversationId = body.conversation_id;
        stageNow = body.stage_name;
        perTurn.push({
          calls: p.llm.requests.length,
          selection: selections().length,
          stage: body.stage_name,
        });
      }
      return perTurn;
    };
    const rules = await run(true);
    const selectionOnly = await run(false);
    const total = (turns: { calls: number }[]) => turns.reduce((n, t) => n + t.calls, 0);
    console.info(
      `[measurement] LLM calls per turn, greeting → collect (name, e-mail) → booking:\n` +
        `  rules + allowed transitions: ${JSON.stringify(rules)} total ${total(rules)}\n` +
        `  selection only:              ${JSON.stringify(selectionOnly)} total ${total(selectionOnly)}`,
    );
    expect(rules.map((t) => t.stage)).toEqual(['Collect', 'Collect', 'Booking', 'Booking']);
    expect(selectionOnly.map((t) => t.stage)).toEqual(rules.map((t) => t.stage));
    // In Collect and Booking nothing but a rule may move the conversation: no selection call there.
    expect(rules.slice(1).every((t) => t.selection === 0)).toBe(true);
    expect(total(rules)).toBeLessThan(total(selectionOnly));
  });
});

describe('transitions in the offline engine', () => {
  it('applies the same rules and allowed stages without a model', async () => {
    const t = await buildTestApp({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ANTHROPIC_API_KEY: '' });
    try {
      const b = await createBusiness(t.app, t.masterKey);
      const api = (method: string, url: string, payload?: unknown) =>
        callApi(t.app, method, url, b.api_key, payload);
      expect(
        (await api('POST', fieldsUrl(b), { name: 'email', label: 'E-mail', type: 'email' })).status,
      ).toBe(201);
      const booking = (
        await api('POST', '/api/stages', {
          stage_name: 'Booking',
          stage_description: 'book a table reservation',
        })
      ).body as Json;
      const human = (
        await api('POST', '/api/stages', { stage_name: 'Human', stage_description: 'talk to a person' })
      ).body as Json;
      const patched = await api('PATCH', `/api/stages/${b.first_stage_id}`, {
        required_fields: ['email'],
        allowed_next_stage_ids: [human.stage_id],
        transition_rules: [{ kind: 'complete', target_stage_id: booking.stage_id, label: 'has e-mail' }],
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      // Similarity would route to Booking, which may not follow: the conversation stays.
      const first = (await api('POST', '/api/message', { content: 'I want to book a table reservation' }))
        .body as Json;
      expect(first.engine).toBe('offline');
      expect(first.stage_id).toBe(b.first_stage_id);
      // The e-mail completes the stage: the rule moves it.
      const second = (
        await api('POST', '/api/message', {
          content: 'my e-mail is bo@example.com',
          conversation_id: first.conversation_id,
        })
      ).body as Json;
      expect(second.stage_name).toBe('Booking');
      expect(second.processing_steps.find((s: Json) => s.step === 'stage_selection').transition_reason).toBe(
        'rule:has e-mail',
      );
      const detail = (await api('GET', `/api/conversations/${first.conversation_id}`)).body as Json;
      expect(detail.stage_transitions.map((x: Json) => x.reason)).toEqual(['rule:has e-mail']);
    } finally {
      await t.close();
    }
  });
});

describe('transitions as configuration', () => {
  it('releases, diff, export and import carry allowed transitions and rules (ids mapped on import)', async () => {
    const f = await flowBusiness();
    const url = `/api/businesses/${f.b.business_id}`;
    const v1 = await ok('POST', `${url}/releases`, f.b.api_key, { note: 'no transitions' }, 201);
    // Empty keys are omitted: content from before transitions hashes the same.
    expect(
      v1.configuration.stages.some((s: Json) => 'transition_rules' in s || 'allowed_next_stage_ids' in s),
    ).toBe(false);
    await ok('PATCH', `/api/stages/${f.collect}`, f.b.api_key, {
      allowed_next_stage_ids: [],
      transition_rules: [{ kind: 'complete', target_stage_id: f.booking, label: 'done' }],
    });
    const diff = await ok('GET', `${url}/releases/diff`, f.b.api_key);
    const changed = JSON.stringify(diff);
    expect(changed).toContain('transition_rules');
    expect(changed).toContain('allowed_next_stage_ids');

    const exported = await ok('GET', `${url}/configuration/export`, f.b.api_key);
    const collect = exported.configuration.stages.find((s: Json) => s.stage_name === 'Collect');
    expect(collect.allowed_next_stage_ids).toEqual([]);
    expect(collect.transition_rules).toEqual([
      { kind: 'complete', target_stage_id: f.booking, label: 'done' },
    ]);

    const target = await createBusiness(p.t.app, p.t.masterKey);
    await ok('POST', `/api/businesses/${target.business_id}/configuration/import`, target.api_key, exported);
    const stages = (await ok('GET', `/api/stages?business_id=${target.business_id}`, target.api_key))
      .stages as Json[];
    const byName = { get: (name: string) => stages.find((s) => s.stage_name === name) as Json };
    const importedBooking = byName.get('Booking');
    expect(importedBooking.stage_id).not.toBe(f.booking);
    expect(byName.get('Collect').allowed_next_stage_ids).toEqual([]);
    expect(byName.get('Collect').transition_rules).toEqual([
      { kind: 'complete', target_stage_id: importedBooking.stage_id, label: 'done' },
    ]);
    expect(byName.get('Greeting').allowed_next_stage_ids).toBeNull();

    const broken = structuredClone(exported);
    broken.configuration.stages.find((s: Json) => s.stage_name === 'Collect').transition_rules = [
      { kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: f.booking },
      { kind: 'complete', target_stage_id: '00000000-0000-4000-8000-000000000000' },
    ];
    const refused = await fails(
      'POST',
      `/api/businesses/${target.business_id}/configuration/import`,
      target.api_key,
      broken,
      400,
    );
    expect(JSON.stringify(refused)).toContain('is not one of Single, Double');
    expect(JSON.stringify(refused)).toContain('is not another stage of the document');
  });

  it('a golden test asserts the stage a rule moves to, with no selection call', async () => {
    const f = await flowBusiness();
    await ok('PATCH', `/api/stages/${f.collect}`, f.b.api_key, {
      optional_fields: ['room'],
      transition_rules: [
        { kind: 'field_equals', field: 'room', value: 'Double', target_stage_id: f.booking },
      ],
    });
    p.llm.setDefault(scriptedModel({ route: () => 'Collect' }));
    await ok(
      'POST',
      '/api/test-cases',
      f.b.api_key,
      {
        stage_id: f.collect,
        name: 'Double room goes to booking',
        collected_data: { room: 'Double' },
        message: 'When can I come?',
        expectations: { stage: { mode: 'exactly', stage_id: f.booking } },
      },
      201,
    );
    const started = await ok('POST', '/api/test-runs', f.b.api_key, {}, 202);
    await p.t.app.testRunsIdle?.();
    let done: Json = {};
    for (let i = 0; i < 200 && !['completed', 'failed'].includes(done.status); i++) {
      done = await ok('GET', `/api/test-runs/${started.test_run_id}`, f.b.api_key);
      if (!['completed', 'failed'].includes(done.status)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(done).toMatchObject({ status: 'completed', total: 1, passed: 1 });
    expect(kinds()).not.toContain('stage_selection');
  });
});
