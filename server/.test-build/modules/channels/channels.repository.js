import { and, eq } from 'drizzle-orm';
import { channelConnections } from '../../db/schema.js';
export async function findConnection(db, businessId, channel) {
    const [row] = await db
        .select()
        .from(channelConnections)
        .where(and(eq(channelConnections.businessId, businessId), eq(channelConnections.channel, channel)));
    return row ?? null;
}
export async function findConnectionByExternalId(db, channel, externalId) {
    const [row] = await db
        .select()
        .from(channelConnections)
        .where(and(eq(channelConnections.channel, channel), eq(channelConnections.externalId, externalId)));
    return row ?? null;
}
export function listConnections(db, businessId) {
    return db.select().from(channelConnections).where(eq(channelConnections.businessId, businessId));
}
export function listChannelConnections(db, channel) {
    return db.select().from(channelConnections).where(eq(channelConnections.channel, channel));
}
/** Creates or replaces the business's connection to `channel` (one per business and channel). */
export async function upsertConnection(db, businessId, channel, values) {
    const [row] = await db
        .insert(channelConnections)
        .values({ businessId, channel, ...values })
        .onConflictDoUpdate({
        target: [channelConnections.businessId, channelConnections.channel],
        set: { ...values, updatedAt: new Date() },
    })
        .returning();
    return row;
}
/** Inserts the connection unless the business already has one; returns whichever exists. */
export async function insertConnectionIfMissing(db, businessId, channel, values) {
    await db
        .insert(channelConnections)
        .values({ businessId, channel, ...values })
        .onConflictDoNothing();
    return (await findConnection(db, businessId, channel));
}
export async function deleteConnection(db, businessId, channel) {
    const rows = await db
        .delete(channelConnections)
        .where(and(eq(channelConnections.businessId, businessId), eq(channelConnections.channel, channel)))
        .returning({ id: channelConnections.connectionId });
    return rows.length > 0;
}
//# sourceMappingURL=channels.repository.js.map