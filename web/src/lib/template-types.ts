import type { TemplateType } from './api/models';

export type { TemplateType };
export type TemplateRole = 'stage_selection' | 'data_extraction' | 'response_generation';

/** Every template type, in display order; the type checker holds it equal to the server's enum. */
export const TEMPLATE_TYPE_LABELS: Record<TemplateType, string> = {
  stage_selection: 'Stage selection',
  data_extraction: 'Data extraction',
  response_generation: 'Response generation',
  default_stage_selection: 'Default · stage selection',
  default_data_extraction: 'Default · data extraction',
  default_response_generation: 'Default · response generation',
};
export const TEMPLATE_TYPES = Object.keys(TEMPLATE_TYPE_LABELS) as TemplateType[];

export function roleOf(type: TemplateType): TemplateRole {
  return type.replace(/^default_/, '') as TemplateRole;
}
