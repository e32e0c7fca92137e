import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractionSchema } from '../../src/modules/fields/field-values.js';

const CLI = fileURLToPath(new URL('../helpers/fake-llm-cli.ts', import.meta.url));
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0'], {
    env: { ...process.env, FAKE_LLM_LATENCY_MS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (!child.stdout) throw new Error('the CLI has no stdout pipe');
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  url = line.toString().trim();
});
afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

async function ask(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', ...body }),
  });
  const json = (await response.json()) as { choices: { message: { content: string } }[] };
  return json.choices[0]?.message.content ?? '';
}

const STAGE_LIST =
  'Available stages:\n- Greeting: says hello\n- Booking: book a table\n- Order status: where is my order\n';
const STAGE_SCHEMA = {
  type: 'json_schema',
  json_schema: {
    name: 'stage',
    schema: {
      type: 'object',
      properties: {
        stage: { type: 'string', enum: ['Greeting', 'Booking', 'Order status'] },
        reason: { type: 'string' },
      },
      required: ['stage', 'reason'],
    },
  },
};

describe('fake LLM CLI', () => {
  it('prints its base URL', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('selects the stage named in the message, shaped like the JSON schema', async () => {
    const content = await ask({
      messages: [
        {
          role: 'user',
          content: `Current stage: Greeting\n${STAGE_LIST}\nMessage: I need a booking for two`,
        },
      ],
      response_format: STAGE_SCHEMA,
    });
    expect(JSON.parse(content)).toEqual({ stage: 'Booking', reason: '' });
  });

  it('falls back to the first listed stage, also without a schema', async () => {
    expect(await ask({ messages: [{ role: 'user', content: `${STAGE_LIST}\nMessage: hi!` }] })).toBe(
      'Greeting',
    );
  });

  it('answers extraction prompts with the e-mail found in the message', async () => {
    const withEmail = await ask({
      messages: [
        { role: 'system', content: 'Extract the facts as JSON.' },
        { role: 'user', content: 'Reach me at jo@example.com' },
      ],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(withEmail)).toEqual({ email: 'jo@example.com' });
    expect(JSON.parse(await ask({ messages: [{ role: 'user', content: 'Extract: nothing here' }] }))).toEqual(
      {},
    );
  });

  it("fills a typed extraction by a field's label, as the product describes its fields", async () => {
    const schema = extractionSchema([
      { name: 'arrival', label: 'Check-in date', type: 'date', description: 'The first night', pii: false },
      { name: 'guests', label: 'Party size', type: 'number', description: '', pii: false },
    ]);
    const content = await ask({
      messages: [{ role: 'user', content: 'Customer message:\n"""My check-in date is 2026-05-01"""' }],
      response_format: { type: 'json_schema', json_schema: { name: 'extracted_data', strict: true, schema } },
    });
    expect(JSON.parse(content)).toEqual({ arrival: '2026-05-01', guests: null });
  });

  it('replies in a friendly way mentioning the message otherwise', async () => {
    const content = await ask({ messages: [{ role: 'user', content: 'Customer: where is my parcel?' }] });
    expect(content).toContain('where is my parcel?');
  });
});
