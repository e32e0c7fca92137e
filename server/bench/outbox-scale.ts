// Meta's outbox and status webhooks at scale (issue 14, sixteenth pass): what one claim of the outbox
// costs when a Graph outage has left replies queued behind each conversation's first, all waiting out
// their backoff, what one Messenger read costs when the customer's history is long (sixteenth pass),
// and what a WhatsApp status costs that names a split reply's later part, or an id never sent here
// (twenty-first pass).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/icmp_outbox_bench npm run bench:outbox --workspace server \
//     [-- --runs=15] [--conversations=256]
//
// PostgreSQL only. The database is created when missing; each size replaces the fixture of the last
// (a business of its own, deleted at the end). The repository functions the server runs are timed
// here, in this process, each in a transaction rolled back (so every run sees the same rows), with the
// rows the statement read from `messages`, `message_deliveries` and `message_delivery_parts`
// (test/helpers/rows-read.ts).
// Medians of --runs after one warm-up; the load average is printed with them.
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { type DbOrTx, openDatabase } from '../src/db/client.js';
import { rowsOf } from '../src/db/raw-rows.js';
import {
  advanceDeliveryStatus,
  claimDueDeliveries,
} from '../src/modules/channels/meta/deliveries.repository.js';
import { rowsReadBy } from '../test/helpers/rows-read.js';
import { ensureDatabase } from './processes.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL (PostgreSQL) is required');
const argValue = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const RUNS = Number(argValue('runs') ?? 15);
const CONVERSATIONS = Number(argValue('conversations') ?? 256);
const BACKLOGS = [1, 40, 200]; // queued replies per conversation
const HISTORIES = [100, 4_000, 20_000]; // read replies before the unread one
const SPLIT_REPLIES = [1_000, 20_000, 100_000]; // replies sent in two parts
const BUSINESS = 'Outbox scale bench';

await ensureDatabase(databaseUrl);
const database = await openDatabase({ databaseUrl, dataDir: null, poolSize: 2 });
const db = database.db;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Times `work` in a transaction rolled back: median ms and the rows it read from the two tables. */
async function measure(work: (tx: DbOrTx) => Promise<unknown>) {
  const times: number[] = [];
  const reads: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const { result: ms, rows } = await rowsReadBy(
      db,
      ['messages', 'message_deliveries', 'message_delivery_parts'],
      async (tx) => {
        const start = process.hrtime.bigint();
        await work(tx);
        return Number(process.hrtime.bigint() - start) / 1e6;
      },
      { rollBack: true },
    );
    if (run === 0) continue; // warm-up
    times.push(ms);
    reads.push(rows);
  }
  return { ms: median(times), rows: median(reads) };
}

async function freshBusiness() {
  await db.execute(sql`DELETE FROM businesses WHERE business_name = ${BUSINESS}`);
  const [row] = rowsOf(
    await db.execute(sql`INSERT INTO businesses (business_name) VALUES (${BUSINESS}) RETURNING business_id`),
  );
  return String(row?.business_id);
}

/**
 * CONVERSATIONS WhatsApp customers, each with one reply sent and `queued` replies behind it: backed off
 * (the outage goes on: nothing is due), or due again (it is over: every claim finds 16 at once).
 */
async function outboxBacklog(businessId: string, queued: number, due: boolean) {
  await db.execute(sql`
    WITH customer AS (
      INSERT INTO users (business_id, whatsapp_id)
      SELECT ${businessId}::uuid, '4915' || n FROM generate_series(1, ${CONVERSATIONS}::int) AS n
      RETURNING user_id
    ), conversation AS (
      INSERT INTO conversations (business_id, user_id, channel, last_sequence)
      SELECT ${businessId}::uuid, user_id, 'whatsapp', 1 + ${queued}::int FROM customer
      RETURNING conversation_id
    ), sent AS (
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel, status)
      SELECT conversation_id, ${businessId}::uuid, 'assistant', 'sent before the outage', 1, 'whatsapp', 'sent'
        FROM conversation
    ), backlog AS (
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel, status)
      SELECT conversation_id, ${businessId}::uuid, 'assistant', 'queued during the outage ' || n, 1 + n,
             'whatsapp', 'queued'
        FROM conversation, generate_series(1, ${queued}::int) AS n
      RETURNING message_id, conversation_id
    )
    INSERT INTO message_deliveries (message_id, business_id, conversation_id, attempts, next_attempt_at)
    SELECT message_id, ${businessId}::uuid, conversation_id, 3,
           now() + CASE WHEN ${due}::boolean THEN interval '-1 minute' ELSE interval '1 hour' END
      FROM backlog`);
}

/** One Messenger customer: `history` replies read, then one sent and not yet read. */
async function messengerHistory(businessId: string, history: number) {
  const [row] = rowsOf(
    await db.execute(sql`
    WITH customer AS (
      INSERT INTO users (business_id, messenger_psid) VALUES (${businessId}::uuid, 'psid-scale') RETURNING user_id
    ), conversation AS (
      INSERT INTO conversations (business_id, user_id, channel, last_sequence)
      SELECT ${businessId}::uuid, user_id, 'messenger', ${history}::int + 1 FROM customer
      RETURNING conversation_id
    ), earlier AS (
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                            status, receipt, created_at)
      SELECT conversation_id, ${businessId}::uuid, 'assistant', 'an earlier reply ' || n, n, 'messenger', 'sent',
             'read', now() - interval '30 days' + n * interval '1 minute'
        FROM conversation, generate_series(1, ${history}::int) AS n
    )
    INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                          status, created_at)
    SELECT conversation_id, ${businessId}::uuid, 'assistant', 'the newest reply', ${history}::int + 1, 'messenger',
           'sent', now() - interval '1 second'
      FROM conversation
    RETURNING message_id`),
  );
  return String(row?.message_id);
}

/**
 * One WhatsApp customer with `replies` replies sent, each in two parts, written as the delivery worker
 * records them (the second part's Graph id in message_delivery_parts); the Graph ids are
 * `wamid.scale-<n>-<part>`.
 */
async function splitReplies(businessId: string, replies: number) {
  await db.execute(sql`
    WITH customer AS (
      INSERT INTO users (business_id, whatsapp_id) VALUES (${businessId}::uuid, '4916') RETURNING user_id
    ), conversation AS (
      INSERT INTO conversations (business_id, user_id, channel, last_sequence)
      SELECT ${businessId}::uuid, user_id, 'whatsapp', ${replies}::int FROM customer
      RETURNING conversation_id
    ), reply AS (
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                            status, external_message_id)
      SELECT conversation_id, ${businessId}::uuid, 'assistant', 'a long reply ' || n, n, 'whatsapp', 'sent',
             'wamid.scale-' || n || '-1'
        FROM conversation, generate_series(1, ${replies}::int) AS n
      RETURNING message_id, conversation_id, external_message_id
    ), delivery AS (
      INSERT INTO message_deliveries (message_id, business_id, conversation_id, attempts, parts_sent,
                                      graph_message_ids)
      SELECT message_id, ${businessId}::uuid, conversation_id, 1, 2,
             ARRAY[external_message_id, regexp_replace(external_message_id, '-1$', '-2')]
        FROM reply
      RETURNING message_id, graph_message_ids
    )
    INSERT INTO message_delivery_parts (graph_message_id, business_id, message_id, part)
    SELECT graph_message_ids[2], ${businessId}::uuid, message_id, 1 FROM delivery`);
}

async function analyze() {
  await db.execute(sql`VACUUM ANALYZE messages`);
  await db.execute(sql`VACUUM ANALYZE message_deliveries`);
}

console.log(`outbox and statuses at scale, ${RUNS} runs each (load ${loadavg()[0]?.toFixed(2)})`);
try {
  for (const due of [false, true]) {
    for (const queued of BACKLOGS) {
      const businessId = await freshBusiness();
      await outboxBacklog(businessId, queued, due);
      await analyze();
      const claim = await measure((tx) => claimDueDeliveries(tx, 'outbox-scale-bench', 30, 16));
      console.log(
        `claim, ${(CONVERSATIONS * queued).toLocaleString('en')} replies queued in ${CONVERSATIONS} conversations, ` +
          `${due ? 'due again' : 'backed off'}: ${claim.ms.toFixed(2)} ms, ${claim.rows.toLocaleString('en')} rows read`,
      );
    }
  }
  for (const history of HISTORIES) {
    const businessId = await freshBusiness();
    const unread = await messengerHistory(businessId, history);
    await analyze();
    const read = await measure(async (tx) => {
      const advanced = await advanceDeliveryStatus(tx, businessId, {
        kind: 'status',
        channel: 'messenger',
        recipientId: 'page-scale',
        customerId: 'psid-scale',
        messageIds: [],
        watermark: Date.now(),
        status: 'read',
        error: null,
        reference: null,
      });
      if (advanced.changed.map((c) => c.messageId).join() !== unread)
        throw new Error('the read did not move exactly the unread reply');
    });
    console.log(
      `Messenger read, ${history.toLocaleString('en')} replies read before it: ` +
        `${read.ms.toFixed(2)} ms, ${read.rows.toLocaleString('en')} rows read`,
    );
  }
  // A status naming a reply's second part alone (no reference), and one naming an id never sent here
  // (a test message, another tool on the same number): with the statistics taken after the business
  // grew, and before (a new business on a large table: its growth alone never reaches autovacuum's
  // threshold, and nothing has been vacuumed since).
  for (const replies of SPLIT_REPLIES) {
    for (const analysed of [true, false]) {
      const businessId = await freshBusiness();
      if (!analysed) await analyze();
      await splitReplies(businessId, replies);
      if (analysed) await analyze();
      const middle = Math.ceil(replies / 2);
      const [target] = rowsOf(
        await db.execute(
          sql`SELECT message_id FROM messages WHERE business_id = ${businessId}::uuid
                AND external_message_id = ${`wamid.scale-${middle}-1`}`,
        ),
      );
      const delivered = (tx: DbOrTx, graphId: string) =>
        advanceDeliveryStatus(tx, businessId, {
          kind: 'status',
          channel: 'whatsapp',
          recipientId: 'phone-scale',
          customerId: '4916',
          messageIds: [graphId],
          watermark: null,
          status: 'delivered',
          error: null,
          reference: null,
        });
      const laterPart = await measure(async (tx) => {
        const advanced = await delivered(tx, `wamid.scale-${middle}-2`);
        if (advanced.changed.map((c) => c.messageId).join() !== String(target?.message_id))
          throw new Error("the status did not move exactly the later part's reply");
      });
      const neverSent = await measure(async (tx) => {
        if ((await delivered(tx, 'wamid.never-sent')).changed.length > 0)
          throw new Error('a status for an id never sent moved a reply');
      });
      const when = analysed ? 'statistics taken after it grew' : 'statistics taken before it grew';
      console.log(
        `WhatsApp status, ${replies.toLocaleString('en')} replies sent in two parts (${when}): ` +
          `by a later part's id ${laterPart.ms.toFixed(2)} ms, ${laterPart.rows.toLocaleString('en')} rows read; ` +
          `an id never sent ${neverSent.ms.toFixed(2)} ms, ${neverSent.rows.toLocaleString('en')} rows read`,
      );
    }
  }
} finally {
  await db.execute(sql`DELETE FROM businesses WHERE business_name = ${BUSINESS}`);
  await database.close();
}
