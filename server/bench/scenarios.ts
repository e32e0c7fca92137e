import { randomUUID } from 'node:crypto';

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
];

/** The plain message every floor scenario sends: the same body to the floor and the product. */
export function commonSend(target: Target, withAuth: boolean): Send {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (withAuth) headers.authorization = `Bearer ${target.apiKey}`;
  return (_worker, n) =>
    fetch(`${target.base}/api/message`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        content: `Message ${n}: what are your opening hours?`,
        user_id: target.users[n % target.users.length],
      }),
    });
}

/**
 * Every message from a customer never seen before: the product creates the customer and opens their
 * conversation (the API's call without `user_id`); a floor opens a conversation for a new id.
 */
export function firstContactSend(target: Target, withAuth: boolean): Send {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (withAuth) headers.authorization = `Bearer ${target.apiKey}`;
  return (_worker, n) =>
    fetch(`${target.base}/api/message`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        content: `Message ${n}: hello, what are your opening hours?`,
        ...(withAuth ? {} : { user_id: randomUUID() }),
      }),
    });
}
