import type { AppContext } from '../../../context.js';
import { extractVariableNames, PromptTooLarge, renderTemplate } from '../render-template.js';
import { allHistoryVariables } from './all-conversation-history.js';
import { businessVariables } from './business.js';
import { historyVariables } from './conversation-history.js';
import { extractedDataVariables, extractedKeyValues } from './extracted-data.js';
import { idVariables } from './ids.js';
import { messageVariables } from './message.js';
import { stageVariables } from './stages.js';
import { timeVariables } from './time.js';
import { userVariables } from './user-name.js';
import {
  isPending,
  type Maybe,
  remember,
  type VariableContext,
  type VariableEnv,
  type VariableProvider,
} from './variable-env.js';

export type { VariableContext } from './variable-env.js';

/** One provider per built-in variable of the catalogue (a unit test keeps the two in step). */
export const VARIABLE_PROVIDERS: Readonly<Record<string, VariableProvider>> = Object.freeze({
  ...messageVariables,
  ...idVariables,
  ...businessVariables,
  ...stageVariables,
  ...historyVariables,
  ...allHistoryVariables,
  ...userVariables,
  ...extractedDataVariables,
  ...timeVariables,
});

const isBuiltIn = (name: string) => Object.hasOwn(VARIABLE_PROVIDERS, name);
const rootOf = (name: string) => {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
};

/**
 * Variables that read only the message, the conversation before it and the configuration: what one
 * memo's lifetime (one message) holds fixed. Each is computed once per memo, however many of a turn's
 * renders quote it (the default templates quote the history in all three). The others read the stage
 * or the facts, which change between a turn's renders.
 */
const SAME_FOR_THE_MESSAGE = new Map(
  [
    'conversation_history',
    'last_10_messages',
    'user_messages',
    'all_conversation_history',
    'business_name',
    'business_description',
    'business_info',
  ].map((name) => [name, `variable:${name}`]),
);

function provide(env: VariableEnv, name: string): unknown {
  const provider = VARIABLE_PROVIDERS[name] as VariableProvider;
  const memoKey = SAME_FOR_THE_MESSAGE.get(name);
  return memoKey ? remember(env, memoKey, () => provider(env)) : provider(env);
}

const failure = (name: string) => `The variable {{${name}}} could not be computed and was left empty`;

interface ComputedVariables {
  values: Record<string, unknown>;
  warnings: string[];
}

/**
 * Computes the named variables (only those). Built-ins come from their providers; any other name is
 * looked up in the conversation's collected facts. A variable the context cannot know is left out (the
 * renderer reports it missing); a provider that fails yields '' and a warning. What the context already
 * holds is answered at once; what must be read is read concurrently, and only then is there a promise.
 */
export function computeVariables(
  ctx: AppContext,
  names: readonly string[],
  vc: VariableContext,
): Maybe<ComputedVariables> {
  const env: VariableEnv = { ctx, vc, memo: vc.memo ?? new Map() };
  const values: Record<string, unknown> = {};
  const warnings: string[] = [];
  const builtIns = new Set<string>();
  const others: string[] = [];
  for (const name of new Set(names)) {
    // `{{extracted_data.email}}` needs the built-in `extracted_data`; the renderer walks the path.
    const target = isBuiltIn(name) ? name : isBuiltIn(rootOf(name)) ? rootOf(name) : undefined;
    if (target) builtIns.add(target);
    else others.push(name);
  }

  const pending: Promise<unknown>[] = [];
  // A provider that throws at once fails like one whose promise rejects.
  const settle = <T>(compute: () => Maybe<T>, keep: (value: T) => void, fail: () => void) => {
    try {
      const value = compute();
      if (isPending(value)) pending.push(value.then(keep, fail));
      else keep(value);
    } catch {
      fail();
    }
  };
  for (const name of builtIns) {
    settle(
      () => provide(env, name),
      (value) => {
        if (value !== undefined) values[name] = value;
      },
      () => {
        values[name] = '';
        warnings.push(failure(name));
      },
    );
  }
  if (others.length > 0) {
    settle(
      () => extractedKeyValues(env, others),
      (found) => Object.assign(values, found),
      () => {
        for (const name of others) {
          values[name] = '';
          warnings.push(failure(name));
        }
      },
    );
  }
  const computed = { values, warnings };
  return pending.length === 0 ? computed : Promise.all(pending).then(() => computed);
}

export interface RenderableTemplate {
  content: string;
  system_prompt?: string | null;
  systemPrompt?: string | null;
}

export interface RenderedTemplate {
  rendered_content: string;
  rendered_system_prompt: string;
  variables_used: string[];
  missing_variables: string[];
  warnings: string[];
}

const isSupplied = (supplied: Record<string, unknown>, name: string) =>
  Object.hasOwn(supplied, name) || Object.hasOwn(supplied, rootOf(name));

const union = (a: string[], b: string[]) =>
  b.length === 0 ? a : a.length === 0 ? b : [...new Set([...a, ...b])];

interface TemplateNames {
  content: string;
  systemPrompt: string;
  names: string[];
}

// A turn renders the config cache's template rows again and again: their names are worked out once
// per row (and again if a caller changed the row's text).
const namesByTemplate = new WeakMap<RenderableTemplate, TemplateNames>();

function variableNamesOf(template: RenderableTemplate, systemPrompt: string): readonly string[] {
  const known = namesByTemplate.get(template);
  if (known && known.content === template.content && known.systemPrompt === systemPrompt) return known.names;
  const names = union(extractVariableNames(template.content), extractVariableNames(systemPrompt));
  namesByTemplate.set(template, { content: template.content, systemPrompt, names });
  return names;
}

const hasKeys = (record: Record<string, unknown>) => {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
};

/**
 * Renders a template's content and system prompt; supplied values win over computed ones. Bounded by
 * the configured prompt limits (`PromptTooLarge`, a 413): the template itself, each value, and the
 * whole prompt (content + system prompt), which the render checks as it builds.
 */
export async function renderWithContext(
  ctx: AppContext,
  template: RenderableTemplate,
  vc: VariableContext,
  supplied: Record<string, unknown> = {},
): Promise<RenderedTemplate> {
  const systemPrompt = template.system_prompt ?? template.systemPrompt ?? '';
  const limits = ctx.config.prompt;
  if (Math.max(template.content.length, systemPrompt.length) > limits.maxTemplateChars) {
    throw new PromptTooLarge('template', limits.maxTemplateChars);
  }
  const names = variableNamesOf(template, systemPrompt);
  const anySupplied = hasKeys(supplied);
  const needed = anySupplied ? names.filter((name) => !isSupplied(supplied, name)) : names;
  const maybeComputed = needed.length > 0 ? computeVariables(ctx, needed, vc) : { values: {}, warnings: [] };
  const computed = isPending(maybeComputed) ? await maybeComputed : maybeComputed;
  const variables = anySupplied ? { ...computed.values, ...supplied } : computed.values;
  const content = renderTemplate(template.content, variables, {
    maxChars: limits.maxPromptChars,
    maxValueChars: limits.maxVariableChars,
  });
  const system = renderTemplate(systemPrompt, variables, {
    maxChars: limits.maxPromptChars - content.rendered.length,
    maxValueChars: limits.maxVariableChars,
  });
  return {
    rendered_content: content.rendered,
    rendered_system_prompt: system.rendered,
    variables_used: union(content.variablesUsed, system.variablesUsed),
    missing_variables: union(content.missingVariables, system.missingVariables),
    warnings: computed.warnings,
  };
}
