import { missingRequired } from '../../fields/index.js';
import {
  businessConfig,
  collectedData,
  currentStage,
  type VariableEnv,
  type VariableProvider,
} from './variable-env.js';

/** The current stage's required fields the conversation has not collected, as `- label: description` lines. */
async function missingFields(env: VariableEnv): Promise<string> {
  const [config, stage, data] = await Promise.all([
    businessConfig(env),
    currentStage(env),
    collectedData(env),
  ]);
  if (!stage) return '';
  return missingRequired(config.business.fields, stage, data ?? {})
    .map((f) => `- ${f.label}${f.description.trim() ? `: ${f.description.trim()}` : ''}`)
    .join('\n');
}

export const extractedDataVariables: Record<string, VariableProvider> = {
  extracted_data: (env) => collectedData(env),
  missing_fields: missingFields,
};

/**
 * Values for names that are not built in: each collected fact is a variable of its own name
 * (`{{email}}`), and a dotted name reaches into a nested fact (`{{order.id}}`). Names the
 * conversation has not collected stay absent, so the renderer reports them missing.
 */
export async function extractedKeyValues(env: VariableEnv, names: readonly string[]) {
  const values: Record<string, unknown> = {};
  const data = await collectedData(env);
  if (!data) return values;
  for (const name of names) {
    if (Object.hasOwn(data, name)) values[name] = data[name];
    else {
      const root = name.split('.')[0] as string;
      if (root !== name && Object.hasOwn(data, root)) values[root] = data[root];
    }
  }
  return values;
}
