import type { AppContext } from '../../context.js';
import type { ConversationEvent } from './conversation-events.schemas.js';

export type { ConversationEvent } from './conversation-events.schemas.js';

type Listener = (event: ConversationEvent) => void;

function notify(listeners: Iterable<Listener>, event: ConversationEvent) {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // One broken listener (a closed stream) must not keep the event from the others.
    }
  }
}

/** This process's live views (inbox streams, widgets) and its subscription to the other processes' events. */
interface Audience {
  listeners: Set<Listener>;
  fromBus: (payload: string) => void;
  /** Set while this process publishes: the bus hands its own message back at once, already delivered. */
  publishing: boolean;
}

const audiences = new WeakMap<AppContext, Audience>();

function audienceOf(ctx: AppContext): Audience {
  let audience = audiences.get(ctx);
  if (!audience) {
    const created: Audience = {
      listeners: new Set(),
      publishing: false,
      fromBus: (payload) => {
        if (created.publishing || created.listeners.size === 0) return;
        let event: ConversationEvent;
        try {
          event = JSON.parse(payload) as ConversationEvent;
        } catch {
          return;
        }
        notify(created.listeners, event);
      },
    };
    ctx.bus.subscribe('conversation-event', created.fromBus, () => created.listeners.size > 0);
    audiences.set(ctx, created);
    audience = created;
  }
  return audience;
}

const localListenersByContext = new WeakMap<AppContext, Set<Listener>>();

/**
 * Delivers an event to this process's live views as it is, and to other processes' as JSON — built
 * only when one could hear it: a turn publishes four events, and a lone server (the usual case) would
 * otherwise serialise them for nobody and parse them back for itself.
 */
export function publishConversationEvent(ctx: AppContext, event: ConversationEvent) {
  const audience = audienceOf(ctx);
  notify(audience.listeners, event);
  if (ctx.bus.hasListeners('conversation-event', audience.fromBus)) {
    audience.publishing = true;
    try {
      ctx.bus.publish('conversation-event', JSON.stringify(event));
    } finally {
      audience.publishing = false;
    }
  }
  notify(localListenersByContext.get(ctx) ?? [], event);
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
  const { listeners } = audienceOf(ctx);
  listeners.add(listener);
  return () => listeners.delete(listener);
}
