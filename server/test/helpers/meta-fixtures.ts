// Builders of webhook payloads in the shapes of Meta's public references: WhatsApp Cloud API
// ("messages" field: messages, contacts, statuses) and Messenger Platform (messages, echoes,
// deliveries, reads, postbacks).
import { randomBytes } from 'node:crypto';

let serial = 0;
const nextSerial = () => {
  serial += 1;
  return serial;
};
/** Seconds since the epoch as a string, the way WhatsApp sends timestamps. */
const seconds = (at?: number) => String(Math.floor((at ?? Date.now()) / 1000));

export const newWamid = () => `wamid.HBgL${randomBytes(12).toString('base64url')}${nextSerial()}`;
export const newMid = () => `m_${randomBytes(16).toString('base64url')}${nextSerial()}`;

// ---- WhatsApp -------------------------------------------------------------------------------

export interface WaCustomer {
  waId: string;
  name?: string;
}

type WaContent =
  | { type: 'text'; text: { body: string } }
  | { type: 'image'; image: { id: string; mime_type: string; sha256: string; caption?: string } }
  | { type: 'audio'; audio: { id: string; mime_type: string; voice?: boolean } }
  | { type: 'document'; document: { id: string; mime_type: string; filename?: string; caption?: string } }
  | { type: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string } }
  | {
      type: 'interactive';
      interactive: { type: 'button_reply'; button_reply: { id: string; title: string } };
    }
  | {
      type: 'interactive';
      interactive: { type: 'list_reply'; list_reply: { id: string; title: string; description?: string } };
    }
  | { type: 'button'; button: { payload: string; text: string } }
  | { type: 'sticker'; sticker: { id: string; mime_type: string; animated: boolean } }
  | { type: 'unsupported'; errors: { code: number; title: string }[] };

export interface WaMessage {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  [key: string]: unknown;
}

export const wa = {
  text: (body: string): WaContent => ({ type: 'text', text: { body } }),
  image: (caption?: string): WaContent => ({
    type: 'image',
    image: {
      id: `media-${nextSerial()}`,
      mime_type: 'image/jpeg',
      sha256: 'c2hhMjU2',
      ...(caption ? { caption } : {}),
    },
  }),
  audio: (): WaContent => ({
    type: 'audio',
    audio: { id: `media-${nextSerial()}`, mime_type: 'audio/ogg; codecs=opus', voice: true },
  }),
  document: (filename: string, caption?: string): WaContent => ({
    type: 'document',
    document: {
      id: `media-${nextSerial()}`,
      mime_type: 'application/pdf',
      filename,
      ...(caption ? { caption } : {}),
    },
  }),
  location: (latitude: number, longitude: number, name?: string, address?: string): WaContent => ({
    type: 'location',
    location: { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) },
  }),
  buttonReply: (id: string, title: string): WaContent => ({
    type: 'interactive',
    interactive: { type: 'button_reply', button_reply: { id, title } },
  }),
  listReply: (id: string, title: string, description?: string): WaContent => ({
    type: 'interactive',
    interactive: { type: 'list_reply', list_reply: { id, title, ...(description ? { description } : {}) } },
  }),
  templateButton: (payload: string, text: string): WaContent => ({
    type: 'button',
    button: { payload, text },
  }),
  sticker: (): WaContent => ({
    type: 'sticker',
    sticker: { id: `media-${nextSerial()}`, mime_type: 'image/webp', animated: false },
  }),
  unsupported: (): WaContent => ({
    type: 'unsupported',
    errors: [{ code: 131051, title: 'Message type unknown' }],
  }),
};

/** One inbound message from a customer; `at` (ms) sets its timestamp. */
export function waMessage(
  from: string,
  content: WaContent,
  options: { id?: string; at?: number } = {},
): WaMessage {
  return { from, id: options.id ?? newWamid(), timestamp: seconds(options.at), ...content } as WaMessage;
}

export interface WaStatusOptions {
  recipientId: string;
  at?: number;
  callbackData?: string;
  error?: { code: number; title: string; message?: string; details?: string };
}

export function waStatus(
  id: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  options: WaStatusOptions,
) {
  return {
    id,
    status,
    timestamp: seconds(options.at),
    recipient_id: options.recipientId,
    ...(options.callbackData ? { biz_opaque_callback_data: options.callbackData } : {}),
    ...(status === 'sent' || status === 'delivered'
      ? {
          conversation: { id: `conv-${nextSerial()}`, origin: { type: 'service' } },
          pricing: { billable: false, pricing_model: 'PMP', category: 'service' },
        }
      : {}),
    ...(options.error
      ? {
          errors: [
            {
              code: options.error.code,
              title: options.error.title,
              message: options.error.message ?? options.error.title,
              error_data: { details: options.error.details ?? options.error.title },
              href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
            },
          ],
        }
      : {}),
  };
}

export interface WaChangeInput {
  phoneNumberId: string;
  displayPhoneNumber?: string;
  contacts?: WaCustomer[];
  messages?: WaMessage[];
  statuses?: ReturnType<typeof waStatus>[];
}

/** One `changes[]` item of field `messages`. */
export function waChange(input: WaChangeInput) {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: {
        display_phone_number: input.displayPhoneNumber ?? '15550001234',
        phone_number_id: input.phoneNumberId,
      },
      ...(input.contacts?.length
        ? { contacts: input.contacts.map((c) => ({ profile: { name: c.name ?? '' }, wa_id: c.waId })) }
        : {}),
      ...(input.messages?.length ? { messages: input.messages } : {}),
      ...(input.statuses?.length ? { statuses: input.statuses } : {}),
    },
  };
}

/** A whole webhook body: entries (one per WhatsApp Business Account) each with changes. */
export function waPayload(entries: { wabaId?: string; changes: ReturnType<typeof waChange>[] }[]) {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((entry) => ({ id: entry.wabaId ?? `waba-${nextSerial()}`, changes: entry.changes })),
  };
}

/** The common case: one customer's messages to one phone number. */
export function waInbound(
  phoneNumberId: string,
  customer: WaCustomer,
  contents: WaContent[],
  at = Date.now(),
) {
  const messages = contents.map((content, index) =>
    waMessage(customer.waId, content, { at: at + index * 1000 }),
  );
  return {
    payload: waPayload([{ changes: [waChange({ phoneNumberId, contacts: [customer], messages })] }]),
    ids: messages.map((m) => m.id),
  };
}

// ---- Messenger ------------------------------------------------------------------------------

export interface MessagingEvent {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
  [key: string]: unknown;
}

export const ms = {
  text: (
    pageId: string,
    psid: string,
    text: string,
    options: { mid?: string; at?: number; quickReply?: string } = {},
  ): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: options.at ?? Date.now(),
    message: {
      mid: options.mid ?? newMid(),
      text,
      ...(options.quickReply ? { quick_reply: { payload: options.quickReply } } : {}),
    },
  }),
  attachment: (
    pageId: string,
    psid: string,
    type: 'image' | 'audio' | 'video' | 'file',
    url: string,
    options: { mid?: string; at?: number } = {},
  ): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: options.at ?? Date.now(),
    message: { mid: options.mid ?? newMid(), attachments: [{ type, payload: { url } }] },
  }),
  location: (
    pageId: string,
    psid: string,
    lat: number,
    long: number,
    options: { at?: number } = {},
  ): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: options.at ?? Date.now(),
    message: {
      mid: newMid(),
      attachments: [{ type: 'location', title: 'Pinned location', payload: { coordinates: { lat, long } } }],
    },
  }),
  postback: (
    pageId: string,
    psid: string,
    title: string,
    payload: string,
    options: { at?: number } = {},
  ): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: options.at ?? Date.now(),
    postback: { title, payload, mid: newMid() },
  }),
  /** The echo of a message the page sent (sender is the page). */
  echo: (
    pageId: string,
    psid: string,
    text: string,
    options: { mid?: string; metadata?: string } = {},
  ): MessagingEvent => ({
    sender: { id: pageId },
    recipient: { id: psid },
    timestamp: Date.now(),
    message: {
      is_echo: true,
      app_id: 1517776481860111,
      ...(options.metadata ? { metadata: options.metadata } : {}),
      mid: options.mid ?? newMid(),
      text,
    },
  }),
  delivery: (pageId: string, psid: string, mids: string[], watermark = Date.now()): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: Date.now(),
    delivery: { mids, watermark },
  }),
  read: (pageId: string, psid: string, watermark = Date.now()): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: Date.now(),
    read: { watermark },
  }),
};

/** A whole webhook body: one entry per page, each with its messaging events. */
export function msPayload(entries: { pageId: string; messaging: MessagingEvent[] }[]) {
  return {
    object: 'page',
    entry: entries.map((entry) => ({ id: entry.pageId, time: Date.now(), messaging: entry.messaging })),
  };
}
