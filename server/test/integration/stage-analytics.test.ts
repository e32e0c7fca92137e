import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { conversations, extractedData, messages, stageTransitions } from '../../src/db/schema.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';

/*
 * GET /api/analytics/stages (issue 16): per stage entries, completions, median time to complete,
 * drop-offs and the required fields missing at drop-off, over a crafted history.
 */
let t: TestApp;
let db: Db;
let b: CreatedBusiness;
let greeting: string;
let booking: string;
let userId: string;

const at = (iso: string) => new Date(`2026-03-${iso}Z`);
const RANGE = 'from=2026-03-01T00:00:00Z&to=2026-03-10T00:00:00Z';

/** A conversation whose first customer message (at `first`) was handled in `stage`. */
async function conversation(input: {
  stage: string;
  first: Date;
  current: string;
  data?: Record<string, unknown>;
  lastUpdated: Date;
  status?: string;
  channel?: string;
}) {
  const [c] = await db
    .insert(conversations)
    .values({
      businessId: b.business_id,
      userId,
      stageId: input.current,
      collectedData: input.data ?? {},
      status: input.status ?? 'active',
      channel: input.channel ?? 'api',
      lastSequence: 1,
      startTime: input.first,
      lastUpdated: input.lastUpdated,
    })
    .returning();
  if (!c) throw new Error('insert failed');
  await db.insert(messages).values({
    conversationId: c.conversationId,
    businessId: b.business_id,
    senderType: 'user',
    messageContent: 'hello',
    sequenceNumber: 1,
    status: 'processed',
    stageId: input.stage,
    channel: input.channel ?? 'api',
    createdAt: input.first,
  });
  return c.conversationId;
}

const move = (conversationId: string, from: string, to: string, when: Date) =>
  db.insert(stageTransitions).values({
    businessId: b.business_id,
    conversationId,
    fromStageId: from,
    toStageId: to,
    createdAt: when,
  });

beforeAll(async () => {
  t = await buildTestApp();
  db = t.database.db;
  b = await createBusiness(t.app, t.masterKey);
  greeting = b.first_stage_id;
  for (const field of [
    { name: 'email', label: 'E-mail', type: 'email' },
    { name: 'visit_date', label: 'Visit date', type: 'date' },
  ]) {
    const res = await callApi(t.app, 'POST', `/api/businesses/${b.business_id}/fields`, b.api_key, field);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const created = await callApi(t.app, 'POST', '/api/stages', b.api_key, {
    stage_name: 'Booking',
    required_fields: ['email', 'visit_date'],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  booking = created.body.stage_id;
  userId = (await createUser(t.app, b.api_key)).user_id;

  // 1: greeting → booking after 5 min; the booking goal met by an extraction 10 min later.
  const one = await conversation({
    stage: greeting,
    first: at('02T10:00:00'),
    current: booking,
    data: { email: 'ana@example.com', visit_date: '2026-04-01' },
    lastUpdated: at('02T10:15:00'),
  });
  await move(one, greeting, booking, at('02T10:05:00'));
  await db.insert(extractedData).values({
    businessId: b.business_id,
    conversationId: one,
    stageId: booking,
    data: { visit_date: '2026-04-01' },
    createdAt: at('02T10:15:00'),
  });
  // 2: greeting → booking after 2 min, then quiet in booking with the visit date missing.
  const two = await conversation({
    stage: greeting,
    first: at('03T09:00:00'),
    current: booking,
    data: { email: 'bob@example.com' },
    lastUpdated: at('03T09:10:00'),
  });
  await move(two, greeting, booking, at('03T09:02:00'));
  // 3: closed in greeting (no required fields there).
  await conversation({
    stage: greeting,
    first: at('04T12:00:00'),
    current: greeting,
    lastUpdated: at('04T12:01:00'),
    status: 'closed',
  });
  // 4: still talking in greeting an hour before `to`: neither complete nor dropped.
  await conversation({
    stage: greeting,
    first: at('09T23:00:00'),
    current: greeting,
    lastUpdated: at('09T23:00:00'),
  });
  // 5: a simulator chat, left out by default.
  const sim = await conversation({
    stage: greeting,
    first: at('05T08:00:00'),
    current: booking,
    lastUpdated: at('05T08:00:00'),
    channel: 'simulator',
  });
  await move(sim, greeting, booking, at('05T08:01:00'));
  // 6: before the range.
  await conversation({
    stage: greeting,
    first: new Date('2026-02-20T10:00:00Z'),
    current: greeting,
    lastUpdated: new Date('2026-02-20T10:00:00Z'),
    status: 'closed',
  });
}, 120_000);

afterAll(async () => t?.close());

const stagesOf = async (query: string) => {
  const res = await callApi(t.app, 'GET', `/api/analytics/stages?${query}`, b.api_key);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Json;
};

describe('stage analytics', () => {
  it('counts entries, completions, time to complete, drop-offs and missing fields per stage', async () => {
    const body = await stagesOf(RANGE);
    expect(body).toMatchObject({
      business_id: b.business_id,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-10T00:00:00.000Z',
      quiet_hours: 24,
    });
    expect(body.stages).toEqual([
      {
        stage_id: greeting,
        stage_name: expect.any(String),
        required_fields: [],
        entries: 4,
        completions: 2,
        completion_rate: 0.5,
        median_seconds_to_complete: 210,
        drop_offs: 1,
        drop_off_rate: 0.25,
        missing_fields: [],
      },
      {
        stage_id: booking,
        stage_name: 'Booking',
        required_fields: ['email', 'visit_date'],
        entries: 2,
        completions: 1,
        completion_rate: 0.5,
        median_seconds_to_complete: 600,
        drop_offs: 1,
        drop_off_rate: 0.5,
        missing_fields: [{ name: 'visit_date', label: 'Visit date', conversations: 1 }],
      },
    ]);
  });

  it('includes simulator chats on request and honours the range', async () => {
    const withSim = await stagesOf(`${RANGE}&include_simulator=true`);
    expect(withSim.stages.map((s: Json) => s.entries)).toEqual([5, 3]);
    const early = await stagesOf('from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z');
    expect(early.stages[0]).toMatchObject({ entries: 1, completions: 0, drop_offs: 1 });
    expect(early.stages[1]).toMatchObject({
      entries: 0,
      completion_rate: 0,
      median_seconds_to_complete: null,
    });
  });

  it('bad ranges are a 400', async () => {
    const res = await callApi(
      t.app,
      'GET',
      '/api/analytics/stages?from=2026-03-10T00:00:00Z&to=2026-03-01T00:00:00Z',
      b.api_key,
    );
    expect(res.status).toBe(400);
    expect((await callApi(t.app, 'GET', '/api/analytics/stages?from=yesterday', b.api_key)).status).toBe(400);
  });
});
