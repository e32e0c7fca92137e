// Starts the fake LLM for browser e2e tests and manual runs, answering the pipeline's prompts plausibly:
//   tsx test/helpers/fake-llm-cli.ts [--port 4010] [--latency 50] [--stream-interval 30]
//   (or FAKE_LLM_PORT, FAKE_LLM_LATENCY_MS, FAKE_LLM_STREAM_INTERVAL_MS: the pause between streamed pieces)
import type { FakeAnswer, FakeLlmRequest } from './fake-llm-server.js';
import { startFakeLlmServer } from './fake-llm-server.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

function readOption(name: string, envName: string): number | undefined {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  const raw =
    index === -1
      ? name === 'port' && /^\d+$/.test(args[0] ?? '')
        ? args[0]
        : process.env[envName]
      : (args[index]?.split('=')[1] ?? args[index + 1]);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`Invalid --${name} / ${envName}: ${raw}`);
  return value;
}

/** The first string enum in a JSON schema: the stage names of a stage-selection request. */
function findEnum(schema: unknown): string[] | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node.enum) && node.enum.every((value) => typeof value === 'string'))
    return node.enum as string[];
  for (const child of Object.values(node)) {
    const found = findEnum(child);
    if (found) return found;
  }
  return undefined;
}

/** An object shaped like the schema, with `choice` wherever the schema has an enum. */
function fillSchema(schema: unknown, choice: string): unknown {
  const node = (schema ?? {}) as Record<string, unknown>;
  if (Array.isArray(node.enum)) return choice;
  if (Array.isArray(node.anyOf)) return fillSchema(node.anyOf[0], choice);
  if (node.type === 'object' || node.properties) {
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [key, fillSchema(value, choice)]),
    );
  }
  if (node.type === 'array') return [];
  if (node.type === 'number' || node.type === 'integer') return 0;
  if (node.type === 'boolean') return false;
  return '';
}

/** Stage names listed after an "Available stages" heading, as "name: description" or "- name" lines. */
function listedStages(text: string): string[] {
  const after = text.split(/available stages[^\n]*\n/i)[1] ?? '';
  const names: string[] = [];
  for (const line of after.split('\n')) {
    if (line.trim() === '') {
      if (names.length > 0) break;
      continue;
    }
    const name = line
      .replace(/^\s*(?:[-*•]|\d+[.)])?\s*/, '')
      .split(':')[0]
      ?.trim();
    if (name) names.push(name);
  }
  return names;
}

/** The stage named in the prompt outside the stage list itself (latest mention wins), else the first. */
/** What the customer wrote: the default templates quote it between triple quotes. */
function customerText(prompt: string): string {
  const quoted = [...prompt.matchAll(/"""([\s\S]*?)"""/g)].at(-1)?.[1];
  return quoted ?? prompt;
}

/**
 * The stage the customer names (the last one mentioned wins); otherwise the stage the prompt says the
 * conversation is in ("currently in the stage "X""), so an unrelated message stays; else the first.
 */
function chooseStage(prompt: string, stages: string[]): string {
  const names = stages.map((name) => name.toLowerCase());
  // Without a quoted message, read the prose around the stage list, not the list itself.
  const said = customerText(prompt)
    .toLowerCase()
    .split('\n')
    .filter((line) => !names.some((name) => line.replace(/^\s*(?:[-*•]|\d+[.)])?\s*/, '').startsWith(name)))
    .join('\n');
  let best: string | undefined;
  let bestAt = -1;
  for (const name of stages) {
    const at = said.lastIndexOf(name.toLowerCase());
    if (at > bestAt) [best, bestAt] = [name, at];
  }
  if (best) return best;
  const current = prompt.match(/currently in the stage "([^"]+)"/)?.[1];
  return current && stages.includes(current) ? current : (stages[0] ?? '');
}

/**
 * Typed extraction (a json_schema named `extracted_data`, one property per field of the stage): each
 * field the customer states as "<field> is <value>" (its name with spaces or its label), an e-mail
 * field from any address in the text; every other key null, as a strict schema asks.
 */
function extractFields(schema: unknown, said: string): Record<string, unknown> {
  const properties = (
    (schema ?? {}) as { properties?: Record<string, { type?: unknown; description?: string }> }
  ).properties;
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(properties ?? {})) {
    // The product describes a field as "<label> - <description> - <hint>" (extractionSchema).
    const label = (prop.description ?? '').split(' - ')[0] ?? '';
    const types = Array.isArray(prop.type) ? prop.type : [prop.type];
    let value: unknown = null;
    if (/mail/i.test(key) || /e-?mail/i.test(label)) value = EMAIL.exec(said)?.[0] ?? null;
    else {
      for (const name of [key.replace(/_/g, ' '), label].filter(Boolean)) {
        const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const found = new RegExp(`\\b${escaped}\\s*(?:is|are|:|=)?\\s*([^,.;!?\\n]+)`, 'i')
          .exec(said)?.[1]
          ?.trim();
        if (found) {
          value = found;
          break;
        }
      }
      if (typeof value === 'string' && (types.includes('number') || types.includes('integer'))) {
        const n = /-?\d+(?:\.\d+)?/.exec(value)?.[0];
        value = n === undefined ? null : Number(n);
      }
    }
    out[key] = value;
  }
  return out;
}

function answerPlausibly(request: FakeLlmRequest): FakeAnswer {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const format = (request.response_format ?? {}) as {
    type?: string;
    json_schema?: { name?: string; schema?: unknown };
  };
  const schema = format.json_schema?.schema;
  // Before the stage-selection check: an enum field's values would read as stage names.
  if (format.json_schema?.name === 'extracted_data')
    return { json: extractFields(schema, customerText(lastUser)) };
  const enumStages = findEnum(schema);
  const wantsJson = format.type === 'json_object' || format.type === 'json_schema';

  if (enumStages && enumStages.length > 0)
    return { json: fillSchema(schema, chooseStage(lastUser, enumStages)) };
  const stages = listedStages(request.text);
  const asksExtraction = /\bextract\b/i.test(request.text);
  if (asksExtraction || (wantsJson && stages.length === 0)) {
    const email = EMAIL.exec(customerText(lastUser))?.[0];
    return { json: email ? { email } : {} };
  }
  if (stages.length > 0) {
    const stage = chooseStage(lastUser, stages);
    return wantsJson ? { json: { stage } } : { content: stage };
  }
  const lines = customerText(lastUser).trim().split('\n');
  const quoted = (lines[lines.length - 1] ?? '').trim().slice(0, 120);
  return { content: `Thanks for your message${quoted ? ` "${quoted}"` : ''}. How can I help you further?` };
}

const fake = await startFakeLlmServer({
  port: readOption('port', 'FAKE_LLM_PORT') ?? 0,
  latencyMs: readOption('latency', 'FAKE_LLM_LATENCY_MS') ?? 0,
  streamIntervalMs: readOption('stream-interval', 'FAKE_LLM_STREAM_INTERVAL_MS') ?? 0,
  defaultAnswer: answerPlausibly,
  record: false,
});
console.log(fake.url);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
}
