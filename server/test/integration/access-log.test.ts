import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callServer,
  freePort,
  restartableServerEnv,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.js';

/**
 * The access log at the default level: one line per request when its response is sent (issue 14:
 * Fastify's default logs each request twice, arrival and completion, on the hot path), with the
 * method, URL, status and time — never the credentials.
 */
let server: ServerProcess;
let env: Record<string, string>;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  const restartable = restartableServerEnv('http://127.0.0.1:9/v1', { LOG_LEVEL: 'info' });
  cleanups.push(restartable.remove);
  env = restartable.env;
  server = await startServerProcess(env, await freePort());
}, 120_000);

afterAll(async () => {
  await server?.stop();
  for (const cleanup of cleanups) cleanup();
});

const logLines = () =>
  server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('access log', () => {
  it('writes one line per request, on completion, without the key', async () => {
    const key = env.ICMP_API_KEY as string;
    const marker = `/api/businesses?limit=1&marker=${Date.now()}`;
    const answered = await callServer(server.baseUrl, 'GET', marker, key);
    expect(answered.status).toBe(200);
    await expect
      .poll(() => logLines().filter((line) => line.url === marker), { timeout: 10_000 })
      .toHaveLength(1);
    const [line] = logLines().filter((entry) => entry.url === marker);
    expect(line).toMatchObject({ msg: 'request completed', method: 'GET', statusCode: 200 });
    expect(typeof line?.responseTime).toBe('number');
    expect(typeof line?.reqId).toBe('string');
    expect(server.output()).not.toContain('incoming request');
    expect(server.output()).not.toContain(key);
  });

  it('does not write searched text or collected-data filter values', async () => {
    const key = env.ICMP_API_KEY as string;
    const secret = `ana-${Date.now()}`;
    const url = `/api/conversations?q=${secret}&data.email=${secret}%40example.com&per_page=1`;
    await callServer(server.baseUrl, 'GET', url, key);
    const redacted = '/api/conversations?q=[redacted]&data.email=[redacted]&per_page=1';
    await expect
      .poll(() => logLines().filter((line) => line.url === redacted), { timeout: 10_000 })
      .toHaveLength(1);
    expect(server.output()).not.toContain(secret);
  });
});
