import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/raw-rows.js';
import { insertMessage } from '../../src/modules/conversations/messages.repository.js';
import { tryLease } from '../../src/modules/pipeline/turn.repository.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

// The lease commits without waiting for the WAL flush (db/asynchronous-commit.ts): losing it in a
// database crash costs nothing, it would lapse anyway. It must switch its own transaction only: a
// setting left on the connection would make every later write on it — a customer's message, a turn's
// reply — asynchronous too, and those are promised to survive a crash.

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
  p.llm.setDefault(scriptedModel());
});
afterAll(async () => p.close());

async function synchronousCommit(db: DbOrTx) {
  const [row] = rowsOf(await db.execute(sql`SELECT current_setting('synchronous_commit') AS value`));
  return row?.value;
}

/** Runs `statement` in a transaction of its own and reads the setting the transaction will commit with. */
async function commitSettingAfter(statement: (tx: DbOrTx) => Promise<unknown>) {
  return p.t.database.db.transaction(async (tx) => {
    await statement(tx);
    return synchronousCommit(tx);
  });
}

describe('asynchronous commits', () => {
  it("the lease switches its own transaction; the customer's message does not", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const first = await p.t.app.inject({
      method: 'POST',
      url: '/api/message',
      headers: bearer(business.api_key),
      payload: { content: 'hello' },
    });
    expect(first.statusCode, first.body).toBe(200);
    const conversationId = first.json().conversation_id as string;
    const lease = (tx: DbOrTx) =>
      tryLease(tx, { owner: 'asynchronous-commit-test', seconds: 1 }, conversationId, 2_147_483_647, 20);
    expect(await commitSettingAfter(lease)).toBe('off');
    const message = (tx: DbOrTx) =>
      insertMessage(tx, {
        businessId: business.business_id,
        senderType: 'user',
        content: 'stored before anything answers it',
        status: 'processed',
        target: { conversationId },
      });
    expect(await commitSettingAfter(message)).toBe('on');
    // Outside those transactions, the connection commits synchronously again.
    expect(await synchronousCommit(p.t.database.db)).toBe('on');
  });

  it('after messages through the API, the connections still commit synchronously', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    let conversationId: string | undefined;
    for (const content of ['one', 'two', 'three']) {
      const response = await p.t.app.inject({
        method: 'POST',
        url: '/api/message',
        headers: bearer(business.api_key),
        payload: { content, ...(conversationId ? { conversation_id: conversationId } : {}) },
      });
      expect(response.statusCode, response.body).toBe(200);
      conversationId = response.json().conversation_id;
    }
    // Several at once, so the pool's connections are all in use and each is read afterwards.
    const settings = await Promise.all(
      Array.from({ length: 8 }, () =>
        p.t.database.db.transaction(async (tx) => {
          await tx.execute(sql`SELECT pg_sleep(0.05)`);
          return synchronousCommit(tx);
        }),
      ),
    );
    expect(new Set(settings)).toEqual(new Set(['on']));
  });
});
