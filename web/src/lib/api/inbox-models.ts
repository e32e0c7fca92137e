import type { ConversationDetail, ConversationSummary } from './models';

/**
 * The live inbox's shapes (issue 11, /work/wt/briefs/inbox-contract.md), written by hand until the
 * server's OpenAPI document has them; then they become aliases of the generated types in models.ts.
 */
export interface InboxFields {
  assignee_id: string | null;
  assignee_name: string | null;
  waiting_since: string | null;
  unread_count: number;
}

export type InboxConversationSummary = ConversationSummary & InboxFields;

export interface Customer {
  user_id: string;
  /** The best name, as `user_name`. */
  name: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  whatsapp_id: string | null;
  messenger_psid: string | null;
}

export type InboxConversation = ConversationDetail['conversation'] & InboxFields;

export type InboxConversationDetail = Omit<ConversationDetail, 'conversation'> & {
  conversation: InboxConversation;
  customer: Customer;
};

export interface Note {
  note_id: string;
  conversation_id: string;
  content: string;
  author_id: string | null;
  author_name: string;
  created_at: string;
}

export interface CannedReply {
  canned_reply_id: string;
  business_id: string;
  shortcut: string;
  content: string;
  created_at: string;
  updated_at: string;
  /** With `conversation_id`: the content with the conversation's variables filled in. */
  rendered?: string;
}

export type ConversationChannel = 'api' | 'web' | 'whatsapp' | 'messenger' | 'simulator';

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
