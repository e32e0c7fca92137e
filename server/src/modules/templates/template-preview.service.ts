import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { masksPii, type Principal } from '../../lib/principal.js';
import { loadConfigForTarget } from '../config-cache/index.js';
import { maskPiiValues } from '../fields/index.js';
import { extractVariableNames } from './render-template.js';
import type { RenderBody } from './templates.schemas.js';
import { getTemplate } from './templates.service.js';
import { BUILT_IN_VARIABLES } from './variable-catalogue.js';
import { renderWithContext, type VariableContext } from './variables/compute-variables.js';
import { conversationVariableContext } from './variables/conversation-variables.js';

export type RenderInput = Static<typeof RenderBody>;

/**
 * Renders a template as the pipeline would. With a conversation every variable not supplied is
 * computed from it; without one only what the business itself defines (profile, stages, time) is
 * computed, and conversation variables are reported missing rather than invented. PII fields of the
 * conversation's collected data are masked for a principal that sees them masked (lib/principal).
 */
export async function renderTemplatePreview(
  ctx: AppContext,
  principal: Principal,
  templateId: string,
  scope: string | undefined,
  input: RenderInput,
) {
  const template = await getTemplate(ctx, templateId, scope);
  const businessId = template.businessId;
  // The editor edits the draft: its variables (stages, settings) come from the draft, not the release.
  const config = await loadConfigForTarget(ctx.db, businessId, 'draft');
  let vc: VariableContext;
  if (input.conversation_id) {
    const found = await conversationVariableContext(ctx, businessId, input.conversation_id, {
      messageContent: input.message_content,
    });
    if (!found) throw notFound('Conversation');
    vc = { ...found, config };
    // A viewer or read-only key previews with the PII fields masked, as the conversation shows them.
    if (masksPii(principal, businessId) && found.collectedData)
      vc.collectedData = maskPiiValues(config?.business.fields ?? [], found.collectedData);
  } else {
    // The stage this template belongs to, so {{current_stage}} reads as it will at run time.
    const owner = config?.stages.find((stage) =>
      [
        stage.stageSelectionTemplateId,
        stage.dataExtractionTemplateId,
        stage.responseGenerationTemplateId,
      ].includes(template.templateId),
    );
    vc = {
      businessId,
      stageId: owner?.stageId ?? null,
      userId: null,
      messageContent: input.message_content,
      config,
    };
  }
  const draft = {
    content: input.content ?? template.content,
    systemPrompt: input.system_prompt ?? template.systemPrompt,
  };
  return renderWithContext(ctx, draft, vc, input.variables ?? {});
}

const CATALOGUE = new Map(BUILT_IN_VARIABLES.map((variable) => [variable.name, variable]));

/** The variables a template uses, described for an editor. */
export async function describeTemplateVariables(
  ctx: AppContext,
  templateId: string,
  scope: string | undefined,
) {
  const template = await getTemplate(ctx, templateId, scope);
  const names = [
    ...new Set([...extractVariableNames(template.content), ...extractVariableNames(template.systemPrompt)]),
  ];
  return {
    variables: names.map((name) => {
      const builtIn = CATALOGUE.get(name) ?? CATALOGUE.get(name.split('.')[0] as string);
      return builtIn
        ? {
            name,
            description: builtIn.description,
            required: true,
            default_value: null,
            built_in: true,
            category: builtIn.category,
          }
        : {
            name,
            description:
              'Extracted data key or custom variable (empty when the conversation has not collected it)',
            required: false,
            default_value: '',
            built_in: false,
            category: null,
          };
    }),
  };
}

export function listVariableCatalogue() {
  return {
    variables: BUILT_IN_VARIABLES.map(({ name, description, category, example }) => ({
      name,
      description,
      category,
      example,
    })),
  };
}
