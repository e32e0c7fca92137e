import type { AppContext } from '../../context.js';
import type { LlmClient } from '../../llm/llm-client.js';
import { extractOffline, routeStageOffline } from '../../llm/offline-engine.js';
import { parseExtractionAnswer, parseStageAnswer } from '../../llm/parse-answers.js';
import type { BusinessConfig } from '../config-cache/business-config-cache.js';
import type { StageRow } from '../stages/stages.repository.js';
import { DEFAULT_FALLBACK_REPLY } from '../templates/default-templates.js';
import { renderTemplate } from '../templates/render-template.js';
import { BUILT_IN_VARIABLE_NAMES } from '../templates/variable-catalogue.js';
import { computeVariables, type VariableContext } from '../templates/variables/compute-variables.js';
import { emptyStep, type LlmSettings, runLlmStep, type StepCall } from './pipeline-steps.js';
import type { ProcessingStep, TurnListener } from './pipeline-types.js';

export interface TurnInput {
  config: BusinessConfig;
  conversationId: string;
  userId: string;
  user?: { firstName: string; lastName: string } | undefined;
  stageId: string | null;
  collectedData: Record<string, unknown>;
  messageId: string;
  messageContent: string;
  listener?: TurnListener | undefined;
}

export interface TurnResult {
  stage: StageRow;
  previousStage: StageRow;
  extracted: Record<string, unknown>;
  reply: string;
  fallback: boolean;
  engine: 'llm' | 'offline';
  steps: ProcessingStep[];
  /** Every step that ran, including a speculative extraction that was thrown away, for the call log. */
  calls: StepCall[];
}

export function entryStageOf(config: BusinessConfig, stageId: string | null): StageRow {
  const stage =
    (stageId && config.stagesById.get(stageId)) ||
    (config.entryStageId && config.stagesById.get(config.entryStageId)) ||
    config.stages[0];
  if (!stage) throw new Error(`business ${config.business.businessId} has no stages`);
  return stage;
}

function fallbackText(config: BusinessConfig, stage: StageRow): string {
  return stage.fallbackReply || config.business.settings.fallback_reply || DEFAULT_FALLBACK_REPLY;
}

/** select → extract → respond for one inbound message; nothing here writes to the database. */
export async function runTurn(ctx: AppContext, llm: LlmClient | null, input: TurnInput): Promise<TurnResult> {
  const { config, listener } = input;
  const current = entryStageOf(config, input.stageId);
  const base: VariableContext = {
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
  const result = llm
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

async function runWithModel(
  ctx: AppContext,
  llm: LlmClient,
  input: TurnInput,
  current: StageRow,
  base: VariableContext,
): Promise<TurnResult> {
  const { config, listener } = input;
  const settings: LlmSettings = {
    model: config.business.settings.llm_model || undefined,
    provider: config.business.settings.llm_provider,
    temperature: config.business.settings.llm_temperature,
  };
  const template = (id: string) => config.templatesById.get(id);
  const emit = (call: StepCall) => {
    listener?.onStep?.(call.step);
    return call;
  };
  const multiStage = config.stages.length > 1;
  const stageNames = config.stages.map((s) => s.stageName);

  // Extraction for the current stage starts alongside selection and is kept when the stage stays.
  const speculative = runLlmStep(
    ctx,
    llm,
    settings,
    'data_extraction',
    current,
    template(current.dataExtractionTemplateId),
    base,
    { kind: 'json' },
  );
  const selection = multiStage
    ? await runLlmStep(
        ctx,
        llm,
        settings,
        'stage_selection',
        current,
        template(current.stageSelectionTemplateId),
        base,
        {
          kind: 'choice',
          options: stageNames,
        },
      )
    : {
        step: emptyStep('stage_selection', template(current.stageSelectionTemplateId), 'llm'),
        templateId: null,
        stageId: current.stageId,
      };
  emit(selection);
  const chosenId = selection.llm?.ok ? parseStageAnswer(selection.llm.text, config.stages) : null;
  const stage = (chosenId && config.stagesById.get(chosenId)) || current;
  const calls: StepCall[] = [selection];

  let extraction: StepCall;
  const variables: VariableContext =
    stage.stageId === current.stageId
      ? base
      : { ...base, stageId: stage.stageId, previousStageId: current.stageId };
  if (stage.stageId === current.stageId) {
    extraction = await speculative;
    if (multiStage) extraction.step.reused = true;
  } else {
    const [discarded, fresh] = await Promise.all([
      speculative,
      runLlmStep(
        ctx,
        llm,
        settings,
        'data_extraction',
        stage,
        template(stage.dataExtractionTemplateId),
        variables,
        { kind: 'json' },
      ),
    ]);
    calls.push({ ...discarded, step: { ...discarded.step, status: discarded.step.status, skipped: true } });
    extraction = fresh;
  }
  emit(extraction);
  calls.push(extraction);
  const extracted = extraction.llm?.ok ? parseExtractionAnswer(extraction.llm.text) : {};
  listener?.onExtracted?.({ extracted_data: extracted });
  const collectedData = { ...input.collectedData, ...extracted };

  const modelDown = selection.step.status === 'error' || extraction.step.status === 'error';
  let reply: string;
  let fallback = false;
  let response: StepCall;
  if (modelDown) {
    // The model already failed this turn after its retries: answer at once instead of failing again.
    response = {
      step: emptyStep('response_generation', template(stage.responseGenerationTemplateId), 'llm'),
      templateId: null,
      stageId: stage.stageId,
    };
    reply = fallbackText(config, stage);
    fallback = true;
  } else {
    response = await runLlmStep(
      ctx,
      llm,
      settings,
      'response_generation',
      stage,
      template(stage.responseGenerationTemplateId),
      { ...variables, collectedData },
      { kind: 'text' },
      listener?.onToken,
    );
    reply = response.llm?.ok ? response.llm.text.trim() : '';
    if (!reply) {
      reply = fallbackText(config, stage);
      fallback = true;
    }
  }
  emit(response);
  calls.push(response);
  return {
    stage: modelDown ? current : stage,
    previousStage: current,
    extracted: modelDown && extraction.step.status === 'error' ? {} : extracted,
    reply,
    fallback,
    engine: 'llm',
    steps: [selection.step, extraction.step, response.step],
    calls,
  };
}

/** The model-less engine: similarity routing, pattern extraction, the stage's fallback text. */
async function runOffline(
  ctx: AppContext,
  input: TurnInput,
  current: StageRow,
  base: VariableContext,
): Promise<TurnResult> {
  const { config, listener } = input;
  const started = performance.now();
  const multiStage = config.stages.length > 1;
  const routed = multiStage
    ? routeStageOffline(
        input.messageContent,
        config.stages.map((s) => ({
          stage_id: s.stageId,
          stage_name: s.stageName,
          stage_description: s.stageDescription,
        })),
        current.stageId,
      )
    : { stageId: current.stageId, scores: {} };
  const stage = (routed.stageId && config.stagesById.get(routed.stageId)) || current;
  const selection: ProcessingStep = multiStage
    ? {
        ...emptyStep('stage_selection', undefined, 'offline'),
        skipped: false,
        status: 'success',
        prompt: input.messageContent,
        response: stage.stageName,
        model: 'offline-engine',
        provider: 'offline',
        latency_ms: Math.round(performance.now() - started),
      }
    : emptyStep('stage_selection', undefined, 'offline');
  listener?.onStep?.(selection);

  const extractStarted = performance.now();
  const extracted = extractOffline(input.messageContent);
  const extraction: ProcessingStep = {
    ...emptyStep('data_extraction', undefined, 'offline'),
    skipped: false,
    status: 'success',
    prompt: input.messageContent,
    response: JSON.stringify(extracted),
    model: 'offline-engine',
    provider: 'offline',
    latency_ms: Math.round(performance.now() - extractStarted),
  };
  listener?.onStep?.(extraction);
  listener?.onExtracted?.({ extracted_data: extracted });

  const replyStarted = performance.now();
  const text = fallbackText(config, stage);
  const collectedData = { ...input.collectedData, ...extracted };
  const names = [
    ...new Set([...text.matchAll(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g)].map((m) => m[1] as string)),
  ];
  const { values } = names.length
    ? await computeVariables(ctx, names, {
        ...base,
        stageId: stage.stageId,
        previousStageId: current.stageId,
        collectedData,
      })
    : { values: {} };
  const reply =
    renderTemplate(text, values, { knownVariables: BUILT_IN_VARIABLE_NAMES }).rendered.trim() ||
    DEFAULT_FALLBACK_REPLY;
  const response: ProcessingStep = {
    ...emptyStep('response_generation', undefined, 'offline'),
    skipped: false,
    status: 'success',
    prompt: text,
    response: reply,
    model: 'offline-engine',
    provider: 'offline',
    latency_ms: Math.round(performance.now() - replyStarted),
  };
  listener?.onStep?.(response);
  listener?.onToken?.(reply);
  const steps = [selection, extraction, response];
  return {
    stage,
    previousStage: current,
    extracted,
    reply,
    fallback: false,
    engine: 'offline',
    steps,
    calls: steps
      .filter((s) => !s.skipped)
      .map((step) => ({ step, templateId: null, stageId: stage.stageId })),
  };
}
