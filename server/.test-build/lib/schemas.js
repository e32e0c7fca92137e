import { Type } from '@sinclair/typebox';
export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const Timestamp = Type.String({ format: 'date-time' });
export const Nullable = (schema) => Type.Union([schema, Type.Null()]);
export const ErrorResponse = Type.Object({
    error: Type.Object({
        code: Type.String(),
        message: Type.String(),
        details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
}, { $id: 'ErrorResponse', description: 'Every error response' });
export const PageQuery = {
    page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};
export function toPage(query) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    return { page, perPage, offset: (page - 1) * perPage };
}
/**
 * `{"<plural>": [...], total, page, per_page}` as api.md's Lists section specifies; named after its
 * item (`BusinessList` for `Business`) so the OpenAPI document has it as a component.
 */
export function ListResponse(plural, item, name = `${item.$id}List`) {
    return Type.Object({
        [plural]: Type.Array(item),
        total: Type.Integer(),
        page: Type.Integer(),
        per_page: Type.Integer(),
    }, { $id: name });
}
/** `cursor`: keyset paging, for lists that may be long (conversations, messages, LLM calls). */
export const CursorQuery = {
    cursor: Type.Optional(Type.String({
        maxLength: 200,
        description: 'The `next_cursor` of the previous page: the page after it, at the same cost at any depth ' +
            '(`page` is then ignored). Prefer it to deep page numbers.',
    })),
};
/**
 * A list that also pages by cursor: the `ListResponse` fields plus `next_cursor` (null on the last
 * page) and `total_capped` (true when the count stopped at its cap: there are more than `total`).
 */
export function CursorListResponse(plural, item, name = `${item.$id}List`) {
    return Type.Object({
        [plural]: Type.Array(item),
        total: Type.Integer({ description: 'Matching rows; the cap when `total_capped` is true' }),
        total_capped: Type.Boolean({
            description: 'true: the count stopped at its cap (1,000) — there are more than `total`',
        }),
        page: Type.Integer(),
        per_page: Type.Integer(),
        next_cursor: Type.Union([Type.String(), Type.Null()], {
            description: 'Pass as `cursor` for the next page; null on the last page',
        }),
    }, { $id: name });
}
/** Responses refer to the one shared ErrorResponse schema (registered in plugins/swagger.ts). */
const ErrorResponseRef = Type.Ref(ErrorResponse);
export const errorResponses = (...statuses) => Object.fromEntries(statuses.map((status) => [status, ErrorResponseRef]));
export const BusinessIdQuery = Type.Object({ business_id: Type.Optional(Uuid) });
/**
 * The body of a POST that takes no input: `{}` or nothing at all (a missing body reads as `{}`, see
 * app.ts); anything else is a 400, and a form or text/plain body a 415.
 */
export const EmptyBody = Type.Object({}, { $id: 'EmptyBody', additionalProperties: false });
//# sourceMappingURL=schemas.js.map