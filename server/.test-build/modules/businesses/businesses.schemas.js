import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
const Text = (max) => Type.String({ maxLength: max });
export const BusinessSettingsSchema = Type.Object({
    fallback_reply: Type.Optional(Text(2000)),
    llm_model: Type.Optional(Text(200)),
    llm_provider: Type.Optional(Type.Union([Type.Literal('openai'), Type.Literal('anthropic')])),
    llm_temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    history_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    handoff_message: Type.Optional(Type.String({
        maxLength: 1000,
        description: 'What the assistant says when a customer asks for a person (empty or absent: the default)',
    })),
    llm_budget_usd: Type.Optional(Nullable(Type.Number({
        minimum: 0,
        maximum: 1_000_000,
        description: 'Monthly LLM budget in USD, from the recorded cost of this calendar month (UTC); at it the offline engine answers until the month ends or the budget is raised. null in an update removes the budget',
    }))),
}, { $id: 'BusinessSettings', additionalProperties: false });
export const Business = Type.Object({
    business_id: Uuid,
    business_name: Type.String(),
    business_description: Type.String(),
    address: Nullable(Type.String()),
    phone_number: Nullable(Type.String()),
    website: Nullable(Type.String()),
    owner_id: Nullable(Type.String()),
    first_stage_id: Nullable(Uuid),
    settings: BusinessSettingsSchema,
    has_api_key: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
}, { $id: 'Business' });
const profileFields = {
    business_description: Type.Optional(Text(5000)),
    address: Type.Optional(Nullable(Text(500))),
    phone_number: Type.Optional(Nullable(Text(50))),
    website: Type.Optional(Nullable(Text(500))),
    owner_id: Type.Optional(Nullable(Text(200))),
};
export const CreateBusinessBody = Type.Object({
    business_name: Type.String({ minLength: 1, maxLength: 200 }),
    ...profileFields,
    settings: Type.Optional(BusinessSettingsSchema),
}, { $id: 'CreateBusinessBody', additionalProperties: false });
export const UpdateBusinessBody = Type.Object({
    business_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...profileFields,
    first_stage_id: Type.Optional(Uuid),
    settings: Type.Optional(BusinessSettingsSchema),
}, { $id: 'UpdateBusinessBody', additionalProperties: false, minProperties: 1 });
export const BusinessWithKey = Type.Intersect([Business, Type.Object({ api_key: Type.String() })], {
    $id: 'BusinessWithKey',
});
export const BusinessApiKey = Type.Object({ api_key: Type.String() }, { $id: 'BusinessApiKey' });
//# sourceMappingURL=businesses.schemas.js.map