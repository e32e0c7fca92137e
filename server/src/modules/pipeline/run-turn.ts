import type { AppContext } from '../../context.js';
import { withFields } from '../../lib/with-fields.js';
import type { LlmClient } from '../../llm/llm-client.js';
import { parseExtractionAnswer, parseStageAnswer } from '../../llm/parse-answers.js';
import { atLlmBudget } from '../analytics/index.js';
import { type BusinessConfig, selectableStages } from '../config-cache/index.js';
import { extractionSchema, missingRequired, normaliseExtraction, stageFields } from '../fields/index.js';
import type { StageRow } from '../stages/index.js';
import { type TemplateRow, templateUsesFacts, type VariableContext } from '../templates/index.js';
import { asksForHuman } from './asks-for-human.js';
import { renderFallbackReply } from './fallback-reply.js';
import { emptyStep, type LlmSettings, runLlmStep, type StepCall } from './pipeline-steps.js';
import { runOffline } from './run-offline-turn.js';
import { tokenGate } from './token-gate.js';
import { type FiredRule, firedRule, hasFactRules, SELECTION_REASON } from './transition-rules.js';
import type { TurnInput, TurnResult } from './turn-types.js';

export type { TurnInput, TurnResult };

export function entryStageOf(config: BusinessConfig, stageId: string | null): StageRow {
  const stage =
    (stageId && config.stagesById.get(stageId)) ||
    (config.entryStageId && config.stagesById.get(config.entryStageId)) ||
    config.stages[0];
  if (!stage) throw new Error(`business ${config.business.businessId} has no stages`);
  return stage;
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
    // The variables see the configuration this turn runs on, not whatever the cache holds.
    config,
    history: input.history,
    storedHistory: input.storedHistory,
  };
  // Transition rules first, on the facts known so far: one that holds moves the turn without selection.
  const asked = asksForHuman(input.messageContent);
  const rule = firedRule(config, current, { collectedData: input.collectedData, asksForHuman: asked });
  const ran =
    // A business at its monthly `llm_budget_usd` is answered by the offline engine.
    llm && !(await atLlmBudget(ctx.db, config.business.businessId, config.business.settings.llm_budget_usd))
      ? await runWithModel(ctx, llm, input, current, base, rule)
      : await runOffline(ctx, input, current, base, rule);
  const collected = { ...input.collectedData, ...ran.extracted };
  const result: TurnResult = withFields(ran, {
    complete: missingRequired(config.business.fields, ran.stage, collected).length === 0,
  });
  if (result.stage.stageId !== current.stageId) {
    listener?.onStage?.({
      stage_id: result.stage.stageId,
      stage_name: result.stage.stageName,
      previous_stage_id: current.stageId,
    });
  }
  return result;
}

/** One template, or copies with the same text (every new stage gets its own copy of the defaults). */
function sameTemplate(a: TemplateRow | undefined, b: TemplateRow | undefined): boolean {
  if (!a || !b) return false;
  return a.templateId === b.templateId || (a.content === b.content && a.systemPrompt === b.systemPrompt);
}

/**
 * The schedule (ARCHITECTURE.md, "Turn schedule"): what a call needs decides when it starts.
 * - Stage selection and the current stage's extraction start at once.
 * - When the current stage's reply template uses no collected facts, its reply starts with them,
 *   speculatively: kept (and its held tokens released) when the stage stays, discarded otherwise.
 * - When the stage changes, the speculative extraction is kept if the new stage extracts with the same
 *   template; the new stage's reply starts as soon as the facts it uses are known — at once when it
 *   uses none, alongside the new stage's own extraction.
 * Discarded calls are awaited and returned in `calls` (logged with their cost, status `discarded`).
 */
async function runWithModel(
  ctx: AppContext,
  llm: LlmClient,
  input: TurnInput,
  current: StageRow,
  base: VariableContext,
  rule: FiredRule | null,
): Promise<Omit<TurnResult, 'complete'>> {
  const { config, listener } = input;
  const settings: LlmSettings = {
    model: input.model || config.business.settings.llm_model || undefined,
    provider: config.business.settings.llm_provider,
    temperature: config.business.settings.llm_temperature,
    // One deadline for the whole turn: each call gets min(its own timeout, the time left).
    deadline: Date.now() + ctx.config.turnTimeoutMs,
  };
  const template = (id: string) => config.templatesById.get(id);
  const emit = (call: StepCall) => {
    listener?.onStep?.(call.step);
    return call;
  };
  const multiStage = config.stages.length > 1;
  const profileHasName = Boolean(input.user && `${input.user.firstName}${input.user.lastName}`.trim());
  /** The stage's reply can be written before this message's facts are known. */
  const replyWithoutFacts = (stage: StageRow) => {
    const reply = template(stage.responseGenerationTemplateId);
    return reply !== undefined && !templateUsesFacts(reply, { profileHasName });
  };
  // Typed extraction: a stage with goals asks for exactly its fields; one without stays free-form.
  const fieldsOf = (stage: StageRow) => stageFields(config.business.fields, stage);
  const extract = (stage: StageRow, variables: VariableContext) => {
    const fields = fieldsOf(stage);
    return runLlmStep(
      ctx,
      llm,
      settings,
      'data_extraction',
      stage,
      template(stage.dataExtractionTemplateId),
      variables,
      fields.length ? { kind: 'json', schema: extractionSchema(fields) } : { kind: 'json' },
    );
  };
  /** The facts of an extraction answer: typed values of the stage's fields (invalid ones noted on the step). */
  const factsOf = (call: StepCall, stage: StageRow) => {
    const raw = parseExtractionAnswer(call.llm?.text ?? '');
    const fields = fieldsOf(stage);
    if (!fields.length) return raw;
    const { values, rejected } = normaliseExtraction(fields, raw);
    if (rejected.length) call.step.rejected_values = rejected;
    return values;
  };
  const fieldKey = (stage: StageRow) =>
    fieldsOf(stage)
      .map((f) => f.name)
      .join(',');
  const respond = (stage: StageRow, variables: VariableContext, onToken?: (text: string) => void) =>
    runLlmStep(
      ctx,
      llm,
      settings,
      'response_generation',
      stage,
      template(stage.responseGenerationTemplateId),
      variables,
      { kind: 'text' },
      onToken,
    );
  const discarded = (call: StepCall): StepCall =>
    withFields(call, { step: withFields(call.step, { skipped: true }) });
  // A call started ahead is awaited later: until then, a rejection must not count as unhandled.
  const ahead = (call: Promise<StepCall>) => {
    call.catch(() => undefined);
    return call;
  };

  const selectionTemplate = template(current.stageSelectionTemplateId);
  /** A selection step that did not call the model; `rule` says which rule decided instead. */
  const noSelection = (ruleReason?: string): StepCall => ({
    step: {
      ...emptyStep('stage_selection', selectionTemplate, 'llm'),
      ...(ruleReason ? { transition_reason: ruleReason } : {}),
    },
    templateId: null,
    stageId: current.stageId,
  });

  // A rule held on the facts known at turn start: the stage is decided, no selection call; the new
  // stage's extraction and (when it needs no facts) its reply start at once.
  if (rule) {
    const stage = rule.target;
    const variables: VariableContext = withFields(base, {
      stageId: stage.stageId,
      previousStageId: current.stageId,
    });
    const selection = emit(noSelection(rule.reason));
    const reply = replyWithoutFacts(stage) ? ahead(respond(stage, variables, listener?.onToken)) : undefined;
    const extraction = await extract(stage, variables);
    const extracted = extraction.llm?.ok ? factsOf(extraction, stage) : {};
    return finish({ stage, variables, selection, extraction, extracted, reply, thrownAway: [], rule });
  }

  // Round trip 1: extraction for the current stage, its reply when that needs no facts, and selection
  // among the stages allowed to follow this one (itself included).
  const options = selectableStages(config, current);
  const speculative = ahead(extract(current, base));
  const gate = listener?.onToken ? tokenGate(listener.onToken) : undefined;
  const speculativeReply = replyWithoutFacts(current) ? ahead(respond(current, base, gate?.push)) : undefined;
  const selection =
    multiStage && options.length > 1
      ? await runLlmStep(ctx, llm, settings, 'stage_selection', current, selectionTemplate, base, {
          kind: 'choice',
          options: options.map((s) => s.stageName),
        })
      : noSelection();
  emit(selection);
  const selectionFailed = selection.step.status === 'error';
  const chosenId = selection.llm?.ok ? parseStageAnswer(selection.llm.text, config.stages) : null;
  // A stage the model may not move to keeps the conversation where it is (noted on the step).
  const chosen = chosenId ? config.stagesById.get(chosenId) : undefined;
  const allowed = chosen && options.includes(chosen) ? chosen : undefined;
  if (chosen && !allowed) selection.step.disallowed_stage = chosen.stageName;

  // Rules again once this message's facts are known (rules the facts can make hold): one that holds
  // now overrides the selection, whose answer is then logged as discarded.
  let after: FiredRule | null = null;
  if (!selectionFailed && hasFactRules(config, current)) {
    const speculated = await speculative;
    if (speculated.llm?.ok) {
      const facts = { ...input.collectedData, ...factsOf(speculated, current) };
      after = firedRule(config, current, { collectedData: facts, asksForHuman: false });
    }
  }
  const stage = after?.target ?? allowed ?? current;
  const stays = stage.stageId === current.stageId;
  const variables: VariableContext = stays
    ? base
    : withFields(base, { stageId: stage.stageId, previousStageId: current.stageId });
  const decided = after
    ? discarded({ ...selection, step: { ...selection.step, transition_reason: after.reason } })
    : selection;
  const thrownAway: Promise<StepCall>[] = [];

  // The reply: the speculative one when the stage stays; otherwise the new stage's, started now when
  // it needs no facts (in parallel with its extraction), else after the extraction below.
  let reply: Promise<StepCall> | undefined;
  if (speculativeReply && stays && !selectionFailed) {
    gate?.open();
    reply = speculativeReply;
  } else {
    gate?.drop();
    if (speculativeReply) thrownAway.push(speculativeReply);
    if (!stays && replyWithoutFacts(stage)) reply = ahead(respond(stage, variables, listener?.onToken));
  }

  // The extraction: the speculative one when the stage stays, when a rule on its facts moved the
  // conversation, or when the new stage extracts with the same template text and fields — each stage
  // gets its own copy of the defaults — (its stage variables then name the stage the message arrived
  // in); else the new stage's.
  const sameExtraction =
    stays ||
    after !== null ||
    (sameTemplate(template(stage.dataExtractionTemplateId), template(current.dataExtractionTemplateId)) &&
      fieldKey(stage) === fieldKey(current));
  let extraction: StepCall;
  const discardedExtraction: StepCall[] = [];
  if (sameExtraction) {
    extraction = await speculative;
    if (multiStage) extraction.step.reused = true;
  } else {
    const [speculated, fresh] = await Promise.all([speculative, extract(stage, variables)]);
    discardedExtraction.push(discarded(speculated));
    extraction = fresh;
  }
  // The message's facts survive a failure elsewhere in the turn: when the new stage's extraction failed,
  // what the current stage's (speculative) extraction found is kept.
  const speculated = await speculative;
  const extracted = extraction.llm?.ok
    ? factsOf(extraction, sameExtraction ? current : stage)
    : speculated.llm?.ok
      ? factsOf(speculated, current)
      : {};
  return finish({
    stage,
    variables,
    selection: decided,
    extraction,
    extracted,
    reply,
    thrownAway,
    discardedExtraction,
    rule: after,
    selectionFailed,
  });

  /** The reply once the stage and the facts are known, and the turn's result. */
  async function finish(turn: {
    stage: StageRow;
    variables: VariableContext;
    selection: StepCall;
    extraction: StepCall;
    extracted: Record<string, unknown>;
    reply: Promise<StepCall> | undefined;
    thrownAway: Promise<StepCall>[];
    discardedExtraction?: StepCall[];
    rule: FiredRule | null;
    selectionFailed?: boolean;
  }): Promise<Omit<TurnResult, 'complete'>> {
    const { stage, variables, selection, extraction, extracted, reply } = turn;
    emit(extraction);
    listener?.onExtracted?.({ extracted_data: extracted });
    const collectedData = { ...input.collectedData, ...extracted };
    // The model already failed this turn after its retries: answer at once instead of failing again —
    // unless a reply that needs no facts is already on its way. A failed selection keeps the stage; a
    // rule's move does not depend on the model and is kept.
    const modelDown =
      turn.selectionFailed === true || (extraction.step.status === 'error' && reply === undefined);
    const ends = modelDown && !turn.rule ? current : stage;
    let text: string;
    let fallback = false;
    let response: StepCall;
    if (modelDown) {
      response = {
        step: emptyStep('response_generation', template(stage.responseGenerationTemplateId), 'llm'),
        templateId: null,
        stageId: stage.stageId,
      };
      // The fallback sees what this message told us ({{email}} just given), not only what was known before.
      const fallbackVariables = ends === current ? base : variables;
      text = (await renderFallbackReply(ctx, config, ends, withFields(fallbackVariables, { collectedData })))
        .reply;
      fallback = true;
    } else {
      response = await (reply ?? respond(stage, withFields(variables, { collectedData }), listener?.onToken));
      text = response.llm?.ok ? response.llm.text.trim() : '';
      if (!text) {
        text = (await renderFallbackReply(ctx, config, stage, withFields(variables, { collectedData })))
          .reply;
        fallback = true;
      }
    }
    emit(response);
    const calls: StepCall[] = [selection, ...(turn.discardedExtraction ?? []), extraction];
    // Discarded replies stay in the call log with their cost; they ran alongside, so this rarely waits.
    for (const call of await Promise.all(turn.thrownAway)) calls.push(discarded(call));
    calls.push(response);
    const moved = ends.stageId !== current.stageId;
    return {
      stage: ends,
      previousStage: current,
      extracted,
      reply: text,
      fallback,
      engine: 'llm',
      transitionReason: moved ? (turn.rule?.reason ?? SELECTION_REASON) : null,
      steps: [selection.step, extraction.step, response.step],
      calls,
    };
  }
}
