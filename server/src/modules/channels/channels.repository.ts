import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { type ChannelName, type ChannelSettings, channelConnections } from '../../db/schema.js';

export type ChannelConnectionRow = typeof channelConnections.$inferSelect;

export async function findConnection(db: DbOrTx, businessId: string, channel: ChannelName) {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(eq(channelConnections.businessId, businessId), eq(channelConnections.channel, channel)));
  return row ?? null;
}

export async function findConnectionByExternalId(db: DbOrTx, channel: ChannelName, externalId: string) {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(eq(channelConnections.channel, channel), eq(channelConnections.externalId, externalId)));
  return row ?? null;
}

export function listConnections(db: DbOrTx, businessId: string) {
  return db.select().from(channelConnections).where(eq(channelConnections.businessId, businessId));
}

export function listChannelConnections(db: DbOrTx, channel: ChannelName) {
  return db.select().from(channelConnections).where(eq(channelConnections.channel, channel));
}

export interface ConnectionValues {
  externalId: string;
  settings: ChannelSettings;
  secrets: Record<string, string>;
}

/** Creates or replaces the business's connection to `channel` (one per business and channel). */
export async function upsertConnection(
  db: DbOrTx,
  businessId: string,
  channel: ChannelName,
  values: ConnectionValues,
): Promise<ChannelConnectionRow> {
  const [row] = await db
    .insert(channelConnections)
    .values({ businessId, channel, ...values })
    .onConflictDoUpdate({
      target: [channelConnections.businessId, channelConnections.channel],
      set: { ...values, updatedAt: new Date() },
    })
    .returning();
  return row as ChannelConnectionRow;
}

/** Inserts the connection unless the business already has one; returns whichever exists. */
export async function insertConnectionIfMissing(
  db: DbOrTx,
  businessId: string,
  channel: ChannelName,
  values: ConnectionValues,
): Promise<ChannelConnectionRow> {
  await db
    .insert(channelConnections)
    .values({ businessId, channel, ...values })
    .onConflictDoNothing();
  return (await findConnection(db, businessId, channel)) as ChannelConnectionRow;
}

export async function deleteConnection(db: DbOrTx, businessId: string, channel: ChannelName) {
  const rows = await db
    .delete(channelConnections)
    .where(and(eq(channelConnections.businessId, businessId), eq(channelConnections.channel, channel)))
    .returning({ id: channelConnections.connectionId });
  return rows.length > 0;
}
