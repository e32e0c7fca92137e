import { tracing } from '../../lib/tracing.js';
import { PromptTooLarge } from '../templates/index.js';
import { renderWithContext } from '../templates/variables/compute-variables.js';
export function emptyStep(step, template, engine) {
    return {
        step,
        template_id: template?.templateId ?? null,
        template_name: template?.templateName ?? null,
        prompt: '',
        system_prompt: '',
        response: '',
        latency_ms: 0,
        skipped: true,
        engine,
        provider: null,
        model: null,
        tokens_in: 0,
        tokens_out: 0,
        cost_usd: 0,
        status: 'skipped',
    };
}
/** Renders a stage's template for a step and, with a client, asks the model (a span `step <name>`). */
export function runLlmStep(ctx, llm, settings, name, stage, template, variables, output, onToken) {
    const attributes = {
        'icmp.step': name,
        'icmp.stage_id': stage.stageId,
        'icmp.template_id': template?.templateId ?? '',
    };
    return tracing().span(`step ${name}`, attributes, async (span) => {
        const call = await runStep(ctx, llm, settings, name, stage, template, variables, output, onToken);
        span.set({ 'icmp.step_status': call.step.status });
        if (call.step.status === 'error')
            span.fail(call.step.error === 'timeout' ? 'timeout' : 'step failed');
        return call;
    });
}
async function runStep(ctx, llm, settings, name, stage, template, variables, output, onToken) {
    if (!template) {
        return {
            step: { ...emptyStep(name, undefined, 'llm'), status: 'error', error: 'template missing' },
            templateId: null,
            stageId: stage.stageId,
        };
    }
    let rendered;
    try {
        rendered = await renderWithContext(ctx, template, variables);
    }
    catch (error) {
        if (!(error instanceof PromptTooLarge))
            throw error;
        // Never sent to the model: the step fails (logged in the call log with the reason) and the turn
        // answers with its fallback.
        return {
            step: {
                ...emptyStep(name, template, 'llm'),
                skipped: false,
                provider: llm.provider,
                model: settings.model ?? llm.defaultModel,
                status: 'error',
                error: error.message,
            },
            templateId: template.templateId,
            stageId: stage.stageId,
        };
    }
    const result = await llm.complete({
        system: rendered.rendered_system_prompt,
        prompt: rendered.rendered_content,
        output,
        model: settings.model,
        provider: settings.provider,
        temperature: settings.temperature,
        deadline: settings.deadline,
        onToken,
    });
    ctx.metrics.recordLlmCall(name, result);
    const step = {
        step: name,
        template_id: template.templateId,
        template_name: template.templateName,
        prompt: rendered.rendered_content,
        system_prompt: rendered.rendered_system_prompt,
        response: result.text,
        latency_ms: result.latencyMs,
        skipped: false,
        engine: 'llm',
        provider: result.provider,
        model: result.model,
        tokens_in: result.tokensIn,
        tokens_out: result.tokensOut,
        cost_usd: result.costUsd,
        status: result.ok ? 'success' : 'error',
        ...(result.error ? { error: result.error } : {}),
        ...(rendered.missing_variables.length ? { missing_variables: rendered.missing_variables } : {}),
    };
    return { step, llm: result, templateId: template.templateId, stageId: stage.stageId };
}
//# sourceMappingURL=pipeline-steps.js.map