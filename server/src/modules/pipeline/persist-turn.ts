import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, extractedData, llmCalls, messages, stageTransitions } from '../../db/schema.js';
import { appendMessage } from '../conversations/append-message.js';
import type { TurnResult } from './run-turn.js';

export interface PersistInput {
  businessId: string;
  conversationId: string;
  messageId: string;
  messageSequence: number;
  channel: string;
  collectedData: Record<string, unknown>;
  turn: TurnResult;
}

/** Writes one processed turn atomically; a crash before COMMIT leaves the message pending for a retry. */
export async function persistTurn(db: DbOrTx, input: PersistInput) {
  const { turn, businessId, conversationId, messageId } = input;
  const stageChanged = turn.stage.stageId !== turn.previousStage.stageId;
  const extractedNothing = Object.keys(turn.extracted).length === 0;
  const merged = extractedNothing ? input.collectedData : { ...input.collectedData, ...turn.extracted };

  return db.transaction(async (tx) => {
    const reply = await appendMessage(tx, {
      conversationId,
      businessId,
      senderType: 'assistant',
      content: turn.reply,
      status: 'sent',
      channel: input.channel,
      stageId: turn.stage.stageId,
      replyToMessageId: messageId,
      sequenceNumber: input.messageSequence + 1,
      metadata: { fallback: turn.fallback, engine: turn.engine },
    });
    if (!reply) throw new Error('conversation vanished while processing');
    // A transaction is one connection: its statements run one after another.
    await tx
      .update(messages)
      .set({
        status: 'processed',
        stageId: turn.previousStage.stageId,
        metadata: {
          result: {
            response_id: reply.messageId,
            stage_id: turn.stage.stageId,
            previous_stage_id: turn.previousStage.stageId,
            extracted_data: turn.extracted,
            fallback: turn.fallback,
            engine: turn.engine,
          },
        },
      })
      .where(and(eq(messages.messageId, messageId), eq(messages.status, 'pending')));
    await tx
      .update(conversations)
      .set({
        stageId: turn.stage.stageId,
        ...(extractedNothing
          ? {}
          : {
              collectedData: sql`${conversations.collectedData} || ${JSON.stringify(turn.extracted)}::jsonb`,
            }),
      })
      .where(eq(conversations.conversationId, conversationId));
    // Steps that never ran (single-stage selection, a reply skipped after a failure) are not calls.
    const calls = turn.calls.filter((call) => call.llm || !call.step.skipped);
    if (calls.length) {
      await tx.insert(llmCalls).values(
        calls.map(({ step, llm, templateId, stageId }) => ({
          businessId,
          conversationId,
          messageId,
          templateId,
          stageId,
          callType: step.step,
          provider: step.provider ?? llm?.provider ?? 'offline',
          model: step.model ?? llm?.model ?? 'offline-engine',
          systemPrompt: step.system_prompt,
          prompt: step.prompt,
          response: step.response,
          tokensIn: step.tokens_in,
          tokensOut: step.tokens_out,
          latencyMs: step.latency_ms,
          costUsd: step.cost_usd,
          status:
            step.status === 'error'
              ? 'error'
              : step.skipped
                ? 'discarded'
                : step.engine === 'offline'
                  ? 'offline'
                  : 'success',
          error: step.error ?? null,
        })),
      );
    }
    if (!extractedNothing) {
      await tx
        .insert(extractedData)
        .values({ businessId, conversationId, messageId, stageId: turn.stage.stageId, data: turn.extracted });
    }
    if (stageChanged) {
      await tx.insert(stageTransitions).values({
        businessId,
        conversationId,
        fromStageId: turn.previousStage.stageId,
        toStageId: turn.stage.stageId,
        messageId,
      });
    }
    return { reply, collectedData: merged };
  });
}
