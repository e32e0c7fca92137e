import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Customer,
  checkMessages,
  createCustomers,
  formatFigures,
  isClean,
  startMessageLoad,
  waitUntilAnswered,
} from '../../chaos/message-load.js';
import { scriptedModel } from '../helpers/pipeline-fixture.js';
import { type RestartableServer, restartableServer } from '../helpers/server-process.js';

/**
 * Issue 12, the CI-sized part of the fault runs (`npm run chaos` has the long ones, on PostgreSQL +
 * Redis with proxies): the real server in its own process, on a PGlite data directory (or this file's
 * PostgreSQL database), under a load of numbered messages with Idempotency-Keys. (d) the LLM fails
 * 20 % of calls and leaves 5 % hanging; (a) the server is killed with -9 mid-load and restarted. After
 * each: every accepted message stored once, answered once, in order.
 */
let f: RestartableServer;
let apiKey: string;
let customers: Customer[];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  f = await restartableServer(
    { defaultAnswer: scriptedModel(), latencyMs: 10, record: false },
    {
      LLM_TIMEOUT_MS: '1500',
      LLM_MAX_RETRIES: '1',
      TURN_TIMEOUT_MS: '4000',
      TURN_LEASE_MS: '3000',
    },
  );
  const server = await f.start();
  const created = await fetch(`${server.baseUrl}/api/businesses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${f.env.ICMP_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      business_name: `Chaos ${randomBytes(3).toString('hex')}`,
      business_description: 'x',
    }),
  });
  expect(created.status).toBe(201);
  apiKey = ((await created.json()) as { api_key: string }).api_key;
  customers = await createCustomers(server.baseUrl, apiKey, 6);
}, 180_000);

afterAll(() => f?.close());

const baseUrl = () => f.server?.baseUrl ?? '';

async function settle(runId: string, load: ReturnType<typeof startMessageLoad>, label: string) {
  const pending = await waitUntilAnswered(baseUrl(), f.env.ICMP_API_KEY as string, customers, 120_000);
  const check = await checkMessages(baseUrl(), f.env.ICMP_API_KEY as string, customers, load, runId);
  console.log(formatFigures(label, load.figures, check, `pending ${pending}`));
  return check;
}

describe('faults under load (short)', () => {
  it('(d) an LLM failing 20 % and hanging 5 % of calls: every accepted message answered once, in order', async () => {
    f.llm.setFaults({ errorRate: 0.2, hangRate: 0.05 });
    const runId = randomBytes(4).toString('hex');
    const load = startMessageLoad({ baseUrl, apiKey, customers, runId, seconds: 8, thinkMs: 50 });
    await load.done;
    f.llm.setFaults({});
    const check = await settle(runId, load, 'llm-faults');
    expect(f.llm.faultCounts.errors + f.llm.faultCounts.hangs).toBeGreaterThan(0);
    expect(load.figures.other5xx).toBe(0);
    expect(check).toMatchObject({
      lost: 0,
      duplicated: 0,
      duplicateReplies: 0,
      orderViolations: 0,
      unanswered: 0,
    });
    expect(isClean(check, load.figures)).toBe(true);
  }, 240_000);

  it('(a) kill -9 of the server mid-load and a restart: nothing accepted is lost or doubled', async () => {
    const runId = randomBytes(4).toString('hex');
    const load = startMessageLoad({ baseUrl, apiKey, customers, runId, seconds: 600, thinkMs: 50 });
    await sleep(3000);
    const acceptedBefore = load.figures.accepted;
    await f.server?.crash();
    await sleep(500);
    await f.start();
    await sleep(4000);
    load.stop();
    await load.done;
    const check = await settle(runId, load, 'kill');
    expect(acceptedBefore).toBeGreaterThan(0);
    expect(load.figures.accepted).toBeGreaterThan(acceptedBefore);
    expect(load.figures.networkErrors).toBeGreaterThan(0); // the kill did land mid-load
    expect(check).toMatchObject({
      lost: 0,
      duplicated: 0,
      duplicateReplies: 0,
      orderViolations: 0,
      unanswered: 0,
    });
    expect(isClean(check, load.figures)).toBe(true);
  }, 240_000);
});
