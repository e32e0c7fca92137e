const PREFIX = '#/components/schemas/';
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A copy with nested named schemas replaced by references; each named schema lands in `out`. */
function hoist(value, out, root = false) {
    if (Array.isArray(value))
        return value.map((item) => hoist(item, out));
    if (!isObject(value))
        return value;
    const id = typeof value.$id === 'string' ? value.$id : null;
    if (id && !root) {
        if (!out.has(id)) {
            out.set(id, {}); // a placeholder first: a schema that refers to itself stops here
            out.set(id, hoist(value, out, true));
        }
        return { $ref: `${PREFIX}${id}` };
    }
    const copy = {};
    for (const [key, item] of Object.entries(value))
        if (key !== '$id')
            copy[key] = hoist(item, out);
    return copy;
}
export function createOpenapiComponents() {
    const named = new Map();
    const refTo = (schema) => {
        if (!isObject(schema) || typeof schema.$id !== 'string')
            return schema;
        named.set(schema.$id, schema);
        return {
            $ref: `${PREFIX}${schema.$id}`,
            ...(schema.description ? { description: schema.description } : {}),
        };
    };
    /** A response given per media type (`{content: {'text/event-stream': {schema}}}`) names each schema. */
    const responseRef = (response) => {
        if (!isObject(response) || !isObject(response.content))
            return refTo(response);
        const content = Object.fromEntries(Object.entries(response.content).map(([type, media]) => [
            type,
            isObject(media) ? { ...media, schema: refTo(media.schema) } : media,
        ]));
        return { ...response, content };
    };
    /** Per route: the body and each response become references when they are named. */
    const transform = ({ schema, url }) => {
        if (!schema)
            return { schema, url };
        const response = isObject(schema.response)
            ? Object.fromEntries(Object.entries(schema.response).map(([status, s]) => [status, responseRef(s)]))
            : schema.response;
        return { schema: { ...schema, body: refTo(schema.body), response }, url };
    };
    /** Once per document: the referenced schemas not yet listed become components. */
    const transformObject = (document) => {
        if (!('openapiObject' in document))
            return document.swaggerObject;
        const openapiObject = document.openapiObject;
        const components = (openapiObject.components ?? {});
        const schemas = (components.schemas ?? {});
        const hoisted = new Map();
        for (const schema of named.values())
            hoist(schema, hoisted);
        for (const [id, schema] of hoisted)
            if (!(id in schemas))
                schemas[id] = schema;
        openapiObject.components = { ...components, schemas };
        // An `EmptyBody` may be left out (the server reads a missing body as {}): not a required body.
        for (const path of Object.values((openapiObject.paths ?? {}))) {
            for (const operation of Object.values(path)) {
                const body = isObject(operation) ? operation.requestBody : undefined;
                if (isObject(body) && JSON.stringify(body.content ?? {}).includes(`"${PREFIX}EmptyBody"`)) {
                    body.required = false;
                }
            }
        }
        return openapiObject;
    };
    return { transform, transformObject };
}
//# sourceMappingURL=openapi-components.js.map