import type { ConversationDetail, ConversationEvent, ConversationSummary } from './models';

/**
 * The live inbox's names for the generated types (issue 11).
 */
export type {
  CannedReply,
  ConversationChannel,
  ConversationEvent,
  Customer,
  Note,
} from './models';

export type InboxConversationSummary = ConversationSummary;
export type InboxConversation = ConversationDetail['conversation'];
export type InboxConversationDetail = ConversationDetail;

export type ConversationEventType = ConversationEvent['type'];
