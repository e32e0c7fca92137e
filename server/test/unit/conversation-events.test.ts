import { afterEach, describe, expect, it } from 'vitest';
import { createInvalidationBus, type InvalidationBus } from '../../src/cache/invalidation-bus.js';
import type { AppContext } from '../../src/context.js';
import {
  type ConversationEvent,
  publishConversationEvent,
  subscribeConversationEvents,
  subscribeLocalConversationEvents,
} from '../../src/modules/conversations/conversation-events.js';

const BUSINESS = '00000000-0000-4000-8000-00000000000b';
const CONVERSATION = '00000000-0000-4000-8000-00000000000c';

/**
 * A typing event that counts how often it is serialised: JSON.stringify calls `toJSON`, and the
 * copy it returns is what a listener in another process would read.
 */
function countedEvent() {
  const event = { type: 'typing', business_id: BUSINESS, conversation_id: CONVERSATION, on: true };
  const counted = {
    ...event,
    serialised: 0,
    toJSON() {
      counted.serialised += 1;
      return event;
    },
  };
  return counted;
}
const asEvent = (counted: ReturnType<typeof countedEvent>) => counted as unknown as ConversationEvent;

/** What publishConversationEvent reads of a server's context: its bus (one per process, or shared in tests). */
const contextOn = (bus: InvalidationBus) => ({ bus }) as AppContext;

describe('conversation events', () => {
  const buses: InvalidationBus[] = [];
  const newBus = async () => {
    const bus = await createInvalidationBus();
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });

  it('reach the channel senders with no JSON built when no live view or other process hears them', async () => {
    const ctx = contextOn(await newBus());
    const sent: ConversationEvent[] = [];
    subscribeLocalConversationEvents(ctx, (event) => sent.push(event));
    const event = countedEvent();
    publishConversationEvent(ctx, asEvent(event));
    expect(sent).toEqual([event]);
    expect(event.serialised).toBe(0);
  });

  it("reach this process's live views once, as published, without a round trip through JSON", async () => {
    const ctx = contextOn(await newBus());
    const seen: ConversationEvent[] = [];
    const unsubscribe = subscribeConversationEvents(ctx, (event) => seen.push(event));
    const event = countedEvent();
    publishConversationEvent(ctx, asEvent(event));
    expect(seen).toEqual([event]);
    expect(event.serialised).toBe(0);

    unsubscribe();
    publishConversationEvent(ctx, asEvent(countedEvent()));
    expect(seen).toHaveLength(1);
  });

  it('are serialised once for a live view of another server on the bus, which hears each once', async () => {
    const bus = await newBus();
    const [publisher, other] = [contextOn(bus), contextOn(bus)];
    const mine: ConversationEvent[] = [];
    const theirs: ConversationEvent[] = [];
    subscribeConversationEvents(publisher, (event) => mine.push(event));
    const unsubscribe = subscribeConversationEvents(other, (event) => theirs.push(event));

    const event = countedEvent();
    publishConversationEvent(publisher, asEvent(event));
    expect(event.serialised).toBe(1);
    expect(mine).toEqual([event]);
    expect(theirs).toEqual([
      { type: 'typing', business_id: BUSINESS, conversation_id: CONVERSATION, on: true },
    ]);

    // Its view closed: nobody else listens, so nothing is built again.
    unsubscribe();
    const unheard = countedEvent();
    publishConversationEvent(publisher, asEvent(unheard));
    expect(unheard.serialised).toBe(0);
    expect(mine).toHaveLength(2);
    expect(theirs).toHaveLength(1);
  });

  it('go to a plain subscriber of the bus topic, which always listens', async () => {
    const bus = await newBus();
    const payloads: string[] = [];
    bus.subscribe('conversation-event', (payload) => payloads.push(payload));
    expect(bus.hasListeners('conversation-event')).toBe(true);
    expect(bus.hasListeners('business')).toBe(false);
    publishConversationEvent(contextOn(bus), asEvent(countedEvent()));
    expect(payloads.map((payload) => JSON.parse(payload))).toEqual([
      { type: 'typing', business_id: BUSINESS, conversation_id: CONVERSATION, on: true },
    ]);
  });
});
