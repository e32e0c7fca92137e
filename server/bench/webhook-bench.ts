/**
 * WhatsApp webhook figures for `npm run bench`: the server in its own process, the fake LLM (300 ms
 * per call) in another, the fake Graph API in this one (so a reply's arrival is timed here).
 * 1. end to end: 64 customers each send a message and wait for its reply to reach the Graph API; as
 *    Meta does, each reply is then reported sent, delivered and read, in three status webhooks;
 * 2. acknowledgement latency: 64 concurrent signed webhook POSTs while the LLM work piles up behind.
 */
import { createHmac } from 'node:crypto';
import { type GraphRequest, startFakeGraphApi } from '../test/helpers/fake-graph-api.js';
import { wa, waChange, waMessage, waPayload, waStatus } from '../test/helpers/meta-fixtures.js';
import { percentile, runLoad } from './load.js';
import { pgUsage, pgUsagePerMessage } from './pg-usage.js';
import {
  benchServerEnv,
  cpuSeconds,
  freePort,
  startFakeLlm,
  startProcess,
  statementsServed,
  stopProcess,
} from './processes.js';

const SECRET = 'bench-meta-app-secret';
const CONCURRENCY = 64;

function signed(body: string) {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
}

/** A customer's text message, as Meta delivers it. */
function webhook(phoneNumberId: string, waId: string, text: string) {
  const change = waChange({
    phoneNumberId,
    contacts: [{ waId, name: 'Bench Customer' }],
    messages: [waMessage(waId, wa.text(text))],
  });
  return signed(JSON.stringify(waPayload([{ wabaId: 'bench-waba', changes: [change] }])));
}

/** Meta's status webhook for one of our sends (`reference`: the send's biz_opaque_callback_data). */
function statusWebhook(
  phoneNumberId: string,
  send: { messageId: string; to: string; reference: string | undefined },
  status: 'sent' | 'delivered' | 'read',
) {
  const statuses = [waStatus(send.messageId, status, { recipientId: send.to, callbackData: send.reference })];
  return signed(
    JSON.stringify(waPayload([{ wabaId: 'bench-waba', changes: [waChange({ phoneNumberId, statuses })] }])),
  );
}

export async function benchWebhooks(options: {
  masterKey: string;
  dataDir: string;
  databaseUrl: string | undefined;
  quick: boolean;
  /** Node flags of the server process (`--profile`: a CPU profile written to bench/results/). */
  nodeArgs?: string[];
}) {
  const serverPort = await freePort();
  const graph = await startFakeGraphApi({ record: false });
  const llm = await startFakeLlm(300);
  const server = await startProcess(
    'src/main.ts',
    [],
    {
      ...benchServerEnv({
        port: serverPort,
        dataDir: options.dataDir,
        masterKey: options.masterKey,
        llmUrl: llm.url,
        databaseUrl: options.databaseUrl,
      }),
      DB_POOL_SIZE: '20',
      // The closed loop leaves thousands of turns queued: stop without draining them (a profile is
      // written only on a clean exit, and the process is killed 5 s after SIGTERM).
      SHUTDOWN_TIMEOUT_MS: '2000',
      GRAPH_API_BASE_URL: graph.url,
      META_APP_SECRET: SECRET,
    },
    /ICMP is running/,
    options.nodeArgs ?? [],
  );
  const base = `http://127.0.0.1:${serverPort}`;
  let businessId: string | undefined;
  try {
    const phoneNumberId = String(Date.now());
    const created = await fetch(`${base}/api/businesses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ business_name: `Webhook bench ${Date.now()}`, business_description: 'bench' }),
    });
    const business = (await created.json()) as { business_id: string; api_key: string };
    businessId = business.business_id;
    const connected = await fetch(`${base}/api/businesses/${business.business_id}/channels/whatsapp`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${business.api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phone_number_id: phoneNumberId, access_token: 'EAAbench' }),
    });
    if (connected.status !== 200) throw new Error(`connecting WhatsApp failed: ${connected.status}`);

    // Replies are recognised by the token the fake LLM quotes back from the customer's message.
    const waiting = new Map<string, () => void>();
    // While the end-to-end phase runs, every reply is reported sent, then delivered, then read, each in
    // a webhook of its own a few milliseconds apart, as Meta reports them.
    let reportStatuses = false;
    const statusPosts = new Set<Promise<void>>();
    // The listener sees a request before its answer: the Graph message id is read after the first wait.
    const reportDelivery = async (request: GraphRequest) => {
      for (const status of ['sent', 'delivered', 'read'] as const) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (!request.messageId || !request.to) return;
        const reference = request.body?.biz_opaque_callback_data;
        const send = {
          messageId: request.messageId,
          to: request.to,
          reference: typeof reference === 'string' ? reference : undefined,
        };
        const { body, headers } = statusWebhook(phoneNumberId, send, status);
        const response = await fetch(`${base}/webhook/whatsapp`, { method: 'POST', headers, body });
        await response.text();
        if (response.status !== 200) statusErrors += 1;
        statusesPosted += 1;
      }
    };
    let statusErrors = 0;
    let statusesPosted = 0;
    graph.onRequest((request) => {
      const token = /bench-\d+-\d+/.exec(request.text ?? '')?.[0];
      if (token) waiting.get(token)?.();
      if (reportStatuses && request.kind === 'message') {
        const posted = reportDelivery(request).finally(() => statusPosts.delete(posted));
        statusPosts.add(posted);
      }
    });
    const post = (waId: string, text: string) => {
      const { body, headers } = webhook(phoneNumberId, waId, text);
      return fetch(`${base}/webhook/whatsapp`, { method: 'POST', headers, body });
    };

    console.log('\n== WhatsApp webhooks (fake LLM 300 ms, fake Graph API) ==');
    const e2eLatencies: number[] = [];
    // The webhook's own answer while those 64 conversations run (each customer writes again after
    // the reply): the ack under 64 concurrent customers, with the LLM's 300 ms on every turn.
    const conversationAcks: number[] = [];
    let e2eErrors = 0;
    // Each of CONCURRENCY customers writes, waits for the reply at the Graph API, and writes again.
    // They arrive one by one over `arrivalSeconds` (0: all in the same millisecond).
    const converse = (firstWorker: number, seconds: number, record: boolean, arrivalSeconds = 0) => {
      const started = performance.now();
      return Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, index) => {
          const worker = firstWorker + index;
          const arrival = (index * arrivalSeconds * 1000) / CONCURRENCY;
          if (arrival > 0) await new Promise((resolve) => setTimeout(resolve, arrival));
          const waId = `1555${String(worker).padStart(7, '0')}`;
          for (let n = 0; performance.now() - started < seconds * 1000; n += 1) {
            const token = `bench-${worker}-${n}`;
            const delivered = new Promise<void>((resolve) => waiting.set(token, resolve));
            const t0 = performance.now();
            const response = await post(waId, `Message ${token}: what are your opening hours?`);
            await response.text();
            if (record && response.status === 200) conversationAcks.push(performance.now() - t0);
            const ok = await Promise.race([
              delivered.then(() => true),
              new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000)),
            ]);
            waiting.delete(token);
            if (!record) continue;
            if (response.status === 200 && ok) e2eLatencies.push(performance.now() - t0);
            else e2eErrors += 1;
          }
        }),
      );
    };
    // A freshly started process answers its first requests slowly (pool connections opening, code not
    // yet optimised): other customers converse for a while first, unmeasured. The measured customers
    // are new, so their first contacts are in the figures, on a warm process.
    reportStatuses = true;
    await converse(10_000, options.quick ? 2 : 5, false);
    const e2eSeconds = options.quick ? 5 : 15;
    // What a reply costs, read around the measured phase: every message sent in it has been answered
    // and its statuses reported when `converse` returns and the status webhooks are in; the settle lets
    // the last sends' bookkeeping (delivery marked sent) land.
    const settle = async () => {
      while (statusPosts.size > 0) await Promise.all(statusPosts);
      await new Promise((resolve) => setTimeout(resolve, 500));
    };
    await settle();
    const statusesBefore = statusesPosted;
    const costBefore = {
      cpu: cpuSeconds(server.pid as number),
      sql: await statementsServed(base, options.masterKey),
      db: options.databaseUrl ? await pgUsage(options.databaseUrl) : undefined,
    };
    const e2eStarted = performance.now();
    // Customers arrive over a second, as they do: 64 first contacts in one millisecond is measured
    // on its own below.
    await converse(0, e2eSeconds, true, 1);
    const e2eElapsed = (performance.now() - e2eStarted) / 1000;
    reportStatuses = false;
    await settle();
    const statuses = statusesPosted - statusesBefore;
    const sent = Math.max(1, e2eLatencies.length + e2eErrors);
    const db =
      costBefore.db && options.databaseUrl
        ? pgUsagePerMessage(costBefore.db, await pgUsage(options.databaseUrl), sent)
        : undefined;
    const cost = {
      server_cpu_ms_per_message: Number(
        (((cpuSeconds(server.pid as number) - costBefore.cpu) * 1000) / sent).toFixed(2),
      ),
      sql_per_message: Number(
        (((await statementsServed(base, options.masterKey)) - costBefore.sql) / sent).toFixed(2),
      ),
      ...(db
        ? {
            db_cpu_ms_per_message: db.pg_backend_cpu_ms_per_message,
            pg_transactions_per_message: db.pg_transactions_per_message,
            pg_wal_kb_per_message: db.pg_wal_kb_per_message,
          }
        : {}),
    };
    e2eLatencies.sort((a, b) => a - b);
    const endToEnd = {
      replies: e2eLatencies.length,
      errors: e2eErrors,
      throughput_per_s: Number((e2eLatencies.length / e2eElapsed).toFixed(1)),
      p50_ms: Number(percentile(e2eLatencies, 50).toFixed(1)),
      p99_ms: Number(percentile(e2eLatencies, 99).toFixed(1)),
      statuses_per_message: Number((statuses / sent).toFixed(2)),
      status_errors: statusErrors,
      ...cost,
    };
    console.log(
      `inbound → Graph send, ${CONCURRENCY} customers (arriving over 1 s): ${endToEnd.throughput_per_s} replies/s  p50 ${endToEnd.p50_ms} ms  p99 ${endToEnd.p99_ms} ms  errors ${e2eErrors}`,
    );
    console.log(
      `  per message, with its ${endToEnd.statuses_per_message} status webhooks (errors ${statusErrors}): CPU ${cost.server_cpu_ms_per_message} ms  SQL ${cost.sql_per_message}` +
        (db
          ? `  DB CPU ${db.pg_backend_cpu_ms_per_message ?? 'n/a'} ms, ${db.pg_transactions_per_message} xacts, ${db.pg_wal_kb_per_message ?? 'n/a'} KiB WAL`
          : ''),
    );
    conversationAcks.sort((a, b) => a - b);
    const acknowledgementInConversation = {
      requests: conversationAcks.length,
      p50_ms: Number(percentile(conversationAcks, 50).toFixed(2)),
      p99_ms: Number(percentile(conversationAcks, 99).toFixed(2)),
    };
    console.log(
      `webhook ack, ${CONCURRENCY} customers in conversation (arriving over 1 s): p50 ${acknowledgementInConversation.p50_ms} ms  p99 ${acknowledgementInConversation.p99_ms} ms`,
    );

    // The worst case of arrival: 64 new customers' first messages in the same millisecond, on a warm
    // and otherwise idle server (each ack stores a user, a conversation and a message).
    const burst = await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, index) => {
        const t0 = performance.now();
        const response = await post(`1557${String(index).padStart(7, '0')}`, `Burst ${index}: hello`);
        await response.text();
        return response.status === 200 ? performance.now() - t0 : Number.NaN;
      }),
    );
    const burstAcks = burst.filter((ms) => !Number.isNaN(ms)).sort((a, b) => a - b);
    const acknowledgementBurst = {
      requests: burstAcks.length,
      errors: burst.length - burstAcks.length,
      p50_ms: Number(percentile(burstAcks, 50).toFixed(2)),
      max_ms: Number((burstAcks.at(-1) ?? 0).toFixed(2)),
    };
    console.log(
      `webhook ack, ${CONCURRENCY} first contacts at once: p50 ${acknowledgementBurst.p50_ms} ms  max ${acknowledgementBurst.max_ms} ms  errors ${acknowledgementBurst.errors}`,
    );
    // Their turns run before the paced figures start.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    // The closed loop below saturates the server (every ack also starts a turn and a send), so its
    // latency is queueing: concurrency ÷ throughput. Meta delivers at its customers' pace, so the ack
    // is also measured at an offered rate the server can sustain, with up to 64 requests in flight.
    const paced = await pacedAcks(post, { ratePerSecond: PACED_RATE, seconds: options.quick ? 3 : 10 });
    console.log(
      `webhook ack paced at ${PACED_RATE} req/s (≤ ${CONCURRENCY} in flight): p50 ${paced.p50_ms} ms  p99 ${paced.p99_ms} ms  errors ${paced.errors}`,
    );
    // The customers of the first phase, so these are returning customers (the steady state; a first
    // contact also creates the user and the conversation). Their replies queue up behind the LLM.
    const ack = await runLoad({
      concurrency: CONCURRENCY,
      seconds: options.quick ? 3 : 10,
      send: (worker, n) => post(`1555${String(worker).padStart(7, '0')}`, `Ack ${n}: are you open?`),
    });
    const acknowledgement = {
      requests: ack.requests,
      errors: ack.errors,
      throughput_per_s: Number(ack.throughput.toFixed(1)),
      p50_ms: Number(ack.p50.toFixed(2)),
      p99_ms: Number(ack.p99.toFixed(2)),
    };
    console.log(
      `webhook ack at concurrency ${CONCURRENCY}: ${acknowledgement.throughput_per_s} req/s  p50 ${acknowledgement.p50_ms} ms  p99 ${acknowledgement.p99_ms} ms  errors ${ack.errors}`,
    );
    if (ack.errorSamples.length) console.log('  error samples:', ack.errorSamples);

    return {
      webhooks: {
        llm_latency_ms: 300,
        end_to_end: endToEnd,
        acknowledgement_in_conversation: acknowledgementInConversation,
        acknowledgement_burst: acknowledgementBurst,
        acknowledgement,
        acknowledgement_paced: paced,
      },
    };
  } finally {
    // The backlog the closed loop queued would otherwise be picked up by the next run's recovery sweep.
    if (businessId)
      await fetch(`${base}/api/businesses/${businessId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${options.masterKey}` },
      }).catch(() => undefined);
    await stopProcess(server);
    await stopProcess(llm.child);
    await graph.close();
  }
}

const PACED_RATE = 50;

/** Sends webhooks at a fixed rate (open loop, at most CONCURRENCY in flight) and times each ack. */
async function pacedAcks(
  post: (waId: string, text: string) => Promise<Response>,
  { ratePerSecond, seconds }: { ratePerSecond: number; seconds: number },
) {
  const latencies: number[] = [];
  let errors = 0;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const total = ratePerSecond * seconds;
  const started = performance.now();
  for (let n = 0; n < total; n += 1) {
    const due = started + (n * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight >= CONCURRENCY) {
      errors += 1; // the server fell behind the offered rate
      continue;
    }
    inFlight += 1;
    const t0 = performance.now();
    pending.push(
      post(`1556${String(n % CONCURRENCY).padStart(7, '0')}`, `Paced ${n}: are you open?`)
        .then(async (response) => {
          await response.text();
          if (response.status === 200) latencies.push(performance.now() - t0);
          else errors += 1;
        })
        .catch(() => {
          errors += 1;
        })
        .finally(() => {
          inFlight -= 1;
        }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    p50_ms: Number(percentile(latencies, 50).toFixed(2)),
    p99_ms: Number(percentile(latencies, 99).toFixed(2)),
  };
}
