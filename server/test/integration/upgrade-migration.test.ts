import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client.js';
import { readJournal } from '../../src/db/migrations.js';
import { buildTestApp, makeTempDir } from '../helpers/build-test-app.js';
import { callApi, type Json } from '../helpers/call-api.js';

/**
 * Issue 13: an upgrade migrates a database that holds the previous release's data. The database is
 * built with the previous release's migrations only, filled with rows shaped by that schema (raw SQL,
 * as that release wrote them), then opened by this release: its pending migrations apply and the app
 * serves the old data. For the next release, bump PREVIOUS_RELEASE_MIGRATIONS (and add rows for the
 * tables it introduced).
 */
const PREVIOUS_RELEASE_MIGRATIONS = 8; // 0000_initial … 0007_inbox_notes_canned_replies

const temp = makeTempDir('icmp-upgrade-');
afterAll(() => temp.remove());

/** The migrations folder as the previous release shipped it: its SQL files and a journal ending there. */
function previousReleaseFolder() {
  const folder = path.join(temp.dir, 'drizzle-previous');
  mkdirSync(path.join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(
    JSON.stringify(readJournal(MIGRATIONS_FOLDER).slice(0, PREVIOUS_RELEASE_MIGRATIONS)),
  ) as Array<{ tag: string; when: number }>;
  for (const entry of journal) {
    cpSync(path.join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  }
  writeFileSync(
    path.join(folder, 'meta', '_journal.json'),
    JSON.stringify({
      version: '7',
      dialect: 'postgresql',
      entries: journal.map((entry, idx) => ({ idx, version: '7', ...entry, breakpoints: true })),
    }),
  );
  return { folder, tags: journal.map((entry) => entry.tag) };
}

const ids = {
  business: '11111111-1111-4111-8111-111111111111',
  selection: '22222222-2222-4222-8222-222222222201',
  extraction: '22222222-2222-4222-8222-222222222202',
  response: '22222222-2222-4222-8222-222222222203',
  stage: '33333333-3333-4333-8333-333333333333',
  user: '44444444-4444-4444-8444-444444444444',
  conversation: '55555555-5555-4555-8555-555555555555',
  inbound: '66666666-6666-4666-8666-666666666601',
  reply: '66666666-6666-4666-8666-666666666602',
  account: '77777777-7777-4777-8777-777777777777',
};

/** Rows as the previous release (schema of migration 0007) stored them. */
const PREVIOUS_RELEASE_ROWS = `
INSERT INTO businesses (business_id, business_name, business_description, settings)
  VALUES ('${ids.business}', 'Old Bakery', 'bread since 1990', '{"fallback_reply": "One moment, please."}');
INSERT INTO templates (template_id, business_id, template_name, template_type, content, system_prompt, is_default)
  VALUES ('${ids.selection}', '${ids.business}', 'Pick a stage', 'stage_selection', 'Which stage? {{stages}}', '', true),
         ('${ids.extraction}', '${ids.business}', 'Extract', 'data_extraction', 'Extract {{fields}}', '', true),
         ('${ids.response}', '${ids.business}', 'Answer', 'response_generation', 'Answer kindly: {{message}}', 'Be brief.', true);
INSERT INTO stages (stage_id, business_id, stage_name, stage_description, stage_selection_template_id,
                    data_extraction_template_id, response_generation_template_id, handoff)
  VALUES ('${ids.stage}', '${ids.business}', 'Welcome', 'greets', '${ids.selection}', '${ids.extraction}', '${ids.response}', false);
UPDATE businesses SET first_stage_id = '${ids.stage}' WHERE business_id = '${ids.business}';
INSERT INTO users (user_id, business_id, first_name, last_name, email)
  VALUES ('${ids.user}', '${ids.business}', 'Ana', 'Silva', 'ana@example.com');
INSERT INTO conversations (conversation_id, business_id, user_id, stage_id, channel, status, collected_data, last_sequence)
  VALUES ('${ids.conversation}', '${ids.business}', '${ids.user}', '${ids.stage}', 'api', 'active', '{"name": "Ana"}', 2);
INSERT INTO messages (message_id, conversation_id, business_id, sender_type, message_content, sequence_number, channel, status, stage_id, reply_to_message_id)
  VALUES ('${ids.inbound}', '${ids.conversation}', '${ids.business}', 'user', 'Do you sell rye bread?', 1, 'api', 'processed', '${ids.stage}', NULL),
         ('${ids.reply}', '${ids.conversation}', '${ids.business}', 'assistant', 'Yes, every morning.', 2, 'api', 'sent', '${ids.stage}', '${ids.inbound}');
INSERT INTO llm_calls (business_id, conversation_id, message_id, template_id, stage_id, call_type, provider, model, prompt, response, tokens_in, tokens_out, latency_ms, cost_usd, status)
  VALUES ('${ids.business}', '${ids.conversation}', '${ids.inbound}', '${ids.response}', '${ids.stage}', 'response_generation', 'openai', 'gpt-4o-mini', 'Answer kindly: Do you sell rye bread?', 'Yes, every morning.', 12, 5, 340, 0.00001, 'success');
INSERT INTO accounts (account_id, email, name, password_hash)
  VALUES ('${ids.account}', 'owner@example.com', 'Olga Owner', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA');
INSERT INTO memberships (business_id, account_id, role) VALUES ('${ids.business}', '${ids.account}', 'owner');
INSERT INTO canned_replies (business_id, shortcut, content) VALUES ('${ids.business}', 'Hours', 'We open at 7.');
`;

describe(`upgrading a database of the previous release (${PREVIOUS_RELEASE_MIGRATIONS} migrations)`, () => {
  it('applies only the newer migrations, keeps the data, and the app serves it', async () => {
    const previous = previousReleaseFolder();
    const options = {
      databaseUrl: process.env.DATABASE_URL,
      dataDir: path.join(temp.dir, 'data'),
      poolSize: 2,
    };

    const old = await openDatabase({ ...options, migrationsFolder: previous.folder });
    expect(old.migrationsApplied).toEqual(previous.tags);
    for (const statement of PREVIOUS_RELEASE_ROWS.split(';\n').filter((s) => s.trim())) {
      await old.db.execute(sql.raw(statement));
    }
    await old.close();

    // A server told not to migrate refuses this database, naming what is pending.
    await expect(openDatabase({ ...options, migrate: false })).rejects.toThrow(/npm run db:migrate/);

    const upgraded = await openDatabase(options);
    const newer = readJournal(MIGRATIONS_FOLDER)
      .slice(PREVIOUS_RELEASE_MIGRATIONS)
      .map((entry) => entry.tag);
    expect(newer.length).toBeGreaterThan(0);
    expect(upgraded.migrationsApplied).toEqual(newer);

    const t = await buildTestApp({}, { database: upgraded });
    try {
      const conversation = await callApi(t.app, 'GET', `/api/conversations/${ids.conversation}`, t.masterKey);
      expect(conversation.status, JSON.stringify(conversation.body)).toBe(200);
      const body = conversation.body;
      expect(body.collected_data).toEqual({ name: 'Ana' });
      expect((body.messages as Json[]).map((m) => [m.sender_type, m.message_content])).toEqual([
        ['user', 'Do you sell rye bread?'],
        ['assistant', 'Yes, every morning.'],
      ]);
      const stage = await callApi(t.app, 'GET', `/api/stages/${ids.stage}`, t.masterKey);
      expect(stage.status, JSON.stringify(stage.body)).toBe(200);
      expect(stage.body.stage_name).toBe('Welcome');
      const template = await callApi(t.app, 'GET', `/api/templates/${ids.response}`, t.masterKey);
      expect(template.body).toMatchObject({
        content: 'Answer kindly: {{message}}',
        system_prompt: 'Be brief.',
      });
      const calls = await callApi(t.app, 'GET', `/api/llm-calls?business_id=${ids.business}`, t.masterKey);
      expect(calls.status, JSON.stringify(calls.body)).toBe(200);
      expect(JSON.stringify(calls.body)).toContain('Yes, every morning.');
      const business = await callApi(t.app, 'GET', `/api/businesses/${ids.business}`, t.masterKey);
      expect(business.body).toMatchObject({ business_name: 'Old Bakery', first_stage_id: ids.stage });

      // Opening it again applies nothing: the schema is current.
      const again = await openDatabase({ ...options, migrate: false });
      expect(again.migrationsApplied).toEqual([]);
      await again.close();
    } finally {
      await t.close();
      await upgraded.close();
    }
  }, 300_000);
});
