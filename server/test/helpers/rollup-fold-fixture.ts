// Shared by the rollup-fold tests (LLM calls, migration 0025; messages, 0026).
import { expect } from 'vitest';
import type { Db, DbOrTx } from '../../src/db/client.js';
import type { CreatedBusiness } from './factories.js';
import { type PipelineApp, sendMessage } from './pipeline-fixture.js';

/** A conversation of `business` with one turn through the API (its messages and LLM calls logged). */
export async function conversationOf(
  p: PipelineApp,
  business: CreatedBusiness,
  payload: Record<string, unknown> = {},
): Promise<string> {
  const response = await sendMessage(p, business.api_key, { content: 'hello', ...payload });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().conversation_id as string;
}

/**
 * Runs `work` in a transaction of `db` and keeps it open (its connection held) until the returned
 * `commit` is called, which resolves once the transaction has committed.
 */
export async function heldOpen(db: Db, work: (tx: DbOrTx) => Promise<unknown>): Promise<() => Promise<void>> {
  let done: () => void = () => {};
  let release: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    done = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const transaction = db.transaction(async (tx) => {
    await work(tx);
    done();
    await released;
  });
  await ready;
  return async () => {
    release();
    await transaction;
  };
}
