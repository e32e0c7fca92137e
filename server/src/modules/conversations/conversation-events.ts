import type { AppContext } from '../../context.js';

/**
 * What happened in a conversation, for live views (the widget, later the inbox) and for the channel
 * senders. Published on the invalidation bus, so with REDIS_URL every server process hears it.
 */
export type ConversationEvent =
  | {
      type: 'message';
      business_id: string;
      conversation_id: string;
      message_id: string;
      sender_type: string;
      channel: string;
    }
  | {
      /** The assistant works on a reply (`on`: a turn started; off: it ended, with or without one). */
      type: 'typing';
      business_id: string;
      conversation_id: string;
      on: boolean;
      /** The conversation's channel, so listeners for one channel skip the others for free. */
      channel?: string;
      /** The customer message being answered. */
      message_id?: string;
    }
  | {
      type: 'delivery';
      business_id: string;
      conversation_id: string;
      message_id: string;
      delivery_status: string;
      delivery_error?: string | null;
    }
  | {
      /** The pipeline moved the conversation to another stage. */
      type: 'stage';
      business_id: string;
      conversation_id: string;
      stage_id: string | null;
      stage_name: string | null;
      previous_stage_id: string | null;
    }
  | {
      /** The AI was stopped or resumed (by a person, a hand-off, or its stop expiring). */
      type: 'ai';
      business_id: string;
      conversation_id: string;
      is_stopped: boolean;
      reason: 'agent' | 'handoff' | 'expired';
    }
  | {
      /** The assistant handed the conversation to the team: a hand-off stage, or the customer asked. */
      type: 'handoff';
      business_id: string;
      conversation_id: string;
      reason: 'stage' | 'customer_request';
    }
  | {
      type: 'assignment';
      business_id: string;
      conversation_id: string;
      assignee_id: string | null;
      assignee_name: string | null;
    }
  | {
      /** Opened or closed. */
      type: 'status';
      business_id: string;
      conversation_id: string;
      status: string;
    }
  | {
      /** An internal note was added (the team sees it; the customer never does). */
      type: 'note';
      business_id: string;
      conversation_id: string;
      note_id: string;
    }
  | {
      /** Something else about the conversation changed (collected data edited, customer renamed). */
      type: 'conversation';
      business_id: string;
      conversation_id: string;
    };

type Listener = (event: ConversationEvent) => void;

const listenersByContext = new WeakMap<AppContext, Set<Listener>>();

function listenersOf(ctx: AppContext) {
  let listeners = listenersByContext.get(ctx);
  if (!listeners) {
    const created = new Set<Listener>();
    ctx.bus.subscribe('conversation-event', (payload) => {
      let event: ConversationEvent;
      try {
        event = JSON.parse(payload) as ConversationEvent;
      } catch {
        return;
      }
      for (const listener of created) {
        try {
          listener(event);
        } catch {
          // One broken listener (a closed stream) must not keep the event from the others.
        }
      }
    });
    listenersByContext.set(ctx, created);
    listeners = created;
  }
  return listeners;
}

const localListenersByContext = new WeakMap<AppContext, Set<Listener>>();

export function publishConversationEvent(ctx: AppContext, event: ConversationEvent) {
  listenersOf(ctx);
  ctx.bus.publish('conversation-event', JSON.stringify(event));
  for (const listener of localListenersByContext.get(ctx) ?? []) {
    try {
      listener(event);
    } catch {
      // As above: one listener's failure stays its own.
    }
  }
}

/**
 * Only the events published by this process (not those other processes publish through the bus): for
 * side effects that must happen once per event, such as a call to another platform.
 */
export function subscribeLocalConversationEvents(ctx: AppContext, listener: Listener): () => void {
  let listeners = localListenersByContext.get(ctx);
  if (!listeners) {
    listeners = new Set();
    localListenersByContext.set(ctx, listeners);
  }
  const set = listeners;
  set.add(listener);
  return () => set.delete(listener);
}

/** Returns the function that unsubscribes. */
export function subscribeConversationEvents(ctx: AppContext, listener: Listener): () => void {
  const listeners = listenersOf(ctx);
  listeners.add(listener);
  return () => listeners.delete(listener);
}
