import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { connectPgNotify } from './pg-notify-transport.js';

export type InvalidationTopic =
  | 'business'
  | 'business-key'
  | 'stages'
  | 'templates'
  | 'channels'
  /** A release was published or restored: the live configuration changed. */
  | 'releases'
  /** Not an invalidation: a conversation event (JSON) fanned out to every process's listeners. */
  | 'conversation-event'
  /** A failed authentication was recorded for this key (plugins/auth-failures.ts): drop cached answers. */
  | 'auth-failure';
type Listener = (key: string) => void;
/** Whether a subscriber wants messages now (a live view open); without one it always does. */
type Interest = () => boolean;

/**
 * Tells every cache — in this process and, through Redis or PostgreSQL, in every other server
 * process — that a business's configuration changed. Local listeners run synchronously so a write is
 * visible at once; other processes hear it a moment later (best effort, like pub/sub).
 */
export interface InvalidationBus {
  /** Which transport carries messages to other processes. */
  readonly transport: 'memory' | 'redis' | 'postgres';
  publish(topic: InvalidationTopic, key: string): void;
  subscribe(topic: InvalidationTopic, listener: Listener, interested?: Interest): void;
  /**
   * Whether a message on `topic` published now would reach anyone but `except`: an interested
   * subscriber in this process, or another process (always with Redis, whose subscribers are not
   * known; with PostgreSQL while another server process listens). A publisher can then skip building
   * a message nobody would read.
   */
  hasListeners(topic: InvalidationTopic, except?: Listener): boolean;
  /**
   * Called when messages from other processes may have been missed (the connection to Redis or
   * PostgreSQL dropped and is back): caches should drop everything, live streams resynchronise.
   */
  onGap(listener: () => void): void;
  /** Whether the cross-process transport is connected now (always true for `memory`); a metric. */
  connected(): boolean;
  close(): Promise<void>;
}

const CHANNEL = 'icmp:invalidate';
/** PostgreSQL channel names are identifiers: no colon. */
const PG_CHANNEL = 'icmp_invalidate';

export interface InvalidationBusOptions {
  redisUrl?: string | undefined;
  /** A PostgreSQL URL: LISTEN/NOTIFY carries the bus when there is no Redis. */
  databaseUrl?: string | undefined;
  /** Where a transport's connection errors are reported. */
  onError?: (error: unknown) => void;
}

/** Redis when `redisUrl` is set, else PostgreSQL LISTEN/NOTIFY when `databaseUrl` is, else this process only. */
export async function createInvalidationBus(
  options: InvalidationBusOptions | string = {},
): Promise<InvalidationBus> {
  const { redisUrl, databaseUrl, onError } = typeof options === 'string' ? { redisUrl: options } : options;
  const listeners = new Map<InvalidationTopic, { listener: Listener; interested: Interest }[]>();
  const gapListeners: (() => void)[] = [];
  const deliver = (topic: InvalidationTopic, key: string) => {
    for (const { listener } of listeners.get(topic) ?? []) listener(key);
  };
  const gap = () => {
    for (const listener of gapListeners) listener();
  };
  const origin = randomUUID();
  let send: (message: string) => void = () => {};
  let close = async () => {};
  let connected = () => true;
  let reachesOtherProcesses = () => false;
  let transport: InvalidationBus['transport'] = 'memory';

  if (redisUrl) {
    transport = 'redis';
    // Auto-pipelining: the events many concurrent turns publish in one tick leave in one socket write.
    const publisher = new Redis(redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableAutoPipelining: true,
    });
    const subscriber = new Redis(redisUrl, { lazyConnect: true });
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(CHANNEL);
    subscriber.on('message', (_channel, payload: string) => {
      const [from, topic, key] = JSON.parse(payload) as [string, InvalidationTopic, string];
      if (from !== origin) deliver(topic, key);
    });
    // ioredis re-subscribes by itself after a reconnect; what was published meanwhile is lost.
    subscriber.on('ready', gap);
    send = (message) => {
      publisher.publish(CHANNEL, message).catch(() => {});
    };
    connected = () => publisher.status === 'ready' && subscriber.status === 'ready';
    reachesOtherProcesses = () => true;
    close = async () => {
      await Promise.all([publisher.quit().catch(() => {}), subscriber.quit().catch(() => {})]);
    };
  } else if (databaseUrl) {
    transport = 'postgres';
    const notify = await connectPgNotify({
      url: databaseUrl,
      channel: PG_CHANNEL,
      origin,
      onMessage: (message) => {
        const [from, topic, key] = JSON.parse(message) as [string, InvalidationTopic, string];
        if (from !== origin) deliver(topic, key);
      },
      onGap: gap,
      ...(onError ? { onError } : {}),
    });
    send = (message) => notify.send(message);
    close = () => notify.close();
    connected = () => notify.connected();
    reachesOtherProcesses = () => notify.peers();
  }

  return {
    transport,
    publish(topic, key) {
      deliver(topic, key);
      if (reachesOtherProcesses()) send(JSON.stringify([origin, topic, key]));
    },
    subscribe(topic, listener, interested = () => true) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), { listener, interested }]);
    },
    hasListeners(topic, except) {
      return (
        reachesOtherProcesses() ||
        (listeners.get(topic) ?? []).some((one) => one.listener !== except && one.interested())
      );
    },
    onGap(listener) {
      gapListeners.push(listener);
    },
    connected: () => connected(),
    close,
  };
}
