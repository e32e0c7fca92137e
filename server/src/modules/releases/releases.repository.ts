import { and, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import {
  type ActorRef,
  agents,
  type BusinessSettings,
  businesses,
  configReleases,
  type FieldDefinition,
} from '../../db/schema.js';

export type ReleaseRow = typeof configReleases.$inferSelect;

/**
 * The business row, locked for the rest of the transaction: publishes, restores and imports queue here.
 * NO KEY UPDATE: the business's message and LLM-call inserts (KEY SHARE for their foreign key) go on.
 */
export async function lockBusiness(db: DbOrTx, businessId: string) {
  const [row] = await db
    .select()
    .from(businesses)
    .where(eq(businesses.businessId, businessId))
    .for('no key update');
  return row;
}

export async function latestRelease(db: DbOrTx, businessId: string): Promise<ReleaseRow | undefined> {
  const [row] = await db
    .select()
    .from(configReleases)
    .where(eq(configReleases.businessId, businessId))
    .orderBy(desc(configReleases.number))
    .limit(1);
  return row;
}

export async function findRelease(db: DbOrTx, businessId: string, number: number) {
  const [row] = await db
    .select()
    .from(configReleases)
    .where(and(eq(configReleases.businessId, businessId), eq(configReleases.number, number)))
    .limit(1);
  return row;
}

/** Newest first. A business publishes a handful a week: no paging needed below the cap. */
export function listReleases(db: DbOrTx, businessId: string, limit: number) {
  return db
    .select()
    .from(configReleases)
    .where(eq(configReleases.businessId, businessId))
    .orderBy(desc(configReleases.number))
    .limit(limit);
}

/** The next number is computed in the statement; callers hold the business lock, so numbers never race. */
export async function insertRelease(
  db: DbOrTx,
  values: {
    businessId: string;
    note: string;
    author: ActorRef;
    content: Record<string, unknown>;
    contentHash: string;
    restoredFrom: number | null;
  },
): Promise<ReleaseRow> {
  const [row] = await db
    .insert(configReleases)
    .values({
      ...values,
      number: sql`(SELECT coalesce(max(${configReleases.number}), 0) + 1 FROM ${configReleases} WHERE ${configReleases.businessId} = ${values.businessId})`,
    })
    .returning();
  if (!row) throw new Error('release insert returned nothing');
  return row;
}

/** The business's entry stage, settings and fields, written by a restore or an import. */
export async function setBusinessPipeline(
  db: DbOrTx,
  businessId: string,
  firstStageId: string | null,
  settings: BusinessSettings,
  fields: FieldDefinition[],
) {
  await db
    .update(businesses)
    .set({ firstStageId, settings, fields, updatedAt: new Date() })
    .where(eq(businesses.businessId, businessId));
}

export async function agentIdsOf(db: DbOrTx, businessId: string): Promise<Set<string>> {
  const rows = await db.select({ id: agents.agentId }).from(agents).where(eq(agents.businessId, businessId));
  return new Set(rows.map((row) => row.id));
}
