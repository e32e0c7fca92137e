import type { ConversationDetail, ConversationSummary } from './models';

/**
 * The live inbox's names for the generated types (issue 11), and the live events' payloads, which
 * the OpenAPI document cannot describe (they travel as server-sent events).
 */
export type {
  CannedReply,
  ConversationChannel,
  Customer,
  Note,
} from './models';

export type InboxConversationSummary = ConversationSummary;
export type InboxConversation = ConversationDetail['conversation'];
export type InboxConversationDetail = ConversationDetail;

/** The live events' payloads (server/src/modules/conversations/conversation-events.ts). */
export type ConversationEvent =
  | {
      type: 'message';
      business_id: string;
      conversation_id: string;
      message_id: string;
      sender_type: string;
      channel: string;
    }
  | { type: 'typing'; business_id: string; conversation_id: string; on: boolean; message_id?: string }
  | {
      type: 'delivery';
      business_id: string;
      conversation_id: string;
      message_id: string;
      delivery_status: string;
      delivery_error?: string | null;
    }
  | {
      type: 'stage';
      business_id: string;
      conversation_id: string;
      stage_id: string | null;
      stage_name: string | null;
      previous_stage_id: string | null;
    }
  | {
      type: 'ai';
      business_id: string;
      conversation_id: string;
      is_stopped: boolean;
      reason: 'agent' | 'handoff' | 'expired';
    }
  | { type: 'handoff'; business_id: string; conversation_id: string; reason: 'stage' | 'customer_request' }
  | {
      type: 'assignment';
      business_id: string;
      conversation_id: string;
      assignee_id: string | null;
      assignee_name: string | null;
    }
  | { type: 'status'; business_id: string; conversation_id: string; status: string }
  | { type: 'note'; business_id: string; conversation_id: string; note_id: string }
  | { type: 'conversation'; business_id: string; conversation_id: string };

export type ConversationEventType = ConversationEvent['type'];
