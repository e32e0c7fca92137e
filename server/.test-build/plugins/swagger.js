import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorResponse } from '../lib/schemas.js';
import { APP_VERSION } from '../version.js';
import { createOpenapiComponents } from './openapi-components.js';
export async function registerSwagger(app) {
    app.addSchema(ErrorResponse);
    const components = createOpenapiComponents();
    await app.register(swagger, {
        transform: components.transform,
        transformObject: components.transformObject,
        // Shared schemas appear under their own names (#/components/schemas/ErrorResponse), not def-N.
        refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
        openapi: {
            openapi: '3.1.0',
            info: {
                title: 'ICMP API',
                version: APP_VERSION,
                description: 'Intelligent Conversation Management Platform. Every error has the shape ' +
                    '`{"error": {"code", "message", "details"}}`.',
            },
            components: {
                securitySchemes: {
                    bearerAuth: { type: 'http', scheme: 'bearer' },
                    apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
                    cookieAuth: { type: 'apiKey', in: 'cookie', name: 'icmp_session' },
                },
            },
            security: [{ bearerAuth: [] }, { apiKeyHeader: [] }, { cookieAuth: [] }],
        },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
//# sourceMappingURL=swagger.js.map