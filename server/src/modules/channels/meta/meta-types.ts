export type MetaChannel = 'whatsapp' | 'messenger';

export const isMetaChannel = (channel: string): channel is MetaChannel =>
  channel === 'whatsapp' || channel === 'messenger';

/**
 * Our idempotency key on a Graph send (`<message id>:<part>`), returned in WhatsApp statuses and
 * Messenger echoes; the settings page's test message carries `TEST_REFERENCE`.
 */
export const REFERENCE = /^([0-9a-f-]{36}):(\d+)$/;
export const TEST_REFERENCE = 'icmp-test';
export const isOurReference = (reference: string) =>
  reference === TEST_REFERENCE || REFERENCE.test(reference);

/** One customer message from a webhook, channel-neutral. */
export interface InboundEvent {
  kind: 'message';
  channel: MetaChannel;
  /** phone_number_id or page id: finds the business. */
  recipientId: string;
  /** wa_id or PSID. */
  customerId: string;
  customerName: string | null;
  externalMessageId: string;
  /** Milliseconds since the epoch (Meta's timestamp). */
  timestamp: number;
  /** The readable text stored and answered. */
  text: string;
  /** The platform's message type (`text`, `image`, `interactive`, `postback`…). */
  type: string;
  /** Non-text details kept in the message's metadata. */
  details: Record<string, unknown> | null;
  /**
   * Not the customer's words but a message the page sent to the customer without us (a person in
   * Meta's own inbox, or another app): kept in the transcript as the business's agent message,
   * already delivered — never answered by the AI, never sent by us.
   */
  fromPage?: true;
}

/** A delivery status of one of our sends. */
export interface StatusEvent {
  kind: 'status';
  channel: MetaChannel;
  recipientId: string;
  customerId: string;
  /** The Graph message ids the status is about (WhatsApp: one; Messenger delivery: `mids`). */
  messageIds: string[];
  /** Messenger delivery/read: every message sent up to this time (ms). */
  watermark: number | null;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error: string | null;
  /** Our idempotency key echoed back (biz_opaque_callback_data or echo metadata). */
  reference: string | null;
}

export type MetaEvent = InboundEvent | StatusEvent;
