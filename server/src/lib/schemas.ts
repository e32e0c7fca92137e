import { type TSchema, Type } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const Timestamp = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error response' },
);

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export interface Page {
  page: number;
  perPage: number;
  offset: number;
}

export function toPage(query: { page?: number; per_page?: number }): Page {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 20;
  return { page, perPage, offset: (page - 1) * perPage };
}

/**
 * `{"<plural>": [...], total, page, per_page}` as api.md's Lists section specifies; named after its
 * item (`BusinessList` for `Business`) so the OpenAPI document has it as a component.
 */
export function ListResponse<T extends TSchema>(plural: string, item: T, name = `${item.$id}List`) {
  return Type.Object(
    {
      [plural]: Type.Array(item),
      total: Type.Integer(),
      page: Type.Integer(),
      per_page: Type.Integer(),
    },
    { $id: name },
  );
}

/** Responses refer to the one shared ErrorResponse schema (registered in plugins/swagger.ts). */
const ErrorResponseRef = Type.Ref(ErrorResponse);
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorResponseRef]));

export const BusinessIdQuery = Type.Object({ business_id: Type.Optional(Uuid) });

/**
 * The body of a POST that takes no input: `{}` or nothing at all (a missing body reads as `{}`, see
 * app.ts); anything else is a 400, and a form or text/plain body a 415.
 */
export const EmptyBody = Type.Object({}, { $id: 'EmptyBody', additionalProperties: false });
