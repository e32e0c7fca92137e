import type { OutgoingHttpHeaders } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { errorResponses } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { toAppError } from '../../plugins/error-handler.js';
import type { ConversationProcessor } from './conversation-processor.js';
import { handleInboundMessage } from './handle-inbound-message.js';
import { MessageBody, MessageResponse } from './message.schemas.js';
import { messageResponseJson, processingStepJson } from './message-response.js';

const tags = ['messages'];

export const messageRoutes =
  (ctx: AppContext, processor: ConversationProcessor) => async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/api/message',
      {
        config: { access: { permission: 'messages', business: 'body' } },
        // Not compressed: `processing_steps` quote every prompt, so a reply passes the 8 KiB threshold once
        // a conversation has some history, and brotli then cost ~10 % of the server's CPU per message at
        // c=32 (bench profile) to save bytes on what is mostly a server-to-server call. A proxy in front
        // may still compress it.
        compress: false,
        // The reply is handed to Node as bytes: as a string (10–20 KB once the prompts are quoted) Node
        // would join it to the headers and copy the joined string again on its way to the socket.
        onSend: (_request, _reply, payload, done) => {
          done(null, typeof payload === 'string' ? Buffer.from(payload) : payload);
        },
        schema: {
          tags,
          summary: 'Send a customer message through select → extract → respond',
          description:
            'With `Accept: text/event-stream` the reply streams as server-sent events: `stage`, `extracted`, `step`, ' +
            '`token` and a final `done` carrying the JSON below (or `error`), each as the turn gets there: a reply ' +
            'whose template uses no collected facts may stream its `token`s before `extracted`. The first `token` ' +
            'comes as soon as the reply call streams and the stage is settled. The `Idempotency-Key` header is an ' +
            'alternative to `external_message_id`.',
          body: MessageBody,
          response: {
            200: MessageResponse,
            202: MessageResponse,
            ...errorResponses(400, 401, 403, 404, 413, 429),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const businessId = scopeBusinessId(principalOf(request), body.business_id);
        const content = body.content ?? body.message;
        if (content === undefined) {
          throw new AppError('VALIDATION_ERROR', 'content is required', {
            field_errors: { content: 'is required' },
          });
        }
        if (body.configuration === 'draft' && body.channel !== 'simulator') {
          throw new AppError('VALIDATION_ERROR', 'configuration draft runs only in the simulator', {
            field_errors: { configuration: 'draft needs channel simulator' },
          });
        }
        const idempotencyKey = request.headers['idempotency-key'];
        const input = {
          businessId,
          content,
          userId: body.user_id,
          conversationId: body.conversation_id,
          channel: body.channel ?? 'api',
          draft: body.configuration === 'draft',
          externalMessageId:
            body.external_message_id ??
            (typeof idempotencyKey === 'string' && idempotencyKey ? idempotencyKey.slice(0, 200) : undefined),
        };

        if (!String(request.headers.accept ?? '').includes('text/event-stream')) {
          const result = await handleInboundMessage(ctx, processor, input);
          return reply
            .status(result.ai_stopped ? 202 : 200)
            .type('application/json; charset=utf-8')
            .serializer(messageResponseJson)
            .send(result);
        }

        // Keep what the hooks set on the reply (rate-limit, CORS, security headers): a hijacked reply
        // would drop them.
        const hooked: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value !== undefined) hooked[name] = value;
        }
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          ...hooked,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          'x-request-id': request.id,
        });
        const sendJson = (event: string, json: string) => {
          if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${json}\n\n`);
        };
        const send = (event: string, data: unknown) => sendJson(event, JSON.stringify(data));
        try {
          const result = await handleInboundMessage(ctx, processor, input, {
            onStage: (event) => send('stage', event),
            onExtracted: (event) => send('extracted', event),
            onStep: (step) => sendJson('step', processingStepJson(step)),
            onToken: (text) => send('token', { text }),
          });
          sendJson('done', messageResponseJson(result));
        } catch (error) {
          const appError = toAppError(error as Parameters<typeof toAppError>[0]);
          if (appError.statusCode >= 500) request.log.error({ err: error }, 'streamed message failed');
          send('error', {
            error: { code: appError.code, message: appError.message, details: appError.details },
          });
        } finally {
          raw.end();
        }
      },
    );
  };
