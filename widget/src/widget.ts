import { type ApiClient, createApiClient, WidgetApiError, type WidgetMessage } from './api-client';
import { type ChatView, createChatView, type Sender } from './chat-view';
import { startLiveEvents } from './live-events';
import type { SseEvent } from './sse';
import { createVisitorStore } from './visitor-store';

export interface MountOptions {
  apiOrigin: string;
  publishableKey: string;
  doc?: Document;
  fetchImpl?: typeof fetch;
  storage?: () => Storage | null;
  /** Reconnect delays of the live stream (tests shorten them). */
  reconnectBaseMs?: number;
}

const TYPING_TIMEOUT_MS = 15_000;

/**
 * Opens the visitor's session, shows the history, keeps the live stream open, and sends what the
 * visitor writes. Every message the server knows is shown once, whichever way it arrives first
 * (the reply stream, the live stream, the history or a reconnect's catch-up).
 */
export async function mountWidget(options: MountOptions) {
  const doc = options.doc ?? document;
  const store = createVisitorStore(options.publishableKey, options.storage);
  let token = store.get();
  const client: ApiClient = createApiClient(
    options.apiOrigin,
    () => token,
    options.fetchImpl ?? fetch.bind(globalThis),
  );

  let session: Awaited<ReturnType<ApiClient['openSession']>>;
  try {
    session = await client.openSession(options.publishableKey, token);
  } catch (error) {
    // A stored token the server no longer accepts (tampered, other business): start afresh.
    if (!(token && error instanceof WidgetApiError && error.status === 401)) throw error;
    store.clear();
    session = await client.openSession(options.publishableKey, null);
  }
  token = session.visitor_token;
  store.set(token);

  const known = new Set<string>();
  let lastMessageId: string | null = null;
  let sending = false;
  let deferred: WidgetMessage[] = [];
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const view: ChatView = createChatView(doc, { onSend: (text) => void send(text) });
  view.configure(session);

  const show = (message: WidgetMessage, announce: boolean) => {
    if (known.has(message.message_id)) return;
    known.add(message.message_id);
    lastMessageId = message.message_id;
    view.addMessage(message.sender_type as Sender, message.content, announce);
  };

  if (session.conversation_id) {
    // Without the history the chat still works; the live stream's catch-up cannot fill it either.
    const earlier = await client.history().catch(() => {
      view.showError('Earlier messages could not be loaded.');
      return [];
    });
    for (const message of earlier) show(message, false);
  }

  const onLiveEvent = (event: SseEvent) => {
    if (event.event === 'message') {
      const message = JSON.parse(event.data) as WidgetMessage;
      if (message.sender_type !== 'agent') view.setTyping('');
      // While our own message streams, its id and its reply's are not known yet: hold the
      // customer/assistant messages back until the stream has said which ones it produced.
      if (sending && message.sender_type !== 'agent') deferred.push(message);
      else show(message, true);
    } else if (event.event === 'typing') {
      const on = Boolean(JSON.parse(event.data).on);
      clearTimeout(typingTimer);
      view.setTyping(on ? 'Typing…' : '');
      if (on) typingTimer = setTimeout(() => view.setTyping(''), TYPING_TIMEOUT_MS);
    }
  };

  const live = startLiveEvents({
    client,
    lastMessageId: () => lastMessageId,
    onEvent: onLiveEvent,
    onFatal: () => view.showError('The chat is not available right now.'),
    ...(options.reconnectBaseMs === undefined ? {} : { baseDelayMs: options.reconnectBaseMs }),
  });

  async function send(text: string) {
    sending = true;
    view.setBusy(true);
    view.showError(null);
    const mine = view.addMessage('customer', text);
    mine.setPending(true);
    const reply = view.addMessage('assistant', '');
    reply.item.classList.add('streaming');
    let streamed = '';
    try {
      const result = await client.send(text, (piece) => {
        streamed += piece;
        reply.appendText(piece);
      });
      mine.setPending(false);
      known.add(result.message_id);
      lastMessageId = result.message_id;
      if (result.response_id && result.response !== null) {
        if (result.response !== streamed) reply.setText(result.response);
        known.add(result.response_id);
        lastMessageId = result.response_id;
      } else {
        reply.remove(); // the AI is stopped: a person will answer through the live stream
      }
    } catch (error) {
      reply.remove();
      mine.setPending(false);
      view.showError(
        error instanceof WidgetApiError && error.status === 429
          ? 'You are sending messages too fast. Please wait a moment.'
          : 'Your message could not be sent. Please try again.',
      );
      mine.remove();
      view.elements.input.value = text;
    } finally {
      reply.item.classList.remove('streaming');
      sending = false;
      view.setBusy(false);
      const held = deferred;
      deferred = [];
      for (const message of held) show(message, true);
    }
  }

  view.mount(doc.body);
  return { view, stop: () => live.stop(), token: () => token };
}
