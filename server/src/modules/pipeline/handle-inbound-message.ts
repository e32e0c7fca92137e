import type { AppContext } from '../../context.js';
import { AppError, notFound } from '../../errors.js';
import { withFields } from '../../lib/with-fields.js';
import { getBusinessConfig, loadConfigForTarget } from '../config-cache/index.js';
import {
  appendMessage,
  findWebVisitorUserId,
  insertFirstContactMessage,
  insertMessage,
  type MessageTarget,
  type NewCustomer,
  publishConversationEvent,
} from '../conversations/index.js';
import { historyReadLimit } from '../templates/index.js';
import type { ConversationProcessor } from './conversation-processor.js';
import type { MessageResponse } from './message.schemas.js';
import { acceptableContent } from './message-content.js';
import { toMessageResponse } from './message-response.js';
import type { TurnListener } from './pipeline-types.js';
import { resolveConversation } from './resolve-conversation.js';
import { findByExternalId, storedResult } from './stored-result.js';

export interface InboundMessage {
  businessId: string;
  content: string;
  userId?: string | undefined;
  conversationId?: string | undefined;
  /** The website widget's visitor (no userId): their user is found by visitor id, or created as this. */
  webVisitor?: NewCustomer | undefined;
  externalMessageId?: string | undefined;
  channel?: string;
  /** Run the working draft instead of the published configuration (the simulator's switch). */
  draft?: boolean;
}

/** Stores the customer's words first, then runs (or waits for) the pipeline in conversation order. */
export async function handleInboundMessage(
  ctx: AppContext,
  processor: ConversationProcessor,
  input: InboundMessage,
  listener?: TurnListener,
): Promise<MessageResponse> {
  const channel = input.channel ?? 'api';
  const content = acceptableContent(input.content, ctx.config.maxMessageChars);
  const config = input.draft
    ? await loadConfigForTarget(ctx.db, input.businessId, 'draft')
    : await getBusinessConfig(ctx, input.businessId);
  if (!config) throw notFound('Business');

  if (input.externalMessageId) {
    const existing = await findByExternalId(ctx, input.businessId, channel, input.externalMessageId);
    if (existing) return storedResult(ctx, processor, existing, true);
  }

  const inbound = {
    businessId: input.businessId,
    senderType: 'user' as const,
    content,
    status: 'pending',
    reserveReplySlot: true,
    channel,
    externalMessageId: input.externalMessageId ?? null,
    // The processor reads it back: this message's turn runs on the draft.
    ...(input.draft ? { metadata: { configuration: 'draft' } } : {}),
  };
  const historyLimit = historyReadLimit(config);
  // The common cases in ONE statement, with the conversation's lease: the given (or the user's
  // active) conversation when nothing else is pending there, or a customer never seen before with
  // their new conversation. Otherwise (a returning customer without an active conversation, a closed
  // conversation, a foreign id, a duplicate) the general path creates or refuses.
  const ticket = processor.leaseAtInsert(historyLimit);
  const known = (target: MessageTarget) =>
    insertMessage(ctx.db, withFields(inbound, { target, lease: ticket }));
  const firstContact = (customer?: NewCustomer) =>
    insertFirstContactMessage(
      ctx.db,
      withFields(inbound, { entryStageId: config.entryStageId, customer, lease: ticket }),
    );
  let userId = input.userId;
  let fast: Awaited<ReturnType<typeof known>>;
  if (input.conversationId || userId) {
    fast = await known({ conversationId: input.conversationId, userId, activeOnly: true });
  } else if (input.webVisitor) {
    // A returning visitor in one statement, a new one in one more. Between the two their other tab may
    // create them (the first contact then stores nothing): the returning path again, into its conversation.
    const visitor = {
      identity: { kind: 'webVisitor', id: input.webVisitor.webVisitorId },
      activeOnly: true,
    } as const;
    fast = (await known(visitor)) ?? (await firstContact(input.webVisitor)) ?? (await known(visitor));
    // Still nothing: a known visitor without an active conversation, for the general path.
    if (!fast) userId = await findWebVisitorUserId(ctx.db, input.businessId, input.webVisitor.webVisitorId);
  } else {
    // Nothing stored: the external id is known already.
    fast = await firstContact();
  }
  let stored = fast?.message ?? null;
  let resolved = fast ? { conversationId: fast.message.conversationId, userId: fast.ownerId } : null;
  if (!resolved && (input.conversationId || userId)) {
    ({ resolved, stored } = await ctx.db.transaction(async (tx) => {
      const conversation = await resolveConversation(tx, {
        businessId: input.businessId,
        userId,
        conversationId: input.conversationId,
        entryStageId: config.entryStageId,
        channel,
      });
      const message = await appendMessage(tx, { ...inbound, conversationId: conversation.conversationId });
      return { resolved: conversation, stored: message };
    }));
  }
  if (!stored || !resolved) {
    // The same external id arrived concurrently: answer with the first delivery's result.
    const existing = await findByExternalId(
      ctx,
      input.businessId,
      channel,
      input.externalMessageId as string,
    );
    if (!existing) throw new AppError('CONFLICT', 'The message could not be stored, retry');
    return storedResult(ctx, processor, existing, true);
  }
  // The customer's words are durable: live views (the inbox, the visitor's other tabs) show them now.
  publishConversationEvent(ctx, {
    type: 'message',
    business_id: input.businessId,
    conversation_id: resolved.conversationId,
    message_id: stored.messageId,
    sender_type: 'user',
    channel,
  });
  // The lease taken with the message reads it as the only one pending (the lease statement's row).
  const pending = {
    messageId: stored.messageId,
    content: stored.messageContent,
    sequence: stored.sequenceNumber,
    configuration: input.draft ? 'draft' : null,
  };
  const outcome = await processor.process(
    resolved.conversationId,
    stored.sequenceNumber,
    stored.messageId,
    listener,
    historyLimit,
    fast?.leased ? processor.leasedAtInsert(ticket, fast.leased, pending) : undefined,
  );
  if (!outcome) return storedResult(ctx, processor, stored, false);
  return toMessageResponse(resolved.conversationId, resolved.userId, outcome, false);
}
