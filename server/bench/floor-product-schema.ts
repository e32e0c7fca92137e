/**
 * The floor's four statements on the product's own tables (`floor-server.ts --schema product`): the
 * same code path as the bare floor, but every row lands where the product puts it — users,
 * conversations, messages, llm_calls, extracted_data, stage_transitions — with their indexes, foreign
 * keys and analytics rollup triggers. product/this-floor is what the product's code costs above its
 * schema; this-floor/bare-floor is what the schema (search, inbox and list indexes, integrity, exact
 * rollups) costs above the bare tables.
 *
 * It works in a business of its own ("Bench floor <pid>", two stages, three templates), created on
 * start and deleted, with every row of it, on stop.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type FloorStore, readHistory } from './floor-store.js';

const TEMPLATE_OF_STEP = ['stage_selection', 'data_extraction', 'response_generation'] as const;

export function productSchemaStore(
  db: pg.Pool,
  options: { owner: string; stages: string[]; historyLimit: number; description: string },
): FloorStore {
  const businessId = randomUUID();
  const templateIds = Object.fromEntries(TEMPLATE_OF_STEP.map((step) => [step, randomUUID()]));
  const stageIds = new Map(options.stages.map((name) => [name, randomUUID()]));
  const stageNames = new Map<string, string>([...stageIds].map(([name, id]) => [id, name]));
  const firstStage = stageIds.get(options.stages[0] as string) as string;
  /** This process opened every conversation it serves: a known user is a known conversation. */
  const conversationOf = new Map<string, string>();

  const insertInbound = (message: string, business: string, content: string) => `
    INSERT INTO messages (message_id, conversation_id, business_id, sender_type, message_content, sequence_number,
                          channel, status)
    SELECT ${message}, conversation_id, ${business}, 'user', ${content}, last_sequence - 1, 'api', 'pending' FROM conv
    RETURNING conversation_id, sequence_number`;
  const FIRST_CONTACT = `
    WITH u AS (INSERT INTO users (user_id, business_id) VALUES ($1, $2) RETURNING user_id),
    conv AS (
      INSERT INTO conversations (conversation_id, business_id, user_id, stage_id, last_sequence, waiting_since)
      SELECT $3, $2, user_id, $4, 2, now() FROM u
      RETURNING conversation_id, last_sequence)
    ${insertInbound('$5', '$2', '$6')}`;
  const NEXT_MESSAGE = `
    WITH conv AS (
      UPDATE conversations
         SET last_sequence = last_sequence + 2, last_updated = now(), waiting_since = coalesce(waiting_since, now())
       WHERE conversation_id = $1
      RETURNING conversation_id, last_sequence)
    ${insertInbound('$2', '$3', '$4')}`;
  const LEASE = `
    UPDATE conversations SET lease_owner = $2, lease_until = now() + interval '10 seconds'
     WHERE conversation_id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < now())
    RETURNING stage_id, collected_data`;
  const HISTORY = `
    SELECT sender_type, message_content AS content FROM messages
     WHERE conversation_id = $1 AND sequence_number < $2 ORDER BY sequence_number DESC LIMIT ${options.historyLimit}`;
  // Facts and a stage change each add a table, as they do in the product's turn: a statement trigger
  // fires even for an insert of no rows, so each combination is its own statement.
  const persistText = (facts: boolean, transition: boolean) => `
    WITH reply AS (
      INSERT INTO messages (message_id, conversation_id, business_id, sender_type, message_content, sequence_number,
                            channel, status, stage_id, reply_to_message_id)
      VALUES ($1, $2, $3, 'assistant', $4, $5, 'api', 'sent', $6, $7)),
    inbound AS (UPDATE messages SET status = 'processed', stage_id = $8 WHERE message_id = $7),
    calls AS (
      INSERT INTO llm_calls (business_id, conversation_id, message_id, template_id, stage_id, call_type, provider,
                             model, system_prompt, prompt, response, tokens_in, tokens_out, latency_ms, cost_usd, status)
      SELECT $3, $2, $7, tpl, $6, t, 'openai', $9, sp, p, r, i, o, l, 0, 'success'
        FROM unnest($10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int[], $16::int[], $17::int[])
          AS x(tpl, t, sp, p, r, i, o, l))${
            facts
              ? `,
    facts AS (
      INSERT INTO extracted_data (business_id, conversation_id, message_id, stage_id, data)
      VALUES ($3, $2, $7, $6, $18::jsonb))`
              : ''
          }${
            transition
              ? `,
    transition AS (
      INSERT INTO stage_transitions (business_id, conversation_id, from_stage_id, to_stage_id, message_id, reason)
      VALUES ($3, $2, $8, $6, $7, 'selected'))`
              : ''
          }
    UPDATE conversations
       SET stage_id = $6, collected_data = collected_data || $18::jsonb, last_updated = now(), waiting_since = NULL,
           lease_owner = NULL, lease_until = NULL
     WHERE conversation_id = $2`;

  return {
    async setUp() {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO businesses (business_id, business_name, business_description) VALUES ($1, $2, $3)`,
          [businessId, `Bench floor ${options.owner}`, options.description],
        );
        for (const step of TEMPLATE_OF_STEP)
          await client.query(
            `INSERT INTO templates (template_id, business_id, template_name, template_type, content)
             VALUES ($1, $2, $3, $3, 'floor')`,
            [templateIds[step], businessId, step],
          );
        for (const [name, id] of stageIds)
          await client.query(
            `INSERT INTO stages (stage_id, business_id, stage_name, stage_selection_template_id,
                                 data_extraction_template_id, response_generation_template_id)
             VALUES ($1, $2, $3, $4, $5, $6)`,
            [
              id,
              businessId,
              name,
              templateIds.stage_selection,
              templateIds.data_extraction,
              templateIds.response_generation,
            ],
          );
        await client.query('UPDATE businesses SET first_stage_id = $1 WHERE business_id = $2', [
          firstStage,
          businessId,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },

    async tearDown() {
      await db.query('DELETE FROM businesses WHERE business_id = $1', [businessId]);
    },

    async inbound(userId, inboundId, content) {
      const known = conversationOf.get(userId);
      const result = known
        ? await db.query({ name: 'floor_next_message', text: NEXT_MESSAGE }, [
            known,
            inboundId,
            businessId,
            content,
          ])
        : await db.query({ name: 'floor_first_contact', text: FIRST_CONTACT }, [
            userId,
            businessId,
            randomUUID(),
            firstStage,
            inboundId,
            content,
          ]);
      const row = result.rows[0] as { conversation_id: string; sequence_number: number };
      conversationOf.set(userId, row.conversation_id);
      return { conversationId: row.conversation_id, sequence: row.sequence_number };
    },

    async lease(conversationId) {
      const row = (await db.query({ name: 'floor_lease', text: LEASE }, [conversationId, options.owner]))
        .rows[0] as { stage_id: string; collected_data: Record<string, unknown> } | undefined;
      return (
        row && {
          stage: stageNames.get(row.stage_id) ?? (options.stages[0] as string),
          collected: row.collected_data,
        }
      );
    },

    history: (conversationId, sequence) => readHistory(db, HISTORY, conversationId, sequence),

    async persist(turn) {
      const hasFacts = Object.keys(turn.facts).length > 0;
      const changed = turn.stage !== turn.previousStage;
      await db.query(
        { name: `floor_persist_${Number(hasFacts)}${Number(changed)}`, text: persistText(hasFacts, changed) },
        [
          randomUUID(),
          turn.conversationId,
          businessId,
          turn.reply,
          turn.sequence + 1,
          stageIds.get(turn.stage),
          turn.inboundId,
          stageIds.get(turn.previousStage),
          turn.model,
          turn.calls.map((call) => templateIds[call.step]),
          turn.calls.map((call) => call.step),
          turn.calls.map((call) => call.system),
          turn.calls.map((call) => call.prompt),
          turn.calls.map((call) => call.text),
          turn.calls.map((call) => call.tokensIn),
          turn.calls.map((call) => call.tokensOut),
          turn.calls.map((call) => call.latencyMs),
          JSON.stringify(turn.facts),
        ],
      );
    },
  };
}
