import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses, Nullable, Uuid } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf } from '../../plugins/auth.js';
import { findTemplate } from '../templates/index.js';
import { testTemplate } from './template-test.service.js';

const TemplateTestBody = Type.Object(
  {
    variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    conversation_id: Type.Optional(Uuid),
    message_content: Type.Optional(Type.String({ maxLength: 20_000 })),
    content: Type.Optional(Type.String({ maxLength: 100_000, description: 'An unsaved draft to test' })),
    system_prompt: Type.Optional(Type.String({ maxLength: 100_000 })),
  },
  { $id: 'TemplateTestBody', additionalProperties: false },
);

const TemplateTestResult = Type.Object(
  {
    template_id: Uuid,
    template_type: Type.String(),
    rendered_prompt: Type.String(),
    rendered_system_prompt: Type.String(),
    variables_used: Type.Array(Type.String()),
    missing_variables: Type.Array(Type.String()),
    raw_response: Type.String(),
    parsed_response: Type.Unknown(),
    engine: Type.Union([Type.Literal('llm'), Type.Literal('offline')]),
    provider: Type.String(),
    model: Type.String(),
    latency_ms: Type.Integer(),
    tokens_in: Type.Integer(),
    tokens_out: Type.Integer(),
    cost_usd: Type.Number(),
    status: Type.Union([Type.Literal('success'), Type.Literal('error')]),
    error: Nullable(Type.String()),
  },
  { $id: 'TemplateTestResult' },
);

export const templateTestRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const templateOwner = byResource(
    'template_id',
    async (id) => (await findTemplate(ctx.db, id, undefined))?.businessId,
  );
  app.post(
    '/api/templates/:template_id/test',
    {
      config: { access: { permission: 'edit', business: templateOwner } },
      schema: {
        tags: ['templates'],
        summary: 'Render a template with a real or sample context and run it through the LLM',
        params: Type.Object({ template_id: Uuid }),
        body: TemplateTestBody,
        response: { 200: TemplateTestResult, ...errorResponses(400, 401, 404, 413) },
      },
    },
    async (request) =>
      testTemplate(
        ctx,
        principalOf(request),
        request.params.template_id,
        businessFilter(principalOf(request)),
        request.body,
      ),
  );
};
