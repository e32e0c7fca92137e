import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import {
  ConfigurationDiff,
  ConfigurationExport,
  DiffQuery,
  ImportResult,
  PublishBody,
  Release,
  ReleaseList,
  ReleaseStatus,
  RestoreBody,
} from './releases.schemas.js';
import {
  diffConfigurations,
  exportConfiguration,
  getRelease,
  importConfiguration,
  listBusinessReleases,
  publishRelease,
  releaseStatus,
  restoreRelease,
} from './releases.service.js';

const tags = ['releases'];
const BusinessParams = Type.Object({ business_id: Uuid });
const ReleaseParams = Type.Object({
  business_id: Uuid,
  number: Type.Integer({ minimum: 1, maximum: 999_999_999 }),
});
const read = { access: { permission: 'read', business: 'param' } } as const;
const edit = { access: { permission: 'edit', business: 'param' } } as const;

export const releaseRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const business = (request: FastifyRequest & { params: { business_id: string } }) =>
    scopeBusinessId(principalOf(request), request.params.business_id);

  app.get(
    '/api/businesses/:business_id/releases',
    {
      config: read,
      schema: {
        tags,
        summary: "A business's releases, newest first, with the published one and whether the draft differs",
        params: BusinessParams,
        response: { 200: ReleaseList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => listBusinessReleases(ctx, business(request)),
  );

  app.post(
    '/api/businesses/:business_id/releases',
    {
      config: edit,
      schema: {
        tags,
        summary: 'Publish the draft as the next release: live traffic uses it from now on',
        params: BusinessParams,
        body: PublishBody,
        response: { 201: Release, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await publishRelease(ctx, principalOf(request), business(request), request.body.note)),
  );

  app.get(
    '/api/businesses/:business_id/releases/status',
    {
      config: read,
      schema: {
        tags,
        summary: 'The published release number and whether the draft differs from it',
        params: BusinessParams,
        response: { 200: ReleaseStatus, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => releaseStatus(ctx, business(request)),
  );

  app.get(
    '/api/businesses/:business_id/releases/diff',
    {
      config: read,
      schema: {
        tags,
        summary:
          'What changed between two of: the draft, the published release, release N (per setting, stage, template)',
        params: BusinessParams,
        querystring: DiffQuery,
        response: { 200: ConfigurationDiff, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      diffConfigurations(
        ctx,
        business(request),
        request.query.from ?? 'published',
        request.query.to ?? 'draft',
      ),
  );

  app.get(
    '/api/businesses/:business_id/releases/:number',
    {
      config: read,
      schema: {
        tags,
        summary: 'One release with its whole configuration',
        params: ReleaseParams,
        response: { 200: Release, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getRelease(ctx, business(request), request.params.number),
  );

  app.post(
    '/api/businesses/:business_id/releases/:number/restore',
    {
      config: edit,
      schema: {
        tags,
        summary: "Restore release N: the draft becomes N's content and is published as a new release",
        params: ReleaseParams,
        body: Type.Optional(RestoreBody),
        response: { 201: Release, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await restoreRelease(
            ctx,
            principalOf(request),
            business(request),
            request.params.number,
            request.body?.note,
          ),
        ),
  );

  app.get(
    '/api/businesses/:business_id/configuration/export',
    {
      config: read,
      schema: {
        tags,
        summary:
          'The draft configuration as one JSON document (format_version 1), for git or another installation',
        params: BusinessParams,
        response: { 200: ConfigurationExport, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => exportConfiguration(ctx, principalOf(request), business(request)),
  );

  app.post(
    '/api/businesses/:business_id/configuration/import',
    {
      config: edit,
      schema: {
        tags,
        summary: 'Replace the draft with an exported document (not published: publish to make it live)',
        params: BusinessParams,
        body: ConfigurationExport,
        response: { 200: ImportResult, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => importConfiguration(ctx, principalOf(request), business(request), request.body),
  );
};
