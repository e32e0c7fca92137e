import { AppError } from '../../errors.js';
import { errorResponses } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { toAppError } from '../../plugins/error-handler.js';
import { handleInboundMessage } from './handle-inbound-message.js';
import { MessageBody, MessageResponse } from './message.schemas.js';
const tags = ['messages'];
export const messageRoutes = (ctx, processor) => async (root) => {
    const app = root.withTypeProvider();
    app.post('/api/message', {
        config: { access: { permission: 'messages', business: 'body' } },
        schema: {
            tags,
            summary: 'Send a customer message through select → extract → respond',
            description: 'With `Accept: text/event-stream` the reply streams as server-sent events: `stage`, `extracted`, `step`, ' +
                '`token` and a final `done` carrying the JSON below (or `error`). The `Idempotency-Key` header is an ' +
                'alternative to `external_message_id`.',
            body: MessageBody,
            response: {
                200: MessageResponse,
                202: MessageResponse,
                ...errorResponses(400, 401, 403, 404, 413, 429),
            },
        },
    }, async (request, reply) => {
        const body = request.body;
        const businessId = scopeBusinessId(principalOf(request), body.business_id);
        const content = body.content ?? body.message;
        if (content === undefined) {
            throw new AppError('VALIDATION_ERROR', 'content is required', {
                field_errors: { content: 'is required' },
            });
        }
        const idempotencyKey = request.headers['idempotency-key'];
        const input = {
            businessId,
            content,
            userId: body.user_id,
            conversationId: body.conversation_id,
            channel: body.channel ?? 'api',
            externalMessageId: body.external_message_id ??
                (typeof idempotencyKey === 'string' && idempotencyKey ? idempotencyKey.slice(0, 200) : undefined),
        };
        if (!String(request.headers.accept ?? '').includes('text/event-stream')) {
            const result = await handleInboundMessage(ctx, processor, input);
            return reply.status(result.ai_stopped ? 202 : 200).send(result);
        }
        // Keep what the hooks set on the reply (rate-limit, CORS, security headers): a hijacked reply
        // would drop them.
        const hooked = {};
        for (const [name, value] of Object.entries(reply.getHeaders())) {
            if (value !== undefined)
                hooked[name] = value;
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
        const send = (event, data) => {
            if (!raw.writableEnded)
                raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        try {
            const result = await handleInboundMessage(ctx, processor, input, {
                onStage: (event) => send('stage', event),
                onExtracted: (event) => send('extracted', event),
                onStep: (step) => send('step', step),
                onToken: (text) => send('token', { text }),
            });
            send('done', result);
        }
        catch (error) {
            const appError = toAppError(error);
            if (appError.statusCode >= 500)
                request.log.error({ err: error }, 'streamed message failed');
            send('error', {
                error: { code: appError.code, message: appError.message, details: appError.details },
            });
        }
        finally {
            raw.end();
        }
    });
};
//# sourceMappingURL=message.routes.js.map