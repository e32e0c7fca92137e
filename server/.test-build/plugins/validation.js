import { AjvCompiler } from '@fastify/ajv-compiler';
const AJV_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: false };
/**
 * Query strings, path parameters and headers arrive as text, so they are coerced (`?page=2` → 2).
 * JSON bodies are not: `{"business_name": 123}` must be a 400, and coercion would also turn `null`
 * into `""` in a nullable field (Ajv coerces inside `anyOf`), so a client could never clear one.
 */
export function createSchemaController() {
    const fromPool = AjvCompiler();
    return {
        compilersFactory: {
            buildValidator: (externalSchemas, serverOptions) => {
                const plugins = serverOptions?.plugins ?? [];
                const coercing = fromPool(externalSchemas, {
                    plugins,
                    customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' },
                });
                const strict = fromPool(externalSchemas, {
                    plugins,
                    customOptions: { ...AJV_OPTIONS, coerceTypes: false },
                });
                return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route));
            },
        },
    };
}
//# sourceMappingURL=validation.js.map