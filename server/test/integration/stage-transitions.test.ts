import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callApi, type Json } from '../helpers/call-api.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, startPipelineApp } from '../helpers/pipeline-fixture.js';

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

const call = (method: string, url: string, key: string, payload?: unknown) =>
  callApi(p.t.app, method, url, key, payload);

async function ok(method: string, url: string, key: string, payload?: unknown, status = 200) {
  const res = await call(method, url, key, payload);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body as Json;
}

async function fails(method: string, url: string, key: string, payload: unknown, status: number) {
  const res = await call(method, url, key, payload);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect((res.body as Json).error?.code, JSON.stringify(res.body)).toBeTypeOf('string');
  return res.body as Json;
}

const fieldsUrl = (b: CreatedBusiness) => `/api/businesses/${b.business_id}/fields`;

async function stage(b: CreatedBusiness, body: Record<string, unknown>) {
  return ok('POST', '/api/stages', b.api_key, { business_id: b.business_id, ...body }, 201);
}

describe('transitions API', () => {
  it('stores allowed next stages and rules on create/update/get; null means any', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] }, 201);
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
    expect(updated.transition_rules.map((r: Json) => r.value)).toEqual([undefined, 'Double', 2, 'a@b.example']);
    expect((await ok('GET', `/api/stages/${b.first_stage_id}`, b.api_key)).transition_rules).toEqual(
      updated.transition_rules,
    );
    const back = await ok('PATCH', `/api/stages/${b.first_stage_id}`, b.api_key, { allowed_next_stage_ids: null });
    expect(back.allowed_next_stage_ids).toBeNull();
    expect(back.transition_rules).toHaveLength(4);
  });

  it('refuses bad transitions with a clear 400', async () => {
    const b = await createBusiness(p.t.app, p.t.masterKey);
    const other = await createBusiness(p.t.app, p.t.masterKey);
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] }, 201);
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
      [{ transition_rules: [{ kind: 'complete', target_stage_id: other.first_stage_id }] }, /another business/],
      [{ transition_rules: [{ kind: 'complete', target_stage_id: b.first_stage_id }] }, /itself/],
      [
        { transition_rules: [{ kind: 'field_equals', field: 'nope', value: 'x', target_stage_id: booking.stage_id }] },
        /not a field of this business/,
      ],
      [
        { transition_rules: [{ kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: booking.stage_id }] },
        /not one of Single, Double/,
      ],
      [
        { transition_rules: [{ kind: 'field_equals', field: 'guests', value: '2', target_stage_id: booking.stage_id }] },
        /not a number/,
      ],
      [
        { transition_rules: [{ kind: 'field_equals', field: 'vip', value: 'yes', target_stage_id: booking.stage_id }] },
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
    await ok('POST', fieldsUrl(b), b.api_key, { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] }, 201);
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
