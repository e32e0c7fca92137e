/** What other modules may use of conversations: messages are stored and read only through these. */
export { isAiStopped } from './ai-control.js';
export {
  type ConversationEvent,
  publishConversationEvent,
  subscribeConversationEvents,
  subscribeLocalConversationEvents,
} from './conversation-events.js';
export { unassignLeavingMember } from './conversations.service.js';
export { outboundStatus } from './deliver-agent-reply.js';
export { insertLlmCall } from './llm-calls.repository.js';
export {
  appendMessage,
  findMessage,
  findMessageByExternalId,
  findWebVisitorUserId,
  historyBeforeJson,
  insertFirstContactMessage,
  insertMessage,
  type MessageRow,
  type MessageTarget,
  type NewCustomer,
} from './messages.repository.js';
