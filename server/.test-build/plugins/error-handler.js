import { STATUS_CODES } from 'node:http';
import { AppError, ERROR_STATUS } from '../errors.js';
const envelope = (code, message, details) => ({
    error: details ? { code, message, details } : { code, message },
});
/** Turns Ajv issues into `{field: message}`, naming the field the way the client sent it. */
function fieldErrors(issues) {
    const result = {};
    for (const issue of issues) {
        const missing = issue.params?.missingProperty;
        const extra = issue.params?.additionalProperty;
        const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
        const field = missing ? (path ? `${path}.${missing}` : missing) : extra ? extra : path || 'body';
        if (!result[field])
            result[field] = extra ? 'is not allowed' : (issue.message ?? 'is invalid');
    }
    return result;
}
/** PostgreSQL error codes that are a client's mistake, not ours. */
function fromDatabaseError(error) {
    switch (error.code) {
        case '23505':
            return new AppError('CONFLICT', 'A record with these values already exists');
        case '23503':
            return new AppError('VALIDATION_ERROR', 'A referenced record does not exist');
        case '22P02':
        case '22007':
        case '22008':
        case '22021': // e.g. a NUL character in text
        case '22P05':
        case '22001':
        case '22003':
            return new AppError('VALIDATION_ERROR', 'A value has the wrong format');
        case '57014': // statement_timeout (dashboard queries have one): busy, not broken
            return new AppError('SERVICE_ERROR', 'The query took too long; try a shorter date range or again later', {
                reason: 'query_timeout',
            });
        case '57P01':
        case '08006':
        case '08001':
        case '08003':
        case '53300':
            return new AppError('SERVICE_ERROR', 'The database is unavailable');
        default:
            return null;
    }
}
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
const UNAVAILABLE_MESSAGE = /Connection terminated|PGlite is closed|Cannot use a pool after calling end|timeout exceeded when trying to connect/i;
export function toAppError(error) {
    if (error instanceof AppError)
        return error;
    if (error.validation) {
        const where = error.validationContext ?? 'body';
        return new AppError('VALIDATION_ERROR', `Invalid ${where}`, {
            field_errors: fieldErrors(error.validation),
        });
    }
    const dbError = fromDatabaseError(error) ?? fromDatabaseError((error.cause ?? {}));
    if (dbError)
        return dbError;
    // Drizzle wraps driver errors ("Failed query: …"), so look at the cause as well.
    const cause = (error.cause ?? {});
    if (CONNECTION_ERRORS.has(String(error.code)) ||
        CONNECTION_ERRORS.has(String(cause.code)) ||
        UNAVAILABLE_MESSAGE.test(error.message) ||
        UNAVAILABLE_MESSAGE.test(String(cause.message ?? ''))) {
        return new AppError('SERVICE_ERROR', 'A dependency is unavailable');
    }
    switch (error.code) {
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
            return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
            return new AppError('VALIDATION_ERROR', 'Unsupported Content-Type; send application/json', undefined, 415);
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
            return new AppError('VALIDATION_ERROR', 'Request body is empty; send a JSON object');
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
            return new AppError('VALIDATION_ERROR', 'Content-Length does not match the body');
    }
    if (error.statusCode === 400 || error instanceof SyntaxError) {
        return new AppError('VALIDATION_ERROR', 'Malformed request body: not valid JSON');
    }
    if (error.statusCode === 429)
        return new AppError('RATE_LIMITED', 'Too many requests');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return new AppError('VALIDATION_ERROR', error.message, undefined, error.statusCode);
    }
    return new AppError('INTERNAL_ERROR', 'An unexpected error occurred');
}
/**
 * Fastify answers some errors before routing, outside `setErrorHandler` (a URL that cannot be
 * percent-decoded); pass this as the `frameworkErrors` option so they get the envelope too.
 */
export function renderFrameworkError(error, _request, reply) {
    const appError = error.code === 'FST_ERR_BAD_URL'
        ? new AppError('VALIDATION_ERROR', 'The URL is not valid (bad percent-encoding)')
        : toAppError(error);
    reply.status(appError.statusCode).send(envelope(appError.code, appError.message, appError.details));
}
/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, a malformed
 * header line): answer those in the JSON envelope too (Fastify's `clientErrorHandler`).
 */
export function writeClientError(error, socket) {
    if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
    }
    // A parser error while the answer to the previous request is still being made (bytes after it, e.g.
    // a body sent without framing): a 400 now would come before or after that answer and corrupt what
    // the client reads — the fuzzer found one appended after an answer's Connection: close. Let the
    // answer finish, then close.
    const inFlight = socket._httpMessage;
    if (inFlight && !inFlight.writableFinished) {
        inFlight.once('finish', () => socket.end());
        return;
    }
    // The request before these bytes was answered and said `Connection: close`: flush, add nothing.
    if (error.code === 'HPE_CLOSED_CONNECTION') {
        socket.end();
        return;
    }
    const [status, appError] = error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, new AppError('PAYLOAD_TOO_LARGE', 'Request headers are too large', undefined, 431)]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, new AppError('VALIDATION_ERROR', 'The request took too long to arrive', undefined, 408)]
            : [400, new AppError('VALIDATION_ERROR', 'Malformed request (headers or framing)')];
    const body = JSON.stringify(envelope(appError.code, appError.message));
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        'connection: close\r\n\r\n' +
        body);
}
export function registerErrorHandler(app, isWebAppRoute = () => false) {
    app.setErrorHandler((error, request, reply) => {
        const appError = toAppError(error);
        if (appError.statusCode >= 500) {
            request.log.error({ err: error }, 'request failed');
        }
        else {
            request.log.info({ code: appError.code, message: appError.message }, 'client error');
        }
        const retryAfter = appError.details?.retry_after_seconds;
        if (appError.code === 'RATE_LIMITED' && typeof retryAfter === 'number') {
            reply.header('retry-after', String(retryAfter));
        }
        reply.status(appError.statusCode).send(envelope(appError.code, appError.message, appError.details));
    });
    app.setNotFoundHandler((request, reply) => {
        if (request.method === 'GET' && isWebAppRoute(request.url))
            return reply.sendFile('index.html');
        return reply
            .status(ERROR_STATUS.NOT_FOUND)
            .send(envelope('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`));
    });
}
//# sourceMappingURL=error-handler.js.map