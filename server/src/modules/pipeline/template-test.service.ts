import type { AppContext } from '../../context.js';
import type { Principal } from '../../lib/principal.js';
import { extractOffline, routeStageOffline } from '../../llm/offline-engine.js';
import { parseExtractionAnswer, parseStageAnswer } from '../../llm/parse-answers.js';
import { loadConfigForTarget } from '../config-cache/index.js';
import { insertLlmCall } from '../conversations/index.js';
import { DEFAULT_FALLBACK_REPLY } from '../templates/default-templates.js';
import { type RenderInput, renderTemplatePreview } from '../templates/template-preview.service.js';
import { getTemplate } from '../templates/templates.service.js';

/** The role a template plays, whether it is a stage's template or a business default. */
function roleOf(templateType: string) {
  return templateType.replace(/^default_/, '') as
    | 'stage_selection'
    | 'data_extraction'
    | 'response_generation';
}

/**
 * Renders a template with a real conversation or supplied sample values and runs it through the
 * model the business uses (or the offline engine), exactly as the pipeline would for that role.
 */
export async function testTemplate(
  ctx: AppContext,
  principal: Principal,
  templateId: string,
  scope: string | undefined,
  input: RenderInput,
) {
  const template = await getTemplate(ctx, templateId, scope);
  const rendered = await renderTemplatePreview(ctx, principal, templateId, scope, input);
  // A template test runs the draft being edited (its stages and settings), not the published release.
  const config = await loadConfigForTarget(ctx.db, template.businessId, 'draft');
  const stages = config?.stages ?? [];
  const role = roleOf(template.templateType);
  const message =
    input.message_content ?? String(input.variables?.message_content ?? input.variables?.message ?? '');
  const settings = config?.business.settings ?? {};

  let raw: string;
  let parsed: unknown;
  let result = {
    provider: 'offline',
    model: 'offline-engine',
    tokensIn: 0,
    tokensOut: 0,
    latencyMs: 0,
    costUsd: 0,
    ok: true,
    error: undefined as string | undefined,
    errorDetail: undefined as string | undefined,
  };
  if (ctx.llm) {
    const answer = await ctx.llm.complete({
      system: rendered.rendered_system_prompt,
      prompt: rendered.rendered_content,
      output:
        role === 'stage_selection'
          ? { kind: 'choice', options: stages.map((s) => s.stageName) }
          : role === 'data_extraction'
            ? { kind: 'json' }
            : { kind: 'text' },
      model: settings.llm_model || undefined,
      provider: settings.llm_provider,
      temperature: settings.llm_temperature,
      deadline: Date.now() + ctx.config.turnTimeoutMs,
    });
    raw = answer.text;
    ctx.metrics.recordLlmCall('test', answer);
    result = { ...answer, error: answer.error, errorDetail: answer.errorDetail };
  } else {
    const started = performance.now();
    if (role === 'stage_selection') {
      const routed = routeStageOffline(
        message,
        stages.map((s) => ({
          stage_id: s.stageId,
          stage_name: s.stageName,
          stage_description: s.stageDescription,
        })),
        null,
      );
      raw = stages.find((s) => s.stageId === routed.stageId)?.stageName ?? '';
    } else if (role === 'data_extraction') {
      raw = JSON.stringify(extractOffline(message));
    } else {
      raw = settings.fallback_reply || DEFAULT_FALLBACK_REPLY;
    }
    result.latencyMs = Math.round(performance.now() - started);
  }
  if (role === 'stage_selection') {
    const stageId = parseStageAnswer(raw, stages);
    parsed = stageId
      ? { stage_id: stageId, stage_name: stages.find((s) => s.stageId === stageId)?.stageName }
      : null;
  } else if (role === 'data_extraction') {
    parsed = parseExtractionAnswer(raw);
  } else {
    parsed = raw.trim();
  }

  await insertLlmCall(ctx.db, {
    businessId: template.businessId,
    templateId: template.templateId,
    callType: 'test',
    provider: result.provider,
    model: result.model,
    systemPrompt: rendered.rendered_system_prompt,
    prompt: rendered.rendered_content,
    response: raw,
    tokensIn: result.tokensIn,
    tokensOut: result.tokensOut,
    latencyMs: result.latencyMs,
    costUsd: result.costUsd,
    status: result.ok ? (ctx.llm ? 'success' : 'offline') : 'error',
    error: result.error ?? null,
    errorDetail: result.errorDetail ?? null,
  });

  return {
    template_id: template.templateId,
    template_type: template.templateType,
    rendered_prompt: rendered.rendered_content,
    rendered_system_prompt: rendered.rendered_system_prompt,
    variables_used: rendered.variables_used,
    missing_variables: rendered.missing_variables,
    raw_response: raw,
    parsed_response: parsed,
    engine: ctx.llm ? ('llm' as const) : ('offline' as const),
    provider: result.provider,
    model: result.model,
    latency_ms: result.latencyMs,
    tokens_in: result.tokensIn,
    tokens_out: result.tokensOut,
    cost_usd: result.costUsd,
    status: result.ok ? ('success' as const) : ('error' as const),
    error: result.error ?? null,
  };
}
