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
/** One provider per built-in variable of the catalogue (a unit test keeps the two in step). */
export const VARIABLE_PROVIDERS = Object.freeze({
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
const isBuiltIn = (name) => Object.hasOwn(VARIABLE_PROVIDERS, name);
const rootOf = (name) => name.split('.')[0];
const failure = (name) => `The variable {{${name}}} could not be computed and was left empty`;
/**
 * Computes the named variables (only those), concurrently. Built-ins come from their providers;
 * any other name is looked up in the conversation's collected facts. A variable the context cannot
 * know is left out (the renderer reports it missing); a provider that fails yields '' and a warning.
 */
export async function computeVariables(ctx, names, vc) {
    const env = { ctx, vc, memo: vc.memo ?? new Map() };
    const values = {};
    const warnings = [];
    const builtIns = new Set();
    const others = [];
    for (const name of new Set(names)) {
        // `{{extracted_data.email}}` needs the built-in `extracted_data`; the renderer walks the path.
        const target = isBuiltIn(name) ? name : isBuiltIn(rootOf(name)) ? rootOf(name) : undefined;
        if (target)
            builtIns.add(target);
        else
            others.push(name);
    }
    const jobs = [...builtIns].map(async (name) => {
        try {
            const value = await VARIABLE_PROVIDERS[name](env);
            if (value !== undefined)
                values[name] = value;
        }
        catch {
            values[name] = '';
            warnings.push(failure(name));
        }
    });
    if (others.length > 0) {
        jobs.push(extractedKeyValues(env, others).then((found) => {
            Object.assign(values, found);
        }, () => {
            for (const name of others) {
                values[name] = '';
                warnings.push(failure(name));
            }
        }));
    }
    await Promise.all(jobs);
    return { values, warnings };
}
const isSupplied = (supplied, name) => Object.hasOwn(supplied, name) || Object.hasOwn(supplied, rootOf(name));
const union = (a, b) => [...new Set([...a, ...b])];
/**
 * Renders a template's content and system prompt; supplied values win over computed ones. Bounded by
 * the configured prompt limits (`PromptTooLarge`, a 413): the template itself, each value, and the
 * whole prompt (content + system prompt), which the render checks as it builds.
 */
export async function renderWithContext(ctx, template, vc, supplied = {}) {
    const systemPrompt = template.system_prompt ?? template.systemPrompt ?? '';
    const limits = ctx.config.prompt;
    if (Math.max(template.content.length, systemPrompt.length) > limits.maxTemplateChars) {
        throw new PromptTooLarge('template', limits.maxTemplateChars);
    }
    const names = union(extractVariableNames(template.content), extractVariableNames(systemPrompt));
    const needed = names.filter((name) => !isSupplied(supplied, name));
    const computed = needed.length > 0 ? await computeVariables(ctx, needed, vc) : { values: {}, warnings: [] };
    const variables = { ...computed.values, ...supplied };
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
//# sourceMappingURL=compute-variables.js.map