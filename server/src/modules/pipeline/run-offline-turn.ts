import type { AppContext } from '../../context.js';
import { extractOffline, routeStageOffline } from '../../llm/offline-engine.js';
import { selectableStages } from '../config-cache/index.js';
import { stageFields, typedFromPatterns } from '../fields/index.js';
import type { StageRow } from '../stages/index.js';
import type { VariableContext } from '../templates/variables/compute-variables.js';
import { renderFallbackReply } from './fallback-reply.js';
import { emptyStep } from './pipeline-steps.js';
import type { ProcessingStep } from './pipeline-types.js';
import { type FiredRule, firedRule, hasFactRules, SELECTION_REASON } from './transition-rules.js';
import type { TurnInput, TurnResult } from './turn-types.js';

/** The model-less engine: similarity routing, pattern extraction, the stage's fallback text. */
export async function runOffline(
  ctx: AppContext,
  input: TurnInput,
  current: StageRow,
  base: VariableContext,
  rule: FiredRule | null,
): Promise<Omit<TurnResult, 'complete'>> {
  const { config, listener } = input;
  const started = performance.now();
  // A rule that held at turn start decides the stage; else similarity routing among the stages allowed
  // to follow this one (itself included).
  const options = selectableStages(config, current);
  const routed = rule
    ? { stageId: rule.target.stageId }
    : options.length > 1
      ? routeStageOffline(
          input.messageContent,
          options.map((s) => ({
            stage_id: s.stageId,
            stage_name: s.stageName,
            stage_description: s.stageDescription,
          })),
          current.stageId,
        )
      : { stageId: current.stageId };
  let stage = (routed.stageId && config.stagesById.get(routed.stageId)) || current;

  const extractStarted = performance.now();
  const patterns = extractOffline(input.messageContent);
  // A stage with goals keeps only its typed fields, filled from the patterns of their type.
  const factsFor = (s: StageRow) => {
    const fields = stageFields(config.business.fields, s);
    return fields.length ? typedFromPatterns(fields, patterns, input.messageContent) : undefined;
  };
  // Rules again with this message's facts, as with a model: one that holds now overrides the routing.
  let after: FiredRule | null = null;
  if (!rule && hasFactRules(config, current)) {
    const facts = factsFor(current);
    after = firedRule(config, current, {
      collectedData: { ...input.collectedData, ...(facts ? facts.values : patterns) },
      asksForHuman: false,
    });
    if (after) stage = after.target;
  }
  const decidedBy = rule ?? after;
  const selection: ProcessingStep = rule
    ? { ...emptyStep('stage_selection', undefined, 'offline'), transition_reason: rule.reason }
    : options.length > 1 || after
      ? {
          ...emptyStep('stage_selection', undefined, 'offline'),
          skipped: false,
          status: 'success',
          prompt: input.messageContent,
          response: stage.stageName,
          model: 'offline-engine',
          provider: 'offline',
          latency_ms: Math.round(performance.now() - started),
          ...(after ? { transition_reason: after.reason } : {}),
        }
      : emptyStep('stage_selection', undefined, 'offline');
  listener?.onStep?.(selection);

  // The facts of the stage the message arrived in when a rule on them moved the conversation.
  const typed = factsFor(after ? current : stage);
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
    transitionReason: stage.stageId === current.stageId ? null : (decidedBy?.reason ?? SELECTION_REASON),
    steps,
    calls: steps
      .filter((s) => !s.skipped)
      .map((step) => ({ step, templateId: null, stageId: stage.stageId })),
  };
}
