/**
 * `npm run icmp -- test --business <id> [--release N] [--model M]`: runs a business's golden tests on
 * a running ICMP server over its HTTP API, prints a table and exits 0 when every case passed, 1 when
 * one failed, 2 when the run could not be made (bad arguments, HTTP error, timeout). For a business's CI.
 *
 * The server and key come from flags or the environment: --url / ICMP_URL (default
 * http://127.0.0.1:3000) and --api-key / ICMP_API_KEY (a key with write access, or the master key).
 */
import { parseArgs } from 'node:util';

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
}

interface RunCase {
  test_case_id: string;
  case_name: string;
  runs: number;
  passed: number;
  pass_rate: number;
}

interface RunResult {
  test_case_id: string;
  passed: boolean;
  error: string | null;
  steps: { checks: { check: string; passed: boolean; reason: string }[] }[];
}

interface Run {
  test_run_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  total: number;
  done: number;
  passed: number;
  failed: number;
  cost_usd: number;
  avg_latency_ms: number | null;
  error: string | null;
  cases?: RunCase[];
  results?: RunResult[];
}

const USAGE = `Usage: npm run icmp -- test --business <id> [--release N | --target draft|published]
                          [--model M] [--stage <stage id>] [--repeat N]
                          [--url URL] [--api-key KEY] [--timeout SECONDS]
Environment: ICMP_URL (default http://127.0.0.1:3000), ICMP_API_KEY.
Exit code: 0 all cases passed, 1 a case failed, 2 the run could not be made.`;

class UsageError extends Error {}

function pad(text: string, width: number) {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** The table: one line per case, its pass rate and the first failed check's reason. */
export function formatRun(run: Run): string[] {
  const lines = [`${pad('CASE', 40)}  ${pad('RESULT', 6)}  ${pad('PASSED', 7)}  REASON`];
  for (const c of run.cases ?? []) {
    const failure = (run.results ?? []).find((r) => r.test_case_id === c.test_case_id && !r.passed);
    const check = failure?.steps.flatMap((s) => s.checks).find((x) => !x.passed);
    const reason = failure ? (failure.error ?? (check ? `${check.check}: ${check.reason}` : '')) : '';
    lines.push(
      `${pad(c.case_name, 40)}  ${pad(c.pass_rate === 1 ? 'PASS' : 'FAIL', 6)}  ${pad(`${c.passed}/${c.runs}`, 7)}  ${reason}`,
    );
  }
  const latency = run.avg_latency_ms === null ? '-' : `${Math.round(run.avg_latency_ms)} ms`;
  lines.push(
    '',
    `${run.passed} of ${run.done} passed, ${run.failed} failed · cost $${run.cost_usd.toFixed(4)} · mean latency ${latency} · run ${run.test_run_id}`,
  );
  return lines;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        business: { type: 'string' },
        release: { type: 'string' },
        target: { type: 'string' },
        model: { type: 'string' },
        stage: { type: 'string' },
        repeat: { type: 'string' },
        url: { type: 'string' },
        'api-key': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals[0] !== 'test') throw new UsageError('the only command is `test`');
    if (!values.business) throw new UsageError('--business is required');
    const apiKey = values['api-key'] ?? io.env.ICMP_API_KEY;
    if (!apiKey) throw new UsageError('an API key is required (--api-key or ICMP_API_KEY)');
    const base = (values.url ?? io.env.ICMP_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
    const integer = (name: string, text: string | undefined) => {
      if (text === undefined) return undefined;
      if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a positive whole number`);
      return Number(text);
    };
    const release = integer('release', values.release);
    if (values.target && !['draft', 'published'].includes(values.target)) {
      throw new UsageError('--target is draft or published');
    }
    const target = release !== undefined ? { release } : (values.target ?? 'draft');
    const timeoutMs = (integer('timeout', values.timeout) ?? 600) * 1000;
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

    const call = async (method: string, path: string, body?: unknown) => {
      const response = await io.fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) {
        const error = json.error as { message?: string; details?: unknown } | undefined;
        const details = error?.details ? ` ${JSON.stringify(error.details)}` : '';
        throw new Error(`${method} ${path}: HTTP ${response.status} ${error?.message ?? ''}${details}`);
      }
      return json;
    };

    const started = (await call('POST', '/api/test-runs', {
      business_id: values.business,
      target,
      ...(values.model ? { model: values.model } : {}),
      ...(values.stage ? { stage_id: values.stage } : {}),
      ...(values.repeat ? { repeat: integer('repeat', values.repeat) } : {}),
    })) as unknown as Run;
    io.err(`run ${started.test_run_id}: ${started.total} case run(s) on ${JSON.stringify(target)}`);
    const deadline = Date.now() + timeoutMs;
    let run = started;
    let shown = -1;
    while (run.status === 'queued' || run.status === 'running') {
      if (Date.now() > deadline) throw new Error(`the run did not finish within ${timeoutMs / 1000} s`);
      await io.sleep(1000);
      run = (await call('GET', `/api/test-runs/${started.test_run_id}`)) as unknown as Run;
      if (run.done !== shown) {
        shown = run.done;
        io.err(`  ${run.done}/${run.total}`);
      }
    }
    if (run.status === 'failed') throw new Error(`the run failed: ${run.error ?? 'unknown error'}`);
    for (const line of formatRun(run)) io.out(line);
    return run.failed === 0 && run.done === run.total ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`icmp: ${error.message}\n${USAGE}`);
    } else {
      io.err(`icmp: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 2;
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  process.exitCode = code;
}
