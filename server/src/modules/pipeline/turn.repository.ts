import { and, asc, eq, lt, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { prebuiltStatement } from '../../db/prebuilt-statement.js';
import { fromJson, rowsOf, toDate } from '../../db/raw-rows.js';
import { conversations, llmCalls, messages } from '../../db/schema.js';
import { withFields } from '../../lib/with-fields.js';
import { historyBeforeJson, outboundStatus } from '../conversations/index.js';
import type { StoredHistory } from '../templates/index.js';
import { jsonArrayOf, promptJsonOf, systemJsonOf } from './quoted-texts.js';
import type { TurnResult } from './turn-types.js';

/*
 * The SQL of processing a conversation's messages: the lease that serialises workers across
 * processes, the turn's one-statement write, and the reads that recovery and retries need.
 */

export interface PendingMessage {
  messageId: string;
  content: string;
  sequence: number;
  /** 'draft': the simulator asked for the working draft (messages.metadata.configuration). */
  configuration?: string | null;
}

export interface LeasedConversation {
  businessId: string;
  userId: string;
  stageId: string | null;
  channel: string;
  collectedData: Record<string, unknown>;
  aiStoppedAt: Date | null;
  aiStoppedUntil: Date | null;
  pending: PendingMessage[];
  user: { firstName: string; lastName: string };
  /** The history before the first pending message, when the lease was asked to read it. */
  history?: StoredHistory | undefined;
}

interface LeaseValues {
  owner: string;
  seconds: number;
  conversationId: string;
  untilSequence: number;
  historyLimit: number | null;
}

const takeLease = prebuiltStatement<LeaseValues, 'history' | ''>((p, variant) => {
  const history =
    variant === 'history'
      ? sql`, ${historyBeforeJson(
          sql`${p('conversationId')}`,
          sql`(SELECT min(sequence_number) FROM pending)`,
          sql`${p('historyLimit')}::int`,
        )} AS history`
      : sql``;
  return sql`
    WITH lease AS (
      UPDATE conversations
         SET lease_owner = ${p('owner')}, lease_until = now() + make_interval(secs => ${p('seconds')})
       WHERE conversation_id = ${p('conversationId')}
         AND (lease_owner IS NULL OR lease_owner = ${p('owner')} OR lease_until < now())
      RETURNING business_id, user_id, stage_id, channel, collected_data, ai_stopped_at, ai_stopped_until
    ), pending AS (
      SELECT m.message_id, m.message_content, m.sequence_number, m.metadata->>'configuration' AS configuration
        FROM messages m
       WHERE m.conversation_id = ${p('conversationId')} AND m.status = 'pending'
         AND m.sequence_number <= ${p('untilSequence')}::int
    )
    SELECT lease.*, u.first_name, u.last_name,
           (SELECT coalesce(json_agg(json_build_object('messageId', p.message_id, 'content', p.message_content,
                                                       'sequence', p.sequence_number,
                                                       'configuration', p.configuration) ORDER BY p.sequence_number), '[]')
              FROM pending p) AS pending${history}
      FROM lease LEFT JOIN users u ON u.user_id = lease.user_id`;
});

/**
 * Takes the lease (free, ours, or expired) and, in the same statement, reads the conversation's state
 * and its pending messages up to `untilSequence` — and, given `historyLimit`, what listRecentMessages
 * answers for the first of them. undefined: another worker holds a live lease.
 */
export async function tryLease(
  db: DbOrTx,
  lease: { owner: string; seconds: number },
  conversationId: string,
  untilSequence: number,
  historyLimit?: number,
): Promise<LeasedConversation | undefined> {
  const values = withFields(lease, { conversationId, untilSequence, historyLimit: historyLimit ?? null });
  const [row] = rowsOf(await takeLease(db, values, historyLimit === undefined ? '' : 'history'));
  if (!row) return undefined;
  return leasedFromRow(row, fromJson(row.pending as PendingMessage[] | null) ?? [], historyLimit);
}

/**
 * A leased conversation from the columns the lease answers (here, or with the customer's message:
 * `insertMessage`'s `lease`); `history` is read before the first of `pending` with `historyLimit`.
 */
export function leasedFromRow(
  row: Record<string, unknown>,
  pending: PendingMessage[],
  historyLimit: number | undefined,
): LeasedConversation {
  const first = pending[0];
  const stored = fromJson(row.history as { senderType: string; content: string; createdAt: string }[] | null);
  return {
    businessId: String(row.business_id),
    userId: String(row.user_id),
    stageId: (row.stage_id as string | null) ?? null,
    channel: String(row.channel),
    collectedData: fromJson(row.collected_data as Record<string, unknown> | null) ?? {},
    aiStoppedAt: row.ai_stopped_at ? toDate(row.ai_stopped_at) : null,
    aiStoppedUntil: row.ai_stopped_until ? toDate(row.ai_stopped_until) : null,
    pending,
    user: { firstName: String(row.first_name ?? ''), lastName: String(row.last_name ?? '') },
    history:
      first && stored && historyLimit !== undefined
        ? {
            beforeMessageId: first.messageId,
            limit: historyLimit,
            messages: stored.map((m) => ({
              senderType: m.senderType,
              content: m.content,
              createdAt: new Date(m.createdAt),
            })),
          }
        : undefined,
  };
}

export async function releaseLease(db: DbOrTx, owner: string, conversationId: string) {
  await db
    .update(conversations)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(conversations.conversationId, conversationId), eq(conversations.leaseOwner, owner)));
}

/** Every lease `owner` holds, released at once (a process shutting down with turns unfinished). */
export async function releaseLeasesOf(db: DbOrTx, owner: string) {
  const released = await db
    .update(conversations)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(eq(conversations.leaseOwner, owner))
    .returning({ conversationId: conversations.conversationId });
  return released.length;
}

/** The heartbeat: extends the lease while `owner` still holds it. */
export async function renewLease(db: DbOrTx, owner: string, conversationId: string, seconds: number) {
  await db
    .update(conversations)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${seconds})` })
    .where(and(eq(conversations.conversationId, conversationId), eq(conversations.leaseOwner, owner)));
}

/** Whether a message up to `untilSequence` (or, given, that one message) is still pending. */
export async function hasPendingMessage(
  db: DbOrTx,
  conversationId: string,
  untilSequence: number,
  messageId?: string,
) {
  const [pending] = await db
    .select({ id: messages.messageId })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.status, 'pending'),
        lte(messages.sequenceNumber, untilSequence),
        ...(messageId ? [eq(messages.messageId, messageId)] : []),
      ),
    )
    .limit(1);
  return pending !== undefined;
}

/** The AI is paused: the message is kept, unanswered. */
export async function markMessageSkipped(db: DbOrTx, messageId: string) {
  await db.update(messages).set({ status: 'skipped' }).where(eq(messages.messageId, messageId));
}

/** Conversations with a message pending for longer than the grace period and no live lease. */
export async function findStalledConversations(db: DbOrTx, graceSeconds: number, limit: number) {
  const rows = await db
    .selectDistinct({ conversationId: messages.conversationId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.conversationId, messages.conversationId))
    .where(
      and(
        eq(messages.status, 'pending'),
        lt(messages.createdAt, sql`now() - make_interval(secs => ${graceSeconds})`),
        sql`(${conversations.leaseUntil} is null or ${conversations.leaseUntil} < now())`,
      ),
    )
    .limit(limit);
  return rows.map((row) => row.conversationId);
}

/** The LLM calls logged for one inbound message, oldest first. */
export function listCallsOfMessage(db: DbOrTx, messageId: string) {
  return db.select().from(llmCalls).where(eq(llmCalls.messageId, messageId)).orderBy(asc(llmCalls.createdAt));
}

export async function findConversationUserId(db: DbOrTx, conversationId: string) {
  const [row] = await db
    .select({ userId: conversations.userId })
    .from(conversations)
    .where(eq(conversations.conversationId, conversationId))
    .limit(1);
  return row?.userId;
}

export interface PersistInput {
  businessId: string;
  conversationId: string;
  messageId: string;
  messageSequence: number;
  channel: string;
  turn: TurnResult;
  /** The last message this worker drains: give up the conversation's lease in the same statement. */
  releaseLeaseOf?: string | undefined;
  /** The turn hands the conversation to the team: the AI stops (until resumed) and it waits. */
  handoff?: boolean;
}

/** The call log's rows as one JSON array, each row's prompts quoted once for the turn (quoted-texts.ts). */
function llmCallsJson(input: PersistInput): string {
  const { turn, businessId, conversationId, messageId } = input;
  // Steps that never ran (single-stage selection, a reply skipped after a failure) are not calls.
  const rows = turn.calls
    .filter((call) => call.llm || !call.step.skipped)
    .map(({ step, llm, templateId, stageId }) => {
      const rest = JSON.stringify({
        business_id: businessId,
        conversation_id: conversationId,
        message_id: messageId,
        template_id: templateId,
        stage_id: stageId,
        call_type: step.step,
        provider: step.provider ?? llm?.provider ?? 'offline',
        model: step.model ?? llm?.model ?? 'offline-engine',
        response: step.response,
        tokens_in: step.tokens_in,
        tokens_out: step.tokens_out,
        latency_ms: step.latency_ms,
        cost_usd: step.cost_usd,
        status:
          step.status === 'error'
            ? 'error'
            : step.skipped
              ? 'discarded'
              : step.engine === 'offline'
                ? 'offline'
                : 'success',
        error: step.error ?? null,
        error_detail: llm?.errorDetail ?? null,
      });
      return `{"system_prompt":${systemJsonOf(step)},"prompt":${promptJsonOf(step)},${rest.slice(1)}`;
    });
  return jsonArrayOf(rows);
}

type TurnWriteVariant = `${'facts' | 'nofacts'},${'transition' | 'stay'}`;
interface TurnWriteValues {
  messageId: string;
  conversationId: string;
  businessId: string;
  reply: string;
  messageSequence: number;
  replySequence: number;
  channel: string;
  replyStatus: string;
  stageId: string | null;
  previousStageId: string | null;
  /** The JSON texts (`::jsonb` in the statement). */
  replyMetadata: string;
  result: string;
  extracted: string;
  /**
   * The call log as one JSON array, read by `json_to_recordset`: as `json` it is parsed once into the
   * rows; a `jsonb` cast first built a binary copy of every prompt (pgbench, a turn's three calls of
   * 8.5 KB: ~0.03 ms above reading the text against ~0.12 ms; twenty-sixth pass).
   */
  calls: string;
  handoff: boolean;
  /** The lease owner giving up the conversation's lease with this write, if any. */
  releasing: string | null;
  transitionReason: string | null;
}

/**
 * Writes one processed turn in ONE statement — the reply, the inbound message's new status and result,
 * the conversation's stage and collected data, the LLM call log, the extracted facts and the stage
 * transition, the conversation's waiting state and a hand-off's AI stop — so it is atomic without a
 * transaction's extra round trips. Nothing is written unless the inbound message is still pending; a
 * crash before it leaves the message pending for a retry. The facts and transition inserts are left
 * out, not run with WHERE false: a statement trigger (the rollups') fires even for no rows.
 */
const writeTurn = prebuiltStatement<TurnWriteValues, TurnWriteVariant>((p, variant) => {
  const facts = variant.startsWith('facts')
    ? sql`, facts AS (
      INSERT INTO extracted_data (business_id, conversation_id, message_id, stage_id, data)
      SELECT ${p('businessId')}, ${p('conversationId')}, inbound.message_id, ${p('stageId')}::uuid, ${p('extracted')}::jsonb
        FROM inbound
    )`
    : sql``;
  const transition = variant.endsWith('transition')
    ? sql`, transition AS (
      INSERT INTO stage_transitions (business_id, conversation_id, from_stage_id, to_stage_id, message_id, reason)
      SELECT ${p('businessId')}, ${p('conversationId')}, ${p('previousStageId')}::uuid, ${p('stageId')}::uuid,
             inbound.message_id, ${p('transitionReason')}::text
        FROM inbound
    )`
    : sql``;
  return sql`
    WITH inbound AS (
      SELECT message_id FROM messages
       WHERE message_id = ${p('messageId')} AND conversation_id = ${p('conversationId')} AND status = 'pending'
       FOR UPDATE
    ), reply AS (
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                            channel, status, stage_id, reply_to_message_id, metadata)
      SELECT ${p('conversationId')}, ${p('businessId')}, 'assistant', ${p('reply')}, ${p('replySequence')}::int,
             ${p('channel')}, ${p('replyStatus')}, ${p('stageId')}::uuid, inbound.message_id,
             ${p('replyMetadata')}::jsonb
        FROM inbound
      RETURNING message_id
    ), processed AS (
      UPDATE messages m
         SET status = 'processed', stage_id = ${p('previousStageId')}::uuid,
             metadata = jsonb_build_object('result',
               ${p('result')}::jsonb || jsonb_build_object('response_id', reply.message_id))
        FROM reply
       WHERE m.message_id = ${p('messageId')}
    ), conversation AS (
      UPDATE conversations c
         SET stage_id = ${p('stageId')}::uuid,
             collected_data = c.collected_data || ${p('extracted')}::jsonb,
             last_sequence = greatest(c.last_sequence, ${p('replySequence')}::int),
             last_updated = now(),
             -- The reply answers the customer, unless it hands over (then a person must) or the AI was
             -- stopped meanwhile; a later customer message still unanswered keeps it waiting from then.
             waiting_since = CASE
               WHEN ${p('handoff')}::boolean THEN coalesce(c.waiting_since, now())
               WHEN c.ai_stopped_at IS NOT NULL AND (c.ai_stopped_until IS NULL OR c.ai_stopped_until > now())
                 THEN c.waiting_since
               ELSE (SELECT min(lm.created_at) FROM messages lm
                      WHERE lm.conversation_id = c.conversation_id AND lm.sender_type = 'user'
                        AND lm.sequence_number > ${p('messageSequence')}::int) END,
             ai_stopped_at = CASE WHEN ${p('handoff')}::boolean THEN now() ELSE c.ai_stopped_at END,
             ai_stopped_until = CASE WHEN ${p('handoff')}::boolean THEN NULL ELSE c.ai_stopped_until END,
             lease_owner = CASE WHEN c.lease_owner = ${p('releasing')}::text THEN NULL ELSE c.lease_owner END,
             lease_until = CASE WHEN c.lease_owner = ${p('releasing')}::text THEN NULL ELSE c.lease_until END
        FROM inbound
       WHERE c.conversation_id = ${p('conversationId')}
    ), calls AS (
      INSERT INTO llm_calls (business_id, conversation_id, message_id, template_id, stage_id, call_type, provider,
                             model, system_prompt, prompt, response, tokens_in, tokens_out, latency_ms, cost_usd,
                             status, error, error_detail)
      SELECT x.business_id, x.conversation_id, x.message_id, x.template_id, x.stage_id, x.call_type, x.provider,
             x.model, x.system_prompt, x.prompt, x.response, x.tokens_in, x.tokens_out, x.latency_ms, x.cost_usd,
             x.status, x.error, x.error_detail
        FROM inbound, json_to_recordset(${p('calls')}::json) AS x(
               business_id uuid, conversation_id uuid, message_id uuid, template_id uuid, stage_id uuid,
               call_type text, provider text, model text, system_prompt text, prompt text, response text,
               tokens_in int, tokens_out int, latency_ms int, cost_usd double precision, status text, error text,
               error_detail text)
    )${facts}${transition}
    SELECT message_id AS reply_id FROM reply`;
});

export async function persistTurn(db: DbOrTx, input: PersistInput): Promise<{ replyId: string } | null> {
  const { turn } = input;
  const stageChanged = turn.stage.stageId !== turn.previousStage.stageId;
  const hasExtracted = Object.keys(turn.extracted).length > 0;
  // Typed extraction's dropped values, with why, are kept with the message's result.
  const rejected = turn.steps.find((s) => s.step === 'data_extraction')?.rejected_values;
  const result = {
    stage_id: turn.stage.stageId,
    previous_stage_id: turn.previousStage.stageId,
    extracted_data: turn.extracted,
    fallback: turn.fallback,
    engine: turn.engine,
    stage_complete: turn.complete,
    ...(rejected?.length ? { rejected_values: rejected } : {}),
  };
  const values: TurnWriteValues = {
    messageId: input.messageId,
    conversationId: input.conversationId,
    businessId: input.businessId,
    reply: turn.reply,
    messageSequence: input.messageSequence,
    replySequence: input.messageSequence + 1,
    channel: input.channel,
    replyStatus: outboundStatus(input.channel),
    stageId: turn.stage.stageId,
    previousStageId: turn.previousStage.stageId,
    replyMetadata: JSON.stringify({ fallback: turn.fallback, engine: turn.engine }),
    result: JSON.stringify(result),
    extracted: JSON.stringify(turn.extracted),
    handoff: input.handoff === true,
    releasing: input.releaseLeaseOf ?? null,
    calls: llmCallsJson(input),
    transitionReason: turn.transitionReason ?? null,
  };
  const variant: TurnWriteVariant = `${hasExtracted ? 'facts' : 'nofacts'},${stageChanged ? 'transition' : 'stay'}`;
  const rows = rowsOf(await writeTurn(db, values, variant));
  const replyId = rows[0]?.reply_id;
  return replyId ? { replyId: String(replyId) } : null;
}
