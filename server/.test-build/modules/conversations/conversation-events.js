const listenersByContext = new WeakMap();
function listenersOf(ctx) {
    let listeners = listenersByContext.get(ctx);
    if (!listeners) {
        const created = new Set();
        ctx.bus.subscribe('conversation-event', (payload) => {
            let event;
            try {
                event = JSON.parse(payload);
            }
            catch {
                return;
            }
            for (const listener of created) {
                try {
                    listener(event);
                }
                catch {
                    // One broken listener (a closed stream) must not keep the event from the others.
                }
            }
        });
        listenersByContext.set(ctx, created);
        listeners = created;
    }
    return listeners;
}
const localListenersByContext = new WeakMap();
export function publishConversationEvent(ctx, event) {
    listenersOf(ctx);
    ctx.bus.publish('conversation-event', JSON.stringify(event));
    for (const listener of localListenersByContext.get(ctx) ?? []) {
        try {
            listener(event);
        }
        catch {
            // As above: one listener's failure stays its own.
        }
    }
}
/**
 * Only the events published by this process (not those other processes publish through the bus): for
 * side effects that must happen once per event, such as a call to another platform.
 */
export function subscribeLocalConversationEvents(ctx, listener) {
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
export function subscribeConversationEvents(ctx, listener) {
    const listeners = listenersOf(ctx);
    listeners.add(listener);
    return () => listeners.delete(listener);
}
//# sourceMappingURL=conversation-events.js.map