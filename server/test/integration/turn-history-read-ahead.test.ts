import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { rowsOf } from '../../src/db/raw-rows.js';
import { llmCalls } from '../../src/db/schema.js';
import { loadConfigForTarget } from '../../src/modules/config-cache/index.js';
import { appendMessage } from '../../src/modules/conversations/messages.repository.js';
import { tryLease } from '../../src/modules/pipeline/turn.repository.js';
import type { StoredHistory } from '../../src/modules/templates/index.js';
import { computeVariables } from '../../src/modules/templates/variables/compute-variables.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import {
  laterMessageStatements,
  type PipelineApp,
  scriptedModel,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';

// The history the turn's prompts quote is read with the conversation's lease (one statement fewer per
// message) for the first pending message; what the prompts say must not change.

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
  p.llm.setDefault(scriptedModel());
});
afterAll(async () => p.close());

const send = (key: string, payload: Record<string, unknown>) =>
  p.t.app.inject({ method: 'POST', url: '/api/message', headers: bearer(key), payload });

async function withoutHistoryVariables(business: CreatedBusiness) {
  const stage = await p.t.app.inject({
    method: 'GET',
    url: `/api/stages/${business.first_stage_id}`,
    headers: bearer(business.api_key),
  });
  const ids = [stage.json().data_extraction_template_id, stage.json().response_generation_template_id];
  for (const id of ids as string[]) {
    const template = await p.t.app.inject({
      method: 'GET',
      url: `/api/templates/${id}`,
      headers: bearer(business.api_key),
    });
    const put = await p.t.app.inject({
      method: 'PUT',
      url: `/api/templates/${id}`,
      headers: bearer(business.api_key),
      payload: { content: (template.json().content as string).replaceAll('{{conversation_history}}', '') },
    });
    expect(put.statusCode, put.body).toBe(200);
  }
}

async function responsePrompt(messageId: string) {
  const [call] = await p.t.database.db
    .select({ prompt: llmCalls.prompt })
    .from(llmCalls)
    .where(and(eq(llmCalls.messageId, messageId), eq(llmCalls.callType, 'response_generation')));
  return call?.prompt ?? '';
}

const historyIn = (prompt: string) =>
  prompt.match(/Conversation so far, oldest first:\n([\s\S]*?)\n\nCustomer's new message/)?.[1];

describe('history read with the lease', () => {
  it('a turn that quotes the history costs no statement more than one that does not', async () => {
    const quoting = await createBusiness(p.t.app, p.t.masterKey);
    const plain = await createBusiness(p.t.app, p.t.masterKey);
    await withoutHistoryVariables(plain);
    // Warm both configurations, then compare the same later messages.
    expect(await laterMessageStatements(p, plain.api_key)).toBe(
      await laterMessageStatements(p, quoting.api_key),
    );
  });

  it('a turn started without its configuration (webhook, recovery) reads the history with the lease too, from the second turn on', async () => {
    const sweepStatements = async (business: CreatedBusiness) => {
      const first = await send(business.api_key, { content: 'hello' });
      expect(first.statusCode, first.body).toBe(200);
      const pending = await appendMessage(p.t.database.db, {
        conversationId: first.json().conversation_id,
        businessId: business.business_id,
        senderType: 'user',
        content: 'left pending, answered by the sweep',
        status: 'pending',
        reserveReplySlot: true,
      });
      const messageId = pending?.messageId as string;
      // Past the sweep's grace for messages whose request may still be running.
      await p.t.database.db.execute(
        sql`UPDATE messages SET created_at = now() - interval '1 minute' WHERE message_id = ${messageId}`,
      );
      const before = p.t.database.statementCount();
      await p.t.app.sweepPendingMessages?.();
      const statements = p.t.database.statementCount() - before;
      expect(await responsePrompt(messageId), 'the sweep answered the message').toContain('left pending');
      return statements;
    };
    const quoting = await createBusiness(p.t.app, p.t.masterKey);
    const plain = await createBusiness(p.t.app, p.t.masterKey);
    await withoutHistoryVariables(plain);
    expect(await sweepStatements(quoting)).toBe(await sweepStatements(plain));
  });

  it('quotes the same history, for the first and for later messages of one drain', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const first = (await send(business.api_key, { content: 'first words' })).json();
    const conversationId = first.conversation_id as string;
    // Two messages left pending (written while nobody processed them), then a third arrives: one drain.
    const pending = [];
    for (const content of ['pending one', 'pending two']) {
      pending.push(
        await appendMessage(p.t.database.db, {
          conversationId,
          businessId: business.business_id,
          senderType: 'user',
          content,
          status: 'pending',
          reserveReplySlot: true,
        }),
      );
    }
    const third = await send(business.api_key, { content: 'third words', conversation_id: conversationId });
    expect(third.statusCode, third.body).toBe(200);
    const [one, two] = pending.map((m) => m?.messageId as string);
    expect(historyIn(await responsePrompt(one as string))).toBe(
      'User: first words\nAssistant: Reply to: first words',
    );
    expect(historyIn(await responsePrompt(two as string))).toBe(
      'User: first words\nAssistant: Reply to: first words\nUser: pending one\nAssistant: Reply to: pending one',
    );
    expect(historyIn(await responsePrompt(third.json().message_id))).toBe(
      [
        'User: first words',
        'Assistant: Reply to: first words',
        'User: pending one',
        'Assistant: Reply to: pending one',
        'User: pending two',
        'Assistant: Reply to: pending two',
      ].join('\n'),
    );
  });

  it('the history the lease reads renders exactly as the one read at render time, limit and times included', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, { settings: { history_limit: 12 } });
    const first = (await send(business.api_key, { content: 'm0' })).json();
    const conversationId = first.conversation_id as string;
    for (let i = 1; i <= 8; i++) {
      await send(business.api_key, { content: `m${i}`, conversation_id: conversationId });
    }
    const waiting = await appendMessage(p.t.database.db, {
      conversationId,
      businessId: business.business_id,
      senderType: 'user',
      content: 'not yet answered',
      status: 'pending',
      reserveReplySlot: true,
    });
    const messageId = waiting?.messageId as string;
    const leased = await tryLease(
      p.t.database.db,
      { owner: 'read-ahead-test', seconds: 1 },
      conversationId,
      2_147_483_647,
      12,
    );
    expect(leased?.history?.beforeMessageId).toBe(messageId);
    expect(leased?.history?.messages).toHaveLength(12);
    const history = leased?.history as StoredHistory;
    const config = await loadConfigForTarget(p.t.database.db, business.business_id, 'published');
    const ctx = { db: p.t.database.db, config: p.t.config } as AppContext;
    const names = ['conversation_history', 'last_10_messages', 'user_messages'];
    const vc = { businessId: business.business_id, conversationId, messageId, config };
    const read = await computeVariables(ctx, names, vc);
    const before = p.t.database.statementCount();
    const given = await computeVariables(ctx, names, { ...vc, storedHistory: history });
    expect(p.t.database.statementCount()).toBe(before);
    expect(given).toEqual(read);
    expect((read.values.conversation_history as string).split('\n')).toHaveLength(12);
    // Read for another limit (the configuration changed meanwhile): not used.
    const stale = { ...history, limit: 20, messages: [] };
    expect(await computeVariables(ctx, names, { ...vc, storedHistory: stale })).toEqual(read);
    expect(p.t.database.statementCount()).toBeGreaterThan(before);
  });

  it('a turn that stays in its stage runs no insert into stage_transitions (its statement trigger fires even for no rows)', async () => {
    const run = (query: ReturnType<typeof sql>) => p.t.database.db.execute(query);
    await run(sql`CREATE TABLE test_transition_statements (n int NOT NULL)`);
    await run(sql`CREATE FUNCTION test_count_transition_statement() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN INSERT INTO test_transition_statements VALUES (1); RETURN NULL; END $$`);
    await run(sql`CREATE TRIGGER test_count_transition_statement AFTER INSERT ON stage_transitions
                    FOR EACH STATEMENT EXECUTE FUNCTION test_count_transition_statement()`);
    const count = async () =>
      Number(
        rowsOf(await p.t.database.db.execute(sql`SELECT count(*) AS n FROM test_transition_statements`))[0]
          ?.n,
      );
    try {
      const business = await createBusiness(p.t.app, p.t.masterKey);
      const stay = await send(business.api_key, { content: 'just staying here' });
      expect(stay.statusCode, stay.body).toBe(200);
      expect(await count()).toBe(0);
    } finally {
      await run(sql`DROP TRIGGER test_count_transition_statement ON stage_transitions`);
      await run(sql`DROP FUNCTION test_count_transition_statement()`);
      await run(sql`DROP TABLE test_transition_statements`);
    }
  });
});
