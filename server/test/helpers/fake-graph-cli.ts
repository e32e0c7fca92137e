// Starts the fake Graph API for browser tests, the bench and manual runs; prints its base URL (use it
// as GRAPH_API_BASE_URL):
//   tsx test/helpers/fake-graph-cli.ts [--port 4020] [--latency 20]   (or FAKE_GRAPH_PORT, FAKE_GRAPH_LATENCY_MS)
// Every send is logged as one JSON line on stdout when --log is given.
import { startFakeGraphApi } from './fake-graph-api.js';

function readOption(name: string, envName: string): number | undefined {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  const raw = index === -1 ? process.env[envName] : (args[index]?.split('=')[1] ?? args[index + 1]);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`Invalid --${name} / ${envName}: ${raw}`);
  return value;
}

const log = process.argv.includes('--log');
const graph = await startFakeGraphApi({
  port: readOption('port', 'FAKE_GRAPH_PORT') ?? 0,
  latencyMs: readOption('latency', 'FAKE_GRAPH_LATENCY_MS') ?? 0,
  record: false, // memory stays flat however long it runs
});
console.log(graph.url);
if (log)
  graph.onRequest((r) =>
    console.log(
      JSON.stringify({
        at: r.at,
        channel: r.channel,
        kind: r.kind,
        to: r.to ?? r.subject,
        text: r.text,
        reference: r.body?.biz_opaque_callback_data ?? r.body?.message,
      }),
    ),
  );

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void graph.close().then(() => process.exit(0));
  });
}
