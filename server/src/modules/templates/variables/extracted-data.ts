import { missingRequired } from '../../fields/index.js';
import {
  businessConfig,
  collectedData,
  currentStage,
  type Maybe,
  onceKnown,
  type VariableEnv,
  type VariableProvider,
} from './variable-env.js';

/** The current stage's required fields the conversation has not collected, as `- label: description` lines. */
function missingFields(env: VariableEnv): Maybe<string> {
  return onceKnown(businessConfig(env), (config) =>
    onceKnown(currentStage(env), (stage) =>
      onceKnown(collectedData(env), (data) => {
        if (!stage) return '';
        return missingRequired(config.business.fields, stage, data ?? {})
          .map((f) => `- ${f.label}${f.description.trim() ? `: ${f.description.trim()}` : ''}`)
          .join('\n');
      }),
    ),
  );
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
export function extractedKeyValues(
  env: VariableEnv,
  names: readonly string[],
): Maybe<Record<string, unknown>> {
  return onceKnown(collectedData(env), (data) => {
    const values: Record<string, unknown> = {};
    if (!data) return values;
    for (const name of names) {
      if (Object.hasOwn(data, name)) values[name] = data[name];
      else {
        const root = name.split('.')[0] as string;
        if (root !== name && Object.hasOwn(data, root)) values[root] = data[root];
      }
    }
    return values;
  });
}
