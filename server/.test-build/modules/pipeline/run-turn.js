import { parseExtractionAnswer, parseStageAnswer } from '../../llm/parse-answers.js';
import { atLlmBudget } from '../analytics/index.js';
import { renderFallbackReply } from './fallback-reply.js';
import { emptyStep, runLlmStep } from './pipeline-steps.js';
import { runOffline } from './run-offline-turn.js';
export function entryStageOf(config, stageId) {
    const stage = (stageId && config.stagesById.get(stageId)) ||
        (config.entryStageId && config.stagesById.get(config.entryStageId)) ||
        config.stages[0];
    if (!stage)
        throw new Error(`business ${config.business.businessId} has no stages`);
    return stage;
}
/** select → extract → respond for one inbound message; nothing here writes to the database. */
export async function runTurn(ctx, llm, input) {
    const { config, listener } = input;
    const current = entryStageOf(config, input.stageId);
    const base = {
        businessId: config.business.businessId,
        conversationId: input.conversationId,
        userId: input.userId,
        user: input.user,
        stageId: current.stageId,
        // undefined: the provider looks up the conversation's last transition when a template asks.
        previousStageId: undefined,
        messageId: input.messageId,
        messageContent: input.messageContent,
        collectedData: input.collectedData,
        now: new Date(),
        memo: new Map(),
    };
    const result = 
    // A business at its monthly `llm_budget_usd` is answered by the offline engine.
    llm && !(await atLlmBudget(ctx.db, config.business.businessId, config.business.settings.llm_budget_usd))
        ? await runWithModel(ctx, llm, input, current, base)
        : await runOffline(ctx, input, current, base);
    if (result.stage.stageId !== current.stageId) {
        listener?.onStage?.({
            stage_id: result.stage.stageId,
            stage_name: result.stage.stageName,
            previous_stage_id: current.stageId,
        });
    }
    return result;
}
async function runWithModel(ctx, llm, input, current, base) {
    const { config, listener } = input;
    const settings = {
        model: config.business.settings.llm_model || undefined,
        provider: config.business.settings.llm_provider,
        temperature: config.business.settings.llm_temperature,
        // One deadline for the whole turn: each call gets min(its own timeout, the time left).
        deadline: Date.now() + ctx.config.turnTimeoutMs,
    };
    const template = (id) => config.templatesById.get(id);
    const emit = (call) => {
        listener?.onStep?.(call.step);
        return call;
    };
    const multiStage = config.stages.length > 1;
    const stageNames = config.stages.map((s) => s.stageName);
    // Extraction for the current stage starts alongside selection and is kept when the stage stays.
    const speculative = runLlmStep(ctx, llm, settings, 'data_extraction', current, template(current.dataExtractionTemplateId), base, { kind: 'json' });
    const selection = multiStage
        ? await runLlmStep(ctx, llm, settings, 'stage_selection', current, template(current.stageSelectionTemplateId), base, {
            kind: 'choice',
            options: stageNames,
        })
        : {
            step: emptyStep('stage_selection', template(current.stageSelectionTemplateId), 'llm'),
            templateId: null,
            stageId: current.stageId,
        };
    emit(selection);
    const chosenId = selection.llm?.ok ? parseStageAnswer(selection.llm.text, config.stages) : null;
    const stage = (chosenId && config.stagesById.get(chosenId)) || current;
    const calls = [selection];
    let extraction;
    const variables = stage.stageId === current.stageId
        ? base
        : { ...base, stageId: stage.stageId, previousStageId: current.stageId };
    if (stage.stageId === current.stageId) {
        extraction = await speculative;
        if (multiStage)
            extraction.step.reused = true;
    }
    else {
        const [discarded, fresh] = await Promise.all([
            speculative,
            runLlmStep(ctx, llm, settings, 'data_extraction', stage, template(stage.dataExtractionTemplateId), variables, { kind: 'json' }),
        ]);
        calls.push({ ...discarded, step: { ...discarded.step, status: discarded.step.status, skipped: true } });
        extraction = fresh;
    }
    emit(extraction);
    calls.push(extraction);
    // The message's facts survive a failure elsewhere in the turn: when the new stage's extraction failed,
    // what the current stage's (speculative) extraction found is kept.
    const speculated = await speculative;
    const extracted = extraction.llm?.ok
        ? parseExtractionAnswer(extraction.llm.text)
        : speculated.llm?.ok
            ? parseExtractionAnswer(speculated.llm.text)
            : {};
    listener?.onExtracted?.({ extracted_data: extracted });
    const collectedData = { ...input.collectedData, ...extracted };
    const modelDown = selection.step.status === 'error' || extraction.step.status === 'error';
    let reply;
    let fallback = false;
    let response;
    if (modelDown) {
        // The model already failed this turn after its retries: answer at once instead of failing again.
        response = {
            step: emptyStep('response_generation', template(stage.responseGenerationTemplateId), 'llm'),
            templateId: null,
            stageId: stage.stageId,
        };
        // The fallback sees what this message told us ({{email}} just given), not only what was known before.
        reply = (await renderFallbackReply(ctx, config, current, { ...base, collectedData })).reply;
        fallback = true;
    }
    else {
        response = await runLlmStep(ctx, llm, settings, 'response_generation', stage, template(stage.responseGenerationTemplateId), { ...variables, collectedData }, { kind: 'text' }, listener?.onToken);
        reply = response.llm?.ok ? response.llm.text.trim() : '';
        if (!reply) {
            reply = (await renderFallbackReply(ctx, config, stage, { ...variables, collectedData })).reply;
            fallback = true;
        }
    }
    emit(response);
    calls.push(response);
    return {
        stage: modelDown ? current : stage,
        previousStage: current,
        extracted,
        reply,
        fallback,
        engine: 'llm',
        steps: [selection.step, extraction.step, response.step],
        calls,
    };
}
//# sourceMappingURL=run-turn.js.map