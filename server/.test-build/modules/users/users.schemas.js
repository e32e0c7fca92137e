import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
export const User = Type.Object({
    user_id: Uuid,
    business_id: Uuid,
    first_name: Type.String(),
    last_name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    whatsapp_id: Nullable(Type.String()),
    messenger_psid: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
}, { $id: 'User' });
const Name = Type.String({ maxLength: 200 });
const Email = Nullable(Type.String({ format: 'email', maxLength: 320 }));
const Phone = Nullable(Type.String({ pattern: '^\\+?[0-9 ()./-]{3,30}$' }));
export const CreateUserBody = Type.Object({
    business_id: Type.Optional(Uuid),
    first_name: Name,
    last_name: Name,
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
}, { $id: 'CreateUserBody', additionalProperties: false });
export const UpdateUserBody = Type.Object({
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
}, { $id: 'UpdateUserBody', additionalProperties: false, minProperties: 1 });
//# sourceMappingURL=users.schemas.js.map