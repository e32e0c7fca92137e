// Three server OS processes on one PostgreSQL database and one Redis, nginx round-robin in front, the
// fake LLM in this process; and the checks the multi-process test makes of what they stored.
import { expect } from 'vitest';
import type { Json } from '../helpers/call-api.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import type { FakeLlm } from '../helpers/fake-llm-types.js';
import { findNginx, type Nginx, startNginx } from '../helpers/nginx.js';
import { classify, customerMessage, scriptedModel } from '../helpers/pipeline-fixture.js';
import {
  freePort,
  restartableServerEnv,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.js';

/** What the test needs and does not have; empty when it can run. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!process.env.DATABASE_URL) missing.push('DATABASE_URL (PostgreSQL)');
  if (!process.env.REDIS_URL) missing.push('REDIS_URL');
  if (!findNginx()) missing.push('nginx (apt-get install -y nginx)');
  return missing;
}

export interface Cluster {
  llm: FakeLlm;
  nginx: Nginx;
  servers: ServerProcess[];
  masterKey: string;
  /** The last lines of every process's output and nginx's error log, for a failure message. */
  diagnostics(): string;
  close(): Promise<void>;
}

async function distinctFreePorts(count: number) {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function startCluster(env: Record<string, string>, processes = 3): Promise<Cluster> {
  const llm = await startFakeLlmServer({ defaultAnswer: scriptedModel(), latencyMs: 10 });
  const restartable = restartableServerEnv(llm.url, { REDIS_URL: process.env.REDIS_URL ?? '', ...env });
  const ports = await distinctFreePorts(processes);
  const started = await Promise.allSettled(ports.map((port) => startServerProcess(restartable.env, port)));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = async (nginx?: Nginx) => {
    await nginx?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    restartable.remove();
    await llm.close();
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await close();
    throw (failed as PromiseRejectedResult).reason;
  }
  let nginx: Nginx;
  try {
    nginx = await startNginx(ports.map((port) => `127.0.0.1:${port}`));
  } catch (error) {
    await close();
    throw error;
  }
  const tail = (text: string) => text.split('\n').slice(-15).join('\n');
  return {
    llm,
    nginx,
    servers,
    masterKey: restartable.env.ICMP_API_KEY as string,
    diagnostics: () =>
      [
        ...servers.map((s, i) => `--- server ${i} (${s.baseUrl}):\n${tail(s.output())}`),
        `--- nginx error log:\n${tail(nginx.errorLog())}`,
      ].join('\n'),
    close: () => close(nginx),
  };
}

export interface Reply {
  status: number;
  body: Json;
  text: string;
}

/** One request with a Bearer key; a network failure (connection reset…) answers status 0. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {}
    return { status: response.status, body: json, text };
  } catch (error) {
    return { status: 0, body: {}, text: String(error) };
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A business made through `baseUrl`, with one key (scopes messages + read) per conversation. */
export async function businessWithKeys(baseUrl: string, masterKey: string, name: string, keys: number) {
  const created = await call(baseUrl, 'POST', '/api/businesses', masterKey, { business_name: name });
  expect(created.status, created.text).toBe(201);
  const business = created.body as { business_id: string; api_key: string; first_stage_id: string };
  const made = await Promise.all(
    Array.from({ length: keys }, (_, i) =>
      call(baseUrl, 'POST', `/api/businesses/${business.business_id}/api-keys`, business.api_key, {
        name: `conversation ${i}`,
        scopes: ['messages', 'read'],
      }),
    ),
  );
  for (const m of made) expect(m.status, m.text).toBe(201);
  return { ...business, keys: made.map((m) => m.body.api_key as string) };
}

/** A message the client sent and, when it got one, the answer it was given. */
export interface Sent {
  content: string;
  answer?: Json;
}

/**
 * The stored transcript of one conversation against what its client sent: every message stored once
 * (nothing lost, nothing duplicated), each answered once right after it with the reply to its own words,
 * replies stored in message order, and every answer a client got is the stored one. `ordered`: the client
 * sent one message after the other, so the stored order must be the send order.
 */
export function checkTranscript(messages: Json[], sent: Sent[], ordered: boolean) {
  const users = messages.filter((m) => m.sender_type === 'user');
  const contents = users.map((m) => m.message_content as string);
  if (ordered) expect(contents).toEqual(sent.map((s) => s.content));
  else expect([...contents].sort()).toEqual(sent.map((s) => s.content).sort());
  expect(messages).toHaveLength(users.length * 2);
  messages.forEach((m, i) => {
    if (i % 2 === 0) {
      expect(m.sender_type).toBe('user');
      expect(m.status, m.message_content).toBe('processed');
    } else {
      const asked = messages[i - 1] as Json;
      expect(m.sender_type).toBe('assistant');
      expect(m.reply_to_message_id).toBe(asked.message_id);
      expect(m.message_content).toBe(`Reply to: ${asked.message_content}`);
    }
  });
  const replyTimes = messages.filter((_, i) => i % 2 === 1).map((m) => Date.parse(m.created_at));
  expect(replyTimes).toEqual([...replyTimes].sort((a, b) => a - b));
  const byContent = new Map(users.map((m, i) => [m.message_content as string, i]));
  for (const s of sent) {
    if (!s.answer) continue;
    const index = byContent.get(s.content) as number;
    expect(s.answer.message_id).toBe(users[index]?.message_id);
    expect(s.answer.response_id).toBe(messages[index * 2 + 1]?.message_id);
    expect(s.answer.response).toBe(`Reply to: ${s.content}`);
  }
}

/**
 * The order in which the fake LLM was first asked to answer each of the given messages (a turn cut
 * off by a crash is asked again, later, by the process that takes the conversation over).
 */
export function firstAnswerRequests(llm: FakeLlm, contents: Set<string>) {
  const seen: string[] = [];
  for (const request of llm.requests) {
    if (classify(request) !== 'response_generation') continue;
    const message = customerMessage(request);
    if (contents.has(message) && !seen.includes(message)) seen.push(message);
  }
  return seen;
}
