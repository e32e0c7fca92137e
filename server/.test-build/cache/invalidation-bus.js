import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { connectPgNotify } from './pg-notify-transport.js';
const CHANNEL = 'icmp:invalidate';
/** PostgreSQL channel names are identifiers: no colon. */
const PG_CHANNEL = 'icmp_invalidate';
/** Redis when `redisUrl` is set, else PostgreSQL LISTEN/NOTIFY when `databaseUrl` is, else this process only. */
export async function createInvalidationBus(options = {}) {
    const { redisUrl, databaseUrl, onError } = typeof options === 'string' ? { redisUrl: options } : options;
    const listeners = new Map();
    const gapListeners = [];
    const deliver = (topic, key) => {
        for (const listener of listeners.get(topic) ?? [])
            listener(key);
    };
    const gap = () => {
        for (const listener of gapListeners)
            listener();
    };
    const origin = randomUUID();
    let send = () => { };
    let close = async () => { };
    let connected = () => true;
    let transport = 'memory';
    if (redisUrl) {
        transport = 'redis';
        const publisher = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
        const subscriber = new Redis(redisUrl, { lazyConnect: true });
        await Promise.all([publisher.connect(), subscriber.connect()]);
        await subscriber.subscribe(CHANNEL);
        subscriber.on('message', (_channel, payload) => {
            const [from, topic, key] = JSON.parse(payload);
            if (from !== origin)
                deliver(topic, key);
        });
        // ioredis re-subscribes by itself after a reconnect; what was published meanwhile is lost.
        subscriber.on('ready', gap);
        send = (message) => {
            publisher.publish(CHANNEL, message).catch(() => { });
        };
        connected = () => publisher.status === 'ready' && subscriber.status === 'ready';
        close = async () => {
            await Promise.all([publisher.quit().catch(() => { }), subscriber.quit().catch(() => { })]);
        };
    }
    else if (databaseUrl) {
        transport = 'postgres';
        const notify = await connectPgNotify({
            url: databaseUrl,
            channel: PG_CHANNEL,
            origin,
            onMessage: (message) => {
                const [from, topic, key] = JSON.parse(message);
                if (from !== origin)
                    deliver(topic, key);
            },
            onGap: gap,
            ...(onError ? { onError } : {}),
        });
        send = (message) => notify.send(message);
        close = () => notify.close();
        connected = () => notify.connected();
    }
    return {
        transport,
        publish(topic, key) {
            deliver(topic, key);
            if (transport !== 'memory')
                send(JSON.stringify([origin, topic, key]));
        },
        subscribe(topic, listener) {
            listeners.set(topic, [...(listeners.get(topic) ?? []), listener]);
        },
        onGap(listener) {
            gapListeners.push(listener);
        },
        connected: () => connected(),
        close,
    };
}
//# sourceMappingURL=invalidation-bus.js.map