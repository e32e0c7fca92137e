import { AppError } from '../../errors.js';
import { hashSecret } from '../../lib/keys.js';
import { getWebChannel } from '../channels/channels.service.js';
import { getBusinessConfig } from '../config-cache/index.js';
import { checkOrigin, normalizeOrigin } from './widget-cors.js';
const bearerOf = (request) => {
    const header = request.headers.authorization;
    const scheme = header?.match(/^bearer[ \t]+/i);
    return header && scheme ? header.slice(scheme[0].length).trim() || undefined : undefined;
};
/** Rate-limit bucket: the visitor token (hashed) when one is sent, else the client address. */
export function visitorRateKey(request) {
    const token = bearerOf(request);
    return token ? `wv:${hashSecret(token).slice(0, 32)}` : `ip:${request.ip}`;
}
/**
 * The visitor a widget request comes from: a valid token of a business whose web channel is still
 * enabled, called from one of its allowed origins (or without Origin, from outside a browser).
 * Disabling the channel stops existing visitors at once, not only new sessions.
 */
export function createVisitorAuth(ctx, tokens) {
    const ownOrigin = normalizeOrigin(ctx.config.publicUrl);
    return async function visitorOf(request, reply) {
        const token = bearerOf(request);
        if (!token)
            throw new AppError('AUTHENTICATION_ERROR', 'A visitor token is required');
        const identity = tokens.verify(token);
        if (!identity)
            throw new AppError('AUTHENTICATION_ERROR', 'The visitor token is not valid');
        // A token of a deleted business names nobody (and must not make getWebChannel create a row).
        if (!(await getBusinessConfig(ctx, identity.businessId))) {
            throw new AppError('AUTHENTICATION_ERROR', 'The visitor token is not valid');
        }
        const channel = await getWebChannel(ctx, identity.businessId);
        if (!channel.enabled)
            throw new AppError('AUTHORIZATION_ERROR', 'The web chat is not enabled');
        checkOrigin(request, reply, channel.allowedOrigins, ownOrigin, false);
        return { ...identity, channel };
    };
}
//# sourceMappingURL=widget-visitor.js.map