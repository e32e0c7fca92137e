import type { TemplateRole, TemplateType } from '@/lib/api/types';

export const TEMPLATE_TYPE_LABELS: Record<TemplateType, string> = {
  stage_selection: 'Stage selection',
  data_extraction: 'Data extraction',
  response_generation: 'Response generation',
  default_stage_selection: 'Default · stage selection',
  default_data_extraction: 'Default · data extraction',
  default_response_generation: 'Default · response generation',
};

export function roleOf(type: TemplateType): TemplateRole {
  return type.replace(/^default_/, '') as TemplateRole;
}
