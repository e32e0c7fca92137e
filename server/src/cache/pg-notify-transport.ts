import pg from 'pg';

/**
 * The invalidation bus's PostgreSQL transport: NOTIFY on one channel, LISTEN on a dedicated
 * connection (a pooled one would lose its LISTEN when returned to the pool).
 *
 * - Publishing never waits: messages queue in memory and go out in one `pg_notify` statement per
 *   round trip (a burst while one is in flight leaves in the next), so the hot paths that publish
 *   add no awaited query. The first message of a burst waits `lingerMs` (5 ms), so what a turn
 *   publishes within a round trip or two shares a statement — the customer's message and `typing`
 *   on (the lease query between them), a reply's `typing` off and its `message`: every NOTIFY
 *   transaction wakes the LISTEN backend of every process, which runs a transaction of its own to
 *   read it, so fewer statements matter more the more processes listen. Waiting only for the end of
 *   the event-loop turn (setImmediate) sent the first two apart: 3 NOTIFY statements per message
 *   instead of 2, and with the listeners' reads ~2 PostgreSQL transactions more per message.
 * - NOTIFY takes at most 7999 bytes per payload: a longer message goes out in parts, all in the same
 *   statement (one transaction, so a listener gets all of them or none) and is put together again.
 * - Each payload carries the process's origin and a sequence number: a process skips its own
 *   messages (its local listeners already ran), and no two payloads of one statement are equal
 *   (PostgreSQL folds identical notifications of a transaction into one).
 * - The connection is re-opened with backoff when it drops; `onGap` then tells the bus that
 *   messages of other processes may have been missed meanwhile.
 */
export interface PgNotifyTransport {
  send(message: string): void;
  /** Whether the LISTEN connection is up now (a metric). */
  connected(): boolean;
  close(): Promise<void>;
}

export interface PgNotifyOptions {
  url: string;
  channel: string;
  origin: string;
  onMessage: (message: string) => void;
  onGap: () => void;
  onError?: (error: unknown) => void;
  /** How long the first message of a burst waits for others to share its statement (default 5 ms). */
  lingerMs?: number;
}

const DEFAULT_LINGER_MS = 5;

/** PostgreSQL's limit is 8000 bytes including the terminating NUL. */
export const NOTIFY_MAX_BYTES = 7999;
/** UTF-16 units per part: at most 3 UTF-8 bytes each (4 for a surrogate pair of 2), plus the header. */
const PART_CHARS = 2400;
/** Messages waiting for the connection; beyond this the oldest are dropped (the bus is best effort). */
const MAX_QUEUED = 10_000;
/** Parts of messages being put together (another process's, interrupted): bounded. */
const MAX_PARTIAL = 100;

/** Splits `text` into parts of at most `size` UTF-16 units, never inside a surrogate pair. */
export function splitText(text: string, size: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts.length ? parts : [''];
}

/** Payloads for one message: `origin:seq:index/count:body`. */
export function encodeMessage(origin: string, seq: number, message: string): string[] {
  const whole = `${origin}:${seq}:0/1:${message}`;
  if (whole.length * 3 < NOTIFY_MAX_BYTES || Buffer.byteLength(whole) <= NOTIFY_MAX_BYTES) return [whole];
  const parts = splitText(message, PART_CHARS);
  return parts.map((part, index) => `${origin}:${seq}:${index}/${parts.length}:${part}`);
}

const HEADER = /^([^:]+):(\d+):(\d+)\/(\d+):/;

export function createMessageAssembler(origin: string, deliver: (message: string) => void) {
  const partial = new Map<string, string[]>();
  return (payload: string) => {
    const header = HEADER.exec(payload);
    if (!header) return;
    const [prefix, from, seq, indexText, countText] = header as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (from === origin) return;
    const body = payload.slice(prefix.length);
    const count = Number(countText);
    const index = Number(indexText);
    if (count === 1) {
      deliver(body);
      return;
    }
    const key = `${from}:${seq}`;
    let parts = partial.get(key);
    if (!parts) {
      if (index !== 0) return; // the start was missed (the connection dropped meanwhile)
      parts = [];
      partial.set(key, parts);
      if (partial.size > MAX_PARTIAL) partial.delete(partial.keys().next().value as string);
    }
    if (index !== parts.length) {
      partial.delete(key);
      return;
    }
    parts.push(body);
    if (parts.length === count) {
      partial.delete(key);
      deliver(parts.join(''));
    }
  };
}

export async function connectPgNotify(options: PgNotifyOptions): Promise<PgNotifyTransport> {
  const receive = createMessageAssembler(options.origin, options.onMessage);
  const linger = options.lingerMs ?? DEFAULT_LINGER_MS;
  const listen = `LISTEN "${options.channel.replace(/"/g, '""')}"`;
  let client: pg.Client | null = null;
  let connected = false;
  let closing = false;
  let sending = false;
  let flushScheduled = false;
  let seq = 0;
  let queued: string[] = [];
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = 100;

  const flush = () => {
    if (sending || !connected || !client || queued.length === 0) return;
    const batch = queued;
    queued = [];
    sending = true;
    const current = client;
    current
      .query('select pg_notify($1, payload) from unnest($2::text[]) as payload', [options.channel, batch])
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        sending = false;
        flush();
      });
  };

  const open = async () => {
    const created = new pg.Client({
      connectionString: options.url,
      application_name: 'icmp-bus',
      keepAlive: true,
    });
    created.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined) receive(message.payload);
    });
    const lost = (error?: unknown) => {
      if (client !== created) return;
      client = null;
      connected = false;
      created.end().catch(() => {});
      if (error) options.onError?.(error);
      scheduleReconnect();
    };
    created.on('error', lost);
    created.on('end', () => lost());
    await created.connect();
    await created.query(listen);
    client = created;
    connected = true;
    retryDelay = 100;
  };

  const scheduleReconnect = () => {
    if (closing || retryTimer) return;
    retryTimer = setTimeout(async () => {
      retryTimer = undefined;
      try {
        await open();
        if (closing) {
          await client?.end().catch(() => {});
          return;
        }
        options.onGap();
        flush();
      } catch (error) {
        options.onError?.(error);
        retryDelay = Math.min(retryDelay * 2, 5_000);
        scheduleReconnect();
      }
    }, retryDelay);
    retryTimer.unref();
  };

  await open();

  return {
    connected: () => connected,
    send(message) {
      if (closing) return;
      seq += 1;
      queued.push(...encodeMessage(options.origin, seq, message));
      if (queued.length > MAX_QUEUED) queued.splice(0, queued.length - MAX_QUEUED);
      if (flushScheduled) return;
      flushScheduled = true;
      setTimeout(() => {
        flushScheduled = false;
        flush();
      }, linger);
    },
    async close() {
      // What was published just before shutdown still goes out (briefly waited for).
      const deadline = Date.now() + 1_000;
      while ((sending || flushScheduled || queued.length > 0) && connected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      closing = true;
      clearTimeout(retryTimer);
      const current = client;
      client = null;
      connected = false;
      await current?.end().catch(() => {});
    },
  };
}
