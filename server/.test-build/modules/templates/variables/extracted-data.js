import { collectedData } from './variable-env.js';
export const extractedDataVariables = {
    extracted_data: (env) => collectedData(env),
};
/**
 * Values for names that are not built in: each collected fact is a variable of its own name
 * (`{{email}}`), and a dotted name reaches into a nested fact (`{{order.id}}`). Names the
 * conversation has not collected stay absent, so the renderer reports them missing.
 */
export async function extractedKeyValues(env, names) {
    const values = {};
    const data = await collectedData(env);
    if (!data)
        return values;
    for (const name of names) {
        if (Object.hasOwn(data, name))
            values[name] = data[name];
        else {
            const root = name.split('.')[0];
            if (root !== name && Object.hasOwn(data, root))
                values[root] = data[root];
        }
    }
    return values;
}
//# sourceMappingURL=extracted-data.js.map