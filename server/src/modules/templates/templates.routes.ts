import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { EmptyBody, errorResponses, ListResponse, PageQuery, toPage, Uuid } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf, scopeBusinessId } from '../../plugins/auth.js';
import {
  describeTemplateVariables,
  listVariableCatalogue,
  renderTemplatePreview,
} from './template-preview.service.js';
import { findTemplate } from './templates.repository.js';
import {
  CatalogueVariableList,
  CreateTemplateBody,
  ListTemplatesQuery,
  RenderBody,
  RenderResponse,
  Template,
  TemplateVariableList,
  TemplateVersionList,
  TemplateWithWarnings,
  UpdateTemplateBody,
  VersionParams,
} from './templates.schemas.js';
import {
  changeTemplate,
  createTemplate,
  getTemplate,
  listBusinessTemplates,
  listVersions,
  removeTemplate,
  restoreVersion,
  serializeTemplate,
} from './templates.service.js';

const tags = ['templates'];
const Params = Type.Object({ template_id: Uuid });

export const templateRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const templateOwner = byResource(
    'template_id',
    async (id) => (await findTemplate(ctx.db, id, undefined))?.businessId,
  );

  app.post(
    '/api/templates',
    {
      config: { access: { permission: 'edit', business: 'body' } },
      schema: {
        tags,
        summary: 'Create a template (warnings name variables the catalogue does not know)',
        body: CreateTemplateBody,
        response: { 201: TemplateWithWarnings, ...errorResponses(400, 401, 403, 409, 413) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const businessId = scopeBusinessId(principal, request.body.business_id);
      return reply.status(201).send(await createTemplate(ctx, principal, businessId, request.body));
    },
  );

  app.get(
    '/api/templates',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags,
        summary: 'List a business’s templates',
        querystring: ListTemplatesQuery,
        response: { 200: ListResponse('templates', Template), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) =>
      listBusinessTemplates(
        ctx,
        scopeBusinessId(principalOf(request), request.query.business_id),
        request.query,
        toPage(request.query),
      ),
  );

  app.get(
    '/api/templates/:template_id',
    {
      config: { access: { permission: 'read', business: templateOwner } },
      schema: { tags, params: Params, response: { 200: Template, ...errorResponses(400, 401, 404) } },
    },
    async (request) =>
      serializeTemplate(
        await getTemplate(ctx, request.params.template_id, businessFilter(principalOf(request))),
      ),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/templates/:template_id',
      config: { access: { permission: 'edit', business: templateOwner } },
      schema: {
        tags,
        summary: 'Update a template (partial); the change is stored as a new version',
        params: Params,
        body: UpdateTemplateBody,
        response: { 200: TemplateWithWarnings, ...errorResponses(400, 401, 404, 409, 413) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return changeTemplate(
          ctx,
          principal,
          request.params.template_id,
          businessFilter(principal),
          request.body,
        );
      },
    });
  }

  app.delete(
    '/api/templates/:template_id',
    {
      config: { access: { permission: 'edit', business: templateOwner } },
      schema: {
        tags,
        summary: 'Delete a template (409 while a stage uses it)',
        params: Params,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await removeTemplate(ctx, principal, request.params.template_id, businessFilter(principal));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/templates/:template_id/versions',
    {
      config: { access: { permission: 'read', business: templateOwner } },
      schema: {
        tags,
        summary: 'A template’s versions, newest first',
        params: Params,
        querystring: Type.Object(PageQuery),
        response: {
          200: TemplateVersionList,
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) =>
      listVersions(
        ctx,
        request.params.template_id,
        businessFilter(principalOf(request)),
        toPage(request.query),
      ),
  );

  app.post(
    '/api/templates/:template_id/versions/:version/restore',
    {
      config: { access: { permission: 'edit', business: templateOwner } },
      schema: {
        tags,
        summary: 'Restore a version: its name, content and system prompt become a new version',
        params: VersionParams,
        body: EmptyBody,
        response: { 200: TemplateWithWarnings, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return restoreVersion(
        ctx,
        principal,
        request.params.template_id,
        businessFilter(principal),
        request.params.version,
      );
    },
  );

  app.post(
    '/api/templates/:template_id/render',
    {
      config: { access: { permission: 'read', business: templateOwner } },
      schema: {
        tags,
        summary: 'Render a template with supplied variables and, optionally, a real conversation',
        params: Params,
        body: RenderBody,
        response: { 200: RenderResponse, ...errorResponses(400, 401, 404, 413) },
      },
    },
    async (request) =>
      renderTemplatePreview(
        ctx,
        principalOf(request),
        request.params.template_id,
        businessFilter(principalOf(request)),
        request.body ?? {},
      ),
  );

  app.get(
    '/api/templates/:template_id/variables',
    {
      config: { access: { permission: 'read', business: templateOwner } },
      schema: {
        tags,
        summary: 'The variables a template uses',
        params: Params,
        response: {
          200: TemplateVariableList,
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) =>
      describeTemplateVariables(ctx, request.params.template_id, businessFilter(principalOf(request))),
  );

  app.get(
    '/api/template-variables',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: 'The built-in variable catalogue',
        response: { 200: CatalogueVariableList, ...errorResponses(401) },
      },
    },
    async () => listVariableCatalogue(),
  );
};
