/**
 * What a turn's three prompts cost this process to render (`npm run bench:layers -- --parts=render`):
 * the bench's business (two stages, the default templates; `setUpBusiness`) is created through the
 * real app on an in-memory PGlite database, and each turn then renders selection and extraction on
 * the turn's variables and the reply on them plus the extracted facts, with one memo, the
 * configuration and 20 messages of history already read — as `runTurn` does, so no statement runs
 * while measuring. CPU per turn at concurrency 32, median of the rounds.
 */
import { buildApp } from '../src/app.js';
import { createInvalidationBus } from '../src/cache/invalidation-bus.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { openDatabase } from '../src/db/client.js';
import { generateSecret, hashSecret } from '../src/lib/keys.js';
import { loadBusinessConfig } from '../src/modules/config-cache/business-config-cache.js';
import { renderWithContext, type VariableContext } from '../src/modules/templates/index.js';
import { setUpBusiness } from './bench-business.js';

const HISTORY = Array.from({ length: 20 }, (_, i) => ({
  senderType: i % 2 === 0 ? 'user' : 'assistant',
  content:
    i % 2 === 0
      ? `Message ${i}: what are your opening hours?`
      : 'We are open every day from 9 am to 10 pm. Would you like to book a table?',
  createdAt: new Date(),
}));

/** CPU per turn (µs) of each round of `turns` turns, 32 at a time. */
export async function renderCost(rounds: number, turns = 20_000): Promise<number[]> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const masterKey = generateSecret('icmp_admin');
  const database = await openDatabase({ databaseUrl: undefined, dataDir: null, poolSize: 1 });
  const bus = await createInvalidationBus({ redisUrl: undefined, databaseUrl: undefined });
  const app = await buildApp(config, { database, masterKeyHash: hashSecret(masterKey), bus });
  try {
    // The bench's own business, created over HTTP as every bench creates it.
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const { business_id: businessId } = await setUpBusiness(address, masterKey, 'Render');
    const business = await loadBusinessConfig(database.db, businessId);
    const stage = business?.stages.find((candidate) => candidate.stageId === business.entryStageId);
    if (!business || !stage) throw new Error('the bench business was not created');
    const template = (id: string) =>
      business.templatesById.get(id) as { content: string; systemPrompt: string };
    // Rendering reads only the context's configuration (the prompt limits) and, here, no database.
    const ctx = { config, db: database.db } as AppContext;
    const messageId = '00000000-0000-4000-8000-000000000003';

    const turn = async (n: number) => {
      const base: VariableContext = {
        businessId,
        conversationId: '00000000-0000-4000-8000-000000000001',
        userId: '00000000-0000-4000-8000-000000000002',
        user: { firstName: '', lastName: '' },
        stageId: stage.stageId,
        previousStageId: null,
        messageId,
        messageContent: `Message ${n}: what are your opening hours?`,
        collectedData: {},
        now: new Date(),
        memo: new Map(),
        config: business,
        storedHistory: { beforeMessageId: messageId, limit: 20, messages: HISTORY },
      };
      await Promise.all([
        renderWithContext(ctx, template(stage.stageSelectionTemplateId), base),
        renderWithContext(ctx, template(stage.dataExtractionTemplateId), base),
      ]);
      await renderWithContext(ctx, template(stage.responseGenerationTemplateId), {
        ...base,
        collectedData: { request: 'opening hours' },
      });
    };

    const perTurn: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      const start = process.cpuUsage();
      for (let n = 0; n < turns; n += 32)
        await Promise.all(Array.from({ length: 32 }, (_, i) => turn(n + i)));
      const used = process.cpuUsage(start);
      // Round 0 warms the code up.
      if (round > 0) perTurn.push((used.user + used.system) / turns);
    }
    return perTurn;
  } finally {
    await app.close();
    await bus.close();
    await database.close();
  }
}
