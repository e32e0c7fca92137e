import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInvalidationBus, type InvalidationBus } from '../../src/cache/invalidation-bus.js';
import { connectPgNotify, type PgNotifyTransport } from '../../src/cache/pg-notify-transport.js';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/build-test-app.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { openEventStream, type SseMessage } from '../helpers/widget-fixture.js';

/**
 * PostgreSQL without Redis: the bus goes over LISTEN/NOTIFY, so conversation events (and cache
 * invalidations) published by one server process reach the others.
 */
const postgres = process.env.DATABASE_URL;

/** Kills every bus LISTEN connection of this test file's database, as a network cut or a failover would. */
async function terminateBusConnections() {
  const admin = new pg.Client({ connectionString: postgres });
  await admin.connect();
  try {
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'icmp-bus' and datname = current_database()`,
    );
  } finally {
    await admin.end();
  }
}

describe.runIf(Boolean(postgres))('the bus over PostgreSQL LISTEN/NOTIFY', () => {
  const buses: InvalidationBus[] = [];
  afterAll(async () => {
    for (const bus of buses) await bus.close();
  });

  const bus = async () => {
    const created = await createInvalidationBus({ databaseUrl: postgres });
    buses.push(created);
    return created;
  };
  const received = (target: InvalidationBus) => {
    const keys: string[] = [];
    target.subscribe('business', (key) => keys.push(key));
    return keys;
  };

  it('carries messages to the other process once, long ones too, and never back to their sender', async () => {
    const [a, b] = [await bus(), await bus()];
    expect(a.transport).toBe('postgres');
    const [onA, onB] = [received(a), received(b)];
    const long = `${'∑😀"'.repeat(6000)}end`; // far past NOTIFY's 8000 bytes
    a.publish('business', 'first');
    a.publish('business', long);
    a.publish('business', 'first'); // the same again is still delivered (PostgreSQL folds equal payloads)
    await expect.poll(() => onB.length, { timeout: 10_000 }).toBe(3);
    expect(onB).toEqual(['first', long, 'first']);
    // B's own publish reaches A; A heard each of its own exactly once (locally, not echoed back).
    b.publish('business', 'from b');
    await expect.poll(() => onA.at(-1), { timeout: 10_000 }).toBe('from b');
    expect(onA).toEqual(['first', long, 'first', 'from b']);
    expect(onB).toEqual(['first', long, 'first', 'from b']);
  });

  it('sends what one event-loop turn publishes in one NOTIFY statement', async () => {
    const [a, b] = [await bus(), await bus()];
    const onB = received(b);
    // Every NOTIFY transaction wakes every process's LISTEN backend: a turn's burst (typing off, the
    // reply) must not cost one transaction per message.
    const query = vi.spyOn(pg.Client.prototype, 'query');
    try {
      for (const key of ['one', 'two', 'three', 'four']) a.publish('business', key);
      await expect.poll(() => onB.length, { timeout: 10_000 }).toBe(4);
      expect(onB).toEqual(['one', 'two', 'three', 'four']);
      const notifies = query.mock.calls.filter(([text]) => String(text).startsWith('select pg_notify'));
      expect(notifies).toHaveLength(1);
    } finally {
      query.mockRestore();
    }
  });

  it('lets a message wait a few milliseconds for the next: a message and typing on share a statement', async () => {
    const [a, b] = [await bus(), await bus()];
    const onB = received(b);
    const query = vi.spyOn(pg.Client.prototype, 'query');
    try {
      // The customer's message event, then — one lease query later — `typing` on: another event-loop
      // turn (a 1 ms timer, set after the linger's and due before it, so the order is certain).
      a.publish('business', 'message');
      await new Promise((resolve) => setTimeout(resolve, 1));
      a.publish('business', 'typing');
      await expect.poll(() => onB.length, { timeout: 10_000 }).toBe(2);
      expect(onB).toEqual(['message', 'typing']);
      const notifies = query.mock.calls.filter(([text]) => String(text).startsWith('select pg_notify'));
      expect(notifies).toHaveLength(1);
    } finally {
      query.mockRestore();
    }
  });

  it('reconnects when its connection is killed, and reports the gap', async () => {
    const [a, b] = [await bus(), await bus()];
    let gaps = 0;
    b.onGap(() => {
      gaps += 1;
    });
    const onB = received(b);
    await terminateBusConnections();
    await expect.poll(() => gaps, { timeout: 15_000 }).toBeGreaterThan(0);
    // Both listeners are back (A's may return a little later than B's): A's publish arrives.
    await expect
      .poll(
        () => {
          a.publish('business', 'after the gap');
          return onB.includes('after the gap');
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBe(true);
  });
});

/** NOTIFY statements sent while `during` runs (bus traffic, not counted by the app's statement counter). */
async function notifyStatements(during: () => Promise<void>) {
  const query = vi.spyOn(pg.Client.prototype, 'query');
  try {
    await during();
    return query.mock.calls.filter(([text]) => String(text).startsWith('select pg_notify')).length;
  } finally {
    query.mockRestore();
  }
}

describe.runIf(Boolean(postgres))('a process alone on its database sends no NOTIFY', () => {
  // Each NOTIFY is a transaction and wakes the sender's own LISTEN backend for another: two of each per
  // message, for nobody, when no other process listens. (The buses of the tests above are closed.)
  const transport = (onMessage: (message: string) => void = () => {}) =>
    connectPgNotify({
      url: postgres as string,
      channel: 'icmp_invalidate',
      origin: crypto.randomUUID(),
      onMessage,
      onGap: () => {},
      peerCheckMs: 50,
    });

  it('sends nothing alone, to a newcomer from the moment it is connected, and nothing once it left', async () => {
    const open: PgNotifyTransport[] = [];
    try {
      // close() waits for what is queued to go out: a message queued for nobody would be sent there.
      const lone = await transport();
      open.push(lone);
      expect(lone.peers()).toBe(false);
      expect(
        await notifyStatements(async () => {
          lone.send('for nobody');
          await lone.close();
        }),
      ).toBe(0);

      const a = await transport();
      open.push(a);
      const onB: string[] = [];
      const b = await transport((message) => onB.push(message));
      open.push(b);
      // B's connect waited for A's answer to its hello: A sends to it from now on.
      expect(a.peers()).toBe(true);
      a.send('for b');
      await expect.poll(() => onB, { timeout: 10_000 }).toEqual(['for b']);

      await b.close();
      await expect.poll(() => a.peers(), { timeout: 10_000 }).toBe(false);
      expect(
        await notifyStatements(async () => {
          a.send('for nobody again');
          await a.close();
        }),
      ).toBe(0);
    } finally {
      for (const one of open) await one.close();
    }
  });

  it('a message to a lone server costs its statements and no NOTIFY, and its own inbox stream still shows it', async () => {
    const bus = await createInvalidationBus({ databaseUrl: postgres });
    const alone = await buildTestApp({ REDIS_URL: '' }, { bus });
    const base = await alone.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect(bus.transport).toBe('postgres');
      const business = await createBusiness(alone.app, alone.masterKey);
      const stream = await openEventStream(`${base}/api/conversations/events`, bearer(business.api_key));
      try {
        await stream.next((e) => e.event === 'ready');
        const send = async (content: string, conversationId?: string) => {
          const response = await fetch(`${base}/api/message`, {
            method: 'POST',
            headers: { ...bearer(business.api_key), 'content-type': 'application/json' },
            body: JSON.stringify({ content, ...(conversationId ? { conversation_id: conversationId } : {}) }),
          });
          expect(response.status).toBe(200);
          return (await response.json()) as {
            message_id: string;
            response_id: string;
            conversation_id: string;
          };
        };
        const first = await send('hello');
        let second: Awaited<ReturnType<typeof send>> | undefined;
        const notifies = await notifyStatements(async () => {
          second = await send('and again', first.conversation_id);
          await stream.next(
            (e) => e.event === 'message' && JSON.parse(e.data).message_id === second?.response_id,
          );
          // close() flushes what the bus queued: the turn's events are all counted.
          await bus.close();
        });
        expect(notifies).toBe(0);
        expect(
          stream.events.some(
            (e) => e.event === 'message' && JSON.parse(e.data).message_id === second?.message_id,
          ),
        ).toBe(true);
      } finally {
        await stream.close();
      }
    } finally {
      alone.app.server.closeAllConnections();
      await alone.close();
      await bus.close();
    }
  });
});

describe.runIf(Boolean(postgres))('live inbox across two server processes without Redis', () => {
  let a: TestApp;
  let aBase: string;
  let b: ServerProcess;
  const dataDir = makeTempDir();
  beforeAll(async () => {
    a = await buildTestApp({ REDIS_URL: '' });
    aBase = await a.app.listen({ port: 0, host: '127.0.0.1' });
    b = await startServerProcess(
      { REDIS_URL: '', DATA_DIR: dataDir.dir, ICMP_API_KEY: `icmp_admin_${'x'.repeat(24)}` },
      await freePort(),
    );
  });
  afterAll(async () => {
    await b?.stop();
    a?.app.server.closeAllConnections();
    await a?.close();
    dataDir.remove();
  });

  const post = async (baseUrl: string, business: CreatedBusiness, content: string) => {
    const response = await fetch(`${baseUrl}/api/message`, {
      method: 'POST',
      headers: { ...bearer(business.api_key), 'content-type': 'application/json' },
      body: JSON.stringify({ business_id: business.business_id, content }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { message_id: string; response_id: string };
  };
  const messageEvent = (messageId: string) => (e: SseMessage) =>
    e.event === 'message' && JSON.parse(e.data).message_id === messageId;

  it('a message stored by one process shows on a stream of the other, both ways', async () => {
    const business = await createBusiness(a.app, a.masterKey);
    const onB = await openEventStream(`${b.baseUrl}/api/conversations/events`, bearer(business.api_key));
    const onA = await openEventStream(`${aBase}/api/conversations/events`, bearer(business.api_key));
    try {
      await onB.next((e) => e.event === 'ready');
      await onA.next((e) => e.event === 'ready');
      const viaA = await post(aBase, business, 'hello from a customer of A');
      await onB.next(messageEvent(viaA.message_id));
      await onB.next(messageEvent(viaA.response_id));
      const viaB = await post(b.baseUrl, business, 'hello from a customer of B');
      await onA.next(messageEvent(viaB.message_id));
      await onA.next(messageEvent(viaB.response_id));
      // Each process delivered each event once.
      const count = (stream: typeof onA, id: string) => stream.events.filter(messageEvent(id)).length;
      expect([count(onA, viaA.message_id), count(onB, viaA.message_id)]).toEqual([1, 1]);
      expect([count(onA, viaB.message_id), count(onB, viaB.message_id)]).toEqual([1, 1]);
    } finally {
      await onA.close();
      await onB.close();
    }
  });
  it('tells open streams to resync when the bus lost its connection (events may have been missed)', async () => {
    const business = await createBusiness(a.app, a.masterKey);
    const stream = await openEventStream(`${aBase}/api/conversations/events`, bearer(business.api_key));
    try {
      await stream.next((e) => e.event === 'ready');
      await terminateBusConnections();
      const resync = await stream.next((e) => e.event === 'resync');
      // After the gap, events flow again from the other process.
      const sent = await post(b.baseUrl, business, 'after the gap');
      await stream.next(messageEvent(sent.message_id));
      expect(resync.id).not.toBe('');
    } finally {
      await stream.close();
    }
  });
});
