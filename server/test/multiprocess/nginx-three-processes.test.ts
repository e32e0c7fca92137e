import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Json } from '../helpers/call-api.js';
import {
  businessWithKeys,
  type Cluster,
  call,
  checkTranscript,
  firstAnswerRequests,
  missingPrerequisites,
  type Sent,
  sleep,
  startCluster,
} from './cluster.js';

/**
 * Issue 13 part 2: nginx round-robin in front of three server OS processes on one PostgreSQL database
 * and one Redis. Through nginx: 20 conversations × 20 concurrent messages, each answered once in
 * order; a template edit and a key rotation made on one process hold on the others at once; the rate
 * limit is one budget across processes; and a process killed -9 under load loses nothing: its
 * conversations continue on the other two within seconds.
 */
const missing = missingPrerequisites();
if (missing.length > 0) {
  const needs = `the multi-process test needs ${missing.join(', ')}`;
  // CI installs and starts all of them: there a skip would hide a broken set-up.
  if (process.env.CI) throw new Error(`${needs} (CI does not skip it)`);
  console.warn(`${needs}: skipped`);
}

/** Low enough to reach in a test, above what any one key of the other parts spends in a minute. */
const RATE_LIMIT = 100;
/** A crashed process's conversation leases run out this soon (the heartbeat keeps live ones). */
const TURN_LEASE_MS = 3000;
const run = randomBytes(3).toString('hex');

describe.skipIf(missing.length > 0)('three server processes behind nginx (PostgreSQL + Redis)', () => {
  let cluster: Cluster;
  const via = () => cluster.nginx.baseUrl;
  const server = (i: number) => cluster.servers[i]?.baseUrl as string;
  const explainFailure = () => onTestFailed(() => console.error(cluster.diagnostics()));

  beforeAll(async () => {
    cluster = await startCluster({
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      TURN_LEASE_MS: String(TURN_LEASE_MS),
      // The production default: on a loaded machine an idle keep-alive connection to the fake LLM is now
      // and then closed just as it is reused ("could not be reached"); without a retry that turn would
      // get the fallback reply, which this test counts as a failure.
      LLM_MAX_RETRIES: '2',
    });
  });
  afterAll(async () => cluster?.close());

  /**
   * Opens one conversation per key (a new user each, by a first message). Not by 20 concurrent first
   * messages: for a user made through POST /api/users, those open several conversations on PostgreSQL
   * (resolveConversation's find-then-insert races; reported, not this test's subject).
   */
  async function openConversations(keys: string[], tag: string) {
    return Promise.all(
      keys.map(async (key, c) => {
        const opening = `${tag} c${c} hello`;
        const first = await call(via(), 'POST', '/api/message', key, { content: opening });
        expect(first.status, first.text).toBe(200);
        return {
          userId: first.body.user_id as string,
          conversationId: first.body.conversation_id as string,
          sent: [{ content: opening, answer: first.body }] as Sent[],
        };
      }),
    );
  }

  /** Answers that are the fallback reply, with why the model's step failed (none expected). */
  const fallbacks = (bodies: Json[]) =>
    bodies
      .filter((b) => b.fallback)
      .map((b) => ({
        message_id: b.message_id,
        errors: ((b.processing_steps as Json[]) ?? []).map((s) => `${s.step}: ${s.status} ${s.error ?? ''}`),
      }));

  const transcript = async (key: string, conversationId: string) => {
    const detail = await call(via(), 'GET', `/api/conversations/${conversationId}`, key);
    expect(detail.status, detail.text).toBe(200);
    return detail.body.messages as Json[];
  };

  it('answers 20 conversations × 20 concurrent messages once each, in order, none lost', async () => {
    explainFailure();
    const tag = `load-${run}`;
    const business = await businessWithKeys(via(), cluster.masterKey, `Load ${run}`, 20);
    const conversations = await openConversations(business.keys, tag);
    const servedBefore = cluster.nginx.upstreamsServed().length;
    // All 400 at once, each conversation's by its user id (not its conversation id).
    const answers = await Promise.all(
      conversations.flatMap((conversation, c) =>
        Array.from({ length: 20 }, async (_, m) => {
          const content = `${tag} c${c} m${m}`;
          const key = business.keys[c] as string;
          const reply = await call(
            via(),
            'POST',
            '/api/message',
            key,
            { content, user_id: conversation.userId },
            { 'idempotency-key': `${tag}-${c}-${m}` },
          );
          conversation.sent.push({ content, answer: reply.body });
          return { c, content, reply };
        }),
      ),
    );
    for (const { reply } of answers) expect(reply.status, reply.text).toBe(200);
    expect(fallbacks(answers.map((a) => a.reply.body))).toEqual([]);
    for (const { c, reply } of answers) {
      expect(reply.body.conversation_id).toBe(conversations[c]?.conversationId);
      expect(reply.body.duplicate).toBe(false);
    }
    expect(new Set(answers.map((a) => a.reply.body.message_id)).size).toBe(400);

    // Round-robin: every process took a fair share of the messages.
    const served = cluster.nginx.upstreamsServed().slice(servedBefore);
    for (const s of cluster.servers) {
      const upstream = s.baseUrl.replace('http://', '');
      expect(served.filter((u) => u === upstream).length, upstream).toBeGreaterThan(50);
    }

    // One conversation per user: a user's concurrent messages all went into its conversation.
    const list = await call(
      via(),
      'GET',
      `/api/conversations?business_id=${business.business_id}&per_page=100`,
      business.api_key,
    );
    expect(list.status, list.text).toBe(200);
    expect(list.body.total).toBe(20);
    for (const [c, conversation] of conversations.entries()) {
      const messages = await transcript(business.keys[c] as string, conversation.conversationId);
      checkTranscript(messages, conversation.sent, false);
      // FIFO: the model was asked to answer them in the order they were stored (arrival order).
      const stored = messages.filter((m) => m.sender_type === 'user').map((m) => m.message_content as string);
      expect(firstAnswerRequests(cluster.llm, new Set(stored))).toEqual(stored);
    }
  });

  it('renders the next turn on every process with a template edited through one', async () => {
    explainFailure();
    const business = await businessWithKeys(via(), cluster.masterKey, `Template ${run}`, 0);
    const stage = await call(via(), 'GET', `/api/stages/${business.first_stage_id}`, business.api_key);
    expect(stage.status, stage.text).toBe(200);
    const templateId = stage.body.response_generation_template_id as string;
    const template = await call(via(), 'GET', `/api/templates/${templateId}`, business.api_key);
    expect(template.status, template.text).toBe(200);
    const marker = `edited-${randomBytes(4).toString('hex')}`;
    const respondPrompt = (reply: { body: Json }) =>
      ((reply.body.processing_steps as Json[]) ?? []).find((s) => s.step === 'response_generation')?.prompt;
    const turnOn = (i: number, content: string) =>
      call(server(i), 'POST', '/api/message', business.api_key, { content });

    // Every process has the business's configuration cached (for minutes) before the edit.
    for (const i of [0, 1, 2]) {
      const before = await turnOn(i, `before ${i}`);
      expect(before.status, before.text).toBe(200);
      expect(respondPrompt(before)).toContain(`before ${i}`);
      expect(respondPrompt(before)).not.toContain(marker);
    }
    const edited = await call(server(0), 'PUT', `/api/templates/${templateId}`, business.api_key, {
      content: `${template.body.content}\nReference: ${marker}`,
    });
    expect(edited.status, edited.text).toBe(200);
    // The invalidation reaches the other processes through Redis pub/sub, asynchronously: a short poll,
    // far below the cache's own lifetime.
    for (const i of [0, 1, 2]) {
      let prompt: string | undefined;
      for (let attempt = 0, until = Date.now() + 5000; ; attempt += 1) {
        const after = await turnOn(i, `after ${i}.${attempt}`);
        expect(after.status, after.text).toBe(200);
        prompt = respondPrompt(after);
        if (prompt?.includes(marker) || Date.now() > until) break;
        await sleep(50);
      }
      expect(prompt, `process ${i}`).toContain(marker);
    }
  });

  it('refuses a business key rotated through one process on every process', async () => {
    explainFailure();
    const business = await businessWithKeys(via(), cluster.masterKey, `Rotate ${run}`, 0);
    const me = (i: number, key: string) => call(server(i), 'GET', '/api/auth/me', key);
    // Cached as valid on every process (the key cache keeps a key 30 s).
    for (const i of [0, 1, 2]) expect((await me(i, business.api_key)).status).toBe(200);
    const rotated = await call(
      server(0),
      'POST',
      `/api/businesses/${business.business_id}/rotate-key`,
      business.api_key,
    );
    expect(rotated.status, rotated.text).toBe(200);
    for (const i of [0, 1, 2]) {
      // Redis delivers the invalidation asynchronously: poll briefly, far below the 30 s cache TTL.
      let status = 0;
      for (const until = Date.now() + 3000; ; ) {
        status = (await me(i, business.api_key)).status;
        if (status !== 200 || Date.now() > until) break;
        await sleep(50);
      }
      expect(status, `old key on process ${i}`).toBe(401);
      expect((await me(i, rotated.body.api_key)).status, `new key on process ${i}`).toBe(200);
    }
  });

  it('holds one rate-limit budget per key across the processes', async () => {
    explainFailure();
    const business = await businessWithKeys(via(), cluster.masterKey, `Limit ${run}`, 1);
    const key = business.keys[0] as string;
    // 2 × the limit, spread evenly over the three processes: a budget of each process's own would let
    // every request through (each sees two thirds of the limit).
    const statuses: { process: number; status: number; code?: string }[] = [];
    for (let round = 0; round < (2 * RATE_LIMIT) / 5; round += 1) {
      await Promise.all(
        Array.from({ length: 5 }, async (_, j) => {
          const i = (round * 5 + j) % 3;
          const r = await call(server(i), 'GET', '/api/auth/me', key);
          statuses.push({ process: i, status: r.status, code: r.body.error?.code });
        }),
      );
    }
    expect(statuses.filter((s) => s.status === 200)).toHaveLength(RATE_LIMIT);
    const limited = statuses.filter((s) => s.status === 429);
    expect(limited).toHaveLength(RATE_LIMIT);
    expect(new Set(limited.map((s) => s.process))).toEqual(new Set([0, 1, 2]));
    expect(new Set(limited.map((s) => s.code))).toEqual(new Set(['RATE_LIMITED']));
    expect((await call(via(), 'GET', '/api/auth/me', key)).status).toBe(429);
  });

  it('loses nothing when a process is killed -9 mid-load: its conversations continue on the others', async () => {
    explainFailure();
    const tag = `kill-${run}`;
    const perConversation = 10;
    const business = await businessWithKeys(via(), cluster.masterKey, `Kill ${run}`, 20);
    const conversations = await openConversations(business.keys, tag);
    const victim = cluster.servers[1];
    let acknowledged = 0;
    let killing: Promise<void> | undefined;
    const failedAtClient: { c: number; status: number }[] = [];
    const answeredAfterKill = new Set<number>();
    let killedAt = 0;
    /** Per conversation that lost a request: ms from the kill to its next answer (a figure, not asserted). */
    const resumedAfter = new Map<number, number>();
    const retriedDuplicates: string[] = [];

    /** Until answered: a 502 (the request died with the process) or a reset is retried with its key. */
    async function deliver(c: number, content: string, idempotencyKey: string) {
      const until = Date.now() + 60_000;
      for (;;) {
        const reply = await call(
          via(),
          'POST',
          '/api/message',
          business.keys[c] as string,
          { content, conversation_id: conversations[c]?.conversationId },
          { 'idempotency-key': idempotencyKey },
        );
        if (reply.status === 200) return reply;
        expect([0, 502, 503, 504], reply.text).toContain(reply.status);
        failedAtClient.push({ c, status: reply.status });
        if (Date.now() > until) throw new Error(`${content}: still unanswered 60 s later (${reply.text})`);
        await sleep(200);
      }
    }

    // Each conversation sends its messages one after the other (so the send order is known); the
    // 20 conversations run at once. Process 1 is killed once 60 of the 200 are answered.
    await Promise.all(
      conversations.map(async (conversation, c) => {
        for (let m = 0; m < perConversation; m += 1) {
          const content = `${tag} c${c} m${m}`;
          const sent: Sent = { content };
          conversation.sent.push(sent);
          const reply = await deliver(c, content, `${tag}-${c}-${m}`);
          sent.answer = reply.body;
          if (reply.body.duplicate) retriedDuplicates.push(content);
          acknowledged += 1;
          if (killing) answeredAfterKill.add(c);
          if (killing && !resumedAfter.has(c) && failedAtClient.some((f) => f.c === c))
            resumedAfter.set(c, Date.now() - killedAt);
          if (!killing && acknowledged >= 60) {
            killedAt = Date.now();
            killing = victim?.crash();
          }
        }
      }),
    );
    await killing;

    expect(victim?.child.signalCode).toBe('SIGKILL');
    expect(fallbacks(conversations.flatMap((c) => c.sent.map((x) => x.answer ?? {})))).toEqual([]);
    // The kill cut requests off inside the victim, and every conversation went on after it.
    expect(failedAtClient.length).toBeGreaterThan(0);
    expect(answeredAfterKill.size).toBe(20);
    let stored = 0;
    let answered = 0;
    for (const [c, conversation] of conversations.entries()) {
      const messages = await transcript(business.keys[c] as string, conversation.conversationId);
      stored += messages.filter((m) => m.sender_type === 'user').length - 1;
      answered += messages.filter((m) => m.sender_type === 'assistant').length - 1;
      // Every message stored once and answered once, in the order sent — including those whose first
      // request died with the process and were stored by it before (the retry got the stored one).
      checkTranscript(messages, conversation.sent, true);
      const order = messages.filter((m) => m.sender_type === 'user').map((m) => m.message_content as string);
      expect(firstAnswerRequests(cluster.llm, new Set(order))).toEqual(order);
      expect(new Set(messages.map((m) => m.external_message_id).filter(Boolean)).size).toBe(perConversation);
    }
    expect({ acknowledged, stored, answered }).toEqual({ acknowledged: 200, stored: 200, answered: 200 });
    console.info(
      `kill -9: sent 200, acknowledged ${acknowledged}, stored ${stored}, answered ${answered}; ${failedAtClient.length} requests failed at the client (${new Set(failedAtClient.map((f) => f.c)).size} conversations), ` +
        `${retriedDuplicates.length} retries answered from the message stored before the crash; ` +
        `those conversations answered again ${Math.max(...resumedAfter.values()) / 1000} s after the kill at most`,
    );
  });
});
