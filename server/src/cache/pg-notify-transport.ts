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
 * - Nothing is sent while no other process listens (`peers()` false): each NOTIFY costs a transaction
 *   and wakes this process's own LISTEN backend for another, ~4 of a lone server's ~7 PostgreSQL
 *   transactions per message. After LISTEN a process announces itself (`hello`) and waits, briefly,
 *   for the answers (`ack`) of the other `icmp-bus` backends of the database it sees in
 *   pg_stat_activity: from then on they send to it. A lone process hears every newcomer's hello (it
 *   listens before the newcomer announces itself); it knows its peers by the pids of their hellos and
 *   answers, looks now and then whether those backends are still there, and goes quiet once they
 *   are gone.
 */
export interface PgNotifyTransport {
  send(message: string): void;
  /** Whether the LISTEN connection is up now (a metric). */
  connected(): boolean;
  /** Whether another process listens on the channel (else messages are not sent). */
  peers(): boolean;
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
  /** How often a process with peers looks whether they are still there (default 5 s). */
  peerCheckMs?: number;
}

const DEFAULT_LINGER_MS = 5;
const DEFAULT_PEER_CHECK_MS = 5_000;
/** How long a newcomer waits for the answers of the processes it found (older versions never answer). */
const JOIN_TIMEOUT_MS = 1_000;
const APPLICATION_NAME = 'icmp-bus';
/** `origin:hello:pid` (a listener joined) and `origin:ack:pid` (the answer); pid: the LISTEN backend's. */
const CONTROL = /^([^:]+):(hello|ack):(\d+)$/;

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

// Our own application name, not a literal: an `application_name` in the database URL names every
// connection of every process alike, and then every one of them counts (never a peer missed).
const OTHER_LISTENERS = `select pid from pg_stat_activity
  where datname = current_database() and application_name = current_setting('application_name')
    and pid <> pg_backend_pid()`;

export async function connectPgNotify(options: PgNotifyOptions): Promise<PgNotifyTransport> {
  const assemble = createMessageAssembler(options.origin, options.onMessage);
  const linger = options.lingerMs ?? DEFAULT_LINGER_MS;
  const peerCheckMs = options.peerCheckMs ?? DEFAULT_PEER_CHECK_MS;
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
  let peers = true;
  /** The other processes' LISTEN backends this one knows of (pids), and how many messages named one. */
  let known = new Set<number>();
  let heard = 0;
  /** The LISTEN backends a newcomer still waits to hear from, and what it calls when it has. */
  let awaited = new Set<number>();
  let onAllHeard: (() => void) | undefined;
  let peerTimer: NodeJS.Timeout | undefined;

  // One query at a time on the connection (pg deprecates queueing them): the NOTIFYs, the hello and
  // its answers, the look at who else listens.
  const inTurn = new WeakMap<pg.Client, Promise<unknown>>();
  const query = <R extends pg.QueryResultRow>(target: pg.Client, text: string, values?: unknown[]) => {
    const result = (inTurn.get(target) ?? Promise.resolve()).then(() => target.query<R>(text, values));
    inTurn.set(
      target,
      result.catch(() => {}),
    );
    return result;
  };

  const control = (target: pg.Client, kind: 'hello' | 'ack') =>
    query(target, 'select pg_notify($1, $2 || pg_backend_pid())', [
      options.channel,
      `${options.origin}:${kind}:`,
    ]);

  const receive = (payload: string, from: pg.Client) => {
    const header = CONTROL.exec(payload);
    if (!header) {
      assemble(payload);
      return;
    }
    if (header[1] === options.origin) return;
    const pid = Number(header[3]);
    heard += 1;
    known.add(pid);
    peers = true;
    schedulePeerCheck();
    if (header[2] === 'hello') control(from, 'ack').catch((error: unknown) => options.onError?.(error));
    awaited.delete(pid);
    if (awaited.size === 0) onAllHeard?.();
  };

  /** While others listen, look now and then whether their backends are still there. */
  const schedulePeerCheck = () => {
    if (peerTimer || closing) return;
    peerTimer = setTimeout(async () => {
      peerTimer = undefined;
      const current = client;
      if (!current || !peers) return;
      const before = heard;
      try {
        const alive = await query<{ pid: number }>(
          current,
          'select pid from pg_stat_activity where pid = any($1::int[])',
          [[...known]],
        );
        // A peer heard from meanwhile stays (it may have joined after the look).
        if (heard === before) {
          known = new Set(alive.rows.map((row) => row.pid));
          peers = known.size > 0;
        }
      } catch (error) {
        options.onError?.(error);
      }
      if (peers) schedulePeerCheck();
    }, peerCheckMs);
    peerTimer.unref();
  };

  /**
   * After LISTEN: announce this process, and wait for the answers of the others it can see. Its hello
   * also reaches those it cannot (another role's backends show no application name): their answers
   * make them known a moment later.
   */
  const join = async (joined: pg.Client) => {
    const others = await query<{ pid: number }>(joined, OTHER_LISTENERS);
    for (const row of others.rows) known.add(row.pid);
    peers = known.size > 0;
    if (peers) schedulePeerCheck();
    awaited = new Set(others.rows.map((row) => row.pid));
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<void>((resolve) => {
      onAllHeard = resolve;
      timer = setTimeout(resolve, awaited.size ? JOIN_TIMEOUT_MS : 0);
    });
    await control(joined, 'hello');
    await answered;
    clearTimeout(timer);
    onAllHeard = undefined;
    awaited = new Set();
  };

  const flush = () => {
    if (!peers) queued = [];
    if (sending || !connected || !client || queued.length === 0) return;
    const batch = queued;
    queued = [];
    sending = true;
    const current = client;
    query(current, 'select pg_notify($1, payload) from unnest($2::text[]) as payload', [
      options.channel,
      batch,
    ])
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        sending = false;
        flush();
      });
  };

  const open = async () => {
    const created = new pg.Client({
      connectionString: options.url,
      application_name: APPLICATION_NAME,
      keepAlive: true,
    });
    created.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined)
        receive(message.payload, created);
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
    await query(created, listen);
    client = created;
    await join(created);
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
    peers: () => peers,
    send(message) {
      if (closing || !peers) return;
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
      clearTimeout(peerTimer);
      const current = client;
      client = null;
      connected = false;
      await current?.end().catch(() => {});
    },
  };
}
