import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { CreateFieldBody, Field, FieldList, FieldName, UpdateFieldBody } from './fields.schemas.js';
import { createField, deleteField, getField, listFields, updateField } from './fields.service.js';

const tags = ['fields'];
const BusinessParams = Type.Object({ business_id: Uuid });
const FieldParams = Type.Object({ business_id: Uuid, name: FieldName });
const read = { access: { permission: 'read', business: 'param' } } as const;
const edit = { access: { permission: 'edit', business: 'param' } } as const;

export const fieldRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const business = (request: FastifyRequest & { params: { business_id: string } }) =>
    scopeBusinessId(principalOf(request), request.params.business_id);

  app.get(
    '/api/businesses/:business_id/fields',
    {
      config: read,
      schema: {
        tags,
        summary: "A business's typed fields (draft configuration), in creation order",
        params: BusinessParams,
        response: { 200: FieldList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => listFields(ctx, business(request)),
  );

  app.post(
    '/api/businesses/:business_id/fields',
    {
      config: edit,
      schema: {
        tags,
        summary: 'Add a typed field to the draft (409 when the name is taken)',
        params: BusinessParams,
        body: CreateFieldBody,
        response: { 201: Field, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createField(ctx, principalOf(request), business(request), request.body)),
  );

  app.get(
    '/api/businesses/:business_id/fields/:name',
    {
      config: read,
      schema: { tags, params: FieldParams, response: { 200: Field, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request) => getField(ctx, business(request), request.params.name),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/businesses/:business_id/fields/:name',
      config: edit,
      schema: {
        tags,
        summary: 'Update a field (partial; the name is its identifier and does not change)',
        description:
          '409 when a transition rule compares the field with a value the changed field would not accept (change the rule first).',
        params: FieldParams,
        body: UpdateFieldBody,
        response: { 200: Field, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (request) =>
        updateField(ctx, principalOf(request), business(request), request.params.name, request.body),
    });
  }

  app.delete(
    '/api/businesses/:business_id/fields/:name',
    {
      config: edit,
      schema: {
        tags,
        summary: 'Delete a field (409 while a stage’s goals or transition rules use it)',
        params: FieldParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await deleteField(ctx, principalOf(request), business(request), request.params.name);
      return reply.status(204).send(null);
    },
  );
};
