import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { parseStorableJson } from '../../../lib/storable-text.js';
import type { ConversationProcessor, TakenAtInsert } from '../../pipeline/conversation-processor.js';
import type { TurnScheduler } from '../../pipeline/turn-scheduler.js';
import { findMetaConnectionByExternalId, listVerifyTokens } from '../channels.service.js';
import { parseMessengerWebhook } from '../messenger/parse-messenger.js';
import { parseWhatsAppWebhook } from '../whatsapp/parse-whatsapp.js';
import { applyStatuses } from './apply-statuses.js';
import { verifyMetaSignature } from './meta-signature.js';
import type { InboundEvent, MetaChannel, MetaEvent, StatusEvent } from './meta-types.js';
import { type StoredInbound, storeInboundEvents } from './store-inbound-events.js';

const PARSERS: Record<MetaChannel, (body: unknown) => MetaEvent[]> = {
  whatsapp: parseWhatsAppWebhook,
  messenger: parseMessengerWebhook,
};

const VerifyQuery = Type.Object({
  'hub.mode': Type.Optional(Type.String()),
  'hub.verify_token': Type.Optional(Type.String()),
  'hub.challenge': Type.Optional(Type.String()),
});
const Ack = Type.Object({ status: Type.Literal('success') });

const digest = (value: string) => createHash('sha256').update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/**
 * GET/POST /webhook/whatsapp and /webhook/messenger. Registered as an encapsulated plugin so the raw
 * body (needed byte for byte for X-Hub-Signature-256) is captured on these routes only.
 */
export function metaWebhookRoutes(
  ctx: AppContext,
  turns: TurnScheduler<TakenAtInsert>,
  processor: ConversationProcessor,
) {
  return async function register(app: FastifyInstance) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    for (const channel of ['whatsapp', 'messenger'] as const) {
      app.get(
        `/webhook/${channel}`,
        {
          config: { access: 'public', rateLimit: false },
          schema: {
            tags: ['webhooks'],
            summary: `Meta's ${channel} webhook verification handshake`,
            querystring: VerifyQuery,
          },
        },
        async (request, reply) => {
          const query = request.query as Record<string, string | undefined>;
          const token = query['hub.verify_token'] ?? '';
          const known = await listVerifyTokens(ctx, channel);
          const ok =
            query['hub.mode'] === 'subscribe' &&
            token !== '' &&
            [ctx.config.meta.verifyToken, ...known].some((t) => t && sameSecret(t, token));
          if (!ok) throw new AppError('AUTHORIZATION_ERROR', 'Verification token does not match');
          return reply.type('text/plain; charset=utf-8').send(query['hub.challenge'] ?? '');
        },
      );

      app.post(
        `/webhook/${channel}`,
        {
          config: { access: 'public', rateLimit: false },
          schema: {
            tags: ['webhooks'],
            summary: `Meta's ${channel} webhook: signed with X-Hub-Signature-256, acknowledged once stored`,
            response: { 200: Ack },
          },
        },
        async (request, reply) => {
          const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const signature = request.headers['x-hub-signature-256'];
          // Turns wait while deliveries are being stored, so a burst is acknowledged first.
          const stored = await turns.ingest(() =>
            receive(ctx, processor, channel, raw, typeof signature === 'string' ? signature : undefined),
          );
          reply.send({ status: 'success' as const });
          // After the answer: Meta never waits for the LLM. The turns queue for a slot (TURN_CONCURRENCY);
          // a crash from here on leaves the messages pending, and the recovery sweep processes them.
          setImmediate(() => queueTurns(turns, stored));
          return reply;
        },
      );
    }
  };
}

/** Verifies, parses and durably stores one webhook delivery; throws the 4xx to answer. */
async function receive(
  ctx: AppContext,
  processor: ConversationProcessor,
  channel: MetaChannel,
  raw: Buffer,
  signature: string | undefined,
): Promise<StoredInbound[]> {
  if (!signature) throw new AppError('AUTHENTICATION_ERROR', 'X-Hub-Signature-256 header is missing');
  const globalSecret = ctx.config.meta.appSecret;
  const signedByApp = Boolean(globalSecret && verifyMetaSignature(raw, signature, globalSecret));
  let body: unknown;
  try {
    body = parseStorableJson(raw.toString('utf8'));
  } catch {
    // Unsigned garbage is refused as unsigned; signed garbage is a client error.
    if (!signedByApp) throw new AppError('AUTHORIZATION_ERROR', 'X-Hub-Signature-256 does not verify');
    throw new AppError('VALIDATION_ERROR', 'Body is not valid JSON');
  }
  if (signedByApp && (!body || typeof body !== 'object' || Array.isArray(body)))
    throw new AppError('VALIDATION_ERROR', 'Body must be a JSON object');

  const byRecipient = new Map<string, MetaEvent[]>();
  for (const event of PARSERS[channel](body)) {
    const list = byRecipient.get(event.recipientId) ?? [];
    list.push(event);
    byRecipient.set(event.recipientId, list);
  }
  const accepted: { businessId: string; events: MetaEvent[] }[] = [];
  for (const [recipientId, events] of byRecipient) {
    const connection = await findMetaConnectionByExternalId(ctx, channel, recipientId);
    if (!connection) continue; // an unknown phone number or page: acknowledged and ignored
    // A business's own app secret replaces META_APP_SECRET for its entries.
    const verified = connection.appSecret
      ? verifyMetaSignature(raw, signature, connection.appSecret)
      : signedByApp;
    if (verified) accepted.push({ businessId: connection.businessId, events });
  }
  if (!signedByApp && accepted.length === 0)
    throw new AppError('AUTHORIZATION_ERROR', 'X-Hub-Signature-256 does not verify');

  const stored: StoredInbound[] = [];
  for (const { businessId, events } of accepted) {
    const inbound = events.filter((e): e is InboundEvent => e.kind === 'message');
    stored.push(...(await storeInboundEvents(ctx, processor, businessId, inbound)));
    const statuses = events.filter((e): e is StatusEvent => e.kind === 'status');
    if (statuses.length) await applyStatuses(ctx, businessId, statuses);
  }
  return stored;
}

/** One queue entry per conversation, up to its latest stored message (processed in order). */
function queueTurns(turns: TurnScheduler<TakenAtInsert>, stored: StoredInbound[]) {
  for (const s of stored) turns.submit(s.conversationId, s.sequence, s.takenAtInsert);
}
