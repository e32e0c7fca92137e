import { notFound } from '../../errors.js';
import { deleteUser, findUser, insertUser, listUsers, updateUser } from './users.repository.js';
export function serializeUser(row) {
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
export async function createUser(ctx, businessId, input) {
    const user = await insertUser(ctx.db, {
        businessId,
        firstName: input.first_name?.trim() ?? '',
        lastName: input.last_name?.trim() ?? '',
        email: input.email ?? null,
        phone: input.phone ?? null,
    });
    return serializeUser(user);
}
export async function getUser(ctx, userId, scope) {
    const user = await findUser(ctx.db, userId, scope);
    if (!user)
        throw notFound('User');
    return serializeUser(user);
}
export async function listBusinessUsers(ctx, businessId, page) {
    const { rows, total } = await listUsers(ctx.db, businessId, page);
    return { users: rows.map(serializeUser), total, page: page.page, per_page: page.perPage };
}
export async function changeUser(ctx, userId, scope, input) {
    const values = {};
    if (input.first_name !== undefined)
        values.firstName = input.first_name.trim();
    if (input.last_name !== undefined)
        values.lastName = input.last_name.trim();
    if (input.email !== undefined)
        values.email = input.email;
    if (input.phone !== undefined)
        values.phone = input.phone;
    const user = await updateUser(ctx.db, userId, scope, values);
    if (!user)
        throw notFound('User');
    return serializeUser(user);
}
/** Conversations and messages go with the user (ON DELETE CASCADE). */
export async function removeUser(ctx, userId, scope) {
    if (!(await deleteUser(ctx.db, userId, scope)))
        throw notFound('User');
}
//# sourceMappingURL=users.service.js.map