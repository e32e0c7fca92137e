import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import { accounts, passwordResets } from '../../db/schema.js';
export async function insertAccount(db, row) {
    const [account] = await db.insert(accounts).values(row).returning();
    if (!account)
        throw new Error('account insert returned nothing');
    return account;
}
export async function findAccountByEmail(db, email) {
    const [row] = await db
        .select()
        .from(accounts)
        .where(sql `lower(${accounts.email}) = lower(${email})`)
        .limit(1);
    return row;
}
export async function findAccount(db, accountId) {
    const [row] = await db.select().from(accounts).where(eq(accounts.accountId, accountId)).limit(1);
    return row;
}
export async function countAccounts(db) {
    const [row] = await db.select({ value: count() }).from(accounts);
    return row?.value ?? 0;
}
export async function updateAccountPassword(db, accountId, passwordHash) {
    await db
        .update(accounts)
        .set({ passwordHash, passwordChangedAt: new Date(), updatedAt: new Date() })
        .where(eq(accounts.accountId, accountId));
}
export async function insertPasswordReset(db, row) {
    await db.insert(passwordResets).values(row);
}
/** Marks an unused, unexpired reset token used and returns its account: a token works once. */
export async function consumePasswordReset(db, tokenHash) {
    const [row] = await db
        .update(passwordResets)
        .set({ usedAt: sql `now()` })
        .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, sql `now()`)))
        .returning({ accountId: passwordResets.accountId });
    return row;
}
//# sourceMappingURL=accounts.repository.js.map