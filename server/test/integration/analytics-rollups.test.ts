// The daily rollups (migration 0010) and the hourly per-conversation ones (0016) answer exactly what
// the raw rows answer: the overview read through GET /api/analytics/overview (whole days and hours
// from the rollups) equals the same scope computed from raw rows only, for ranges cut at odd instants,
// UTC midnights and time-zone offsets, after backdated rows, status changes, a late first message, a
// channel change, a stage delete and a conversation delete; and whatever slots (migration 0017) the
// writers' backends left their deltas in, negative ones included.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rowsOf } from '../../src/db/raw-rows.js';
import { dayPlanOf, overviewOf, wholeDaysOf } from '../../src/modules/analytics/analytics.service.js';
import { latencyBucket } from '../../src/modules/analytics/latency-histogram.js';
import { monthlyLlmUsage } from '../../src/modules/analytics/llm-usage.repository.js';
import {
  foldCommittedRows,
  foldRollupSlots,
  unfoldedRollupRows,
} from '../../src/modules/analytics/rollup-compaction.repository.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

const DAY_MS = 86_400_000;
let p: PipelineApp;
let a: CreatedBusiness;
let booking: { stage_id: string };
const midnight = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);

/** A message to a business's API (a new conversation unless the payload names one). */
const messageTo = async (business: CreatedBusiness, payload: Record<string, unknown>) => {
  const response = await p.t.app.inject({
    method: 'POST',
    url: '/api/message',
    headers: bearer(business.api_key),
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { conversation_id: string; user_id: string; message_id: string };
};
const send = (payload: Record<string, unknown>) => messageTo(a, payload);

const exec = async (query: ReturnType<typeof sql>) => rowsOf(await p.t.database.db.execute(query));

/** The API's answer for [from, to] and the raw-row reference for the same scope must be equal. */
async function expectSameAsRaw(from: string, to: string, includeSimulator = false) {
  const response = await p.t.app.inject({
    method: 'GET',
    url: '/api/analytics/overview',
    query: { from, to, ...(includeSimulator ? { include_simulator: 'true' } : {}) },
    headers: bearer(a.api_key),
  });
  expect(response.statusCode, response.body).toBe(200);
  const api = response.json();
  const scope = {
    businessId: a.business_id,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    includeSimulator,
  };
  const raw = await overviewOf(p.t.database.db, 30_000, { ...scope, wholeDays: null, wholeHours: null });
  expect(api).toEqual(JSON.parse(JSON.stringify(raw)));
  return { api, wholeDays: wholeDaysOf(new Date(from), new Date(to)) };
}

const iso = (ms: number) => new Date(ms).toISOString();

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

beforeAll(async () => {
  p = await startPipelineApp();
  a = await createBusiness(p.t.app, p.t.masterKey);
  const stage = await p.t.app.inject({
    method: 'POST',
    url: '/api/stages',
    headers: bearer(a.api_key),
    payload: { stage_name: 'Booking', stage_description: 'Reserving a table', stage_type: 'conversation' },
  });
  expect(stage.statusCode, stage.body).toBe(201);
  booking = stage.json();
  p.llm.setDefault(
    scriptedModel({
      route: (m) => (/book/i.test(m) ? 'Booking' : undefined),
      extract: (m) => (m.includes('@') ? { email: m.match(/\S+@\S+/)?.[0] } : {}),
      respond: (m) => `ok: ${m}`,
    }),
  );
  const one = await send({ content: 'I want to book a table' });
  await send({ content: 'me@example.com please', user_id: one.user_id });
  const two = await send({ content: 'hello' });
  await send({ content: 'still there?', conversation_id: two.conversation_id });
  await send({ content: 'book from the simulator', channel: 'simulator' });
  const three = await send({ content: 'a third customer' });

  // Latencies spread over many histogram buckets (the fake model answers in a few ms).
  await exec(sql`UPDATE llm_calls SET latency_ms = 20 + (ascii(md5(llm_call_id::text)) * 37) % 3000
                  WHERE business_id = ${a.business_id}::uuid`);
  // Move rows across days (these UPDATEs go through the rollup triggers like any late row):
  // conversation two to yesterday 23:59:59.999 and today 00:00:00.000, three to three days ago.
  await exec(sql`UPDATE conversations SET start_time = ${iso(midnight - 1)}::timestamptz
                  WHERE conversation_id = ${two.conversation_id}::uuid`);
  await exec(sql`UPDATE messages SET created_at = CASE WHEN sequence_number <= 2
                    THEN ${iso(midnight - 1)}::timestamptz ELSE ${iso(midnight)}::timestamptz END
                  WHERE conversation_id = ${two.conversation_id}::uuid`);
  await exec(sql`UPDATE llm_calls SET created_at = ${iso(midnight - 1)}::timestamptz
                  WHERE conversation_id = ${two.conversation_id}::uuid`);
  for (const table of ['messages', 'llm_calls', 'stage_transitions', 'extracted_data']) {
    await exec(sql`UPDATE ${sql.identifier(table)} SET created_at = created_at - interval '3 days'
                    WHERE conversation_id = ${three.conversation_id}::uuid`);
  }
  await exec(sql`UPDATE conversations SET start_time = start_time - interval '3 days'
                  WHERE conversation_id = ${three.conversation_id}::uuid`);
  // Conversations updated lately without a message in most ranges (left out of them): three, now
  // with collected data, and one with no message at all, started 10 days ago, of customer one's — whose
  // other conversation counts in the ranges that reach today.
  await exec(sql`UPDATE conversations SET collected_data = '{"city": "Paris"}'::jsonb
                  WHERE conversation_id = ${three.conversation_id}::uuid`);
  await exec(sql`INSERT INTO conversations (business_id, user_id, start_time, collected_data)
                 VALUES (${a.business_id}::uuid, ${one.user_id}::uuid, now() - interval '10 days',
                         '{"city": "Oslo", "email": "old@example.com"}'::jsonb)`);
});
afterAll(async () => p?.close());

describe('analytics rollups', () => {
  it('answer what the raw rows answer, for ranges cut anywhere', async () => {
    const ranges: [string, string][] = [
      // Whole days in the middle, partial days at both ends.
      [iso(midnight - 4 * DAY_MS + 3_600_000), iso(midnight + DAY_MS + 60_000)],
      // Exactly on UTC midnights: yesterday and today whole.
      [iso(midnight - DAY_MS), iso(midnight + DAY_MS)],
      // A boundary row at from (today 00:00:00.000) and at to (yesterday 23:59:59.999).
      [iso(midnight), iso(midnight + DAY_MS)],
      [iso(midnight - 5 * DAY_MS), iso(midnight - 1)],
      // Offsets: a +05:30 day and a -08:00 day, not UTC days.
      [
        new Date(midnight - DAY_MS).toISOString().slice(0, 10).concat('T00:00:00+05:30'),
        new Date(midnight + DAY_MS).toISOString().slice(0, 10).concat('T00:00:00+05:30'),
      ],
      [
        new Date(midnight - 3 * DAY_MS).toISOString().slice(0, 10).concat('T00:00:00-08:00'),
        new Date(midnight).toISOString().slice(0, 10).concat('T23:59:59.999-08:00'),
      ],
      // Shorter than a day: whole hours from the hourly rollups, partial hours raw.
      [iso(midnight - 90 * 60_000), iso(midnight + 90 * 60_000 + 7)],
      [iso(Date.now() - 150 * 60_000), iso(Date.now() + 30 * 60_000)],
      [iso(midnight - 3_600_000), iso(midnight)],
      // Shorter than an hour: raw rows only.
      [iso(midnight - 1), iso(midnight + 1)],
    ];
    let withRollups = 0;
    for (const [from, to] of ranges) {
      const { api, wholeDays } = await expectSameAsRaw(from, to);
      await expectSameAsRaw(from, to, true);
      if (wholeDays) withRollups++;
      expect(api.totals.messages).toBe(
        api.per_day.reduce((n: number, d: { messages: number }) => n + d.messages, 0),
      );
    }
    expect(withRollups).toBeGreaterThanOrEqual(5);

    // The widest range sees everything of the business, simulator chat left out or included.
    const wide = await expectSameAsRaw(
      iso(midnight - 4 * DAY_MS + 3_600_000),
      iso(midnight + DAY_MS + 60_000),
    );
    expect(wide.api.totals).toMatchObject({ conversations: 3, messages: 10, user_messages: 5 });
    expect(wide.api.llm.calls).toBeGreaterThan(10);
    const all = await expectSameAsRaw(iso(midnight - 4 * DAY_MS), iso(midnight + DAY_MS), true);
    expect(all.api.totals).toMatchObject({ conversations: 4, messages: 12 });
    // Yesterday holds conversation two's first two messages (23:59:59.999), today the rest.
    const yesterday = await expectSameAsRaw(iso(midnight - DAY_MS), iso(midnight - 1));
    expect(yesterday.api.totals).toMatchObject({ messages: 2, new_conversations: 1 });
  });

  it('stay exact through a status change, a stage delete and a conversation delete', async () => {
    const range: [string, string] = [iso(midnight - 5 * DAY_MS), iso(midnight + DAY_MS)];
    const before = (await expectSameAsRaw(...range)).api;

    await exec(sql`UPDATE messages SET status = 'skipped'
                    WHERE business_id = ${a.business_id}::uuid AND sender_type = 'user'
                      AND message_id = (SELECT message_id FROM messages WHERE business_id = ${a.business_id}::uuid
                                         AND sender_type = 'user' ORDER BY created_at LIMIT 1)`);
    const skipped = (await expectSameAsRaw(...range)).api;
    expect(skipped.totals.ai_stopped_messages).toBe(before.totals.ai_stopped_messages + 1);

    // A late customer message ahead of a conversation's first (sequence 0, two days ago at 00:30)
    // becomes its first processed one: its stage entry moves to that hour; marked skipped, it moves back.
    const [early] = await exec(sql`SELECT conversation_id FROM conversations
                                    WHERE business_id = ${a.business_id}::uuid AND channel <> 'simulator'
                                    ORDER BY start_time DESC LIMIT 1`);
    const earlyAt = midnight - 2 * DAY_MS + 1_800_000;
    await exec(sql`INSERT INTO messages (conversation_id, business_id, sender_type, message_content,
                                         sequence_number, status, stage_id, created_at)
                   VALUES (${String(early?.conversation_id)}::uuid, ${a.business_id}::uuid, 'user', 'earlier',
                           0, 'processed', ${booking.stage_id}::uuid, ${iso(earlyAt)}::timestamptz)`);
    const late = (await expectSameAsRaw(...range)).api;
    expect(late.totals.messages).toBe(skipped.totals.messages + 1);
    // Cut inside that hour and around it: the message is raw (partial hour) or rolled up (whole hour).
    await expectSameAsRaw(iso(earlyAt - 60_000), iso(earlyAt + 3 * 3_600_000 + 1));
    await expectSameAsRaw(iso(earlyAt - 1_800_000), iso(earlyAt + 3_600_000));
    // From 00:31 that day: the day is read from its rollup minus [00:00, 00:31), which holds it.
    await expectSameAsRaw(iso(earlyAt + 60_000), iso(midnight));
    expect(dayPlanOf(new Date(earlyAt + 60_000), new Date(midnight), new Date()).rawRanges).toEqual([
      { from: iso(midnight - 2 * DAY_MS), to: iso(earlyAt + 60_000), sign: -1 },
      { from: iso(midnight), to: iso(midnight), toInclusive: true, sign: 1 },
    ]);
    await exec(sql`UPDATE messages SET status = 'skipped'
                    WHERE conversation_id = ${String(early?.conversation_id)}::uuid AND sequence_number = 0`);
    await expectSameAsRaw(...range);
    await expectSameAsRaw(iso(earlyAt - 60_000), iso(earlyAt + 3 * 3_600_000 + 1));

    // A conversation turned into a simulator chat and back (its hours carry no channel).
    await exec(sql`UPDATE conversations SET channel = 'simulator'
                    WHERE conversation_id = ${String(early?.conversation_id)}::uuid`);
    await expectSameAsRaw(...range);
    await expectSameAsRaw(...range, true);
    await exec(sql`UPDATE conversations SET channel = 'api'
                    WHERE conversation_id = ${String(early?.conversation_id)}::uuid`);
    // Counted per row (migration 0018): one statement moving every conversation of the business to
    // other days and hours, one changing a channel and a start together, then updates of other
    // columns only (as every turn makes), and everything back.
    await exec(sql`UPDATE conversations SET start_time = start_time - interval '26 hours'
                    WHERE business_id = ${a.business_id}::uuid`);
    await expectSameAsRaw(...range);
    await expectSameAsRaw(...range, true);
    await exec(sql`UPDATE conversations SET channel = 'simulator', start_time = start_time + interval '26 hours'
                    WHERE conversation_id = ${String(early?.conversation_id)}::uuid`);
    await expectSameAsRaw(...range, true);
    await exec(sql`UPDATE conversations SET channel = 'api', last_updated = now()
                    WHERE conversation_id = ${String(early?.conversation_id)}::uuid`);
    await exec(sql`UPDATE conversations SET start_time = start_time + interval '26 hours', last_updated = now()
                    WHERE business_id = ${a.business_id}::uuid
                      AND conversation_id <> ${String(early?.conversation_id)}::uuid`);
    await exec(sql`UPDATE conversations SET lease_owner = 'x', lease_until = now(), last_sequence = last_sequence
                    WHERE business_id = ${a.business_id}::uuid`);
    await expectSameAsRaw(...range, true);
    expect((await expectSameAsRaw(...range)).api.totals).toMatchObject({
      new_conversations: before.totals.new_conversations,
      conversations: before.totals.conversations,
    });

    const transitionsBefore = before.stage_funnel.find(
      (s: { stage_id: string }) => s.stage_id === booking.stage_id,
    );
    expect(transitionsBefore.transitions_in).toBeGreaterThan(0);
    const deleted = await p.t.app.inject({
      method: 'DELETE',
      url: `/api/stages/${booking.stage_id}`,
      headers: bearer(a.api_key),
    });
    expect(deleted.statusCode, deleted.body).toBeLessThan(300);
    const afterStage = (await expectSameAsRaw(...range)).api;
    // The stage is gone from the funnel; the General → Booking transition still leaves General.
    expect(afterStage.stage_funnel.map((s: { stage_id: string }) => s.stage_id)).toEqual([a.first_stage_id]);
    expect(afterStage.stage_funnel[0].transitions_out).toBe(transitionsBefore.transitions_in);

    const [victim] = await exec(sql`SELECT conversation_id FROM conversations
                                     WHERE business_id = ${a.business_id}::uuid AND channel = 'api'
                                       AND last_sequence > 0
                                     ORDER BY start_time LIMIT 1`);
    const removed = await p.t.app.inject({
      method: 'DELETE',
      url: `/api/conversations/${String(victim?.conversation_id)}`,
      headers: bearer(a.api_key),
    });
    expect(removed.statusCode, removed.body).toBe(204);
    const afterDelete = (await expectSameAsRaw(...range)).api;
    expect(afterDelete.totals.conversations).toBe(before.totals.conversations - 1);
    expect(afterDelete.totals.messages).toBeLessThan(before.totals.messages);
    await expectSameAsRaw(...range, true);

    // Every rollup row still equals its raw rows (nothing double-counted or left behind).
    const [check] = await exec(sql`
      SELECT (SELECT coalesce(sum(messages), 0) FROM analytics_daily WHERE business_id = ${a.business_id}::uuid)
               - (SELECT count(*) FROM messages WHERE business_id = ${a.business_id}::uuid) AS messages,
             (SELECT coalesce(sum(calls), 0) FROM analytics_daily_llm WHERE business_id = ${a.business_id}::uuid)
               - (SELECT count(*) FROM llm_calls WHERE business_id = ${a.business_id}::uuid) AS calls,
             (SELECT coalesce(sum(new_conversations), 0) FROM analytics_daily WHERE business_id = ${a.business_id}::uuid)
               - (SELECT count(*) FROM conversations WHERE business_id = ${a.business_id}::uuid) AS conversations,
             (SELECT coalesce(sum(messages), 0) FROM analytics_conversation_hour WHERE business_id = ${a.business_id}::uuid)
               - (SELECT count(*) FROM messages WHERE business_id = ${a.business_id}::uuid) AS hour_messages,
             (SELECT coalesce(sum(started), 0) FROM analytics_conversation_hour WHERE business_id = ${a.business_id}::uuid)
               - (SELECT count(*) FROM conversations WHERE business_id = ${a.business_id}::uuid) AS hour_started,
             (SELECT coalesce(sum(transitions), 0) FROM analytics_stage_entry_hour WHERE business_id = ${a.business_id}::uuid)
               - (SELECT count(*) FROM stage_transitions WHERE business_id = ${a.business_id}::uuid
                     AND to_stage_id IS NOT NULL) AS entry_transitions,
             (SELECT coalesce(sum(first), 0) FROM analytics_stage_entry_hour WHERE business_id = ${a.business_id}::uuid)
               - (SELECT count(*) FROM (SELECT DISTINCT ON (conversation_id) stage_id FROM messages
                                         WHERE business_id = ${a.business_id}::uuid AND sender_type = 'user'
                                           AND status = 'processed'
                                         ORDER BY conversation_id, sequence_number) f
                   WHERE f.stage_id IS NOT NULL) AS entry_first,
             (SELECT count(*) FROM analytics_conversation_hour h
               WHERE h.business_id = ${a.business_id}::uuid AND NOT EXISTS
                     (SELECT 1 FROM conversations c WHERE c.conversation_id = h.conversation_id)) AS orphans`);
    expect(Object.keys(check ?? {}).length).toBe(8);
    expect(Object.values(check ?? {}).map(Number)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('sum every slot a key is striped over, negative slots included', async () => {
    const range: [string, string] = [iso(midnight - 5 * DAY_MS), iso(midnight + DAY_MS)];
    const before = (await expectSameAsRaw(...range)).api;
    const usageBefore = await monthlyLlmUsage(p.t.database.db, a.business_id);
    const [conversation] = await exec(sql`SELECT conversation_id FROM conversations
                                            WHERE business_id = ${a.business_id}::uuid AND channel = 'api'
                                            ORDER BY start_time DESC LIMIT 1`);
    const noon = iso(midnight + 12 * 3_600_000);
    const day = noon.slice(0, 10);

    // Writers in transactions open at the same time: on PostgreSQL each holds its own connection, so
    // its own backend and slot (PGlite has one backend: one writer, one slot; its slot is not 3 or
    // 11 below only by chance, which does not matter).
    const writers = p.t.database.kind === 'postgres' ? 6 : 1;
    let open = 0;
    let allOpen: () => void = () => {};
    const together = new Promise<void>((resolve) => {
      allOpen = resolve;
    });
    const slots = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        p.t.database.db.transaction(async (tx) => {
          const [row] = rowsOf(await tx.execute(sql`SELECT analytics_slot() AS slot`));
          // Every writer holds its connection before any writes (a writer waiting here after writing
          // could hold a row lock another needs).
          if (++open === writers) allOpen();
          await together;
          await tx.execute(sql`INSERT INTO messages (conversation_id, business_id, sender_type, message_content,
                                                     sequence_number, status, stage_id, created_at)
                               VALUES (${String(conversation?.conversation_id)}::uuid, ${a.business_id}::uuid,
                                       'agent', 'from a second backend', ${1000 + i}, 'processed',
                                       ${a.first_stage_id}::uuid, ${noon}::timestamptz)`);
          await tx.execute(sql`INSERT INTO stage_transitions (business_id, conversation_id, to_stage_id, created_at)
                               VALUES (${a.business_id}::uuid, ${String(conversation?.conversation_id)}::uuid,
                                       ${a.first_stage_id}::uuid, ${noon}::timestamptz)`);
          await tx.execute(sql`INSERT INTO llm_calls (business_id, conversation_id, call_type, provider, model,
                                                      prompt, status, latency_ms, cost_usd, created_at)
                               VALUES (${a.business_id}::uuid, ${String(conversation?.conversation_id)}::uuid,
                                       'respond', 'fake', 'striped-model', 'p', 'ok', ${40 + 100 * i}, 0.25,
                                       ${noon}::timestamptz)`);
          return Number(row?.slot);
        }),
      ),
    );
    const slotsOf = async (table: 'analytics_daily' | 'analytics_daily_llm' | 'analytics_daily_stage') =>
      (
        await exec(sql`SELECT DISTINCT slot FROM ${sql.identifier(table)}
                        WHERE business_id = ${a.business_id}::uuid AND day = ${day}::date
                          AND NOT simulator ${table === 'analytics_daily_llm' ? sql`AND model = 'striped-model'` : sql``}`)
      )
        .map((r) => Number(r.slot))
        .sort((x, y) => x - y);
    const distinct = [...new Set(slots)].sort((x, y) => x - y);
    expect(distinct.every((slot) => slot >= 0 && slot < 16)).toBe(true);
    // Six backends whose pids are all equal mod 16: about one run in a million.
    if (writers > 1) expect(distinct.length).toBeGreaterThan(1);
    // Each writer's transition is in its backend's slot; the messages and the LLM calls are added by
    // their folds, in their own slot 16 (the model is new: no older rows for it).
    for (const slot of distinct) expect(await slotsOf('analytics_daily_stage')).toContain(slot);
    const agentMessagesBySlot = async () =>
      Object.fromEntries(
        (
          await exec(sql`SELECT slot, sum(agent_messages)::int AS n FROM analytics_daily
                          WHERE business_id = ${a.business_id}::uuid AND day = ${day}::date AND NOT simulator
                          GROUP BY slot`)
        ).map((r) => [Number(r.slot), Number(r.n)]),
      );
    const unfolded = await agentMessagesBySlot();
    expect(await slotsOf('analytics_daily_llm')).toEqual([]);
    await foldCommittedRows(p.t.database.db, 'messages', { wait: true });
    await foldCommittedRows(p.t.database.db, 'llm_calls', { wait: true });
    expect(await agentMessagesBySlot()).toEqual({ ...unfolded, 16: (unfolded[16] ?? 0) + writers });
    expect(await slotsOf('analytics_daily_llm')).toEqual([16]);
    const added = (await expectSameAsRaw(...range)).api;
    expect(added.totals.agent_messages).toBe(before.totals.agent_messages + writers);

    // A delete counted in another slot than the insert's (as from another backend), leaving a pair of
    // rows that cancel: +1 in slot 3 and -1 in slot 11 on every counter and histogram bucket of every
    // key of the business. A reader that took one row per key, or dropped rows at or below zero,
    // would be off by one.
    await exec(sql`INSERT INTO analytics_daily AS r (business_id, day, simulator, slot, new_conversations, messages,
                                                      user_messages, assistant_messages, agent_messages,
                                                      fallback_replies, ai_stopped_messages)
                   SELECT k.business_id, k.day, k.simulator, s.slot, s.d, s.d, s.d, s.d, s.d, s.d, s.d
                     FROM (SELECT DISTINCT business_id, day, simulator FROM analytics_daily
                            WHERE business_id = ${a.business_id}::uuid) AS k
                    CROSS JOIN (VALUES (3::smallint, 1), (11::smallint, -1)) AS s(slot, d)
                   ON CONFLICT (business_id, day, simulator, slot) DO UPDATE
                      SET new_conversations = r.new_conversations + excluded.new_conversations,
                          messages = r.messages + excluded.messages,
                          user_messages = r.user_messages + excluded.user_messages,
                          assistant_messages = r.assistant_messages + excluded.assistant_messages,
                          agent_messages = r.agent_messages + excluded.agent_messages,
                          fallback_replies = r.fallback_replies + excluded.fallback_replies,
                          ai_stopped_messages = r.ai_stopped_messages + excluded.ai_stopped_messages`);
    await exec(sql`INSERT INTO analytics_daily_llm AS r (business_id, day, simulator, call_type, model, slot, calls,
                                                          errors, tokens_in, tokens_out, cost_usd, latency_hist)
                   SELECT k.business_id, k.day, k.simulator, k.call_type, k.model, s.slot, s.d, s.d, s.d, s.d,
                          s.d * 0.5, array_fill(s.d, ARRAY[300])
                     FROM (SELECT DISTINCT business_id, day, simulator, call_type, model FROM analytics_daily_llm
                            WHERE business_id = ${a.business_id}::uuid) AS k
                    CROSS JOIN (VALUES (3::smallint, 1), (11::smallint, -1)) AS s(slot, d)
                   ON CONFLICT (business_id, day, simulator, call_type, model, slot) DO UPDATE
                      SET calls = r.calls + excluded.calls, errors = r.errors + excluded.errors,
                          tokens_in = r.tokens_in + excluded.tokens_in,
                          tokens_out = r.tokens_out + excluded.tokens_out,
                          cost_usd = r.cost_usd + excluded.cost_usd,
                          latency_hist = analytics_hist_add(r.latency_hist, excluded.latency_hist)`);
    await exec(sql`INSERT INTO analytics_daily_stage AS r (business_id, day, simulator, stage_id, slot,
                                                            transitions_in, transitions_out)
                   SELECT k.business_id, k.day, k.simulator, k.stage_id, s.slot, s.d, s.d
                     FROM (SELECT DISTINCT business_id, day, simulator, stage_id FROM analytics_daily_stage
                            WHERE business_id = ${a.business_id}::uuid) AS k
                    CROSS JOIN (VALUES (3::smallint, 1), (11::smallint, -1)) AS s(slot, d)
                   ON CONFLICT (business_id, day, simulator, stage_id, slot) DO UPDATE
                      SET transitions_in = r.transitions_in + excluded.transitions_in,
                          transitions_out = r.transitions_out + excluded.transitions_out`);
    const [negative] = await exec(sql`SELECT count(*) AS n FROM analytics_daily
                                       WHERE business_id = ${a.business_id}::uuid AND messages < 0`);
    expect(Number(negative?.n)).toBeGreaterThan(0);
    for (const [from, to] of [
      range,
      [iso(midnight - DAY_MS), iso(midnight + DAY_MS)],
      [iso(midnight - 4 * DAY_MS + 3_600_000), iso(midnight + DAY_MS + 60_000)],
    ] as [string, string][]) {
      await expectSameAsRaw(from, to);
      await expectSameAsRaw(from, to, true);
    }
    const striped = (await expectSameAsRaw(...range)).api;
    expect(striped.totals).toEqual(added.totals);
    expect(striped.llm).toEqual(added.llm);
    expect(striped.stage_funnel).toEqual(added.stage_funnel);
    // The LLM budget's month reads the same rollup.
    const usage = await monthlyLlmUsage(p.t.database.db, a.business_id);
    expect(usage.calls).toBe(usageBefore.calls + writers);
    expect(usage.spentUsd).toBeCloseTo(usageBefore.spentUsd + 0.25 * writers, 9);
  });

  it('fold past days into one slot per key without changing an answer', async () => {
    // Runs after the striping test: its +1/-1 pairs in slots 3 and 11 are on every key of every day.
    const db = p.t.database.db;
    const ranges: [string, string][] = [
      [iso(midnight - 5 * DAY_MS), iso(midnight + DAY_MS)],
      [iso(midnight - 4 * DAY_MS + 3_600_000), iso(midnight - DAY_MS + 60_000)],
      [iso(midnight - 1), iso(midnight + 1)],
    ];
    const answers = [];
    for (const range of ranges) answers.push((await expectSameAsRaw(...range)).api);
    const usage = await monthlyLlmUsage(db, a.business_id);
    const today = iso(midnight).slice(0, 10);
    const tomorrow = iso(midnight + DAY_MS).slice(0, 10);
    const unfolded = (before: string) => unfoldedRollupRows(db, before);
    expect(await unfolded(today)).toBeGreaterThan(0);

    if (p.t.database.kind === 'postgres') {
      // A row a writer holds is skipped, not waited for (the writer here waits for the fold: a fold
      // that waited would never finish), and folded by the next run.
      let release: () => void = () => {};
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const held = db.transaction(async (tx) => {
        await tx.execute(sql`SELECT 1 FROM analytics_daily
                              WHERE business_id = ${a.business_id}::uuid AND day < ${today}::date AND slot = 3
                              ORDER BY day LIMIT 1 FOR UPDATE`);
        locked();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await isLocked;
      expect(await foldRollupSlots(db, today, 3)).toBeGreaterThan(0);
      expect(await unfolded(today)).toBe(1);
      release();
      await held;
    }
    // Small batches: a key's slots are split across statements, each adding to slot 0.
    expect(await foldRollupSlots(db, today, 3)).toBeGreaterThan(0);
    expect(await unfolded(today)).toBe(0);
    // Today is still being written: left striped.
    expect(await unfolded(tomorrow)).toBeGreaterThan(0);
    for (const [i, range] of ranges.entries())
      expect((await expectSameAsRaw(...range)).api).toEqual(answers[i]);

    await foldRollupSlots(db, tomorrow);
    expect(await unfolded(tomorrow)).toBe(0);
    for (const table of ['analytics_daily', 'analytics_daily_llm', 'analytics_daily_stage']) {
      const [keys] = await exec(sql`SELECT count(*) AS rows, count(DISTINCT (business_id, day, simulator,
                                           ${table === 'analytics_daily_llm' ? sql`call_type, model` : table === 'analytics_daily_stage' ? sql`stage_id` : sql`0`})) AS keys
                                      FROM ${sql.identifier(table)}`);
      expect(Number(keys?.rows), table).toBe(Number(keys?.keys));
    }
    for (const [i, range] of ranges.entries()) {
      expect((await expectSameAsRaw(...range)).api).toEqual(answers[i]);
      await expectSameAsRaw(...range, true);
    }
    expect(await monthlyLlmUsage(db, a.business_id)).toEqual(usage);
  });

  it('are folded by every process at start', async () => {
    const yesterday = iso(midnight - DAY_MS).slice(0, 10);
    const range: [string, string] = [iso(midnight - 2 * DAY_MS), iso(midnight + DAY_MS)];
    const before = (await expectSameAsRaw(...range)).api;
    // A late row of a past day in another slot, +1 message and -1 there again: sums unchanged.
    await exec(sql`INSERT INTO analytics_daily (business_id, day, simulator, slot, messages)
                   VALUES (${a.business_id}::uuid, ${yesterday}::date, false, 7, 1),
                          (${a.business_id}::uuid, ${yesterday}::date, false, 9, -1)`);
    const striped = async () =>
      Number(
        (
          await exec(sql`SELECT count(*) AS n FROM analytics_daily
                          WHERE business_id = ${a.business_id}::uuid AND day = ${yesterday}::date AND slot <> 0`)
        )[0]?.n,
      );
    expect(await striped()).toBe(2);
    await p.t.app.startBackgroundWork?.();
    await vi.waitFor(async () => expect(await striped()).toBe(0), { timeout: 30_000, interval: 100 });
    expect((await expectSameAsRaw(...range)).api).toEqual(before);
  });

  it('count a conversation started in the range without a message in it', async () => {
    // Not active, but new in any range holding its start_time: from a whole hour of the hourly
    // rollups, or a partial first hour read raw.
    const startedAt = midnight - 2 * DAY_MS + 2 * 3_600_000 + 30 * 60_000;
    const wide: [string, string] = [iso(midnight - 5 * DAY_MS), iso(midnight + DAY_MS)];
    const edge: [string, string] = [iso(startedAt - 60_000), iso(startedAt + 3 * 3_600_000)];
    const before = (await expectSameAsRaw(...wide)).api;
    const beforeEdge = (await expectSameAsRaw(...edge)).api;
    const [customer] = await exec(sql`SELECT user_id FROM conversations
                                        WHERE business_id = ${a.business_id}::uuid AND channel = 'api' LIMIT 1`);
    await exec(sql`INSERT INTO conversations (business_id, user_id, channel, start_time, last_updated)
                   VALUES (${a.business_id}::uuid, ${String(customer?.user_id)}::uuid, 'api',
                           ${iso(startedAt)}::timestamptz, ${iso(startedAt + 60_000)}::timestamptz)`);
    const after = (await expectSameAsRaw(...wide)).api;
    expect(after.totals.conversations).toBe(before.totals.conversations + 1);
    expect(after.totals.new_conversations).toBe(before.totals.new_conversations + 1);
    expect(after.totals.active_conversations).toBe(before.totals.active_conversations);
    const afterEdge = (await expectSameAsRaw(...edge)).api;
    expect(afterEdge.totals.conversations).toBe(beforeEdge.totals.conversations + 1);
    await expectSameAsRaw(...wide, true);
    // Started just before the range: not counted, from the rollups as from the raw rows.
    await expectSameAsRaw(iso(startedAt + 1), iso(midnight + DAY_MS));
  });

  it('count a one-row insert of every kind as a several-row one', async () => {
    // A one-row insert that cannot be a first processed customer message takes the insert trigger's
    // single-row upserts (migration 0022); several rows take the set-based body. Both, every kind.
    const wide: [string, string] = [iso(midnight - 5 * DAY_MS), iso(midnight + DAY_MS)];
    const before = (await expectSameAsRaw(...wide)).api;
    const beforeSimulator = (await expectSameAsRaw(...wide, true)).api;
    const conversations = await exec(sql`SELECT DISTINCT ON (channel = 'simulator') conversation_id, channel
                                           FROM conversations WHERE business_id = ${a.business_id}::uuid
                                          ORDER BY channel = 'simulator', start_time`);
    expect(conversations.map((c) => c.channel === 'simulator')).toEqual([false, true]);
    const kinds = [
      ['user', 'pending', null],
      ['user', 'skipped', null],
      ['assistant', 'sent', '{"fallback": true}'],
      ['assistant', 'sent', '{"fallback": false}'],
      ['assistant', 'sent', null],
      ['agent', 'sent', null],
    ] as const;
    const at = midnight - 2 * DAY_MS + 10 * 3_600_000;
    let sequence = 1_000;
    const row = (conversationId: string, [sender, status, metadata]: (typeof kinds)[number]) =>
      sql`(${conversationId}::uuid, ${a.business_id}::uuid, ${sender}, 'kind', ${sequence++}, ${status},
           ${metadata}::jsonb, ${iso(at + sequence * 60_000)}::timestamptz)`;
    const insert = (rows: ReturnType<typeof sql>[]) =>
      exec(sql`INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                                     status, metadata, created_at)
               VALUES ${sql.join(rows, sql`, `)}`);
    for (const c of conversations) {
      for (const kind of kinds) await insert([row(String(c.conversation_id), kind)]);
      await insert(kinds.map((kind) => row(String(c.conversation_id), kind)));
    }
    const after = (await expectSameAsRaw(...wide)).api;
    const afterSimulator = (await expectSameAsRaw(...wide, true)).api;
    expect(after.totals.messages).toBe(before.totals.messages + 2 * kinds.length);
    expect(after.totals.fallback_replies).toBe(before.totals.fallback_replies + 2);
    expect(after.totals.ai_stopped_messages).toBe(before.totals.ai_stopped_messages + 2);
    expect(afterSimulator.totals.messages).toBe(beforeSimulator.totals.messages + 4 * kinds.length);
    // Cut inside those hours: whole hours from the hourly rollups, the rest raw.
    await expectSameAsRaw(iso(at + 30_000), iso(at + 3 * 3_600_000 + 1));
  });

  it('buckets latencies in SQL as the percentile estimate reads them', async () => {
    const values = [0, 1, 2, 20, 21, 22, 99, 100, 101, 1234, 60_000, 2_000_000, 2_147_483_647];
    const rows = await exec(sql`SELECT v, analytics_latency_bucket(v) AS bucket
                                  FROM unnest(${`{${values.join(',')}}`}::int[]) AS v ORDER BY v`);
    expect(rows.map((r) => Number(r.bucket))).toEqual(values.map(latencyBucket));
  });

  it("move a conversation's first processed customer message exactly when an update can move it", async () => {
    // The update trigger (migrations 0020, 0030) queues the conversation for the messages' fold to look
    // its first message up again only when the row was a processed customer message, or became one with
    // none before it: every way it can move, one at a time, each followed by a fold.
    const other = await createBusiness(p.t.app, p.t.masterKey);
    const second = await p.t.app.inject({
      method: 'POST',
      url: '/api/stages',
      headers: bearer(other.api_key),
      payload: { stage_name: 'Second', stage_description: 'Another stage', stage_type: 'conversation' },
    });
    expect(second.statusCode, second.body).toBe(201);
    const started = await messageTo(other, { content: 'first words' });
    const conversationId = started.conversation_id as string;
    const firsts = async () => ({
      rollup: await exec(sql`SELECT analytics_hour(hour) AS hour, stage_id, sum(first)::int AS first
                               FROM analytics_stage_entry_hour
                              WHERE conversation_id = ${conversationId}::uuid
                              GROUP BY 1, 2 HAVING sum(first) <> 0`),
      raw: await exec(sql`SELECT analytics_hour(created_at) AS hour, stage_id, 1 AS first
                            FROM (SELECT created_at, stage_id FROM messages
                                   WHERE conversation_id = ${conversationId}::uuid AND sender_type = 'user'
                                     AND status = 'processed'
                                   ORDER BY sequence_number LIMIT 1) f
                           WHERE stage_id IS NOT NULL`),
    });
    const update = async (set: ReturnType<typeof sql>, sequences: number[]) => {
      await exec(sql`UPDATE messages SET ${set}
                      WHERE conversation_id = ${conversationId}::uuid
                        AND sequence_number = ANY(${`{${sequences.join(',')}}`}::int[])`);
      await foldCommittedRows(p.t.database.db, 'messages', { wait: true });
      const { rollup, raw } = await firsts();
      expect(rollup).toEqual(raw);
      return raw;
    };
    // Pending customer messages after the answered one, an hour apart and earlier than it.
    for (const [sequence, hoursAgo] of [
      [10, 5],
      [11, 4],
      [12, 3],
    ] as const) {
      await exec(sql`INSERT INTO messages (conversation_id, business_id, sender_type, message_content,
                                           sequence_number, status, stage_id, created_at)
                     VALUES (${conversationId}::uuid, ${other.business_id}::uuid, 'user', ${`m${sequence}`},
                             ${sequence}, 'pending', ${other.first_stage_id}::uuid,
                             now() - ${`${hoursAgo} hours`}::interval)`);
    }
    const [answered] = await exec(sql`SELECT min(sequence_number) AS n FROM messages
                                       WHERE conversation_id = ${conversationId}::uuid AND sender_type = 'user'`);
    const one = Number(answered?.n);
    expect(
      await update(sql`status = 'processed'`, [11]),
      'after an earlier processed one: unchanged',
    ).toHaveLength(1);
    expect(await update(sql`status = 'pending'`, [one]), 'the first is no longer processed').toHaveLength(1);
    await update(sql`status = 'processed'`, [10]); // before the processed 11: becomes the first
    await update(sql`status = 'pending'`, [10, 11]);
    expect(await update(sql`status = 'processed'`, [12]), 'none before it: the first').toHaveLength(1);
    await update(sql`status = 'processed'`, [10, 11]); // one statement, two rows, the earlier becomes first
    await update(sql`stage_id = ${second.json().stage_id}::uuid`, [10]); // the first's stage
    await update(sql`created_at = created_at - interval '2 hours'`, [10]); // the first's hour
    await update(sql`sequence_number = 13`, [10]); // behind the others: 11 is the first
    await update(sql`status = 'skipped'`, [11]);
    await update(sql`sender_type = 'agent'`, [12]);
    expect(await update(sql`status = 'processed'`, [one])).toHaveLength(1);
    await expectSameAsRaw(iso(midnight - 5 * DAY_MS), iso(midnight + DAY_MS));
  });

  it("finds a long conversation's earlier processed customer message in one index probe", async () => {
    // Every turn's pending → processed update runs the trigger's probe (0020). Planned generically, as
    // PL/pgSQL does, and without statistics, it read every message before the new one (a bitmap scan of
    // the conversation); on the partial index of processed customer messages (0024) it reads one entry.
    const other = await createBusiness(p.t.app, p.t.masterKey);
    const started = await messageTo(other, { content: 'first words' });
    const conversationId = started.conversation_id as string;
    const last = 5_000;
    await exec(sql`INSERT INTO messages (conversation_id, business_id, sender_type, message_content,
                                         sequence_number, status, stage_id)
                   SELECT ${conversationId}::uuid, ${other.business_id}::uuid,
                          CASE WHEN n % 2 = 1 THEN 'user' ELSE 'assistant' END, 'm' || n, n,
                          CASE WHEN n % 2 = 1 THEN 'processed' ELSE 'sent' END, ${other.first_stage_id}::uuid
                     FROM generate_series(3, ${last}) AS n`);
    const plan = await p.t.database.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
      await tx.execute(
        sql.raw(`PREPARE earlier_customer_message(uuid, int) AS
                   SELECT NOT EXISTS (SELECT 1 FROM messages m
                                       WHERE m.conversation_id = $1 AND m.sequence_number < $2
                                         AND m.sender_type = 'user' AND m.status = 'processed')`),
      );
      const [row] = rowsOf(
        await tx.execute(
          sql.raw(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
                   EXECUTE earlier_customer_message('${conversationId}', ${last + 1})`),
        ),
      );
      await tx.execute(sql`DEALLOCATE earlier_customer_message`);
      const text = Object.values(row as Record<string, unknown>)[0];
      return (typeof text === 'string' ? JSON.parse(text) : text) as Array<{ Plan: PlanNode }>;
    });
    const nodes = planNodes(plan[0]?.Plan as PlanNode);
    expect(nodes.map((node) => node['Index Name']).filter(Boolean)).toEqual(['messages_first_customer_idx']);
    expect(nodes.some((node) => String(node['Node Type']).startsWith('Bitmap'))).toBe(false);
    const root = plan[0]?.Plan as PlanNode;
    expect(Number(root['Shared Hit Blocks'] ?? 0) + Number(root['Shared Read Blocks'] ?? 0)).toBeLessThan(10);
  });

  it('is removed with its business, and what it queued is dropped by the next fold', async () => {
    const other = await createBusiness(p.t.app, p.t.masterKey);
    await messageTo(other, { content: 'hello' });
    const fold = () => foldCommittedRows(p.t.database.db, 'messages', { wait: true });
    const count = async () =>
      Number(
        (
          await exec(
            // Its day's key, in as many slots as the turn's writers had backends.
            sql`SELECT count(DISTINCT (day, simulator)) AS n FROM analytics_daily
                 WHERE business_id = ${other.business_id}::uuid`,
          )
        )[0]?.n,
      );
    await fold();
    expect(await count()).toBe(1);
    // A second customer's conversation, queued but not yet folded when the business goes.
    await messageTo(other, { content: 'hello' });
    const deleted = await p.t.app.inject({
      method: 'DELETE',
      url: `/api/businesses/${other.business_id}`,
      headers: bearer(p.t.masterKey),
    });
    expect(deleted.statusCode, deleted.body).toBeLessThan(300);
    expect(await count()).toBe(0);
    await fold();
    expect(await count()).toBe(0);
    const queued = await exec(
      sql`SELECT count(*)::int AS n FROM analytics_conversation_queue WHERE business_id = ${other.business_id}::uuid`,
    );
    expect(queued[0]?.n).toBe(0);
  });
});
