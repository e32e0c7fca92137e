import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations } from '../../src/db/schema.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { insertConversation, insertTransition } from '../helpers/conversation-fixtures.js';
import { type CreatedBusiness, createAgent, createBusiness, createUser } from '../helpers/factories.js';

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

async function createStage(key: string, body: Json = {}) {
  const res = await call('POST', '/api/stages', key, {
    stage_name: `Stage ${Math.random().toString(36).slice(2, 8)}`,
    stage_description: 'Handles something',
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function createTemplate(key: string, type: string, name = 'Custom') {
  const res = await call('POST', '/api/templates', key, {
    template_name: name,
    template_type: type,
    content: `${type} {{message}}`,
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe('POST /api/stages', () => {
  it('fills missing templates with fresh copies of the business’s defaults, named after the stage', async () => {
    const biz = await createBusiness(t.app, t.masterKey);
    // Edit the business's default so the copy provably comes from it.
    const defaults = await call('GET', '/api/templates?template_type=default_data_extraction', biz.api_key);
    const defaultExtraction = defaults.body.templates[0];
    await call('PUT', `/api/templates/${defaultExtraction.template_id}`, biz.api_key, {
      content: 'Custom default extraction {{message_content}}',
    });

    const stage = await createStage(biz.api_key, {
      stage_name: 'Booking',
      stage_type: 'booking',
      fallback_reply: 'We will call you back to book.',
    });
    expect(stage).toMatchObject({
      business_id: biz.business_id,
      agent_id: null,
      stage_name: 'Booking',
      stage_description: 'Handles something',
      stage_type: 'booking',
      fallback_reply: 'We will call you back to book.',
      stage_selection_template_name: 'Booking — stage selection',
      data_extraction_template_name: 'Booking — data extraction',
      response_generation_template_name: 'Booking — response generation',
    });
    const ids = [
      stage.stage_selection_template_id,
      stage.data_extraction_template_id,
      stage.response_generation_template_id,
    ];
    expect(new Set(ids).size).toBe(3);
    const copies = await Promise.all(ids.map((id) => call('GET', `/api/templates/${id}`, biz.api_key)));
    expect(copies.map((c) => c.body.template_type)).toEqual([
      'stage_selection',
      'data_extraction',
      'response_generation',
    ]);
    expect(copies.every((c) => c.body.is_default === false && c.body.business_id === biz.business_id)).toBe(
      true,
    );
    expect(copies[1]?.body.content).toBe('Custom default extraction {{message_content}}');
    // Fresh copies: not the entry stage's templates and not the defaults themselves.
    const entry = await call('GET', `/api/stages/${biz.first_stage_id}`, biz.api_key);
    expect(ids).not.toContain(entry.body.data_extraction_template_id);
    expect(ids).not.toContain(defaultExtraction.template_id);
  });

  it('uses given templates of the right role and copies only the missing ones', async () => {
    const selection = await createTemplate(a.api_key, 'selection', 'My selection');
    const stage = await createStage(a.api_key, { stage_selection_template_id: selection.template_id });
    expect(stage.stage_selection_template_id).toBe(selection.template_id);
    expect(stage.stage_selection_template_name).toBe('My selection');
    expect(stage.data_extraction_template_name).toBe(`${stage.stage_name} — data extraction`);
  });

  it('refuses a template of the wrong role or of another business with 400 field errors', async () => {
    const extraction = await createTemplate(a.api_key, 'data_extraction');
    const defaultSelection = (
      await call('GET', '/api/templates?template_type=default_stage_selection', a.api_key)
    ).body.templates[0];
    const foreign = await createTemplate(b.api_key, 'stage_selection');
    const before = (await call('GET', '/api/stages', a.api_key)).body.total;
    const wrongRole = await call('POST', '/api/stages', a.api_key, {
      stage_name: 'Wrong role',
      stage_selection_template_id: extraction.template_id,
      data_extraction_template_id: defaultSelection.template_id,
    });
    expect(wrongRole.status).toBe(400);
    expect(wrongRole.body.error.code).toBe('VALIDATION_ERROR');
    expect(wrongRole.body.error.details.field_errors).toMatchObject({
      stage_selection_template_id: expect.stringContaining('stage_selection'),
      data_extraction_template_id: expect.stringContaining('data_extraction'),
    });
    const otherBusiness = await call('POST', '/api/stages', a.api_key, {
      stage_name: 'Foreign',
      stage_selection_template_id: foreign.template_id,
    });
    expect(otherBusiness.status).toBe(400);
    expect(otherBusiness.body.error.details.field_errors.stage_selection_template_id).toMatch(
      /this business/,
    );
    const unknown = await call('POST', '/api/stages', a.api_key, {
      stage_name: 'Unknown',
      response_generation_template_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(400);
    expect((await call('GET', '/api/stages', a.api_key)).body.total).toBe(before);
  });

  it('checks the agent and the name (case-insensitive per business)', async () => {
    const agentA = await createAgent(t.app, a.api_key);
    const agentB = await createAgent(t.app, b.api_key);
    const foreignAgent = await call('POST', '/api/stages', a.api_key, {
      stage_name: 'X1',
      agent_id: agentB.agent_id,
    });
    expect(foreignAgent.status).toBe(400);
    expect(foreignAgent.body.error.details.field_errors).toHaveProperty('agent_id');
    const withAgent = await createStage(a.api_key, { stage_name: 'Support', agent_id: agentA.agent_id });
    expect(withAgent.agent_id).toBe(agentA.agent_id);

    const duplicate = await call('POST', '/api/stages', a.api_key, { stage_name: '  SUPPORT ' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('CONFLICT');
    expect(duplicate.body.error.details.field_errors).toHaveProperty('stage_name');
    // The same name in another business is fine.
    await createStage(b.api_key, { stage_name: 'Support' });

    for (const payload of [
      {},
      { stage_name: '' },
      { stage_name: '   ' },
      { stage_name: 'x', agent_id: 'nope' },
      { stage_name: 'x', bogus: 1 },
    ]) {
      const res = await call('POST', '/api/stages', a.api_key, payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('applies the tenant rules on create', async () => {
    expect((await call('POST', '/api/stages', t.masterKey, { stage_name: 'M' })).status).toBe(400);
    const master = await call('POST', '/api/stages', t.masterKey, {
      stage_name: 'Master made',
      business_id: b.business_id,
    });
    expect(master.status).toBe(201);
    expect(master.body.business_id).toBe(b.business_id);
    expect(
      (await call('POST', '/api/stages', a.api_key, { stage_name: 'M', business_id: b.business_id })).status,
    ).toBe(403);
  });
});

describe('GET /api/stages', () => {
  it('lists the business’s stages in creation order, filtered by agent, paged', async () => {
    const biz = await createBusiness(t.app, t.masterKey);
    const agent = await createAgent(t.app, biz.api_key);
    const s1 = await createStage(biz.api_key, { stage_name: 'One', agent_id: agent.agent_id });
    const s2 = await createStage(biz.api_key, { stage_name: 'Two' });
    const s3 = await createStage(biz.api_key, { stage_name: 'Three', agent_id: agent.agent_id });
    const all = await call('GET', '/api/stages', biz.api_key);
    expect(all.body).toMatchObject({ total: 4, page: 1, per_page: 20 });
    expect(all.body.stages.map((s: Json) => s.stage_name)).toEqual(['General', 'One', 'Two', 'Three']);
    expect(all.body.stages[0].response_generation_template_name).toBe('General — response generation');

    const byAgent = await call('GET', `/api/stages?agent_id=${agent.agent_id}`, biz.api_key);
    expect(byAgent.body.total).toBe(2);
    expect(byAgent.body.stages.map((s: Json) => s.stage_id)).toEqual([s1.stage_id, s3.stage_id]);
    const paged = await call('GET', '/api/stages?per_page=2&page=2', biz.api_key);
    expect(paged.body.stages.map((s: Json) => s.stage_id)).toEqual([s2.stage_id, s3.stage_id]);

    expect((await call('GET', '/api/stages', t.masterKey)).status).toBe(400);
    expect((await call('GET', `/api/stages?business_id=${biz.business_id}`, t.masterKey)).body.total).toBe(4);
    expect((await call('GET', `/api/stages?business_id=${biz.business_id}`, a.api_key)).status).toBe(403);
  });
});

describe('GET/PUT/DELETE /api/stages/{id}', () => {
  it('gets a stage with its template names; another business’s stage is 404', async () => {
    const res = await call('GET', `/api/stages/${a.first_stage_id}`, a.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      stage_id: a.first_stage_id,
      stage_name: 'General',
      stage_selection_template_name: 'General — stage selection',
      fallback_reply: null,
    });
    for (const [method, payload] of [
      ['GET', undefined],
      ['PUT', { stage_name: 'Hijack' }],
      ['DELETE', undefined],
    ] as const) {
      const foreign = await call(method, `/api/stages/${b.first_stage_id}`, a.api_key, payload);
      expect(foreign.status, method).toBe(404);
    }
    expect((await call('GET', `/api/stages/${b.first_stage_id}`, b.api_key)).body.stage_name).toBe('General');
    expect((await call('GET', `/api/stages/${b.first_stage_id}`, t.masterKey)).status).toBe(200);
  });

  it('updates fields and template ids, validating roles, agents and names', async () => {
    const stage = await createStage(a.api_key, { stage_name: 'Quotes' });
    const other = await createStage(a.api_key, { stage_name: 'Invoices' });
    const generation = await createTemplate(a.api_key, 'generation', 'Quote reply');
    const agent = await createAgent(t.app, a.api_key);
    const updated = await call('PUT', `/api/stages/${stage.stage_id}`, a.api_key, {
      stage_name: 'Quotes and offers',
      stage_description: 'Prices',
      response_generation_template_id: generation.template_id,
      agent_id: agent.agent_id,
      fallback_reply: 'A person will send you a quote.',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      stage_name: 'Quotes and offers',
      stage_description: 'Prices',
      response_generation_template_id: generation.template_id,
      response_generation_template_name: 'Quote reply',
      agent_id: agent.agent_id,
      fallback_reply: 'A person will send you a quote.',
      stage_selection_template_id: stage.stage_selection_template_id,
    });
    const cleared = await call('PATCH', `/api/stages/${stage.stage_id}`, a.api_key, {
      agent_id: null,
      fallback_reply: null,
    });
    expect(cleared.body).toMatchObject({ agent_id: null, fallback_reply: null });

    const rename = await call('PUT', `/api/stages/${stage.stage_id}`, a.api_key, { stage_name: 'invoices' });
    expect(rename.status).toBe(409);
    const sameName = await call('PUT', `/api/stages/${stage.stage_id}`, a.api_key, {
      stage_name: 'QUOTES AND OFFERS',
    });
    expect(sameName.status).toBe(200);
    const wrongRole = await call('PUT', `/api/stages/${stage.stage_id}`, a.api_key, {
      data_extraction_template_id: generation.template_id,
    });
    expect(wrongRole.status).toBe(400);
    expect(wrongRole.body.error.details.field_errors).toHaveProperty('data_extraction_template_id');
    const foreign = await createTemplate(b.api_key, 'data_extraction');
    const foreignTemplate = await call('PUT', `/api/stages/${stage.stage_id}`, a.api_key, {
      data_extraction_template_id: foreign.template_id,
    });
    expect(foreignTemplate.status).toBe(400);
    const foreignAgent = await createAgent(t.app, b.api_key);
    expect(
      (await call('PUT', `/api/stages/${stage.stage_id}`, a.api_key, { agent_id: foreignAgent.agent_id }))
        .status,
    ).toBe(400);
    expect((await call('PUT', `/api/stages/${stage.stage_id}`, a.api_key, {})).status).toBe(400);
    const after = await call('GET', `/api/stages/${stage.stage_id}`, a.api_key);
    expect(after.body.data_extraction_template_id).toBe(stage.data_extraction_template_id);
    expect(other.stage_name).toBe('Invoices');
  });

  it('refuses to delete the entry stage or the last stage (409)', async () => {
    const biz = await createBusiness(t.app, t.masterKey);
    const entry = await call('DELETE', `/api/stages/${biz.first_stage_id}`, biz.api_key);
    expect(entry.status).toBe(409);
    expect(entry.body.error.code).toBe('CONFLICT');
    expect(entry.body.error.details.reason).toBe('entry_stage');

    // A business whose entry stage is unset still keeps its last stage.
    await t.database.db.execute(
      sql`update businesses set first_stage_id = null where business_id = ${biz.business_id}`,
    );
    const last = await call('DELETE', `/api/stages/${biz.first_stage_id}`, biz.api_key);
    expect(last.status).toBe(409);
    expect(last.body.error.details.reason).toBe('last_stage');
    expect((await call('GET', `/api/stages/${biz.first_stage_id}`, biz.api_key)).status).toBe(200);
  });

  it('deletes a stage: its conversations continue from the entry stage, its templates stay', async () => {
    const biz = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, biz.api_key);
    const stage = await createStage(biz.api_key, { stage_name: 'Complaints' });
    const { conversation } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId: user.user_id,
      stageId: stage.stage_id,
      messages: [{ sender: 'user', content: 'My order is late' }],
    });
    await t.database.db.execute(
      sql`update messages set stage_id = ${stage.stage_id}::uuid where conversation_id = ${conversation.conversationId}::uuid`,
    );
    await insertTransition(t.database.db, {
      businessId: biz.business_id,
      conversationId: conversation.conversationId,
      fromStageId: biz.first_stage_id,
      toStageId: stage.stage_id,
    });
    const deleted = await call('DELETE', `/api/stages/${stage.stage_id}`, biz.api_key);
    expect(deleted.status).toBe(204);
    // History is not rewritten: the message and the transition keep the stage's id (no foreign key,
    // so the delete touches only the conversations now in the stage); its name now reads as null.
    const detail = await call('GET', `/api/conversations/${conversation.conversationId}`, biz.api_key);
    expect(detail.status).toBe(200);
    expect(detail.body.messages[0].stage_id).toBe(stage.stage_id);
    expect(detail.body.stage_transitions).toMatchObject([
      {
        from_stage_id: biz.first_stage_id,
        from_stage_name: 'General',
        to_stage_id: stage.stage_id,
        to_stage_name: null,
      },
    ]);
    expect((await call('GET', `/api/stages/${stage.stage_id}`, biz.api_key)).status).toBe(404);
    const [row] = await t.database.db
      .select({ stageId: conversations.stageId })
      .from(conversations)
      .where(eq(conversations.conversationId, conversation.conversationId));
    expect(row?.stageId).toBeNull();
    const template = await call(
      'GET',
      `/api/templates/${stage.response_generation_template_id}`,
      biz.api_key,
    );
    expect(template.status).toBe(200);
    // Now unused, the template can go.
    expect(
      (await call('DELETE', `/api/templates/${stage.response_generation_template_id}`, biz.api_key)).status,
    ).toBe(204);
    expect((await call('DELETE', `/api/stages/${stage.stage_id}`, biz.api_key)).status).toBe(404);
  });
});

describe('GET /api/stages/transitions', () => {
  it('aggregates the business’s transitions, never another business’s', async () => {
    const biz = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, biz.api_key);
    const booking = await createStage(biz.api_key, { stage_name: 'Booking' });
    const { conversation: c1 } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId: user.user_id,
    });
    const { conversation: c2 } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId: user.user_id,
    });
    const entry = biz.first_stage_id;
    for (const c of [c1, c2]) {
      await insertTransition(t.database.db, {
        businessId: biz.business_id,
        conversationId: c.conversationId,
        fromStageId: entry,
        toStageId: booking.stage_id,
      });
    }
    await insertTransition(t.database.db, {
      businessId: biz.business_id,
      conversationId: c1.conversationId,
      fromStageId: booking.stage_id,
      toStageId: entry,
    });
    // Another business's traffic must not show.
    const otherUser = await createUser(t.app, b.api_key);
    const { conversation: foreign } = await insertConversation(t.database.db, {
      businessId: b.business_id,
      userId: otherUser.user_id,
    });
    await insertTransition(t.database.db, {
      businessId: b.business_id,
      conversationId: foreign.conversationId,
      fromStageId: b.first_stage_id,
      toStageId: b.first_stage_id,
    });

    const res = await call('GET', '/api/stages/transitions', biz.api_key);
    expect(res.status).toBe(200);
    expect(res.body.transitions).toEqual([
      { from_stage_id: entry, to_stage_id: booking.stage_id, count: 2 },
      { from_stage_id: booking.stage_id, to_stage_id: entry, count: 1 },
    ]);
    expect((await call('GET', '/api/stages/transitions', t.masterKey)).status).toBe(400);
    expect(
      (await call('GET', `/api/stages/transitions?business_id=${biz.business_id}`, a.api_key)).status,
    ).toBe(403);
    const master = await call('GET', `/api/stages/transitions?business_id=${biz.business_id}`, t.masterKey);
    expect(master.body.transitions).toHaveLength(2);
  });
});
