import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';
import { seedConversation, seedLlmCall } from './conversations.seed.js';

/** Keyset paging (`cursor` / `next_cursor`) and capped counts of the long lists (issue 17). */
let t: TestApp;
let a: CreatedBusiness;
let b: CreatedBusiness;
let user: string;
/** A's conversations in list order (newest activity first; ties broken by id, descending). */
let ordered: string[] = [];

const get = async (url: string, key = a.api_key) => {
  const response = await t.app.inject({ method: 'GET', url, headers: bearer(key) });
  return { status: response.statusCode, body: response.json() };
};
const ok = async (url: string, key = a.api_key) => {
  const r = await get(url, key);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

beforeAll(async () => {
  t = await buildTestApp();
  a = await createBusiness(t.app, t.masterKey);
  b = await createBusiness(t.app, t.masterKey);
  user = (await createUser(t.app, a.api_key, { first_name: 'Ana' })).user_id;
  const db = t.database.db;
  // Three conversations share one instant (with microseconds a JS Date cannot hold), so the cursor
  // must carry PostgreSQL's precision and the id to break the tie.
  const seeded: { id: string; at: number }[] = [];
  for (let i = 0; i < 7; i++) {
    const { conversationId } = await seedConversation(db, {
      businessId: a.business_id,
      userId: user,
      collectedData: { n: i, flag: i % 2 === 0, size: i === 3 ? 5.0 : i, place: { city: `c${i}` } },
      messages: [`message ${i}`],
    });
    seeded.push({ id: conversationId, at: i });
  }
  await db.execute(sql`UPDATE conversations SET last_updated = CASE
      WHEN collected_data ->> 'n' IN ('1', '2', '3') THEN '2026-01-01T10:00:00.123456Z'::timestamptz
      ELSE '2026-01-01T09:00:00Z'::timestamptz + ((collected_data ->> 'n')::int * interval '1 minute') END
    WHERE business_id = ${a.business_id}::uuid`);
  const rows = await ok('/api/conversations?per_page=100');
  ordered = rows.conversations.map((c: { conversation_id: string }) => c.conversation_id);
  expect(ordered).toHaveLength(7);
  const foreignUser = (await createUser(t.app, b.api_key, { first_name: 'Eve' })).user_id;
  await seedConversation(db, { businessId: b.business_id, userId: foreignUser, messages: ['foreign'] });
});
afterAll(async () => t?.close());

describe('conversation list cursor', () => {
  it('walks every conversation once, in list order, across tied timestamps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await ok(`/api/conversations?per_page=2${query}`);
      expect(page).toMatchObject({ total: 7, total_capped: false, per_page: 2 });
      seen.push(...page.conversations.map((c: { conversation_id: string }) => c.conversation_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(ordered);
  });

  it('page numbers hand out the same next_cursor as the cursor walk', async () => {
    const page2 = await ok('/api/conversations?per_page=3&page=2');
    expect(page2.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(
      ordered.slice(3, 6),
    );
    const page3 = await ok(`/api/conversations?per_page=3&cursor=${encodeURIComponent(page2.next_cursor)}`);
    expect(page3.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(
      ordered.slice(6),
    );
    expect(page3.next_cursor).toBeNull();
    // An exactly full last page says so too.
    expect((await ok('/api/conversations?per_page=7')).next_cursor).toBeNull();
  });

  it('keeps the filters on later pages', async () => {
    const first = await ok('/api/conversations?per_page=1&data.flag=true');
    expect(first.total).toBe(4);
    const second = await ok(`/api/conversations?per_page=5&data.flag=true&cursor=${first.next_cursor}`);
    expect(second.conversations).toHaveLength(3);
    expect(second.next_cursor).toBeNull();
  });

  it('rejects a cursor it did not hand out with 400', async () => {
    for (const bad of ['x', Buffer.from('["2026-01-01", "nope"]').toString('base64url'), 'W10', '%%%']) {
      const r = await get(`/api/conversations?cursor=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await get(`/api/conversations?cursor=${'a'.repeat(201)}`)).status).toBe(400);
  });
});

describe('collected-data filters through containment', () => {
  it('match strings, numbers, booleans and objects exactly as their text', async () => {
    expect((await ok('/api/conversations?data.n=4')).total).toBe(1);
    expect((await ok('/api/conversations?data.flag=false')).total).toBe(3);
    // 5.0 is stored as 5 by JSON: the text is "5".
    expect((await ok('/api/conversations?data.size=5')).total).toBe(2);
    expect((await ok('/api/conversations?data.size=5.0')).total).toBe(0);
    expect((await ok(`/api/conversations?data.place=${encodeURIComponent('{"city": "c2"}')}`)).total).toBe(1);
    expect(
      (await ok(`/api/conversations?data.place=${encodeURIComponent('{"city":"c2","x":1}')}`)).total,
    ).toBe(0);
    expect((await ok('/api/conversations?data.n=null')).total).toBe(0);
    expect((await ok('/api/conversations?data.n=4', b.api_key)).total).toBe(0);
  });
});

describe('messages cursor', () => {
  it('pages a conversation’s messages after a sequence number', async () => {
    const { conversationId } = await seedConversation(t.database.db, {
      businessId: a.business_id,
      userId: user,
      messages: ['m1', 'm2', 'm3', 'm4', 'm5'],
    });
    const first = await ok(`/api/conversations/${conversationId}/messages?per_page=2`);
    expect(first).toMatchObject({ total: 5, total_capped: false });
    const second = await ok(
      `/api/conversations/${conversationId}/messages?per_page=2&cursor=${first.next_cursor}`,
    );
    const third = await ok(
      `/api/conversations/${conversationId}/messages?per_page=2&cursor=${second.next_cursor}`,
    );
    const contents = [first, second, third].flatMap((p) =>
      p.messages.map((m: { message_content: string }) => m.message_content),
    );
    expect(contents).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(third.next_cursor).toBeNull();
    const bad = await get(`/api/conversations/${conversationId}/messages?cursor=${ordered[0]}`);
    expect(bad.status).toBe(400);
  });
});

describe('LLM call log', () => {
  it('stops counting at 1,000 and pages by cursor past any depth', async () => {
    const { conversationId } = await seedConversation(t.database.db, {
      businessId: b.business_id,
      userId: (await createUser(t.app, b.api_key, { first_name: 'Max' })).user_id,
      messages: ['hi'],
    });
    await t.database.db.execute(sql`
      INSERT INTO llm_calls (business_id, conversation_id, call_type, provider, model, prompt, status, created_at)
      SELECT ${b.business_id}::uuid, NULL, 'response_generation', 'openai', 'm', 'p' || i, 'success',
             '2026-01-01T00:00:00Z'::timestamptz + (i / 3) * interval '1 second'
        FROM generate_series(1, 1050) AS i`);
    for (let i = 0; i < 3; i++) {
      await seedLlmCall(t.database.db, {
        businessId: b.business_id,
        conversationId,
        callType: 'stage_selection',
      });
    }
    const first = await ok(`/api/llm-calls?business_id=${b.business_id}&limit=100`, b.api_key);
    expect(first).toMatchObject({ total: 1_000, total_capped: true, per_page: 100 });
    expect(first.llm_calls).toHaveLength(100);
    // A small filter is counted exactly.
    const few = await ok(`/api/llm-calls?conversation_id=${conversationId}&limit=2`, b.api_key);
    expect(few).toMatchObject({ total: 3, total_capped: false });
    const rest = await ok(
      `/api/llm-calls?conversation_id=${conversationId}&limit=2&cursor=${few.next_cursor}`,
      b.api_key,
    );
    expect(rest.llm_calls).toHaveLength(1);
    expect(rest.next_cursor).toBeNull();
    const ids = new Set(
      [...few.llm_calls, ...rest.llm_calls].map((c: { llm_call_id: string }) => c.llm_call_id),
    );
    expect(ids.size).toBe(3);
    // Walking by cursor: every call once, in order (three share each second).
    const seen = new Set<string>();
    let cursor: string | null = null;
    let previous = '';
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = await ok(`/api/llm-calls?business_id=${b.business_id}&limit=100${query}`, b.api_key);
      for (const call of page.llm_calls as { llm_call_id: string; created_at: string }[]) {
        seen.add(call.llm_call_id);
        if (previous) expect(call.created_at <= previous).toBe(true);
        previous = call.created_at;
      }
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.size).toBe(1_053);
    // Another business sees none of them.
    expect((await ok('/api/llm-calls', a.api_key)).total).toBe(0);
  });
});
