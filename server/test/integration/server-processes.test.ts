import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Json } from '../helpers/call-api.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import type { FakeLlm } from '../helpers/fake-llm-types.js';
import { waitFor } from '../helpers/meta-app.js';
import { customerMessage, scriptedModel } from '../helpers/pipeline-fixture.js';
import {
  callServer,
  freePort,
  restartableServerEnv,
  runToExit,
  type ServerProcess,
  spawnServerScript,
  startServerProcess,
} from '../helpers/server-process.js';

/**
 * Issue 13: WEB_CONCURRENCY=N runs N server processes (node:cluster) from one `npm start`; a start
 * that cannot work is refused with exit code 78 and a message saying what to do.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('refused starts (exit 78)', () => {
  it('WEB_CONCURRENCY>1 on the embedded PGlite database', async () => {
    const { env, remove } = restartableServerEnv('http://127.0.0.1:9/v1', {
      DATABASE_URL: '',
      WEB_CONCURRENCY: '2',
    });
    cleanups.push(remove);
    const { code, output } = await runToExit({ ...env, PORT: String(await freePort()) });
    expect(code).toBe(78);
    expect(output).toMatch(/WEB_CONCURRENCY=2 needs DATABASE_URL/);
  }, 120_000);

  it('MIGRATE_ON_START=false on a database with pending migrations; db:migrate applies them and says which', async () => {
    const { env, remove } = restartableServerEnv(
      'http://127.0.0.1:9/v1',
      { MIGRATE_ON_START: 'false' },
      // PostgreSQL: the file's own database is empty until migrated; PGlite: a fresh DATA_DIR.
      { migrated: false },
    );
    cleanups.push(remove);
    const refused = await runToExit({ ...env, PORT: String(await freePort()) });
    expect(refused.code, refused.output).toBe(78);
    expect(refused.output).toMatch(/migration\(s\) pending \(0000_initial, .*\)\. Run `npm run db:migrate`/);

    const migrated = await runToExit(env, 'src/db/migrate-cli.ts');
    expect(migrated.code, migrated.output).toBe(0);
    expect(migrated.output).toMatch(/applied \d+ migration\(s\)/);
    expect(migrated.output).toContain('0000_initial');
    const again = await runToExit(env, 'src/db/migrate-cli.ts');
    expect(again.output).toMatch(/the schema is current, nothing to apply/);

    const server = await startServerProcess(env, await freePort());
    const health = await fetch(`${server.baseUrl}/health`);
    expect(health.status).toBe(200);
    await server.stop();
  }, 300_000);
});

/** The pids of a process's children (Linux). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

describe.skipIf(!process.env.DATABASE_URL)('WEB_CONCURRENCY=2 on PostgreSQL', () => {
  let llm: FakeLlm;
  let server: ServerProcess;

  const api = (method: string, path: string, key: string, body?: unknown) =>
    callServer(server.baseUrl, method, path, key, body);

  it('serves from two processes, restarts a killed one, continues its turns once, and stops on SIGTERM', async () => {
    llm = await startFakeLlmServer({ defaultAnswer: scriptedModel() });
    cleanups.push(() => llm.close());
    const { env, remove } = restartableServerEnv(llm.url, { WEB_CONCURRENCY: '2', TURN_LEASE_MS: '2000' });
    cleanups.push(remove);
    server = await startServerProcess(env, await freePort());
    cleanups.push(() => server.stop());
    const pid = server.child.pid as number;
    expect(childrenOf(pid)).toHaveLength(2);
    expect(server.output().match(/ICMP is running/g)).toHaveLength(1);
    expect(server.output()).toMatch(/processes: 2 \(WEB_CONCURRENCY\)/);

    const created = await api('POST', '/api/businesses', env.ICMP_API_KEY as string, {
      business_name: `Cluster ${randomBytes(3).toString('hex')}`,
      business_description: 'cluster test',
    });
    expect(created.status).toBe(201);
    const key = created.body.api_key as string;
    const users: string[] = [];
    for (let i = 0; i < 4; i++) {
      const user = await api('POST', '/api/users', key, { first_name: `U${i}`, last_name: 'Test' });
      users.push(user.body.user_id as string);
    }
    // Concurrent turns over both processes: each answered once, in order.
    const answers = (
      await Promise.all(
        users.map(async (userId, u) => [
          await api('POST', '/api/message', key, { content: `u${u} m0`, user_id: userId }),
          await api('POST', '/api/message', key, { content: `u${u} m1`, user_id: userId }),
        ]),
      )
    ).flat();
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));

    // GET /metrics lands on either worker and reads the whole cluster: all 8 turns, every time.
    for (let scrape = 0; scrape < 4; scrape++) {
      const metrics = await fetch(`${server.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${env.ICMP_API_KEY}` },
      });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      const processed = [...text.matchAll(/^icmp_messages_processed_total\{[^}]*\} (\d+)$/gm)];
      expect(processed.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(8);
    }

    // A turn hangs; both workers are killed -9. The primary starts two more, and their recovery
    // sweeps — racing for the same stalled conversation — answer it exactly once.
    const isHeld = (r: Parameters<typeof customerMessage>[0]) =>
      customerMessage(r) === 'held' && !r.response_format;
    const hold = llm.script({ match: isHeld, hang: true, times: 1 });
    void api('POST', '/api/message', key, { content: 'held', user_id: users[0] }).catch(() => null);
    await waitFor(async () => hold.hits === 1, 60_000, 'the held turn to reach the LLM');
    const before = childrenOf(pid);
    for (const worker of before) process.kill(worker, 'SIGKILL');
    await waitFor(
      async () => {
        const now = childrenOf(pid);
        return now.length === 2 && now.every((child) => !before.includes(child));
      },
      120_000,
      'two new workers',
    );
    expect(server.output()).toMatch(/exited unexpectedly \(SIGKILL\); starting another/);
    const conversationId = answers[0]?.body.conversation_id as string;
    const messages = await waitFor(
      async () => {
        const transcript = await api('GET', `/api/conversations/${conversationId}`, key).catch(() => null);
        const list = (transcript?.body?.messages ?? []) as Json[];
        return list.some((m) => m.message_content === 'Reply to: held') ? list : null;
      },
      120_000,
      'the held message to be answered after the crash',
    );
    expect(messages.map((m) => m.message_content)).toEqual([
      'u0 m0',
      'Reply to: u0 m0',
      'u0 m1',
      'Reply to: u0 m1',
      'held',
      'Reply to: held',
    ]);
    // The hung call and one recovery: no second process answered it too.
    expect(llm.requests.filter(isHeld)).toHaveLength(2);
    expect(server.output().match(/ICMP is running/g)).toHaveLength(1);

    server.child.kill('SIGTERM');
    expect(await server.exited(), server.output()).toBe(0);
  }, 600_000);

  it('stops with exit code 0 on a SIGTERM that arrives while its workers are still starting', async () => {
    const { env, remove } = restartableServerEnv('http://127.0.0.1:9/v1', { WEB_CONCURRENCY: '2' });
    cleanups.push(remove);
    const { child, result } = spawnServerScript({ ...env, PORT: String(await freePort()) });
    const pid = child.pid as number;
    // The workers are forked once the primary has migrated; they are then still loading and opening
    // the database, before any of their own signal handling exists.
    await waitFor(async () => childrenOf(pid).length === 2, 120_000, 'two workers forked');
    child.kill('SIGTERM');
    const { code, output } = await result;
    expect(output).not.toMatch(/ICMP is running/);
    expect(code, output).toBe(0);
  }, 300_000);
});
