// The chaos runs' load generator and checker. Each simulated customer sends numbered messages one
// after another (the next only once the previous was accepted), each with its own Idempotency-Key and
// retried with that same key through 503s, resets and restarts. The checker then reads what the
// server stored and compares: every accepted message stored exactly once, answered exactly once, in
// the customer's order.

export interface Customer {
  index: number;
  userId: string;
}

export interface LoadFigures {
  /** Distinct messages the customers tried to send. */
  sent: number;
  /** Messages the server acknowledged (200 or 202, possibly after retries). */
  accepted: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  status503: number;
  /** Other 5xx answers (a bug unless the process was being killed). */
  other5xx: number;
  /** 4xx answers other than 429 (a bug: the requests are valid). */
  rejected4xx: number;
  /** Connection refused/reset, timeouts: the process was down or cut off. */
  networkErrors: number;
  /** Replies that were the fallback (the LLM failed). */
  fallbacks: number;
  errorSamples: string[];
}

export interface CheckFigures {
  accepted: number;
  stored: number;
  answered: number;
  lost: number;
  duplicated: number;
  duplicateReplies: number;
  orderViolations: number;
  unanswered: number;
}

interface Attempted {
  customer: number;
  n: number;
  key: string;
  accepted: boolean;
}

export interface MessageLoad {
  readonly figures: LoadFigures;
  readonly attempted: Attempted[];
  /** Resolves when every customer has stopped (after `stop()` or the deadline). */
  done: Promise<void>;
  stop(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const messageText = (runId: string, customer: number, n: number) =>
  `chaos ${runId} customer ${customer} message #${n}`;

/** Creates `count` customers of the business behind `apiKey`. */
export async function createCustomers(baseUrl: string, apiKey: string, count: number): Promise<Customer[]> {
  const customers: Customer[] = [];
  for (let index = 0; index < count; index++) {
    const response = await fetch(`${baseUrl}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Chaos', last_name: `Customer ${index}` }),
    });
    if (response.status !== 201)
      throw new Error(`creating a customer: ${response.status} ${await response.text()}`);
    customers.push({ index, userId: ((await response.json()) as { user_id: string }).user_id });
  }
  return customers;
}

/**
 * Starts the load: every customer sends its next message `thinkMs` after the previous one was
 * accepted, until `seconds` pass or `stop()`; a message being retried is finished (up to `graceMs`).
 */
export function startMessageLoad(options: {
  baseUrl: () => string;
  apiKey: string;
  customers: Customer[];
  runId: string;
  seconds: number;
  thinkMs?: number;
  requestTimeoutMs?: number;
  graceMs?: number;
}): MessageLoad {
  const figures: LoadFigures = {
    sent: 0,
    accepted: 0,
    attempts: 0,
    status503: 0,
    other5xx: 0,
    rejected4xx: 0,
    networkErrors: 0,
    fallbacks: 0,
    errorSamples: [],
  };
  const attempted: Attempted[] = [];
  let stopped = false;
  const deadline = Date.now() + options.seconds * 1000;
  const sample = (text: string) => {
    if (figures.errorSamples.length < 5) figures.errorSamples.push(text.slice(0, 200));
  };

  async function sendUntilAccepted(customer: Customer, record: Attempted) {
    const giveUpAt = Math.max(deadline, Date.now()) + (options.graceMs ?? 90_000);
    let backoff = 100;
    while (Date.now() < giveUpAt) {
      figures.attempts += 1;
      try {
        const response = await fetch(`${options.baseUrl()}/api/message`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': record.key,
          },
          body: JSON.stringify({
            content: messageText(options.runId, customer.index, record.n),
            user_id: customer.userId,
          }),
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 60_000),
        });
        const text = await response.text();
        if (response.status === 200 || response.status === 202) {
          record.accepted = true;
          figures.accepted += 1;
          if (text.includes('"fallback":true')) figures.fallbacks += 1;
          return;
        }
        if (response.status === 503) figures.status503 += 1;
        else if (response.status >= 500) {
          figures.other5xx += 1;
          sample(`${response.status} ${text}`);
        } else if (response.status !== 429) {
          figures.rejected4xx += 1;
          sample(`${response.status} ${text}`);
          return;
        }
      } catch (error) {
        figures.networkErrors += 1;
        if (!/fetch failed|aborted|timeout/i.test(String(error))) sample(String(error));
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  async function customerLoop(customer: Customer) {
    for (let n = 1; !stopped && Date.now() < deadline; n++) {
      const record: Attempted = {
        customer: customer.index,
        n,
        key: `${options.runId}-${customer.index}-${n}`,
        accepted: false,
      };
      attempted.push(record);
      figures.sent += 1;
      await sendUntilAccepted(customer, record);
      if (!record.accepted) return;
      if (options.thinkMs) await sleep(options.thinkMs);
    }
  }

  const done = Promise.all(options.customers.map((customer) => customerLoop(customer))).then(() => undefined);
  return {
    figures,
    attempted,
    done,
    stop() {
      stopped = true;
    },
  };
}

interface StoredMessage {
  message_id: string;
  sender_type: string;
  message_content: string;
  sequence_number: number;
  status: string;
  external_message_id: string | null;
  reply_to_message_id: string | null;
}

async function messagesOf(baseUrl: string, masterKey: string, userId: string): Promise<StoredMessage[][]> {
  const response = await fetch(`${baseUrl}/api/users/${userId}/conversations`, {
    headers: { authorization: `Bearer ${masterKey}` },
    signal: AbortSignal.timeout(60_000),
  });
  if (response.status !== 200)
    throw new Error(`reading conversations: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { conversations: Array<{ messages: StoredMessage[] }> };
  return body.conversations.map((c) => [...c.messages].sort((a, b) => a.sequence_number - b.sequence_number));
}

/**
 * Waits until no stored customer message is pending any more (the turns and the recovery sweep
 * finished), or `timeoutMs` passed; answers how many are still pending.
 */
export async function waitUntilAnswered(
  baseUrl: string,
  masterKey: string,
  customers: Customer[],
  timeoutMs: number,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let pending = 0;
    for (const customer of customers) {
      for (const conversation of await messagesOf(baseUrl, masterKey, customer.userId))
        pending += conversation.filter((m) => m.sender_type === 'user' && m.status === 'pending').length;
    }
    if (pending === 0 || Date.now() > until) return pending;
    await sleep(1000);
  }
}

/** Compares what the load had accepted with what the server stored and answered. */
export async function checkMessages(
  baseUrl: string,
  masterKey: string,
  customers: Customer[],
  load: MessageLoad,
  runId: string,
): Promise<CheckFigures> {
  const result: CheckFigures = {
    accepted: load.figures.accepted,
    stored: 0,
    answered: 0,
    lost: 0,
    duplicated: 0,
    duplicateReplies: 0,
    orderViolations: 0,
    unanswered: 0,
  };
  const pattern = new RegExp(`^chaos ${runId} customer (\\d+) message #(\\d+)$`);
  for (const customer of customers) {
    const storedCount = new Map<number, number>();
    let lastN = 0;
    for (const conversation of await messagesOf(baseUrl, masterKey, customer.userId)) {
      const replies = new Map<string, number>();
      for (const message of conversation)
        if (message.sender_type === 'assistant' && message.reply_to_message_id)
          replies.set(message.reply_to_message_id, (replies.get(message.reply_to_message_id) ?? 0) + 1);
      for (const message of conversation) {
        if (message.sender_type !== 'user') continue;
        const match = pattern.exec(message.message_content);
        if (!match || Number(match[1]) !== customer.index) continue;
        const n = Number(match[2]);
        storedCount.set(n, (storedCount.get(n) ?? 0) + 1);
        result.stored += 1;
        if (n <= lastN) result.orderViolations += 1;
        lastN = Math.max(lastN, n);
        const answers = replies.get(message.message_id) ?? 0;
        if (answers >= 1 && message.status === 'processed') result.answered += 1;
        else result.unanswered += 1;
        if (answers > 1) result.duplicateReplies += answers - 1;
      }
    }
    for (const record of load.attempted.filter((r) => r.customer === customer.index)) {
      const count = storedCount.get(record.n) ?? 0;
      if (record.accepted && count === 0) result.lost += 1;
      if (count > 1) result.duplicated += count - 1;
    }
  }
  return result;
}

/** One line per figure, for the report. */
export function formatFigures(name: string, load: LoadFigures, check: CheckFigures, extra = ''): string {
  return [
    `[${name}] sent ${load.sent}, accepted ${check.accepted}, stored ${check.stored}, answered ${check.answered}` +
      ` (fallback ${load.fallbacks}); lost ${check.lost}, duplicated ${check.duplicated},` +
      ` duplicate replies ${check.duplicateReplies}, order violations ${check.orderViolations},` +
      ` unanswered ${check.unanswered}`,
    `[${name}] attempts ${load.attempts}, 503s ${load.status503}, other 5xx ${load.other5xx},` +
      ` 4xx ${load.rejected4xx}, network errors ${load.networkErrors}${extra ? `; ${extra}` : ''}`,
    ...load.errorSamples.map((s) => `[${name}]   sample: ${s}`),
  ].join('\n');
}

/** The verdict every fault run shares: nothing accepted lost, nothing twice, order kept, all answered. */
export function isClean(check: CheckFigures, load: LoadFigures): boolean {
  return (
    check.lost === 0 &&
    check.duplicated === 0 &&
    check.duplicateReplies === 0 &&
    check.orderViolations === 0 &&
    check.unanswered === 0 &&
    load.rejected4xx === 0 &&
    check.accepted > 0
  );
}
