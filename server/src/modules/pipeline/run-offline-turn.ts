import type { AppContext } from '../../context.js';
import { extractOffline, routeStageOffline } from '../../llm/offline-engine.js';
import { stageFields, typedFromPatterns } from '../fields/index.js';
import type { StageRow } from '../stages/index.js';
import type { VariableContext } from '../templates/variables/compute-variables.js';
import { renderFallbackReply } from './fallback-reply.js';
import { emptyStep } from './pipeline-steps.js';
import type { ProcessingStep } from './pipeline-types.js';
import type { TurnInput, TurnResult } from './turn-types.js';

/** The model-less engine: similarity routing, pattern extraction, the stage's fallback text. */
export async function runOffline(
  ctx: AppContext,
  input: TurnInput,
  current: StageRow,
  base: VariableContext,
): Promise<Omit<TurnResult, 'complete'>> {
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
  const patterns = extractOffline(input.messageContent);
  // A stage with goals keeps only its typed fields, filled from the patterns of their type.
  const fields = stageFields(config.business.fields, stage);
  const typed = fields.length ? typedFromPatterns(fields, patterns, input.messageContent) : undefined;
  const extracted: Record<string, unknown> = typed ? typed.values : patterns;
  const extraction: ProcessingStep = {
    ...emptyStep('data_extraction', undefined, 'offline'),
    skipped: false,
    status: 'success',
    prompt: input.messageContent,
    response: JSON.stringify(extracted),
    model: 'offline-engine',
    provider: 'offline',
    latency_ms: Math.round(performance.now() - extractStarted),
    ...(typed?.rejected.length ? { rejected_values: typed.rejected } : {}),
  };
  listener?.onStep?.(extraction);
  listener?.onExtracted?.({ extracted_data: extracted });

  const replyStarted = performance.now();
  const collectedData = { ...input.collectedData, ...extracted };
  const { text, reply } = await renderFallbackReply(ctx, config, stage, {
    ...base,
    stageId: stage.stageId,
    previousStageId: current.stageId,
    collectedData,
  });
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
