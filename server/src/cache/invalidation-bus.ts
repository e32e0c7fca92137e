import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export type InvalidationTopic =
  | 'business'
  | 'business-key'
  | 'stages'
  | 'templates'
  | 'channels'
  /** Not an invalidation: a conversation event (JSON) fanned out to every process's listeners. */
  | 'conversation-event';
type Listener = (key: string) => void;

/**
 * Tells every cache — in this process and, with Redis, in every other server process — that a
 * business's configuration changed. Local listeners run synchronously so a write is visible at once.
 */
export interface InvalidationBus {
  publish(topic: InvalidationTopic, key: string): void;
  subscribe(topic: InvalidationTopic, listener: Listener): void;
  close(): Promise<void>;
}

const CHANNEL = 'icmp:invalidate';

export async function createInvalidationBus(redisUrl?: string): Promise<InvalidationBus> {
  const listeners = new Map<InvalidationTopic, Listener[]>();
  const deliver = (topic: InvalidationTopic, key: string) => {
    for (const listener of listeners.get(topic) ?? []) listener(key);
  };
  const origin = randomUUID();
  let publisher: Redis | undefined;
  let subscriber: Redis | undefined;
  if (redisUrl) {
    publisher = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    subscriber = new Redis(redisUrl, { lazyConnect: true });
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(CHANNEL);
    subscriber.on('message', (_channel, payload: string) => {
      const [from, topic, key] = JSON.parse(payload) as [string, InvalidationTopic, string];
      if (from !== origin) deliver(topic, key);
    });
  }
  return {
    publish(topic, key) {
      deliver(topic, key);
      publisher?.publish(CHANNEL, JSON.stringify([origin, topic, key])).catch(() => {});
    },
    subscribe(topic, listener) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), listener]);
    },
    async close() {
      await Promise.all([publisher?.quit().catch(() => {}), subscriber?.quit().catch(() => {})]);
    },
  };
}
