import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import { notFound } from '../../errors.js';
import type { Page } from '../../lib/schemas.js';
import { deleteUser, findUser, insertUser, listUsers, type UserRow, updateUser } from './users.repository.js';
import type { UpdateUserBody, User } from './users.schemas.js';

export function serializeUser(row: UserRow): User {
  return {
    user_id: row.userId,
    business_id: row.businessId,
    first_name: row.firstName,
    last_name: row.lastName,
    email: row.email,
    phone: row.phone,
    whatsapp_id: row.whatsappId,
    messenger_psid: row.messengerPsid,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export type UserInput = Static<typeof UpdateUserBody>;

export async function createUser(ctx: AppContext, businessId: string, input: UserInput) {
  const user = await insertUser(ctx.db, {
    businessId,
    firstName: input.first_name?.trim() ?? '',
    lastName: input.last_name?.trim() ?? '',
    email: input.email ?? null,
    phone: input.phone ?? null,
  });
  return serializeUser(user);
}

export async function getUser(ctx: AppContext, userId: string, scope: string | undefined) {
  const user = await findUser(ctx.db, userId, scope);
  if (!user) throw notFound('User');
  return serializeUser(user);
}

export async function listBusinessUsers(ctx: AppContext, businessId: string, page: Page) {
  const { rows, total } = await listUsers(ctx.db, businessId, page);
  return { users: rows.map(serializeUser), total, page: page.page, per_page: page.perPage };
}

export async function changeUser(
  ctx: AppContext,
  userId: string,
  scope: string | undefined,
  input: UserInput,
) {
  const values: Partial<UserRow> = {};
  if (input.first_name !== undefined) values.firstName = input.first_name.trim();
  if (input.last_name !== undefined) values.lastName = input.last_name.trim();
  if (input.email !== undefined) values.email = input.email;
  if (input.phone !== undefined) values.phone = input.phone;
  const user = await updateUser(ctx.db, userId, scope, values);
  if (!user) throw notFound('User');
  return serializeUser(user);
}

/** Conversations and messages go with the user (ON DELETE CASCADE). */
export async function removeUser(ctx: AppContext, userId: string, scope: string | undefined) {
  if (!(await deleteUser(ctx.db, userId, scope))) throw notFound('User');
}
