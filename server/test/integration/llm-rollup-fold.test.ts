// The LLM calls' daily rollup (analytics_daily_llm) is not written by the transaction that logs the
// calls: a fold adds the calls committed since the snapshot it last read (migration 0025). Whatever
// happens between a call's insert and the fold — more folds, a delete, a channel change, a transaction
// still open while a fold runs — the folded rollup answers what the raw rows answer, each call once.
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/raw-rows.js';
import { monthlyLlmUsage } from '../../src/modules/analytics/llm-usage.repository.js';
import { foldCommittedRows } from '../../src/modules/analytics/rollup-compaction.repository.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';
import { conversationOf, heldOpen } from '../helpers/rollup-fold-fixture.js';

const DAY_MS = 86_400_000;
const midnight = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString();

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
  p.llm.setDefault(scriptedModel());
});
afterAll(async () => p.close());

const exec = async (query: SQL) => rowsOf(await p.t.database.db.execute(query));
const fold = () => foldCommittedRows(p.t.database.db, 'llm_calls', { wait: true });

let n = 0;
/** One LLM call's VALUES row: step, model, tokens, latency, status and day vary with a counter. */
function call(business: CreatedBusiness, conversationId: string | null): SQL {
  n += 1;
  return sql`(${business.business_id}::uuid, ${conversationId}::uuid, ${['stage_selection', 'response_generation'][n % 2]},
              'openai', ${['m-a', 'm-b'][n % 3 === 0 ? 1 : 0]}, 's', 'p', ${10 * n}, ${n}, ${(n * 37) % 4000},
              ${n / 1000}, ${n % 4 === 0 ? 'error' : 'success'}, ${iso(midnight - (n % 2) * DAY_MS + n * 1000)}::timestamptz)`;
}
const insertCalls = (rows: SQL[], db: { execute: (q: SQL) => Promise<unknown> } = p.t.database.db) =>
  db.execute(sql`INSERT INTO llm_calls (business_id, conversation_id, call_type, provider, model, system_prompt,
                                        prompt, tokens_in, tokens_out, latency_ms, cost_usd, status, created_at)
                 VALUES ${sql.join(rows, sql`, `)}`);

/** The business's LLM-call rollup summed over slots, and the same sums from its raw rows, key by key. */
async function rollupAndRaw(business: CreatedBusiness) {
  const rollup = await exec(sql`
    SELECT day, simulator, call_type, model, sum(calls)::int AS calls, sum(errors)::int AS errors,
           sum(tokens_in)::int AS tokens_in, sum(tokens_out)::int AS tokens_out, sum(cost_usd)::text AS cost,
           analytics_hist_sum(latency_hist) AS hist
      FROM analytics_daily_llm WHERE business_id = ${business.business_id}::uuid
     GROUP BY 1, 2, 3, 4 HAVING sum(calls) <> 0 ORDER BY 1, 2, 3, 4`);
  const raw = await exec(sql`
    SELECT (l.created_at AT TIME ZONE 'UTC')::date AS day, coalesce(c.channel = 'simulator', false) AS simulator,
           l.call_type, l.model, count(*)::int AS calls, (count(*) FILTER (WHERE l.status = 'error'))::int AS errors,
           sum(l.tokens_in)::int AS tokens_in, sum(l.tokens_out)::int AS tokens_out,
           sum(l.cost_usd::numeric)::text AS cost,
           analytics_hist(array_agg(analytics_latency_bucket(l.latency_ms)), array_agg(1::bigint)) AS hist
      FROM llm_calls l LEFT JOIN conversations c ON c.conversation_id = l.conversation_id
     WHERE l.business_id = ${business.business_id}::uuid
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`);
  return { rollup, raw };
}
async function expectFoldedAsRaw(business: CreatedBusiness) {
  const { rollup, raw } = await rollupAndRaw(business);
  expect(raw.length).toBeGreaterThan(0);
  expect(rollup).toEqual(raw);
}

describe('the LLM calls’ rollup fold', () => {
  it('adds calls of every batch size, in a chat, in the simulator and in none, as their raw rows count them', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationIds = [
      await conversationOf(p, business),
      await conversationOf(p, business, { channel: 'simulator' }),
      null,
    ];
    for (const size of [1, 3, 4, 5, 9]) {
      for (const conversationId of conversationIds) {
        await insertCalls(Array.from({ length: size }, () => call(business, conversationId)));
      }
    }
    // Nothing is counted in the writing transaction any more: before the fold, the rollup is empty.
    expect((await rollupAndRaw(business)).rollup).toEqual([]);
    expect(await fold()).toBeGreaterThan(0);
    await expectFoldedAsRaw(business);
  });

  it('adds each call once: a second fold adds nothing, a later call is added by the next', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    await insertCalls([call(business, conversationId), call(business, conversationId)]);
    await fold();
    await expectFoldedAsRaw(business);
    expect(await fold()).toBe(0);
    await expectFoldedAsRaw(business);
    await insertCalls([call(business, conversationId)]);
    expect(await fold()).toBe(1);
    await expectFoldedAsRaw(business);
  });

  it('subtracts a deleted call only when it had been folded, whether deleted alone or with its conversation', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const kept = await conversationOf(p, business);
    const deleted = await conversationOf(p, business);
    await insertCalls([call(business, kept), call(business, kept), call(business, deleted)]);
    await fold();
    // Unfolded calls beside folded ones, then deletes that take some of each.
    await insertCalls([call(business, kept), call(business, kept), call(business, deleted)]);
    await exec(sql`DELETE FROM llm_calls WHERE llm_call_id IN (
                     SELECT llm_call_id FROM llm_calls WHERE conversation_id = ${kept}::uuid AND prompt = 'p'
                      ORDER BY created_at LIMIT 1)`);
    await exec(sql`DELETE FROM llm_calls WHERE llm_call_id IN (
                     SELECT llm_call_id FROM llm_calls WHERE conversation_id = ${kept}::uuid AND prompt = 'p'
                      ORDER BY created_at DESC LIMIT 1)`);
    await exec(sql`DELETE FROM conversations WHERE conversation_id = ${deleted}::uuid`);
    await fold();
    await expectFoldedAsRaw(business);
  });

  it("moves only folded calls when a conversation's channel changes", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    await insertCalls([call(business, conversationId), call(business, conversationId)]);
    await fold();
    await insertCalls([call(business, conversationId)]);
    await exec(
      sql`UPDATE conversations SET channel = 'simulator' WHERE conversation_id = ${conversationId}::uuid`,
    );
    await fold();
    await expectFoldedAsRaw(business);
    expect((await rollupAndRaw(business)).rollup.every((row) => row.simulator === true)).toBe(true);
  });

  it('counts the calls not folded yet in the monthly LLM usage', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    await fold();
    const before = await monthlyLlmUsage(p.t.database.db, business.business_id);
    await insertCalls([
      sql`(${business.business_id}::uuid, NULL, 'response_generation', 'openai', 'm', 's', 'p', 1, 1, 5, 0.125, 'success', now())`,
      sql`(${business.business_id}::uuid, NULL, 'response_generation', 'openai', 'm', 's', 'p', 1, 1, 5, 0.25, 'success', now())`,
    ]);
    const unfolded = await monthlyLlmUsage(p.t.database.db, business.business_id);
    expect(unfolded.calls).toBe(before.calls + 2);
    expect(unfolded.spentUsd).toBeCloseTo(before.spentUsd + 0.375, 9);
    await fold();
    expect(await monthlyLlmUsage(p.t.database.db, business.business_id)).toEqual(unfolded);
  });
});

describe.runIf(process.env.DATABASE_URL)('the LLM calls’ rollup fold beside an open transaction', () => {
  it('adds a call whose transaction commits after a fold ran, once, at the next fold', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    const commit = await heldOpen(p.t.database.db, (tx) => insertCalls([call(business, conversationId)], tx));
    // The fold runs while the call's transaction is open: it cannot see the call, and must not pass it.
    await insertCalls([call(business, conversationId)]);
    await fold();
    await expectFoldedAsRaw(business);
    await commit();
    const { rollup, raw } = await rollupAndRaw(business);
    expect(rollup).not.toEqual(raw);
    await fold();
    await expectFoldedAsRaw(business);
    expect(await fold()).toBe(0);
  });
});
