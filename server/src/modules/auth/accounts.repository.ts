import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { accounts, passwordResets } from '../../db/schema.js';

export type AccountRow = typeof accounts.$inferSelect;

export async function insertAccount(db: DbOrTx, row: typeof accounts.$inferInsert): Promise<AccountRow> {
  const [account] = await db.insert(accounts).values(row).returning();
  if (!account) throw new Error('account insert returned nothing');
  return account;
}

export async function findAccountByEmail(db: DbOrTx, email: string): Promise<AccountRow | undefined> {
  const [row] = await db
    .select()
    .from(accounts)
    .where(sql`lower(${accounts.email}) = lower(${email})`)
    .limit(1);
  return row;
}

export async function findAccount(db: DbOrTx, accountId: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.accountId, accountId)).limit(1);
  return row;
}

export async function countAccounts(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ value: count() }).from(accounts);
  return row?.value ?? 0;
}

export async function updateAccountPassword(db: DbOrTx, accountId: string, passwordHash: string) {
  await db
    .update(accounts)
    .set({ passwordHash, passwordChangedAt: new Date(), updatedAt: new Date() })
    .where(eq(accounts.accountId, accountId));
}

export async function insertPasswordReset(db: DbOrTx, row: typeof passwordResets.$inferInsert) {
  await db.insert(passwordResets).values(row);
}

/** Marks an unused, unexpired reset token used and returns its account: a token works once. */
export async function consumePasswordReset(db: DbOrTx, tokenHash: string) {
  const [row] = await db
    .update(passwordResets)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(passwordResets.tokenHash, tokenHash),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, sql`now()`),
      ),
    )
    .returning({ accountId: passwordResets.accountId });
  return row;
}
