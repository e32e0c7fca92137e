import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` keeps the global (dashboard) CORS configuration off a route. */
    cors?: false;
  }
}

const ALLOWED_HEADERS = 'authorization, content-type, last-event-id';

/** `https://Shop.Example:443/` → `https://shop.example`; anything that is not an http(s) origin → null. */
export function normalizeOrigin(value: string | undefined | null): string | null {
  if (!value || value === 'null') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

export const requestOrigin = (request: FastifyRequest) => normalizeOrigin(request.headers.origin);

/**
 * Throws 403 unless the request's Origin is one of the business's allowed origins (or the server's
 * own, for the dashboard's preview); on success the response may be read by that origin. A request
 * without Origin (not a browser) passes only when `required` is false.
 */
export function checkOrigin(
  request: FastifyRequest,
  reply: FastifyReply,
  allowed: readonly string[],
  ownOrigin: string | null,
  required: boolean,
) {
  const origin = requestOrigin(request);
  if (!origin) {
    if (!required) return;
    throw new AppError('AUTHORIZATION_ERROR', 'The widget must be opened from a web page (Origin header)');
  }
  const permitted = origin === ownOrigin || allowed.some((entry) => normalizeOrigin(entry) === origin);
  if (!permitted) {
    throw new AppError(
      'AUTHORIZATION_ERROR',
      `The origin ${origin} is not in this business's allowed_origins`,
    );
  }
  reply.header('access-control-allow-origin', origin);
}

/**
 * CORS for /api/widget/* only, per request. A preflight carries neither the body (publishable key)
 * nor the Authorization value, so it cannot know the business: it lets any origin *send*, and the
 * real request decides who may *read* — success bodies only for an allowed origin (`checkOrigin`),
 * error envelopes for any (they reveal nothing, and the widget needs the status to recover).
 * No cookies are involved, so no `Access-Control-Allow-Credentials`.
 */
export function registerWidgetCors(app: FastifyInstance) {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('vary', 'origin');
    if (request.method !== 'OPTIONS') return;
    const origin = requestOrigin(request);
    if (!origin || !request.headers['access-control-request-method']) {
      return reply.status(400).send({
        error: {
          code: 'VALIDATION_ERROR',
          message: 'A CORS preflight needs Origin and Access-Control-Request-Method',
        },
      });
    }
    return reply
      .status(204)
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', '600')
      .send();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const origin = requestOrigin(request);
    if (origin && reply.statusCode >= 400 && !reply.hasHeader('access-control-allow-origin')) {
      reply.header('access-control-allow-origin', origin);
    }
    done(null, payload);
  });
}
