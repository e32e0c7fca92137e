import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { conversations, extractedData, llmCalls, messages } from '../../src/db/schema.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { bearer, type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';
import { addMember, browser, type TeamMember } from '../helpers/team.js';

/*
 * Issue 16, collected data as the team sees it: PII fields masked for viewers and read-only keys
 * (conversation list and detail, messages' extracted data, the extraction calls of the LLM log, CSV),
 * typed `data.<field>` filters, and the CSV export.
 */
let t: TestApp;
let db: Db;
let b: CreatedBusiness;
let viewer: TeamMember;
let agent: TeamMember;
let readKey: string;
let ana: string;
let bob: string;

const FIELDS = [
  { name: 'full_name', label: 'Name', type: 'text', pii: true },
  { name: 'email', label: 'E-mail', type: 'email', pii: true },
  { name: 'phone', label: 'Phone', type: 'phone', pii: true },
  { name: 'age', label: 'Age', type: 'number' },
  { name: 'visit', label: 'Visit', type: 'date' },
  { name: 'vip', label: 'VIP', type: 'boolean' },
  { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'] },
  { name: 'note', label: 'Note', type: 'text' },
];

async function insertConv(businessId: string, userId: string, data: Record<string, unknown>, at: Date) {
  const [c] = await db
    .insert(conversations)
    .values({ businessId, userId, collectedData: data, lastSequence: 1, startTime: at, lastUpdated: at })
    .returning();
  if (!c) throw new Error('insert failed');
  const [m] = await db
    .insert(messages)
    .values({
      conversationId: c.conversationId,
      businessId,
      senderType: 'user',
      messageContent: 'I am Ana, ana@example.com',
      sequenceNumber: 1,
      status: 'processed',
      createdAt: at,
    })
    .returning();
  if (!m) throw new Error('insert failed');
  await db.insert(extractedData).values({
    businessId,
    conversationId: c.conversationId,
    messageId: m.messageId,
    data: { email: data.email ?? null, age: data.age ?? null },
  });
  return { conversationId: c.conversationId, messageId: m.messageId };
}

beforeAll(async () => {
  t = await buildTestApp();
  db = t.database.db;
  b = await createBusiness(t.app, t.masterKey);
  for (const field of FIELDS) {
    const res = await callApi(t.app, 'POST', `/api/businesses/${b.business_id}/fields`, b.api_key, field);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  viewer = await addMember(t.app, t.masterKey, b.business_id, 'viewer');
  agent = await addMember(t.app, t.masterKey, b.business_id, 'agent');
  const key = await t.app.inject({
    method: 'POST',
    url: `/api/businesses/${b.business_id}/api-keys`,
    headers: bearer(t.masterKey),
    payload: { name: 'read only', scopes: ['read'] },
  });
  readKey = key.json().api_key;
  const user = await createUser(t.app, b.api_key, { first_name: '', last_name: '' });
  const first = await insertConv(
    b.business_id,
    user.user_id,
    {
      full_name: 'Ana Silva',
      email: 'ana@example.com',
      phone: '+351912345689',
      age: 25,
      visit: '2026-03-14',
      vip: true,
      room: 'Double',
      note: '=HYPERLINK("http://evil")',
    },
    new Date('2026-03-02T10:00:00Z'),
  );
  ana = first.conversationId;
  await db.insert(llmCalls).values({
    businessId: b.business_id,
    conversationId: ana,
    messageId: first.messageId,
    callType: 'data_extraction',
    provider: 'openai',
    model: 'm',
    prompt: 'p',
    response: JSON.stringify({ email: 'ana@example.com', age: 25 }),
    status: 'success',
  });
  bob = (
    await insertConv(
      b.business_id,
      user.user_id,
      { email: 'bob@example.org', age: 41, visit: '2026-08-01', vip: false, room: 'Single' },
      new Date('2026-03-03T10:00:00Z'),
    )
  ).conversationId;
}, 120_000);

afterAll(async () => t?.close());

type Who = 'owner' | 'agent' | 'viewer' | 'read key';
async function get(who: Who, url: string) {
  const headers =
    who === 'owner'
      ? bearer(b.api_key)
      : who === 'read key'
        ? bearer(readKey)
        : browser((who === 'viewer' ? viewer : agent).cookie);
  const res = await t.app.inject({ method: 'GET', url, headers });
  return res;
}
async function json(who: Who, url: string) {
  const res = await get(who, url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
}

describe('PII masking', () => {
  it('masks PII fields for a viewer and a read-only key, not for the owner or an agent', async () => {
    for (const who of ['owner', 'agent'] as const) {
      const detail = await json(who, `/api/conversations/${ana}`);
      expect(detail.collected_data).toMatchObject({
        full_name: 'Ana Silva',
        email: 'ana@example.com',
        phone: '+351912345689',
        age: 25,
      });
    }
    for (const who of ['viewer', 'read key'] as const) {
      const detail = await json(who, `/api/conversations/${ana}`);
      expect(detail.collected_data).toEqual({
        full_name: '•••',
        email: 'a***@e***.com',
        phone: '+35 ****** 89',
        age: 25,
        visit: '2026-03-14',
        vip: true,
        room: 'Double',
        note: '=HYPERLINK("http://evil")',
      });
      expect(detail.conversation.collected_data.email).toBe('a***@e***.com');
      // The name collected in a PII field does not leak through the customer's display name.
      expect(detail.customer.name).not.toContain('Ana');
      expect(detail.conversation.user_name).not.toContain('Ana');
      // Message text is not field data: it stays; the extraction shown with it is masked.
      expect(detail.messages[0].message_content).toContain('ana@example.com');
      expect(detail.messages[0].extracted_data).toEqual({ email: 'a***@e***.com', age: 25 });

      const list = await json(who, `/api/conversations?business_id=${b.business_id}`);
      const row = list.conversations.find((c: Json) => c.conversation_id === ana);
      expect(row.collected_data.email).toBe('a***@e***.com');
      expect(JSON.stringify(list.conversations.map((c: Json) => c.collected_data))).not.toContain(
        'example.com',
      );

      const page = await json(who, `/api/conversations/${ana}/messages`);
      expect(page.messages[0].extracted_data.email).toBe('a***@e***.com');

      const calls = await json(who, `/api/llm-calls?business_id=${b.business_id}&conversation_id=${ana}`);
      expect(JSON.parse(calls.llm_calls[0].response)).toEqual({ email: 'a***@e***.com', age: 25 });
    }
    // A template preview with the real conversation renders the masked values for a viewer.
    const templates = await json('owner', '/api/templates?per_page=1');
    const templateId = templates.templates[0].template_id;
    for (const [who, headers, expected] of [
      ['viewer', browser(viewer.cookie), 'a***@e***.com / •••'],
      ['owner', bearer(b.api_key), 'ana@example.com / Ana Silva'],
    ] as const) {
      const preview = await t.app.inject({
        method: 'POST',
        url: `/api/templates/${templateId}/render`,
        headers,
        payload: { content: '{{email}} / {{full_name}}', conversation_id: ana },
      });
      expect(preview.statusCode, `${who} ${preview.body}`).toBe(200);
      expect(preview.json().rendered_content, who).toBe(expected);
    }
    const calls = await json('owner', `/api/llm-calls?conversation_id=${ana}`);
    expect(JSON.parse(calls.llm_calls[0].response).email).toBe('ana@example.com');
  });

  it('masks PII in test cases and the configuration export for a viewer and a read-only key', async () => {
    const created = await callApi(t.app, 'POST', '/api/test-cases', b.api_key, {
      business_id: b.business_id,
      stage_id: b.first_stage_id,
      name: 'returning guest',
      collected_data: { email: 'ana@example.com', age: 25 },
      message: 'Do you have a room?',
      expectations: { stage: { mode: 'stays' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const caseId = created.body.test_case_id as string;
    const exportUrl = `/api/businesses/${b.business_id}/configuration/export`;
    for (const [who, email] of [
      ['owner', 'ana@example.com'],
      ['viewer', 'a***@e***.com'],
      ['read key', 'a***@e***.com'],
    ] as const) {
      expect((await json(who, `/api/test-cases/${caseId}`)).collected_data, who).toEqual({ email, age: 25 });
      const list = await json(who, `/api/test-cases?business_id=${b.business_id}`);
      expect(list.test_cases[0].collected_data.email, who).toBe(email);
      const exported = await json(who, exportUrl);
      expect(exported.tests[0].collected_data, who).toEqual({ email, age: 25 });
    }
  });
});

describe('typed data filters', () => {
  const ids = async (query: string) =>
    (await json('owner', `/api/conversations?${query}`)).conversations.map((c: Json) => c.conversation_id);

  it('filter by each type: ranges on numbers and dates, normalised exact values', async () => {
    expect(await ids('data.age=18..30')).toEqual([ana]);
    expect(await ids('data.age=30..')).toEqual([bob]);
    expect(await ids('data.age=..100')).toEqual([bob, ana]);
    expect(await ids('data.age=41')).toEqual([bob]);
    expect(await ids('data.visit=2026-03-01..2026-03-31')).toEqual([ana]);
    expect(await ids('data.visit=01.08.2026')).toEqual([bob]);
    expect(await ids('data.vip=yes')).toEqual([ana]);
    expect(await ids('data.vip=false')).toEqual([bob]);
    expect(await ids('data.room=double')).toEqual([ana]);
    expect(await ids(`data.email=${encodeURIComponent('ANA@Example.com')}`)).toEqual([ana]);
    expect(await ids(`data.phone=${encodeURIComponent('00351 912 345 689')}`)).toEqual([ana]);
    expect(await ids('data.age=18..30&data.room=Single')).toEqual([]);
  });

  it('a bad value, a bad range or an unknown field is a clear 400', async () => {
    for (const [query, param] of [
      ['data.age=abc', 'data.age'],
      ['data.age=30..18', 'data.age'],
      ['data.age=1..2..3', 'data.age'],
      ['data.age=..', 'data.age'],
      ['data.visit=2026-02-30', 'data.visit'],
      ['data.vip=maybe', 'data.vip'],
      ['data.room=Suite', 'data.room'],
      ['data.email=nope', 'data.email'],
      ['data.shoe_size=42', 'data.shoe_size'],
    ]) {
      const res = await get('owner', `/api/conversations?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.details.field_errors, query).toHaveProperty([param]);
    }
  });
});

const parseCsv = (text: string) => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r') {
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  return rows;
};

describe('CSV export', () => {
  it('exports the filtered conversations, one column per field, formulas neutralised', async () => {
    const res = await get('owner', '/api/conversations/export?data.age=..100');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="conversations-[\d-]+\.csv"$/);
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual([
      'conversation_id',
      'user_id',
      'customer',
      'channel',
      'status',
      'stage',
      'start_time',
      'last_updated',
      ...FIELDS.map((f) => f.name),
    ]);
    expect(rows.map((r) => r[0])).toEqual([bob, ana]);
    const row = Object.fromEntries((header ?? []).map((h, i) => [h, rows[1]?.[i]]));
    expect(row).toMatchObject({
      full_name: 'Ana Silva',
      email: 'ana@example.com',
      phone: "'+351912345689",
      age: '25',
      vip: 'true',
      note: `'=HYPERLINK("http://evil")`,
    });

    const filtered = parseCsv(
      (await get('owner', '/api/conversations/export?data.room=Single&columns=age,room')).body,
    );
    expect(filtered).toEqual([
      [
        'conversation_id',
        'user_id',
        'customer',
        'channel',
        'status',
        'stage',
        'start_time',
        'last_updated',
        'age',
        'room',
      ],
      [
        bob,
        expect.any(String),
        expect.any(String),
        'api',
        'active',
        expect.any(String),
        expect.any(String),
        expect.any(String),
        '41',
        'Single',
      ],
    ]);
  });

  it('masks PII for a viewer; bad columns or filters are a 400', async () => {
    for (const who of ['viewer', 'read key'] as const) {
      const res = await get(who, `/api/conversations/export?business_id=${b.business_id}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain('ana@example.com');
      expect(res.body).not.toContain('Ana Silva');
      expect(res.body).toContain('a***@e***.com');
    }
    const bad = await get('owner', '/api/conversations/export?columns=age,shoe_size');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('shoe_size');
    expect((await get('owner', '/api/conversations/export?data.age=old')).statusCode).toBe(400);
  });

  it('more than 10,000 matching conversations is a clear 413', async () => {
    const big = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, big.api_key);
    await db.execute(sql`INSERT INTO conversations (business_id, user_id)
      SELECT ${big.business_id}::uuid, ${user.user_id}::uuid FROM generate_series(1, 10001)`);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/conversations/export',
      headers: bearer(big.api_key),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toMatch(/More than 10000 conversations match: narrow the filters/);
    const narrowed = await t.app.inject({
      method: 'GET',
      url: '/api/conversations/export?status=closed',
      headers: bearer(big.api_key),
    });
    expect(narrowed.statusCode).toBe(200);
    expect(parseCsv(narrowed.body)).toHaveLength(1);
  }, 60_000);
});
