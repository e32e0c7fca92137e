import { randomUUID } from 'node:crypto';
import { runLoad } from './load.js';

/**
 * What `npm run bench` measures for the message pipeline, one entry per row of the issue-14 targets.
 * The bench starts one fake LLM per distinct `llmLatencyMs`, runs every `floor` scenario against the
 * bare I/O floor (floor-server.ts) and then every scenario against the product, on the same database and
 * the same fake LLM, and prints each figure as product/floor.
 *
 * Hook for product-only scenarios (stage changes, replies without facts, time to first token): add an
 * entry with `floor: false` and a `prepare` that sets the business up as the scenario needs (templates,
 * stages) and returns how to send one message; the runner times it, counts CPU, SQL and LLM cost per
 * message like the others. `extra` figures a scenario returns are printed and kept in the JSON.
 */

export interface Target {
  /** Base URL of the server under test. */
  base: string;
  /** The bench business's API key (product) — the floor ignores auth. */
  apiKey: string;
  /** The bench business (product; '' for a floor). */
  businessId: string;
  masterKey: string;
  /** customer ids with an open conversation each (more than workers: a conversation is serial). */
  users: string[];
}

export type Send = (worker: number, n: number) => Promise<Response>;

export interface PreparedScenario {
  send: Send;
  /** Figures the scenario measured itself (e.g. time to first token), read after the load. */
  extra?: () => Record<string, number>;
}

export interface Scenario {
  id: string;
  title: string;
  llmLatencyMs: number;
  concurrency: number;
  /** Stop after this many messages … */
  total?: number;
  /** … or after this many seconds (quick runs halve it). */
  seconds?: number;
  /** Run against the floor too, so the figures get a product/floor ratio. */
  floor: boolean;
  /** Product-only set-up; without it, the common "what are your opening hours?" message. */
  prepare?: (target: Target) => Promise<PreparedScenario>;
  /** The message every server gets, floors included, when not the common one (`commonSend`). */
  send?: (target: Target, withAuth: boolean) => Send;
}

export const SCENARIOS: Scenario[] = [
  { id: 'c1', title: 'c=1, LLM 0 ms', llmLatencyMs: 0, concurrency: 1, total: 300, floor: true },
  { id: 'c32', title: 'c=32, LLM 0 ms', llmLatencyMs: 0, concurrency: 32, seconds: 10, floor: true },
  { id: 'c256', title: 'c=256, LLM 300 ms', llmLatencyMs: 300, concurrency: 256, seconds: 10, floor: true },
  {
    id: 'c1first',
    title: 'c=1, first contact',
    llmLatencyMs: 0,
    concurrency: 1,
    total: 300,
    floor: true,
    send: firstContactSend,
  },
  {
    id: 'c32first',
    title: 'c=32, first contact',
    llmLatencyMs: 0,
    concurrency: 32,
    seconds: 10,
    floor: true,
    send: firstContactSend,
  },
  // The website widget (product only): returning visitors, and visitors' first messages.
  {
    id: 'c1widget',
    title: 'c=1, widget',
    llmLatencyMs: 0,
    concurrency: 1,
    total: 300,
    floor: false,
    prepare: (target) => widgetVisitors(target, 64, true),
  },
  {
    id: 'c32widget',
    title: 'c=32, widget',
    llmLatencyMs: 0,
    concurrency: 32,
    seconds: 10,
    floor: false,
    prepare: (target) => widgetVisitors(target, 512, true),
  },
  {
    id: 'c1widgetnew',
    title: 'c=1, widget, new',
    llmLatencyMs: 0,
    concurrency: 1,
    total: 300,
    floor: false,
    prepare: (target) => widgetVisitors(target, 300, false),
  },
  {
    id: 'c32widgetnew',
    title: 'c=32, widget, new',
    llmLatencyMs: 0,
    concurrency: 32,
    total: 2000,
    floor: false,
    prepare: (target) => widgetVisitors(target, 2000, false),
  },
];

/** POST /api/message with the body of message n; `withAuth`: with the business's key (the product). */
function apiSend(
  target: Pick<Target, 'base' | 'apiKey'>,
  withAuth: boolean,
  body: (n: number) => Record<string, unknown>,
): Send {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (withAuth) headers.authorization = `Bearer ${target.apiKey}`;
  return (_worker, n) =>
    fetch(`${target.base}/api/message`, { method: 'POST', headers, body: JSON.stringify(body(n)) });
}

/** The plain message every floor scenario sends: the same body to the floor and the product. */
export function commonSend(target: Pick<Target, 'base' | 'apiKey' | 'users'>, withAuth: boolean): Send {
  return apiSend(target, withAuth, (n) => ({
    content: `Message ${n}: what are your opening hours?`,
    user_id: target.users[n % target.users.length],
  }));
}

/**
 * Every message from a customer never seen before: the product creates the customer and opens their
 * conversation (the API's call without `user_id`); a floor opens a conversation for a new id.
 */
export function firstContactSend(target: Pick<Target, 'base' | 'apiKey'>, withAuth: boolean): Send {
  return apiSend(target, withAuth, (n) => ({
    content: `Message ${n}: hello, what are your opening hours?`,
    ...(withAuth ? {} : { user_id: randomUUID() }),
  }));
}

const WIDGET_ORIGIN = 'https://bench.example';

/**
 * The business's website widget turned on and `count` visitors with a session each; `returning`: each
 * has written once already. Message n goes to visitor n mod count, so new visitors each write once when
 * the run sends no more than `count` (a visitor may send 30 messages a minute).
 */
async function widgetVisitors(target: Target, count: number, returning: boolean): Promise<PreparedScenario> {
  const enabled = await fetch(`${target.base}/api/businesses/${target.businessId}/channels/web`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ enabled: true, allowed_origins: [WIDGET_ORIGIN] }),
  });
  if (enabled.status !== 200)
    throw new Error(`enabling the widget failed: ${enabled.status} ${await enabled.text()}`);
  const { publishable_key: key } = (await enabled.json()) as { publishable_key: string };
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const session = await fetch(`${target.base}/api/widget/sessions`, {
      method: 'POST',
      headers: { origin: WIDGET_ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    });
    if (session.status !== 200)
      throw new Error(`a widget session failed: ${session.status} ${await session.text()}`);
    tokens.push(((await session.json()) as { visitor_token: string }).visitor_token);
  }
  const send: Send = (_worker, n) =>
    fetch(`${target.base}/api/widget/messages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens[n % tokens.length]}`,
        origin: WIDGET_ORIGIN,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ content: `Message ${n}: what are your opening hours?` }),
    });
  if (returning) {
    const first = await runLoad({ concurrency: 8, total: count, send });
    if (first.errors)
      throw new Error(`the visitors' first messages failed: ${first.errorSamples.join('; ')}`);
  }
  return { send };
}
