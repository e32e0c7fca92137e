import type { AppContext } from '../../context.js';
import type { ConversationEvent } from './conversation-events.schemas.js';

export type { ConversationEvent } from './conversation-events.schemas.js';

type Listener = (event: ConversationEvent) => void;

const listenersByContext = new WeakMap<AppContext, Set<Listener>>();

function listenersOf(ctx: AppContext) {
  let listeners = listenersByContext.get(ctx);
  if (!listeners) {
    const created = new Set<Listener>();
    ctx.bus.subscribe('conversation-event', (payload) => {
      // No live view open in this process (the usual case for a turn): nothing to parse for.
      if (created.size === 0) return;
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
