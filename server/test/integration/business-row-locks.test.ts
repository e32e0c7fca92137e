import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../src/db/client.js';
import { findBusiness } from '../../src/modules/businesses/businesses.repository.js';
import { lockBusinessFields } from '../../src/modules/fields/fields.repository.js';
import { lockBusiness } from '../../src/modules/releases/releases.repository.js';
import { lockBusinessStages } from '../../src/modules/stages/stages.repository.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { insertConversation } from '../helpers/conversation-fixtures.js';
import { type CreatedBusiness, createBusiness, createUser } from '../helpers/factories.js';

/**
 * Configuration changes serialise on the business row; customers' messages reference that row and take
 * KEY SHARE on it for their foreign key. A lock that blocks KEY SHARE (FOR UPDATE) would hold every
 * message and LLM call of the business for as long as a publish or stage delete runs.
 */
// Two connections are needed: PGlite has one.
describe.runIf(process.env.DATABASE_URL)(
  "locks on the business row leave the business's writes alone",
  () => {
    let t: TestApp;
    let business: CreatedBusiness;
    let conversationId: string;
    beforeAll(async () => {
      t = await buildTestApp();
      business = await createBusiness(t.app, t.masterKey);
      const user = await createUser(t.app, business.api_key);
      const { conversation } = await insertConversation(t.database.db, {
        businessId: business.business_id,
        userId: user.user_id,
      });
      conversationId = conversation.conversationId;
    });
    afterAll(() => t?.close());

    const lockers: [string, (tx: DbOrTx, businessId: string) => Promise<unknown>][] = [
      ['a stage delete', lockBusinessStages],
      ['a publish, restore or import', lockBusiness],
      ['a field edit', lockBusinessFields],
      ['a business update', (tx, id) => findBusiness(tx, id, { lock: 'no key update' })],
    ];
    let sequence = 0;
    /** A message inserted from another connection while `tx` holds its lock; waits at most `timeout`. */
    const insertMessageBeside = (timeout: string) =>
      t.database.db.transaction(async (other) => {
        sequence += 1;
        await other.execute(sql`SELECT set_config('lock_timeout', ${timeout}, true)`);
        await other.execute(sql`INSERT INTO messages (conversation_id, business_id, sender_type, message_content,
                                                    sequence_number, status)
                              VALUES (${conversationId}::uuid, ${business.business_id}::uuid, 'agent',
                                      'during a configuration change', ${sequence}, 'sent')`);
      });
    it.each(lockers)('a message is stored while %s holds the lock', async (_, lock) => {
      await t.database.db.transaction(async (tx) => {
        expect(await lock(tx, business.business_id)).toBeTruthy();
        // The insert's foreign key check on the business row must not wait for this transaction.
        await insertMessageBeside('2s');
      });
    });

    it('a business delete still excludes them (the sanity check that the test can fail)', async () => {
      const failure = await t.database.db
        .transaction(async (tx) => {
          await findBusiness(tx, business.business_id, { lock: 'update' });
          await insertMessageBeside('200ms');
        })
        .then(
          () => null,
          (error: { cause?: { code?: string }; code?: string }) => error.cause?.code ?? error.code,
        );
      expect(failure).toBe('55P03'); // lock_not_available
    });
  },
);
