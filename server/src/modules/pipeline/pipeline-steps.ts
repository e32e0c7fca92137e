import type { AppContext } from '../../context.js';
import { tracing } from '../../lib/tracing.js';
import type { LlmClient, LlmOutput, LlmResult } from '../../llm/llm-client.js';
import type { StageRow } from '../stages/index.js';
import type { TemplateRow } from '../templates/index.js';
import { PromptTooLarge } from '../templates/index.js';
import { renderWithContext, type VariableContext } from '../templates/variables/compute-variables.js';
import type { ProcessingStep, StepName } from './pipeline-types.js';
import { keepQuotedTexts, quoteTexts } from './quoted-texts.js';

export interface StepCall {
  step: ProcessingStep;
  /** Raw model result (for the llm_calls log); absent for offline or skipped steps. */
  llm?: LlmResult;
  templateId: string | null;
  stageId: string;
}

export interface LlmSettings {
  model?: string | undefined;
  provider?: 'openai' | 'anthropic' | undefined;
  temperature?: number | undefined;
  /** The turn's deadline (epoch ms, TURN_TIMEOUT_MS from its start). */
  deadline?: number | undefined;
}

export function emptyStep(
  step: StepName,
  template: TemplateRow | undefined,
  engine: 'llm' | 'offline',
): ProcessingStep {
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
export function runLlmStep(
  ctx: AppContext,
  llm: LlmClient,
  settings: LlmSettings,
  name: StepName,
  stage: StageRow,
  template: TemplateRow | undefined,
  variables: VariableContext,
  output: LlmOutput,
  onToken?: (text: string) => void,
): Promise<StepCall> {
  // Without tracing the step is its call alone: no span closure, no promise around it.
  if (!tracing().enabled)
    return runStep(ctx, llm, settings, name, stage, template, variables, output, onToken);
  const attributes = {
    'icmp.step': name,
    'icmp.stage_id': stage.stageId,
    'icmp.template_id': template?.templateId ?? '',
  };
  return tracing().span(`step ${name}`, attributes, async (span) => {
    const call = await runStep(ctx, llm, settings, name, stage, template, variables, output, onToken);
    span.set({ 'icmp.step_status': call.step.status });
    if (call.step.status === 'error') span.fail(call.step.error === 'timeout' ? 'timeout' : 'step failed');
    return call;
  });
}

async function runStep(
  ctx: AppContext,
  llm: LlmClient,
  settings: LlmSettings,
  name: StepName,
  stage: StageRow,
  template: TemplateRow | undefined,
  variables: VariableContext,
  output: LlmOutput,
  onToken?: (text: string) => void,
): Promise<StepCall> {
  if (!template) {
    return {
      step: { ...emptyStep(name, undefined, 'llm'), status: 'error', error: 'template missing' },
      templateId: null,
      stageId: stage.stageId,
    };
  }
  let rendered: Awaited<ReturnType<typeof renderWithContext>>;
  try {
    rendered = await renderWithContext(ctx, template, variables);
  } catch (error) {
    if (!(error instanceof PromptTooLarge)) throw error;
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
  const quoted = quoteTexts(rendered.rendered_content, rendered.rendered_system_prompt);
  const result = await llm.complete({
    system: rendered.rendered_system_prompt,
    prompt: rendered.rendered_content,
    quoted: { system: quoted.systemJson, prompt: quoted.promptJson },
    output,
    model: settings.model,
    provider: settings.provider,
    temperature: settings.temperature,
    deadline: settings.deadline,
    onToken,
  });
  ctx.metrics.recordLlmCall(name, result);
  const step: ProcessingStep = {
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
  keepQuotedTexts(step, quoted);
  return { step, llm: result, templateId: template.templateId, stageId: stage.stageId };
}
