import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBusinessConfig } from '../../src/modules/config-cache/index.js';
import {
  computeVariables,
  renderWithContext,
  type VariableContext,
} from '../../src/modules/templates/variables/compute-variables.js';
import { buildTestAppWithContext, type TestAppWithContext } from '../helpers/app-context.js';
import { callApi, type Json } from '../helpers/call-api.js';
import { insertConversation, insertTransition } from '../helpers/conversation-fixtures.js';
import { type CreatedBusiness, createAgent, createBusiness, createUser } from '../helpers/factories.js';

let t: TestAppWithContext;
let biz: CreatedBusiness;
let other: CreatedBusiness;
let userId: string;

const call = (method: string, url: string, key: string, payload?: unknown) =>
  callApi(t.app, method, url, key, payload);

const SENDERS = ['user', 'assistant', 'agent', 'system'] as const;
const turns = (n: number, prefix = 'm') =>
  Array.from({ length: n }, (_, i) => ({
    sender: SENDERS[i % 4] as (typeof SENDERS)[number],
    content: `${prefix}${i + 1}`,
  }));

beforeAll(async () => {
  t = await buildTestAppWithContext();
  biz = await createBusiness(t.app, t.masterKey, {
    business_description: 'Bicycle repairs',
    address: '1 Rue de Lyon',
    phone_number: '+33 4 00 00 00 00',
    website: 'https://bikes.example',
  });
  other = await createBusiness(t.app, t.masterKey);
  userId = (await createUser(t.app, biz.api_key, { first_name: 'Ana', last_name: 'Silva' })).user_id;
});
afterAll(async () => t.close());

const compute = (names: string[], vc: Partial<VariableContext> = {}) =>
  computeVariables(t.ctx, names, { businessId: biz.business_id, ...vc });

describe('history variables', () => {
  it('conversation_history: the last 20 messages, oldest first, labelled by speaker', async () => {
    const { conversation } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId,
      messages: turns(25),
    });
    const { values, warnings } = await compute(['conversation_history'], {
      conversationId: conversation.conversationId,
    });
    expect(warnings).toEqual([]);
    const lines = (values.conversation_history as string).split('\n');
    expect(lines).toHaveLength(20);
    expect(lines.slice(0, 4)).toEqual(['Assistant: m6', 'Agent: m7', 'System: m8', 'User: m9']);
    expect(lines[19]).toBe('User: m25');
  });

  it('follows the business’s history_limit and stops before the message being processed', async () => {
    const limited = await createBusiness(t.app, t.masterKey, { settings: { history_limit: 3 } });
    const user = await createUser(t.app, limited.api_key);
    const { conversation, messages } = await insertConversation(t.database.db, {
      businessId: limited.business_id,
      userId: user.user_id,
      messages: turns(13),
    });
    const vc = { businessId: limited.business_id, conversationId: conversation.conversationId };
    const all = await computeVariables(
      t.ctx,
      ['conversation_history', 'last_10_messages', 'user_messages'],
      vc,
    );
    expect(all.values.conversation_history).toBe('Agent: m11\nSystem: m12\nUser: m13');
    expect(all.values.last_10_messages).toHaveLength(10);
    expect(all.values.user_messages).toBe('m13');

    const current = messages[12]?.messageId;
    const before = await computeVariables(t.ctx, ['conversation_history'], { ...vc, messageId: current });
    expect(before.values.conversation_history).toBe('Assistant: m10\nAgent: m11\nSystem: m12');
  });

  it('last_10_messages is a JSON array of {sender, content, created_at}; user_messages the customer’s lines', async () => {
    const { conversation } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId,
      messages: turns(14),
    });
    const { values } = await compute(['last_10_messages', 'user_messages'], {
      conversationId: conversation.conversationId,
    });
    const last = values.last_10_messages as Json[];
    expect(last).toHaveLength(10);
    expect(last[0]).toEqual({ sender: 'user', content: 'm5', created_at: '2026-01-01T10:00:04.000Z' });
    expect(last[9]).toMatchObject({ sender: 'assistant', content: 'm14' });
    expect(values.user_messages).toBe('m1\nm5\nm9\nm13');

    const rendered = await renderWithContext(
      t.ctx,
      { content: 'JSON: {{last_10_messages}}', system_prompt: '' },
      { businessId: biz.business_id, conversationId: conversation.conversationId },
    );
    const parsed = JSON.parse(rendered.rendered_content.slice('JSON: '.length));
    expect(parsed).toHaveLength(10);
    expect(parsed[0].content).toBe('m5');
  });

  it('an empty conversation has empty history; no conversation means the history is missing', async () => {
    const { conversation } = await insertConversation(t.database.db, { businessId: biz.business_id, userId });
    const empty = await compute(['conversation_history', 'last_10_messages'], {
      conversationId: conversation.conversationId,
    });
    expect(empty.values).toEqual({ conversation_history: '', last_10_messages: [] });
    const none = await compute(['conversation_history', 'user_messages', 'last_10_messages']);
    expect(none.values).toEqual({});
  });

  it('never reads another business’s conversation, even when handed its id', async () => {
    const otherUser = await createUser(t.app, other.api_key);
    const { conversation } = await insertConversation(t.database.db, {
      businessId: other.business_id,
      userId: otherUser.user_id,
      collectedData: { secret: 'other business secret' },
      messages: [{ sender: 'user', content: 'other business secret' }],
    });
    const { values } = await compute(['conversation_history', 'extracted_data', 'secret', 'user_name'], {
      conversationId: conversation.conversationId,
    });
    expect(JSON.stringify(values)).not.toContain('other business secret');
  });

  it('all_conversation_history: the customer’s latest 50 messages across conversations, grouped, nobody else’s', async () => {
    const fresh = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, fresh.api_key);
    const first = await insertConversation(t.database.db, {
      businessId: fresh.business_id,
      userId: user.user_id,
      messages: turns(40, 'a'),
      startAt: new Date('2026-02-01T09:00:00Z'),
    });
    const second = await insertConversation(t.database.db, {
      businessId: fresh.business_id,
      userId: user.user_id,
      messages: turns(20, 'b'),
      startAt: new Date('2026-02-01T10:00:00Z'),
    });
    const neighbour = await createUser(t.app, fresh.api_key);
    await insertConversation(t.database.db, {
      businessId: fresh.business_id,
      userId: neighbour.user_id,
      messages: [{ sender: 'user', content: 'LEAK from another customer' }],
      startAt: new Date('2026-02-01T10:30:00Z'),
    });
    const otherUser = await createUser(t.app, other.api_key);
    await insertConversation(t.database.db, {
      businessId: other.business_id,
      userId: otherUser.user_id,
      messages: [{ sender: 'user', content: 'LEAK from another business' }],
      startAt: new Date('2026-02-01T11:00:00Z'),
    });
    const { values, warnings } = await computeVariables(t.ctx, ['all_conversation_history'], {
      businessId: fresh.business_id,
      userId: user.user_id,
      conversationId: second.conversation.conversationId,
    });
    expect(warnings).toEqual([]);
    const text = values.all_conversation_history as string;
    expect(text).not.toContain('LEAK');
    const messageLines = text.split('\n').filter((line) => /^(User|Assistant|Agent|System): /.test(line));
    expect(messageLines).toHaveLength(50);
    const blocks = text.split('\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(
      new RegExp(`^Conversation ${first.conversation.conversationId.slice(0, 8)}:\nAgent: a11\n`),
    );
    expect(blocks[1]).toMatch(
      new RegExp(
        `^Conversation ${second.conversation.conversationId.slice(0, 8)} \\(this conversation\\):\nUser: b1\n`,
      ),
    );
    expect(blocks[1]?.endsWith('System: b20')).toBe(true);
  });
});

describe('business, stage and identity variables', () => {
  it('business_info is a multi-line block; name and description come from the business', async () => {
    const { values } = await compute([
      'business_info',
      'business_name',
      'business_description',
      'business_id',
    ]);
    expect(values.business_info).toBe(
      `Name: ${biz.business_name}\nDescription: Bicycle repairs\nAddress: 1 Rue de Lyon\nPhone: +33 4 00 00 00 00\nWebsite: https://bikes.example`,
    );
    expect(values).toMatchObject({
      business_name: biz.business_name,
      business_description: 'Bicycle repairs',
      business_id: biz.business_id,
    });
  });

  it('stage variables: lists, the current and previous stage, the agent’s stages', async () => {
    const shop = await createBusiness(t.app, t.masterKey);
    const agent = await createAgent(t.app, shop.api_key);
    const post = (body: Json) => call('POST', '/api/stages', shop.api_key, body);
    const booking = (
      await post({ stage_name: 'Booking', stage_description: 'Books a repair', agent_id: agent.agent_id })
    ).body;
    const billing = (
      await post({ stage_name: 'Billing', stage_description: 'Invoices', agent_id: agent.agent_id })
    ).body;
    const vc = {
      businessId: shop.business_id,
      stageId: booking.stage_id,
      previousStageId: shop.first_stage_id,
    };
    const { values, warnings } = await computeVariables(
      t.ctx,
      [
        'stage_list',
        'available_stages',
        'agent_stages',
        'current_stage',
        'current_stage_description',
        'previous_stage',
        'stage_id',
      ],
      vc,
    );
    expect(warnings).toEqual([]);
    expect(values).toEqual({
      stage_list: 'General, Booking, Billing',
      available_stages:
        'General: Greets the customer and answers general questions about the business.\nBooking: Books a repair\nBilling: Invoices',
      agent_stages: 'Booking: Books a repair\nBilling: Invoices',
      current_stage: 'Booking',
      current_stage_description: 'Books a repair',
      previous_stage: 'General',
      stage_id: booking.stage_id,
    });

    // No stage given and none on the conversation: the entry stage; previous stage from transitions.
    const user = await createUser(t.app, shop.api_key);
    const { conversation } = await insertConversation(t.database.db, {
      businessId: shop.business_id,
      userId: user.user_id,
      stageId: billing.stage_id,
    });
    await insertTransition(t.database.db, {
      businessId: shop.business_id,
      conversationId: conversation.conversationId,
      fromStageId: booking.stage_id,
      toStageId: billing.stage_id,
    });
    const fromConversation = await computeVariables(
      t.ctx,
      ['current_stage', 'previous_stage', 'agent_stages'],
      {
        businessId: shop.business_id,
        conversationId: conversation.conversationId,
      },
    );
    expect(fromConversation.values).toMatchObject({ current_stage: 'Billing', previous_stage: 'Booking' });
    const entry = await computeVariables(t.ctx, ['current_stage', 'agent_stages', 'previous_stage'], {
      businessId: shop.business_id,
      stageId: null,
      previousStageId: null,
    });
    expect(entry.values).toEqual({
      current_stage: 'General',
      agent_stages: 'General: Greets the customer and answers general questions about the business.',
      previous_stage: '',
    });
  });

  it('ids, message aliases and time come from the context and an injectable clock', async () => {
    const now = new Date('2026-03-12T14:05:09.123Z');
    const { values } = await compute(
      [
        'message_content',
        'message',
        'user_message',
        'conversation_id',
        'user_id',
        'current_time',
        'current_date',
        'timestamp',
      ],
      { messageContent: 'Hello there', conversationId: '6f1c0c1e-0000-4000-8000-000000000001', userId, now },
    );
    expect(values).toEqual({
      message_content: 'Hello there',
      message: 'Hello there',
      user_message: 'Hello there',
      conversation_id: '6f1c0c1e-0000-4000-8000-000000000001',
      user_id: userId,
      current_time: '14:05',
      current_date: '2026-03-12',
      timestamp: '2026-03-12T14:05:09.123Z',
    });
  });
});

describe('user and extracted-data variables', () => {
  it('user_name comes from the profile, else from a collected name', async () => {
    expect((await compute(['user_name'], { userId })).values.user_name).toBe('Ana Silva');
    const anonymous = (await createUser(t.app, biz.api_key, { first_name: '', last_name: '' })).user_id;
    const { conversation } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId: anonymous,
      collectedData: { name: 'Jo Martin' },
    });
    const fromConversation = await compute(['user_name', 'user_id'], {
      conversationId: conversation.conversationId,
    });
    expect(fromConversation.values).toEqual({ user_name: 'Jo Martin', user_id: anonymous });
    const fromThisTurn = await compute(['user_name'], {
      userId: anonymous,
      collectedData: { first_name: 'Kim', last_name: 'Lee' },
    });
    expect(fromThisTurn.values.user_name).toBe('Kim Lee');
    expect((await compute(['user_name'])).values).toEqual({});
  });

  it('extracted_data is the collected facts; each fact is also a variable; the caller’s facts win', async () => {
    const { conversation } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId,
      collectedData: { email: 'ana@example.com', order: { id: 'A-17' } },
    });
    const fromDb = await compute(['extracted_data', 'email', 'order.id', 'extracted_data.email', 'phone'], {
      conversationId: conversation.conversationId,
    });
    expect(fromDb.values).toEqual({
      extracted_data: { email: 'ana@example.com', order: { id: 'A-17' } },
      email: 'ana@example.com',
      order: { id: 'A-17' },
    });
    const merged = await compute(['extracted_data', 'email', 'phone'], {
      conversationId: conversation.conversationId,
      collectedData: { email: 'new@example.com', phone: '+351 900' },
    });
    expect(merged.values).toEqual({
      extracted_data: { email: 'new@example.com', phone: '+351 900' },
      email: 'new@example.com',
      phone: '+351 900',
    });
    const rendered = await renderWithContext(
      t.ctx,
      {
        content: 'Order {{order.id}} for {{email}}; phone {{phone}}; {{extracted_data.email}}',
        systemPrompt: 'Facts: {{extracted_data}}',
      },
      { businessId: biz.business_id, conversationId: conversation.conversationId },
    );
    expect(rendered.rendered_content).toBe('Order A-17 for ana@example.com; phone ; ana@example.com');
    expect(rendered.missing_variables).toEqual(['phone']);
    expect(JSON.parse(rendered.rendered_system_prompt.slice('Facts: '.length))).toEqual({
      email: 'ana@example.com',
      order: { id: 'A-17' },
    });
  });
});

describe('computation rules', () => {
  it('computes only the requested variables', async () => {
    const { values } = await compute(['business_name']);
    expect(Object.keys(values)).toEqual(['business_name']);
  });

  it('a failing provider yields empty text and a warning, never an exception', async () => {
    const { values, warnings } = await compute(
      ['conversation_history', 'user_messages', 'business_name', 'email'],
      {
        conversationId: 'not-a-uuid',
      },
    );
    expect(values.conversation_history).toBe('');
    expect(values.user_messages).toBe('');
    expect(values.email).toBe('');
    expect(values.business_name).toBe(biz.business_name);
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toContain('{{conversation_history}}');
  });

  it('a typical turn’s variables cost at most two statements once the configuration is cached', async () => {
    const { conversation, messages } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId,
      messages: turns(5),
    });
    await compute(['business_name']); // warms the configuration cache
    const memo = new Map<string, unknown>();
    const vc: VariableContext = {
      businessId: biz.business_id,
      conversationId: conversation.conversationId,
      userId,
      stageId: biz.first_stage_id,
      previousStageId: null,
      messageId: messages[4]?.messageId,
      messageContent: 'hello',
      collectedData: { email: 'a@b.co' },
      memo,
    };
    const before = t.database.statementCount();
    const templates = [
      {
        content: '{{available_stages}} {{conversation_history}} {{message_content}} {{current_stage}}',
        systemPrompt: '{{business_name}}',
      },
      { content: '{{extracted_data}} {{conversation_history}} {{message_content}}', systemPrompt: '' },
      {
        content: '{{business_info}} {{user_name}} {{extracted_data}} {{conversation_history}} {{email}}',
        systemPrompt: '{{business_name}}',
      },
    ];
    for (const template of templates) {
      const rendered = await renderWithContext(t.ctx, template, vc);
      expect(rendered.missing_variables).toEqual([]);
      expect(rendered.warnings).toEqual([]);
    }
    expect(t.database.statementCount() - before).toBeLessThanOrEqual(2);
  });

  it('answers at once, without a promise, what a turn’s context already holds', async () => {
    const { conversation, messages } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId,
      messages: turns(3),
    });
    const config = await getBusinessConfig(t.ctx, biz.business_id);
    const memo = new Map<string, unknown>();
    const vc: VariableContext = {
      businessId: biz.business_id,
      conversationId: conversation.conversationId,
      userId,
      user: { firstName: 'Ana', lastName: 'Silva' },
      stageId: biz.first_stage_id,
      previousStageId: null,
      messageId: messages[2]?.messageId,
      messageContent: 'hello',
      collectedData: { email: 'a@b.co' },
      now: new Date('2026-01-02T03:04:05Z'),
      memo,
      config,
      storedHistory: {
        beforeMessageId: messages[2]?.messageId as string,
        limit: 20,
        messages: [{ senderType: 'user', content: 'earlier', createdAt: new Date() }],
      },
    };
    const names = [
      ...['business_name', 'business_info', 'current_stage', 'current_stage_description', 'previous_stage'],
      ...['stage_list', 'available_stages', 'agent_stages', 'stage_id', 'user_id', 'conversation_id'],
      ...['conversation_history', 'last_10_messages', 'user_messages', 'user_name', 'message_content'],
      ...['extracted_data', 'missing_fields', 'email', 'current_date'],
    ];
    const before = t.database.statementCount();
    const computed = computeVariables(t.ctx, names, vc);
    expect(computed).not.toBeInstanceOf(Promise);
    const { values, warnings } = await computed;
    expect(t.database.statementCount()).toBe(before);
    expect(warnings).toEqual([]);
    expect(values).toMatchObject({
      business_name: biz.business_name,
      current_stage: 'General',
      previous_stage: '',
      conversation_history: 'User: earlier',
      user_name: 'Ana Silva',
      email: 'a@b.co',
      current_date: '2026-01-02',
    });
    // What the memo keeps for the next render is the value, not a promise to wait on.
    expect([...memo.values()].some((value) => value instanceof Promise)).toBe(false);
  });

  it('shares one memo across the renders of a turn', async () => {
    const { conversation } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId,
      messages: turns(3),
    });
    const memo = new Map<string, unknown>();
    const vc = { businessId: biz.business_id, conversationId: conversation.conversationId, userId, memo };
    const first = await renderWithContext(
      t.ctx,
      { content: '{{conversation_history}} {{user_name}}', systemPrompt: '' },
      vc,
    );
    // What was read from the database; `variable:` keys hold computed values.
    const loads = () => [...memo].filter(([key]) => !key.startsWith('variable:'));
    const keys = loads().map(([key]) => key);
    expect(keys.some((k) => k.startsWith('history:'))).toBe(true);
    expect(keys.some((k) => k.startsWith('user:'))).toBe(true);
    const before = loads();
    const second = await renderWithContext(
      t.ctx,
      { content: '{{user_messages}} {{user_name}}', systemPrompt: '' },
      vc,
    );
    expect(loads()).toEqual(before);
    expect(first.rendered_content).toContain('User: m1');
    expect(second.rendered_content).toBe('m1 Ana Silva');
  });
});

describe('variables computed once per message', () => {
  it('keeps the history and business variables for the memo’s renders, not the stage’s or the facts’', async () => {
    const shop = await createBusiness(t.app, t.masterKey, { business_description: 'Repairs' });
    const booking = (
      await call('POST', '/api/stages', shop.api_key, { stage_name: 'Booking', stage_description: 'Books' })
    ).body;
    const user = await createUser(t.app, shop.api_key);
    const { conversation } = await insertConversation(t.database.db, {
      businessId: shop.business_id,
      userId: user.user_id,
      messages: turns(2),
    });
    const memo = new Map<string, unknown>();
    const base = {
      businessId: shop.business_id,
      conversationId: conversation.conversationId,
      userId: user.user_id,
      stageId: shop.first_stage_id,
      collectedData: {},
      memo,
    };
    const template = {
      content: '{{conversation_history}}|{{business_info}}|{{current_stage}}|{{extracted_data}}',
      systemPrompt: '',
    };
    const first = await renderWithContext(t.ctx, template, base);
    expect(first.rendered_content).toBe(
      'User: m1\nAssistant: m2|Name: ' + shop.business_name + '\nDescription: Repairs|General|{}',
    );

    // A later render of the same message (the reply after a stage change and the extraction) reuses
    // the first render's history and business values, and computes the stage and the facts anew.
    memo.set('variable:conversation_history', Promise.resolve('kept history'));
    memo.set('variable:business_info', Promise.resolve('kept business'));
    const later = await renderWithContext(t.ctx, template, {
      ...base,
      stageId: booking.stage_id,
      collectedData: { email: 'ana@example.com' },
    });
    expect(later.rendered_content).toBe(
      'kept history|kept business|Booking|{\n  "email": "ana@example.com"\n}',
    );
  });

  it('reads a template object’s placeholders again when its text changed', async () => {
    const template = { content: 'Hi {{business_name}}', systemPrompt: '' };
    const vc = { businessId: biz.business_id, messageContent: 'Where are you?' };
    expect((await renderWithContext(t.ctx, template, vc)).variables_used).toEqual(['business_name']);
    template.content = 'Asked: {{message_content}}';
    const again = await renderWithContext(t.ctx, template, vc);
    expect(again.rendered_content).toBe('Asked: Where are you?');
    expect(again.variables_used).toEqual(['message_content']);
  });
});

describe('POST /api/templates/{id}/render', () => {
  async function template(key: string, content: string, system_prompt = '') {
    const res = await call('POST', '/api/templates', key, {
      template_name: 'Preview',
      template_type: 'response_generation',
      content,
      system_prompt,
    });
    expect(res.status).toBe(201);
    return res.body.template_id as string;
  }

  it('without a conversation: computes business facts, reports conversation variables missing, supplied values win', async () => {
    const id = await template(
      biz.api_key,
      'Hi {{user_name}} at {{business_name}} ({{current_stage}}): {{message_content}} / {{conversation_history}} / {{order_id}}',
      'Today is {{current_date}}',
    );
    const res = await call('POST', `/api/templates/${id}/render`, biz.api_key, {
      variables: { order_id: 'X-1', business_name: 'Sample Shop' },
      message_content: 'Is my bike ready?',
    });
    expect(res.status).toBe(200);
    expect(res.body.rendered_content).toBe('Hi  at Sample Shop (General): Is my bike ready? /  / X-1');
    expect(res.body.rendered_system_prompt).toMatch(/^Today is \d{4}-\d{2}-\d{2}$/);
    expect(res.body.missing_variables.sort()).toEqual(['conversation_history', 'user_name']);
    expect(res.body.variables_used).toEqual(
      expect.arrayContaining([
        'business_name',
        'current_stage',
        'message_content',
        'order_id',
        'current_date',
      ]),
    );
    expect(res.body.warnings).toEqual([]);
  });

  it('with a conversation: computes everything else from it, single pass', async () => {
    const id = await template(
      biz.api_key,
      '{{user_name}} | {{conversation_history}} | {{email}} | {{message_content}}',
    );
    const { conversation } = await insertConversation(t.database.db, {
      businessId: biz.business_id,
      userId,
      collectedData: { email: 'ana@example.com' },
      messages: [
        { sender: 'user', content: 'Hi, I am {{business_info}}' },
        { sender: 'assistant', content: 'Hello!' },
      ],
    });
    const res = await call('POST', `/api/templates/${id}/render`, biz.api_key, {
      conversation_id: conversation.conversationId,
      message_content: 'Literal {{business_name}} stays',
    });
    expect(res.status).toBe(200);
    expect(res.body.rendered_content).toBe(
      'Ana Silva | User: Hi, I am {{business_info}}\nAssistant: Hello! | ana@example.com | Literal {{business_name}} stays',
    );
    expect(res.body.missing_variables).toEqual([]);
  });

  it('refuses another business’s conversation (404) and bad input (400)', async () => {
    const id = await template(biz.api_key, '{{conversation_history}}');
    const otherUser = await createUser(t.app, other.api_key);
    const { conversation } = await insertConversation(t.database.db, {
      businessId: other.business_id,
      userId: otherUser.user_id,
      messages: [{ sender: 'user', content: 'private' }],
    });
    const foreign = await call('POST', `/api/templates/${id}/render`, biz.api_key, {
      conversation_id: conversation.conversationId,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    const viaMaster = await call('POST', `/api/templates/${id}/render`, t.masterKey, {
      conversation_id: conversation.conversationId,
    });
    expect(viaMaster.status).toBe(404);
    for (const payload of [{ conversation_id: 'nope' }, { variables: 'x' }, { extra: true }]) {
      const res = await call('POST', `/api/templates/${id}/render`, biz.api_key, payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
    }
  });
});

describe('variable description endpoints', () => {
  it('GET /api/templates/{id}/variables describes the template’s variables', async () => {
    const created = await call('POST', '/api/templates', biz.api_key, {
      template_name: 'Vars',
      template_type: 'data_extraction',
      content: '{{business_name}} {{order_number}} {{business_name}}',
      system_prompt: '{{current_time}}',
    });
    const res = await call('GET', `/api/templates/${created.body.template_id}/variables`, biz.api_key);
    expect(res.status).toBe(200);
    expect(res.body.variables).toEqual([
      {
        name: 'business_name',
        description: "The business's name",
        required: true,
        default_value: null,
        built_in: true,
        category: 'business',
      },
      {
        name: 'order_number',
        description: expect.stringMatching(/^Extracted data key or custom variable/),
        required: false,
        default_value: '',
        built_in: false,
        category: null,
      },
      expect.objectContaining({ name: 'current_time', built_in: true, category: 'time' }),
    ]);
  });

  it('GET /api/template-variables lists the catalogue', async () => {
    const res = await call('GET', '/api/template-variables', biz.api_key);
    expect(res.status).toBe(200);
    const names = res.body.variables.map((v: Json) => v.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'message_content',
        'conversation_history',
        'all_conversation_history',
        'timestamp',
      ]),
    );
    for (const variable of res.body.variables) {
      expect(Object.keys(variable).sort()).toEqual(['category', 'description', 'example', 'name']);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/template-variables' })).statusCode).toBe(401);
  });
});
